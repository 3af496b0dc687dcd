//===- ApproximateMath.cpp - Transcendentals without libm ------------------===//
//
// x86 code generation turns llvm.exp and friends into libm calls, which a
// kernel may not make. MLIR's polynomial approximations replace them with
// arithmetic first.
//
//===----------------------------------------------------------------------===//

#include "sieve/Conversion/KernelsToCPU/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace sieve {
#define GEN_PASS_DEF_CPUAPPROXIMATEMATHPASS
#include "sieve/Conversion/KernelsToCPU/Passes.h.inc"
} // namespace sieve

using namespace mlir;

namespace sieve {
namespace {

struct CPUApproximateMathPass : impl::CPUApproximateMathPassBase<CPUApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace sieve
