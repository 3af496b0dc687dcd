//===- NormKernels.cpp - v4.rms_norm as a kernel ---------------------------===//
//
// One row per workgroup. The arithmetic is the reference executor's, in its
// order (runtime/src/reference/ops.cpp): the sum of squares accumulates in
// fp32 from the first element to the last, r = 1 / sqrt(sum / n + eps), and
// each output is T(w * (x * r)); with round_each_step every step rounds to T
// (headNormBf16). Same operations in the same order: the kernel is
// bit-identical to the reference.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "OpKernelEmitters.h"
#include "RowNorm.h"
#include "sieve/Conversion/ReductionLoops.h"

#include "v4/IR/V4Ops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace sieve::detail {

namespace {
/// The spec's arithmetic helpers: widening, the optional per-step rounding.
struct NormArith {
  OpBuilder &b;
  Location loc;
  const RowNormSpec &spec;
  Value widen(Value v) {
    return spec.element == b.getF32Type() ? v : arith::ExtFOp::create(b, loc, b.getF32Type(), v);
  }
  // T(v) back in fp32: a rounding step of round_each_step.
  Value round(Value v) {
    if (!spec.roundEachStep || spec.element == b.getF32Type())
      return v;
    Value narrowed = arith::TruncFOp::create(b, loc, spec.element, v);
    return arith::ExtFOp::create(b, loc, b.getF32Type(), narrowed);
  }
  Value narrow(Value v) {
    return spec.element == b.getF32Type() ? v : arith::TruncFOp::create(b, loc, spec.element, v);
  }
  Value f32(double v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(static_cast<float>(v)));
  }
};
} // namespace

Value emitRowRmsScale(OpBuilder &b, Location loc, const RowNormSpec &spec,
                      function_ref<Value(Value)> loadX) {
  NormArith a{b, loc, spec};
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value n = arith::ConstantIndexOp::create(b, loc, spec.width);
  auto sumLoop = scf::ForOp::create(
      b, loc, zero, n, one, ValueRange{a.f32(0.0)},
      [&](OpBuilder &, Location, Value i, ValueRange acc) {
        Value v = a.widen(loadX(i));
        Value square = a.round(arith::MulFOp::create(b, loc, v, v));
        scf::YieldOp::create(b, loc, ValueRange{arith::AddFOp::create(b, loc, acc[0], square)});
      });
  sumLoop->setAttr(reduction_loops::kSplittableSum, b.getUnitAttr());
  Value mean = a.round(
      arith::DivFOp::create(b, loc, sumLoop.getResult(0), a.f32(static_cast<double>(spec.width))));
  Value shifted = a.round(arith::AddFOp::create(b, loc, mean, a.f32(spec.eps)));
  return a.round(arith::DivFOp::create(b, loc, a.f32(1.0), math::SqrtOp::create(b, loc, shifted)));
}

Value emitRowRmsElement(OpBuilder &b, Location loc, const RowNormSpec &spec,
                        function_ref<Value(Value)> loadX, function_ref<Value(Value)> loadWeight,
                        Value i, Value r) {
  NormArith a{b, loc, spec};
  Value p = a.round(arith::MulFOp::create(b, loc, a.widen(loadX(i)), r));
  if (loadWeight)
    p = arith::MulFOp::create(b, loc, a.widen(loadWeight(i)), p);
  return a.narrow(p);
}

FailureOr<func::FuncOp> emitRmsNormKernel(v4::RmsNormOp op, llvm::StringRef name,
                                          OpBuilder &moduleBuilder) {
  RankedTensorType input = op.getInput().getType();
  SmallVector<RankedTensorType> tensors = {input};
  if (Value weight = op.getWeight())
    tensors.push_back(cast<RankedTensorType>(weight.getType()));
  tensors.push_back(op.getResult().getType());
  int64_t width = input.getShape().back();
  if (ShapedType::isDynamic(width))
    return op.emitOpError() << "needs a static last dimension to become a kernel";
  for (RankedTensorType t : ArrayRef(tensors).drop_front())
    if (!t.hasStaticShape() && t != input)
      return op.emitOpError() << "needs its weight and result shaped like the input";

  KernelBuilder k(moduleBuilder, op.getLoc(), name, tensors);
  OpBuilder &b = k.builder();
  Location loc = k.location();
  const bool weighted = static_cast<bool>(op.getWeight());
  Value rows = k.rowCount();
  SmallVector<Value> dynamicSizes = k.dynamicLeadingSizes();
  Value x = k.view(0, dynamicSizes);
  Value w = weighted ? k.view(1, {}) : Value();
  Value y = k.view(weighted ? 2 : 1, dynamicSizes);
  RowNormSpec spec{width, op.getEps().convertToDouble(), input.getElementType(),
                   op.getRoundEachStep()};
  Value zero = k.index(0), one = k.index(1);
  k.forWorkgroups(rows, [&](Value row) {
    auto loadX = [&](Value i) -> Value {
      return memref::LoadOp::create(b, loc, x, k.rowElement(row, i));
    };
    auto loadWeight = [&](Value i) -> Value {
      return memref::LoadOp::create(b, loc, w, ValueRange{i});
    };
    // r once (on a GPU, a group of threads splits its sum), then the
    // elements over the threads.
    Value scale = memref::AllocaOp::create(b, loc, MemRefType::get({1}, b.getF32Type()));
    k.forThreads(
        zero, one, one,
        [&](Value) {
          memref::StoreOp::create(b, loc, emitRowRmsScale(b, loc, spec, loadX), scale,
                                  ValueRange{zero});
        },
        /*splitReductions=*/true);
    k.forThreads(
        zero, k.index(width), one,
        [&](Value i) {
          Value r = memref::LoadOp::create(b, loc, scale, ValueRange{zero});
          Value normed = emitRowRmsElement(b, loc, spec, loadX,
                                           weighted ? function_ref<Value(Value)>(loadWeight)
                                                    : function_ref<Value(Value)>(),
                                           i, r);
          memref::StoreOp::create(b, loc, normed, y, k.rowElement(row, i));
        },
        /*splitReductions=*/false, /*elementwise=*/true);
  });
  return k.kernel();
}

} // namespace sieve::detail
