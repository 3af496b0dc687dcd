//===- ActivationKernels.cpp - v4.swiglu as a kernel -----------------------===//
//
// One row per workgroup, the reference's fp32 arithmetic in its order
// (ref::swiglu): g = min(gate, limit) as `limit < g ? limit : g`, u =
// clamp(up, -limit, limit) as std::clamp does, h = g / (1 + exp(-g)) * u,
// times the row's routing weight, rounded once. exp is MLIR's polynomial
// approximation on the CPU, so outputs may differ from the reference's libm
// exp by one bf16 ulp (docs/numerics.md).
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "OpKernelEmitters.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace sieve::detail {

FailureOr<func::FuncOp> emitSwigluKernel(v4::SwigluOp op, llvm::StringRef name,
                                         OpBuilder &moduleBuilder) {
  auto gate = cast<RankedTensorType>(op.getGate().getType());
  auto result = cast<RankedTensorType>(op.getResult().getType());
  int64_t width = gate.getShape().back();
  if (ShapedType::isDynamic(width))
    return op.emitOpError() << "needs a static last dimension to become a kernel";
  if (result.getShape() != gate.getShape())
    return op.emitOpError() << "needs its result shaped like its gate";
  SmallVector<RankedTensorType> tensors = {gate, gate};
  const bool weighted = static_cast<bool>(op.getWeights());
  if (weighted)
    tensors.push_back(cast<RankedTensorType>(op.getWeights().getType()));
  tensors.push_back(result);

  KernelBuilder k(moduleBuilder, op.getLoc(), name, tensors);
  OpBuilder &b = k.builder();
  Location loc = k.location();
  Type f32 = b.getF32Type();
  SmallVector<Value> dynamicSizes = k.dynamicLeadingSizes();
  Value rows = k.rowCount();
  Value gates = k.view(0, dynamicSizes), ups = k.view(1, dynamicSizes);
  // Routing weights: one per row, [rows] however the rows are shaped.
  Value weights;
  if (weighted) {
    auto weightType = cast<RankedTensorType>(op.getWeights().getType());
    SmallVector<Value> weightSizes;
    if (weightType.isDynamicDim(0))
      weightSizes.push_back(rows);
    weights = k.view(2, weightSizes);
  }
  Value out = k.view(weighted ? 3 : 2, dynamicSizes);
  auto widen = [&](Value v) -> Value {
    return v.getType() == f32 ? v : arith::ExtFOp::create(b, loc, f32, v);
  };

  double limitValue = op.getLimit().convertToDouble();
  Value limit = k.f32(limitValue), negLimit = k.f32(-limitValue), one = k.f32(1.0);
  Value zero = k.index(0), step = k.index(1), n = k.index(width);
  k.forWorkgroups(rows, [&](Value row) {
    Value rowWeight =
        weighted ? memref::LoadOp::create(b, loc, weights, ValueRange{row}).getResult()
                 : Value();
    k.forThreads(zero, n, step, [&](Value i) {
      SmallVector<Value> at = k.rowElement(row, i);
      Value g = widen(memref::LoadOp::create(b, loc, gates, at));
      Value u = widen(memref::LoadOp::create(b, loc, ups, at));
      // The reference clamps only with a positive limit (8.2).
      if (limitValue > 0.0) {
        Value below = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, u, negLimit);
        u = arith::SelectOp::create(b, loc, below, negLimit, u);
        Value above = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, limit, u);
        u = arith::SelectOp::create(b, loc, above, limit, u);
        Value gAbove = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, limit, g);
        g = arith::SelectOp::create(b, loc, gAbove, limit, g);
      }
      Value negG = arith::NegFOp::create(b, loc, g);
      Value denominator = arith::AddFOp::create(b, loc, one, math::ExpOp::create(b, loc, negG));
      Value silu = arith::DivFOp::create(b, loc, g, denominator);
      Value h = arith::MulFOp::create(b, loc, silu, u);
      if (rowWeight)
        h = arith::MulFOp::create(b, loc, h, rowWeight);
      Type element = result.getElementType();
      Value stored = element == f32 ? h : arith::TruncFOp::create(b, loc, element, h);
      memref::StoreOp::create(b, loc, stored, out, at);
    });
  });
  return k.kernel();
}

} // namespace sieve::detail
