//===- LowerMath.cpp - Math ops as intrinsics the GPU backends select ----===//

#include "sieve/Conversion/KernelsToGPU/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/TypeSwitch.h"

namespace sieve {
#define GEN_PASS_DEF_GPULOWERMATHPASS
#include "sieve/Conversion/KernelsToGPU/Passes.h.inc"
} // namespace sieve

using namespace mlir;

namespace sieve {
namespace {

/// The LLVM intrinsic of `op`, or empty.
StringRef intrinsicOf(Operation *op) {
  return llvm::TypeSwitch<Operation *, StringRef>(op)
      .Case([](math::AbsFOp) { return "llvm.fabs"; })
      .Case([](math::FloorOp) { return "llvm.floor"; })
      .Case([](math::CeilOp) { return "llvm.ceil"; })
      .Case([](math::RoundEvenOp) { return "llvm.roundeven"; })
      .Case([](math::SqrtOp) { return "llvm.sqrt"; })
      .Case([](math::FmaOp) { return "llvm.fma"; })
      .Default(StringRef());
}

/// LLVM's overload suffix of `type`: f32, v4f32.
std::string overloadSuffix(Type type) {
  if (auto vector = dyn_cast<VectorType>(type))
    return "v" + std::to_string(vector.getNumElements()) + overloadSuffix(vector.getElementType());
  return type.isF64() ? "f64" : "f32";
}

bool isLowerable(Type type) {
  if (auto vector = dyn_cast<VectorType>(type))
    return vector.getRank() == 1 && !vector.isScalable() &&
           isLowerable(vector.getElementType());
  return type.isF32() || type.isF64();
}

struct GPULowerMathPass : impl::GPULowerMathPassBase<GPULowerMathPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (!intrinsicOf(op).empty() && op->getNumResults() == 1 &&
          isLowerable(op->getResult(0).getType()))
        ops.push_back(op);
    });
    // Integer counts are LLVM ops of their own (clz.b32 on NVIDIA,
    // v_ffbh_u32 on AMD); zero gives the bit width, as math.ctlz says.
    SmallVector<math::CountLeadingZerosOp> counts;
    getOperation().walk([&](math::CountLeadingZerosOp op) { counts.push_back(op); });
    for (math::CountLeadingZerosOp op : counts) {
      OpBuilder b(op);
      op.replaceAllUsesWith(LLVM::CountLeadingZerosOp::create(b, op.getLoc(), op.getType(),
                                                              op.getOperand(),
                                                              /*is_zero_poison=*/false)
                                .getResult());
      op.erase();
    }
    for (Operation *op : ops) {
      OpBuilder b(op);
      Type type = op->getResult(0).getType();
      std::string name = (intrinsicOf(op) + "." + overloadSuffix(type)).str();
      auto call = LLVM::CallIntrinsicOp::create(b, op->getLoc(), type, b.getStringAttr(name),
                                                op->getOperands());
      op->replaceAllUsesWith(call);
      op->erase();
    }
  }
};

} // namespace
} // namespace sieve
