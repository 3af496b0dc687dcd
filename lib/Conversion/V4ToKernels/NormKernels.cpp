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

#include "v4/IR/V4Ops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace sieve::detail {

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
  Type f32 = b.getF32Type(), element = input.getElementType();
  const bool weighted = static_cast<bool>(op.getWeight());
  const bool roundEachStep = op.getRoundEachStep();

  Value rows = k.rowCount();
  SmallVector<Value> dynamicSizes = k.dynamicLeadingSizes();
  Value x = k.view(0, dynamicSizes);
  Value w = weighted ? k.view(1, {}) : Value();
  Value y = k.view(weighted ? 2 : 1, dynamicSizes);
  auto at = [&](Value row, Value column) { return k.rowElement(row, column); };
  auto widen = [&](Value v) -> Value {
    return element == f32 ? v : arith::ExtFOp::create(b, loc, f32, v);
  };
  // T(v) back in fp32: a rounding step of round_each_step.
  auto round = [&](Value v) -> Value {
    if (!roundEachStep || element == f32)
      return v;
    Value narrowed = arith::TruncFOp::create(b, loc, element, v);
    return arith::ExtFOp::create(b, loc, f32, narrowed);
  };
  auto narrow = [&](Value v) -> Value {
    return element == f32 ? v : arith::TruncFOp::create(b, loc, element, v);
  };

  Value zero = k.index(0), one = k.index(1), n = k.index(width);
  Value eps = k.f32(op.getEps().convertToDouble());
  Value count = k.f32(static_cast<double>(width));
  Value unit = k.f32(1.0);
  Value sumInit = k.f32(0.0);
  k.forWorkgroups(rows, [&](Value row) {
    auto sumLoop = scf::ForOp::create(
        b, loc, zero, n, one, ValueRange{sumInit},
        [&](OpBuilder &, Location, Value i, ValueRange acc) {
          Value v = widen(memref::LoadOp::create(b, loc, x, at(row, i)));
          Value square = round(arith::MulFOp::create(b, loc, v, v));
          scf::YieldOp::create(b, loc, ValueRange{arith::AddFOp::create(b, loc, acc[0], square)});
        });
    Value mean = round(arith::DivFOp::create(b, loc, sumLoop.getResult(0), count));
    Value shifted = round(arith::AddFOp::create(b, loc, mean, eps));
    Value r = round(arith::DivFOp::create(b, loc, unit, math::SqrtOp::create(b, loc, shifted)));
    scf::ForOp::create(b, loc, zero, n, one, ValueRange{},
                       [&](OpBuilder &, Location, Value i, ValueRange) {
                         Value v = widen(memref::LoadOp::create(b, loc, x, at(row, i)));
                         Value p = round(arith::MulFOp::create(b, loc, v, r));
                         if (weighted) {
                           Value wi = widen(memref::LoadOp::create(b, loc, w, ValueRange{i}));
                           p = arith::MulFOp::create(b, loc, wi, p);
                         }
                         memref::StoreOp::create(b, loc, narrow(p), y, at(row, i));
                         scf::YieldOp::create(b, loc);
                       });
  });
  return k.kernel();
}

} // namespace sieve::detail
