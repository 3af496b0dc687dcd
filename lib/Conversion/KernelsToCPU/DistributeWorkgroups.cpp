//===- DistributeWorkgroups.cpp - One workgroup per kernel call ------------===//
//
// The kernel IR's workgroups are one top-level scf.forall mapped to
// #gpu.block dimensions. The CPU runtime calls a kernel once per workgroup,
// so the forall is replaced by its body at workgroup ids that become the
// kernel's trailing arguments; the GPU path maps the same forall to blocks.
//
//===----------------------------------------------------------------------===//

#include "sieve/Conversion/KernelsToCPU/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/SmallBitVector.h"

namespace sieve {
#define GEN_PASS_DEF_CPUDISTRIBUTEWORKGROUPSPASS
#include "sieve/Conversion/KernelsToCPU/Passes.h.inc"
} // namespace sieve

using namespace mlir;

namespace sieve {
namespace {

/// A binding: raw bytes, viewed as typed memrefs by the kernel body.
bool isBindingType(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  return memref && memref.getRank() == 1 && memref.isDynamicDim(0) &&
         memref.getElementType().isInteger(8) && memref.getLayout().isIdentity() &&
         !memref.getMemorySpace();
}

/// Checks the argument contract; returns (bindings, constants).
FailureOr<std::pair<int64_t, int64_t>> countArguments(func::FuncOp kernel) {
  int64_t bindings = 0, constants = 0;
  for (auto [index, type] : llvm::enumerate(kernel.getArgumentTypes())) {
    if (constants == 0 && isBindingType(type)) {
      ++bindings;
      continue;
    }
    if (type.isInteger(32)) {
      ++constants;
      continue;
    }
    return kernel.emitOpError()
           << "argument " << index
           << ": expects a binding (memref<?xi8>) or, after the bindings, a push "
              "constant (i32), got "
           << type;
  }
  if (kernel.getNumResults() != 0)
    return kernel.emitOpError() << "a kernel returns nothing (it writes its bindings), "
                                   "got "
                                << kernel.getNumResults() << " results";
  return std::make_pair(bindings, constants);
}

/// The one top-level workgroup forall of `kernel`.
FailureOr<scf::ForallOp> workgroupForall(func::FuncOp kernel) {
  scf::ForallOp found;
  for (auto forall : kernel.getBody().getOps<scf::ForallOp>()) {
    if (found)
      return forall.emitOpError()
             << "is a second workgroup loop of kernel @" << kernel.getSymName()
             << " (one per kernel)";
    found = forall;
  }
  if (!found)
    return kernel.emitOpError()
           << "has no top-level scf.forall over workgroups (#gpu.block mapping)";
  std::optional<ArrayAttr> mapping = found.getMapping();
  if (!mapping || int64_t(mapping->size()) != found.getRank() ||
      !llvm::all_of(*mapping, [](Attribute a) { return isa<gpu::GPUBlockMappingAttr>(a); }))
    return found.emitOpError()
           << "expects a #gpu.block mapping for every dimension of the workgroup loop";
  llvm::SmallBitVector seen(3);
  for (Attribute attr : *mapping) {
    auto dim = static_cast<int64_t>(cast<gpu::GPUBlockMappingAttr>(attr).getBlock());
    if (dim > static_cast<int64_t>(gpu::MappingId::DimZ) || seen.test(dim))
      return found.emitOpError() << "expects distinct #gpu.block<x>, <y> or <z> "
                                    "mappings (workgroup ids have three dimensions), got "
                                 << *mapping;
    seen.set(dim);
  }
  if (found.getNumResults() != 0)
    return found.emitOpError()
           << "writes its bindings in place: a workgroup loop has no results";
  return found;
}

struct CPUDistributeWorkgroupsPass
    : impl::CPUDistributeWorkgroupsPassBase<CPUDistributeWorkgroupsPass> {
  void runOnOperation() override {
    for (auto kernel : getOperation().getOps<func::FuncOp>()) {
      if (!kernel->hasAttr("sieve.kernel"))
        continue;
      if (failed(distribute(kernel)))
        return signalPassFailure();
    }
  }

  LogicalResult distribute(func::FuncOp kernel) {
    if (kernel.isExternal())
      return kernel.emitOpError() << "is a kernel without a body";
    FailureOr<std::pair<int64_t, int64_t>> counts = countArguments(kernel);
    if (failed(counts))
      return failure();
    FailureOr<scf::ForallOp> forall = workgroupForall(kernel);
    if (failed(forall))
      return failure();
    OpBuilder b(kernel);
    kernel->setAttr("sieve.bindings", b.getI64IntegerAttr(counts->first));
    kernel->setAttr("sieve.constants", b.getI64IntegerAttr(counts->second));

    // Workgroup ids x, y, z as trailing index arguments.
    Block &entry = kernel.getBody().front();
    Location loc = kernel.getLoc();
    SmallVector<Value> ids;
    for (int i = 0; i < 3; ++i) {
      unsigned position = kernel.getNumArguments();
      if (failed(kernel.insertArgument(position, b.getIndexType(), {}, loc)))
        return failure();
      ids.push_back(entry.getArgument(position));
    }

    // The body, once, at this call's workgroup id.
    scf::ForallOp loop = *forall;
    Block *body = loop.getBody();
    for (auto [iv, attr] : llvm::zip(loop.getInductionVars(), *loop.getMapping())) {
      auto dim = cast<gpu::GPUBlockMappingAttr>(attr).getBlock();
      iv.replaceAllUsesWith(ids[static_cast<int>(dim) - static_cast<int>(gpu::MappingId::DimX)]);
    }
    body->getTerminator()->erase();
    loop->getBlock()->getOperations().splice(Block::iterator(loop), body->getOperations());
    loop.erase();
    return success();
  }
};

} // namespace
} // namespace sieve
