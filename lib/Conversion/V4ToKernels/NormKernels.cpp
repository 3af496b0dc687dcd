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
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace sieve::detail {

void emitRowRmsNorm(OpBuilder &b, Location loc, const RowNormSpec &spec,
                    function_ref<Value(Value)> loadX, function_ref<Value(Value)> loadWeight,
                    function_ref<void(Value, Value)> store) {
  Type f32 = b.getF32Type(), element = spec.element;
  auto widen = [&](Value v) -> Value {
    return element == f32 ? v : arith::ExtFOp::create(b, loc, f32, v);
  };
  // T(v) back in fp32: a rounding step of round_each_step.
  auto round = [&](Value v) -> Value {
    if (!spec.roundEachStep || element == f32)
      return v;
    Value narrowed = arith::TruncFOp::create(b, loc, element, v);
    return arith::ExtFOp::create(b, loc, f32, narrowed);
  };
  auto narrow = [&](Value v) -> Value {
    return element == f32 ? v : arith::TruncFOp::create(b, loc, element, v);
  };
  auto f32Constant = [&](double v) -> Value {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(static_cast<float>(v)));
  };
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value n = arith::ConstantIndexOp::create(b, loc, spec.width);
  auto sumLoop = scf::ForOp::create(
      b, loc, zero, n, one, ValueRange{f32Constant(0.0)},
      [&](OpBuilder &, Location, Value i, ValueRange acc) {
        Value v = widen(loadX(i));
        Value square = round(arith::MulFOp::create(b, loc, v, v));
        scf::YieldOp::create(b, loc, ValueRange{arith::AddFOp::create(b, loc, acc[0], square)});
      });
  Value mean = round(arith::DivFOp::create(b, loc, sumLoop.getResult(0),
                                           f32Constant(static_cast<double>(spec.width))));
  Value shifted = round(arith::AddFOp::create(b, loc, mean, f32Constant(spec.eps)));
  Value r = round(
      arith::DivFOp::create(b, loc, f32Constant(1.0), math::SqrtOp::create(b, loc, shifted)));
  auto writeElement = [&](Value i) {
    Value p = round(arith::MulFOp::create(b, loc, widen(loadX(i)), r));
    if (loadWeight)
      p = arith::MulFOp::create(b, loc, widen(loadWeight(i)), p);
    store(i, narrow(p));
  };
  if (spec.writeOverThreads) {
    auto mapping =
        b.getArrayAttr({gpu::GPUThreadMappingAttr::get(b.getContext(), gpu::MappingId::DimX)});
    auto write =
        scf::ForallOp::create(b, loc, ArrayRef<OpFoldResult>{zero}, ArrayRef<OpFoldResult>{n},
                              ArrayRef<OpFoldResult>{one}, ValueRange{}, mapping);
    reduction_loops::markElementwise(write); // kept by the CPU's serial loop
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(write.getBody());
    writeElement(write.getInductionVar(0));
    return;
  }
  auto write = scf::ForOp::create(b, loc, zero, n, one, ValueRange{},
                                  [&](OpBuilder &, Location, Value i, ValueRange) {
                                    writeElement(i);
                                    scf::YieldOp::create(b, loc);
                                  });
  reduction_loops::markElementwise(write);
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
                   op.getRoundEachStep(), /*writeOverThreads=*/true};
  k.forWorkgroups(rows, [&](Value row) {
    auto loadWeight = [&](Value i) -> Value {
      return memref::LoadOp::create(b, loc, w, ValueRange{i});
    };
    emitRowRmsNorm(
        b, loc, spec,
        [&](Value i) -> Value { return memref::LoadOp::create(b, loc, x, k.rowElement(row, i)); },
        weighted ? function_ref<Value(Value)>(loadWeight) : function_ref<Value(Value)>(),
        [&](Value i, Value v) { memref::StoreOp::create(b, loc, v, y, k.rowElement(row, i)); });
  });
  return k.kernel();
}

} // namespace sieve::detail
