//===- HyperConnectionKernels.cpp - v4.hc_post as a kernel -----------------===//
//
// One token per workgroup, the reference's fp32 arithmetic in its order
// (ref::hcPost): for stream j and element e, the stream mix sum_i comb[i, j]
// * h[i, e] from i = 0 up, then post[j] * x[e] added, rounded once. The same
// operations in the same order: bit-identical to the reference.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "OpKernelEmitters.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace sieve::detail {

FailureOr<func::FuncOp> emitHcPostKernel(v4::HcPostOp op, llvm::StringRef name,
                                         OpBuilder &moduleBuilder) {
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  auto streamsType = cast<RankedTensorType>(op.getStreams().getType());
  auto postType = cast<RankedTensorType>(op.getPost().getType());
  auto combType = cast<RankedTensorType>(op.getComb().getType());
  int64_t width = inputType.getShape().back();
  int64_t streams = streamsType.getShape().end()[-2];
  if (ShapedType::isDynamic(width) || ShapedType::isDynamic(streams))
    return op.emitOpError() << "needs static streams and width to become a kernel";

  KernelBuilder k(moduleBuilder, op.getLoc(), name,
                  {inputType, streamsType, postType, combType, streamsType});
  OpBuilder &b = k.builder();
  Location loc = k.location();
  Type f32 = b.getF32Type(), element = streamsType.getElementType();
  SmallVector<Value> dynamicSizes = k.dynamicLeadingSizes();
  Value rows = k.rowCount();
  Value x = k.view(0, dynamicSizes), h = k.view(1, dynamicSizes), post = k.view(2, dynamicSizes),
        comb = k.view(3, dynamicSizes), out = k.view(4, dynamicSizes);
  Value zero = k.index(0), one = k.index(1), n = k.index(streams), d = k.index(width);
  auto widen = [&](Value v) -> Value {
    return v.getType() == f32 ? v : arith::ExtFOp::create(b, loc, f32, v);
  };

  k.forWorkgroups(rows, [&](Value row) {
    SmallVector<Value> token = k.rowElement(row, zero);
    token.pop_back();
    auto at = [&](std::initializer_list<Value> tail) {
      SmallVector<Value> indices(token);
      indices.append(tail.begin(), tail.end());
      return indices;
    };
    scf::ForOp::create(b, loc, zero, n, one, ValueRange{}, [&](OpBuilder &, Location, Value j,
                                                               ValueRange) {
      Value postJ = memref::LoadOp::create(b, loc, post, at({j}));
      scf::ForOp::create(b, loc, zero, d, one, ValueRange{}, [&](OpBuilder &, Location, Value e,
                                                                 ValueRange) {
        auto mix = scf::ForOp::create(
            b, loc, zero, n, one,
            ValueRange{arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f)).getResult()},
            [&](OpBuilder &, Location, Value i, ValueRange acc) {
              Value c = memref::LoadOp::create(b, loc, comb, at({i, j}));
              Value hi = widen(memref::LoadOp::create(b, loc, h, at({i, e})));
              Value term = arith::MulFOp::create(b, loc, c, hi);
              scf::YieldOp::create(b, loc,
                                   ValueRange{arith::AddFOp::create(b, loc, acc[0], term)});
            });
        Value xe = widen(memref::LoadOp::create(b, loc, x, at({e})));
        Value value = arith::AddFOp::create(b, loc, arith::MulFOp::create(b, loc, postJ, xe),
                                            mix.getResult(0));
        if (element != f32)
          value = arith::TruncFOp::create(b, loc, element, value);
        memref::StoreOp::create(b, loc, value, out, at({j, e}));
        scf::YieldOp::create(b, loc);
      });
      scf::YieldOp::create(b, loc);
    });
  });
  return k.kernel();
}

} // namespace sieve::detail
