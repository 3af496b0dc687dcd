//===- DistributeWorkgroups.cpp - One workgroup per kernel call ------------===//
//
// The kernel IR's workgroups are one top-level scf.forall mapped to
// #gpu.block dimensions. The CPU runtime calls a kernel once per workgroup,
// so the forall is replaced by its body at workgroup ids that become the
// kernel's trailing arguments; the GPU path maps the same forall to blocks.
//
//===----------------------------------------------------------------------===//

#include "sieve/Conversion/KernelContract.h"
#include "sieve/Conversion/KernelsToCPU/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace sieve {
#define GEN_PASS_DEF_CPUDISTRIBUTEWORKGROUPSPASS
#include "sieve/Conversion/KernelsToCPU/Passes.h.inc"
} // namespace sieve

using namespace mlir;

namespace sieve {
namespace {

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
    FailureOr<kernel_contract::ArgumentCounts> counts =
        kernel_contract::countArguments(kernel);
    if (failed(counts))
      return failure();
    FailureOr<scf::ForallOp> forall = kernel_contract::workgroupForall(kernel);
    if (failed(forall))
      return failure();
    OpBuilder b(kernel);
    kernel->setAttr(kernel_contract::kBindingCount, b.getI64IntegerAttr(counts->bindings));
    kernel->setAttr(kernel_contract::kConstantCount, b.getI64IntegerAttr(counts->constants));

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
