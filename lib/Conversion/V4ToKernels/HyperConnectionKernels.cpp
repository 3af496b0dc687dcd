//===- HyperConnectionKernels.cpp - v4.hc_post and v4.hc_head as kernels ---===//
//
// One token per workgroup, the reference's fp32 arithmetic in its order
// (ref::hcPost): for stream j and element e, the stream mix sum_i comb[i, j]
// * h[i, e] from i = 0 up, then post[j] * x[e] added, rounded once. The same
// operations in the same order: bit-identical to the reference.
//
// v4.hc_head, one token per workgroup, follows ref::hcHead: the fp32 mean
// square of the flattened streams, r = 1 / sqrt(mean + norm_eps), each mix
// m_j = (X . fn_j) * r, w_j = sigmoid(m_j * scale + base_j) + eps, and the
// output sum_j w_j h_j rounded once. sigmoid's exp is MLIR's polynomial
// approximation (no libm), so outputs may differ by one bf16 ulp.
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
    SmallVector<Value> token = k.leadingIndices(row, 1);
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

FailureOr<func::FuncOp> emitHcHeadKernel(v4::HcHeadOp op, llvm::StringRef name,
                                         OpBuilder &moduleBuilder) {
  auto streamsType = cast<RankedTensorType>(op.getStreams().getType());
  auto resultType = cast<RankedTensorType>(op.getResult().getType());
  int64_t rank = streamsType.getRank();
  int64_t streams = streamsType.getDimSize(rank - 2), width = streamsType.getDimSize(rank - 1);
  if (ShapedType::isDynamic(streams) || ShapedType::isDynamic(width))
    return op.emitOpError() << "needs static streams and width to become a kernel";
  KernelBuilder k(moduleBuilder, op.getLoc(), name,
                  {streamsType, cast<RankedTensorType>(op.getFn().getType()),
                   cast<RankedTensorType>(op.getBase().getType()),
                   cast<RankedTensorType>(op.getScale().getType()), resultType});
  OpBuilder &b = k.builder();
  Location loc = k.location();
  Type f32 = b.getF32Type();
  SmallVector<Value> dynamicSizes = k.dynamicLeadingSizes();
  Value rows = k.leadingCount(2); // tokens: all but [n, D]
  Value h = k.view(0, dynamicSizes), fn = k.view(1, {}), base = k.view(2, {}),
        scale = k.view(3, {}), out = k.view(4, dynamicSizes);
  Value zero = k.index(0), one = k.index(1), n = k.index(streams), d = k.index(width);
  Value flat = k.index(streams * width);
  Value f32Zero = k.f32(0.0), unit = k.f32(1.0);
  auto widen = [&](Value v) -> Value {
    return v.getType() == f32 ? v : arith::ExtFOp::create(b, loc, f32, v);
  };
  auto sumOver = [&](Value count, llvm::function_ref<Value(Value)> term) {
    return scf::ForOp::create(b, loc, zero, count, one, ValueRange{f32Zero},
                              [&](OpBuilder &, Location, Value i, ValueRange acc) {
                                scf::YieldOp::create(
                                    b, loc,
                                    ValueRange{arith::AddFOp::create(b, loc, acc[0], term(i))});
                              })
        .getResult(0);
  };

  k.forWorkgroups(rows, [&](Value row) {
    SmallVector<Value> token = k.leadingIndices(row, 2);
    // Element i of the flattened streams [n * D].
    auto flatAt = [&](Value i) -> Value {
      SmallVector<Value> at(token);
      at.push_back(arith::DivUIOp::create(b, loc, i, d));
      at.push_back(arith::RemUIOp::create(b, loc, i, d));
      return widen(memref::LoadOp::create(b, loc, h, at));
    };
    Value squares = sumOver(flat, [&](Value i) {
      Value x = flatAt(i);
      return arith::MulFOp::create(b, loc, x, x).getResult();
    });
    Value mean = arith::DivFOp::create(b, loc, squares, k.f32(double(streams * width)));
    Value shifted = arith::AddFOp::create(
        b, loc, mean, k.f32(static_cast<float>(op.getNormEps().convertToDouble())));
    Value r = arith::DivFOp::create(b, loc, unit, math::SqrtOp::create(b, loc, shifted));
    Value scale0 = memref::LoadOp::create(b, loc, scale, ValueRange{zero});
    Value eps = k.f32(static_cast<float>(op.getEps().convertToDouble()));
    // The stream weights, kept in a small stack buffer.
    Value weights = memref::AllocaOp::create(b, loc, MemRefType::get({streams}, f32));
    scf::ForOp::create(b, loc, zero, n, one, ValueRange{}, [&](OpBuilder &, Location, Value j,
                                                               ValueRange) {
      Value dot = sumOver(flat, [&](Value i) {
        Value coefficient = memref::LoadOp::create(
            b, loc, fn,
            ValueRange{j, i});
        return arith::MulFOp::create(b, loc, flatAt(i), coefficient).getResult();
      });
      Value m = arith::MulFOp::create(b, loc, dot, r);
      Value logit = arith::AddFOp::create(b, loc, arith::MulFOp::create(b, loc, m, scale0),
                                          memref::LoadOp::create(b, loc, base, ValueRange{j}));
      Value sigmoid = arith::DivFOp::create(
          b, loc, unit,
          arith::AddFOp::create(b, loc, unit,
                                math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, logit))));
      memref::StoreOp::create(b, loc, arith::AddFOp::create(b, loc, sigmoid, eps), weights,
                              ValueRange{j});
      scf::YieldOp::create(b, loc);
    });
    scf::ForOp::create(b, loc, zero, d, one, ValueRange{}, [&](OpBuilder &, Location, Value e,
                                                               ValueRange) {
      Value sum = sumOver(n, [&](Value i) {
        SmallVector<Value> at(token);
        at.push_back(i);
        at.push_back(e);
        Value wi = memref::LoadOp::create(b, loc, weights, ValueRange{i});
        return arith::MulFOp::create(b, loc, wi, widen(memref::LoadOp::create(b, loc, h, at)))
            .getResult();
      });
      if (resultType.getElementType() != f32)
        sum = arith::TruncFOp::create(b, loc, resultType.getElementType(), sum);
      SmallVector<Value> at(token);
      at.push_back(e);
      memref::StoreOp::create(b, loc, sum, out, at);
      scf::YieldOp::create(b, loc);
    });
  });
  return k.kernel();
}

} // namespace sieve::detail
