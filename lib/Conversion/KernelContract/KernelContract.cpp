//===- KernelContract.cpp - What every target's lowering expects ----------===//

#include "sieve/Conversion/KernelContract.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;

namespace sieve::kernel_contract {

bool isBindingType(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  return memref && memref.getRank() == 1 && memref.isDynamicDim(0) &&
         memref.getElementType().isInteger(8) && memref.getLayout().isIdentity() &&
         !memref.getMemorySpace();
}

FailureOr<ArgumentCounts> countArguments(func::FuncOp kernel) {
  ArgumentCounts counts;
  for (auto [index, type] : llvm::enumerate(kernel.getArgumentTypes())) {
    if (counts.constants == 0 && isBindingType(type)) {
      ++counts.bindings;
      continue;
    }
    if (type.isInteger(32)) {
      ++counts.constants;
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
  return counts;
}

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

bool isThreadForall(Operation *op) {
  auto forall = dyn_cast<scf::ForallOp>(op);
  if (!forall)
    return false;
  std::optional<ArrayAttr> mapping = forall.getMapping();
  return mapping && !mapping->empty() &&
         llvm::all_of(*mapping, [](Attribute a) { return isa<gpu::GPUThreadMappingAttr>(a); });
}

scf::ForallOp createThreadLoop(OpBuilder &b, Location loc, OpFoldResult lower, OpFoldResult upper,
                               OpFoldResult step, bool splitReductions) {
  auto mapping =
      b.getArrayAttr({gpu::GPUThreadMappingAttr::get(b.getContext(), gpu::MappingId::DimX)});
  auto loop =
      scf::ForallOp::create(b, loc, ArrayRef<OpFoldResult>{lower}, ArrayRef<OpFoldResult>{upper},
                            ArrayRef<OpFoldResult>{step}, ValueRange{}, mapping);
  if (splitReductions)
    loop->setAttr(kSplitReductions, b.getUnitAttr());
  return loop;
}

FailureOr<ThreadLoopBounds> threadLoopBounds(scf::ForallOp loop, OpBuilder &b) {
  if (loop.getRank() != 1 || loop.getNumResults() != 0)
    return loop.emitOpError() << "a thread loop has one dimension and no results";
  auto mapping = cast<gpu::GPUThreadMappingAttr>((*loop.getMapping())[0]);
  if (mapping.getThread() != gpu::MappingId::DimX)
    return loop.emitOpError() << "a thread loop maps to #gpu.thread<x>";
  Location loc = loop.getLoc();
  return ThreadLoopBounds{
      getValueOrCreateConstantIndexOp(b, loc, loop.getMixedLowerBound()[0]),
      getValueOrCreateConstantIndexOp(b, loc, loop.getMixedUpperBound()[0]),
      getValueOrCreateConstantIndexOp(b, loc, loop.getMixedStep()[0])};
}

} // namespace sieve::kernel_contract
