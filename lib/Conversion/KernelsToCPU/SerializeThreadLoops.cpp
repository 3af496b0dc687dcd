//===- SerializeThreadLoops.cpp - Thread loops as plain loops -------------===//

#include "sieve/Conversion/KernelContract.h"
#include "sieve/Conversion/ReductionLoops.h"
#include "sieve/Conversion/KernelsToCPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"

namespace sieve {
#define GEN_PASS_DEF_CPUSERIALIZETHREADLOOPSPASS
#include "sieve/Conversion/KernelsToCPU/Passes.h.inc"
} // namespace sieve

using namespace mlir;

namespace sieve {
namespace {

struct CPUSerializeThreadLoopsPass
    : impl::CPUSerializeThreadLoopsPassBase<CPUSerializeThreadLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<scf::ForallOp> loops;
    getOperation().walk([&](scf::ForallOp loop) {
      if (kernel_contract::isThreadForall(loop))
        loops.push_back(loop);
    });
    for (scf::ForallOp loop : loops) {
      hoistThreadScratch(loop);
      if (failed(serialize(loop)))
        return signalPassFailure();
    }
  }

  /// A thread's scratch (an alloca in a thread loop) is allocated once, at
  /// the function's entry: the iterations use it one after another, as a
  /// GPU thread running several of them does, and an alloca left in the
  /// loop would take new stack in every iteration.
  void hoistThreadScratch(scf::ForallOp loop) {
    Block &entry = getOperation().getBody().front();
    SmallVector<memref::AllocaOp> scratch;
    loop.walk([&](memref::AllocaOp alloca) {
      if (alloca.getType().hasStaticShape() && alloca->getNumOperands() == 0)
        scratch.push_back(alloca);
    });
    for (memref::AllocaOp alloca : scratch)
      alloca->moveBefore(&entry, entry.begin());
  }

  LogicalResult serialize(scf::ForallOp loop) {
    OpBuilder b(loop);
    Location loc = loop.getLoc();
    FailureOr<kernel_contract::ThreadLoopBounds> bounds = kernel_contract::threadLoopBounds(loop, b);
    if (failed(bounds))
      return failure();
    auto [lower, upper, step] = *bounds;
    Block *body = loop.getBody();
    body->getTerminator()->erase();
    scf::ForOp serial;
    Value iv;
    if (!reverse) {
      serial = scf::ForOp::create(b, loc, lower, upper, step);
      // An elementwise thread loop stays one for the vectorizer.
      if (loop->hasAttr(reduction_loops::kElementwise))
        reduction_loops::markElementwise(serial);
      iv = serial.getInductionVar();
      b.setInsertionPointToStart(serial.getBody());
    } else {
      // Iteration j of trip count n runs lower + (n - 1 - j) * step.
      Value zero = arith::ConstantIndexOp::create(b, loc, 0);
      Value one = arith::ConstantIndexOp::create(b, loc, 1);
      Value span = arith::SubIOp::create(
          b, loc, arith::MaxUIOp::create(b, loc, upper, lower), lower);
      Value trips = arith::CeilDivUIOp::create(b, loc, span, step);
      serial = scf::ForOp::create(b, loc, zero, trips, one);
      b.setInsertionPointToStart(serial.getBody());
      Value back = arith::SubIOp::create(
          b, loc, arith::SubIOp::create(b, loc, trips, one), serial.getInductionVar());
      iv = arith::AddIOp::create(b, loc, lower, arith::MulIOp::create(b, loc, back, step));
    }
    loop.getInductionVars()[0].replaceAllUsesWith(iv);
    serial.getBody()->getOperations().splice(Block::iterator(serial.getBody()->getTerminator()),
                                             body->getOperations());
    loop.erase();
    return success();
  }
};

} // namespace
} // namespace sieve
