//===- HyperConnectionKernels.cpp - v4.hc_post and v4.hc_head as kernels ---===//
//
// One token per workgroup, the reference's fp32 arithmetic in its order
// (ref::hcPost): for stream j and element e, the stream mix sum_i comb[i, j]
// * h[i, e] from i = 0 up, then post[j] * x[e] added, rounded once. The same
// operations in the same order: bit-identical to the reference.
//
// v4.hc_pre, one token per workgroup, follows ref::hcPre: the mixes as
// for hc_head (their sums over the flattened streams marked for the
// target's vectorization, so their fp32 rounding may differ), pre = sigmoid(m * scale[0] + base) + eps, post = 2 *
// sigmoid(...), the n x n combine logits through num::sinkhornKnopp's steps
// in its order (row softmax with the row max subtracted, + eps, a column
// normalization, then iters - 1 row and column rounds), and the output sum_i
// pre_i h_i rounded once. exp is approximated: post and comb within a few
// f32 ulps, the output within one bf16 ulp.
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
#include "sieve/Conversion/ReductionLoops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace sieve::detail {

namespace {

/// sum of term(i) for i < count, in fp32 from 0 up.
Value sumOver(OpBuilder &b, Location loc, Value count, llvm::function_ref<Value(Value)> term) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value f32Zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
  return scf::ForOp::create(b, loc, zero, count, one, ValueRange{f32Zero},
                            [&](OpBuilder &, Location, Value i, ValueRange acc) {
                              scf::YieldOp::create(
                                  b, loc,
                                  ValueRange{arith::AddFOp::create(b, loc, acc[0], term(i))});
                            })
      .getResult(0);
}

/// 1 / (1 + exp(-x)).
Value sigmoid(OpBuilder &b, Location loc, Value x) {
  Value unit = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(1.0f));
  Value decay = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
  return arith::DivFOp::create(b, loc, unit, arith::AddFOp::create(b, loc, unit, decay));
}

void forRange(OpBuilder &b, Location loc, Value count, llvm::function_ref<void(Value)> body) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  scf::ForOp::create(b, loc, zero, count, one, ValueRange{},
                     [&](OpBuilder &, Location, Value i, ValueRange) {
                       body(i);
                       scf::YieldOp::create(b, loc);
                     });
}

/// One token's residual streams [n, D] (of a [..., n, D] binding) and the
/// mixes of ref::hcMixes: m_j = (X . fn_j) * rsqrt(mean(X^2) + normEps) over
/// the flattened streams X.
struct TokenStreams {
  KernelBuilder &kb;
  Value streams;
  SmallVector<Value> token;
  int64_t n, width;

  Value at(Value stream, Value element) {
    OpBuilder &b = kb.builder();
    SmallVector<Value> indices(token);
    indices.push_back(stream);
    indices.push_back(element);
    Value v = memref::LoadOp::create(b, kb.location(), streams, indices);
    return v.getType().isF32() ? v : arith::ExtFOp::create(b, kb.location(), b.getF32Type(), v);
  }
  /// sum of term(stream, element) over the flattened streams in ascending
  /// order: one loop per stream, each a marked sum (the target may run it
  /// in vector lanes) continuing the previous stream's.
  Value flatSum(llvm::function_ref<Value(Value, Value)> term) {
    OpBuilder &b = kb.builder();
    Location loc = kb.location();
    Value zero = kb.index(0), one = kb.index(1);
    Value f32Zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
    return scf::ForOp::create(
               b, loc, zero, kb.index(n), one, ValueRange{f32Zero},
               [&](OpBuilder &, Location, Value stream, ValueRange streamAcc) {
                 auto elements = scf::ForOp::create(
                     b, loc, zero, kb.index(width), one, ValueRange{streamAcc[0]},
                     [&](OpBuilder &, Location, Value e, ValueRange acc) {
                       scf::YieldOp::create(
                           b, loc,
                           ValueRange{arith::AddFOp::create(b, loc, acc[0], term(stream, e))});
                     });
                 reduction_loops::mark(elements, /*bf16Products=*/false);
                 scf::YieldOp::create(b, loc, elements.getResults());
               })
        .getResult(0);
  }
  /// The first `count` mixes with `fn [count, n*D]`, into a stack buffer.
  Value mixes(Value fn, int64_t count, double normEps) {
    OpBuilder &b = kb.builder();
    Location loc = kb.location();
    Value squares = flatSum([&](Value stream, Value e) -> Value {
      Value x = at(stream, e);
      return arith::MulFOp::create(b, loc, x, x);
    });
    Value mean = arith::DivFOp::create(b, loc, squares, kb.f32(double(n * width)));
    Value shifted = arith::AddFOp::create(b, loc, mean, kb.f32(static_cast<float>(normEps)));
    Value r = arith::DivFOp::create(b, loc, kb.f32(1.0), math::SqrtOp::create(b, loc, shifted));
    // Scratch the later thread loops read (workgroup memory on a GPU).
    Value m = memref::AllocaOp::create(b, loc, MemRefType::get({count}, b.getF32Type()));
    kb.forThreads(
        kb.index(0), kb.index(count), kb.index(1),
        [&](Value j) {
          Value dot = flatSum([&](Value stream, Value e) -> Value {
            Value i = arith::AddIOp::create(
                b, loc, arith::MulIOp::create(b, loc, stream, kb.index(width)), e);
            Value coefficient = memref::LoadOp::create(b, loc, fn, ValueRange{j, i});
            return arith::MulFOp::create(b, loc, at(stream, e), coefficient);
          });
          memref::StoreOp::create(b, loc, arith::MulFOp::create(b, loc, dot, r), m, j);
        },
        /*splitReductions=*/true);
    return m;
  }
  /// out[..., e] = T(sum_i weights[i] * h_i[e]) for every e.
  void weightedSum(Value weights, Value out, Type element) {
    OpBuilder &b = kb.builder();
    Location loc = kb.location();
    kb.forThreads(kb.index(0), kb.index(width), kb.index(1), [&](Value e) {
      Value sum = sumOver(b, loc, kb.index(n), [&](Value i) -> Value {
        Value wi = memref::LoadOp::create(b, loc, weights, i);
        return arith::MulFOp::create(b, loc, wi, at(i, e));
      });
      if (!element.isF32())
        sum = arith::TruncFOp::create(b, loc, element, sum);
      SmallVector<Value> indices(token);
      indices.push_back(e);
      memref::StoreOp::create(b, loc, sum, out, indices);
    });
  }
};

/// num::sinkhornKnopp on the n x n buffer `m`, in its order of operations.
void emitSinkhorn(KernelBuilder &kb, Value m, int64_t n, int64_t iters, double epsValue) {
  OpBuilder &b = kb.builder();
  Location loc = kb.location();
  Value count = kb.index(n), eps = kb.f32(static_cast<float>(epsValue));
  auto load = [&](Value row, Value column) {
    return memref::LoadOp::create(b, loc, m, ValueRange{row, column}).getResult();
  };
  auto store = [&](Value v, Value row, Value column) {
    memref::StoreOp::create(b, loc, v, m, ValueRange{row, column});
  };
  // Each entry divided by (its row's or column's sum + eps).
  auto normalize = [&](bool rows) {
    forRange(b, loc, count, [&](Value line) {
      auto entry = [&](Value i) -> std::pair<Value, Value> {
        return rows ? std::pair{line, i} : std::pair{i, line};
      };
      Value sum = sumOver(b, loc, count, [&](Value i) {
        auto [r, c] = entry(i);
        return load(r, c);
      });
      Value divisor = arith::AddFOp::create(b, loc, sum, eps);
      forRange(b, loc, count, [&](Value i) {
        auto [r, c] = entry(i);
        store(arith::DivFOp::create(b, loc, load(r, c), divisor), r, c);
      });
    });
  };
  forRange(b, loc, count, [&](Value row) {
    Value zero = kb.index(0), one = kb.index(1);
    Value max = scf::ForOp::create(b, loc, one, count, one, ValueRange{load(row, zero)},
                                   [&](OpBuilder &, Location, Value c, ValueRange acc) {
                                     scf::YieldOp::create(
                                         b, loc,
                                         ValueRange{arith::MaxNumFOp::create(b, loc, acc[0],
                                                                             load(row, c))});
                                   })
                    .getResult(0);
    Value sum = sumOver(b, loc, count, [&](Value c) -> Value {
      Value e = math::ExpOp::create(b, loc, arith::SubFOp::create(b, loc, load(row, c), max));
      store(e, row, c);
      return e;
    });
    forRange(b, loc, count, [&](Value c) {
      store(arith::AddFOp::create(b, loc, arith::DivFOp::create(b, loc, load(row, c), sum), eps),
            row, c);
    });
  });
  normalize(/*rows=*/false);
  forRange(b, loc, kb.index(iters - 1), [&](Value) {
    normalize(/*rows=*/true);
    normalize(/*rows=*/false);
  });
}

} // namespace

FailureOr<func::FuncOp> emitHcPreKernel(v4::HcPreOp op, llvm::StringRef name,
                                        OpBuilder &moduleBuilder) {
  auto streamsType = cast<RankedTensorType>(op.getStreams().getType());
  auto outputType = cast<RankedTensorType>(op.getOutput().getType());
  int64_t rank = streamsType.getRank();
  int64_t streams = streamsType.getDimSize(rank - 2), width = streamsType.getDimSize(rank - 1);
  if (ShapedType::isDynamic(streams) || ShapedType::isDynamic(width))
    return op.emitOpError() << "needs static streams and width to become a kernel";
  int64_t iters = static_cast<int64_t>(op.getSinkhornIters());
  if (iters < 1)
    return op.emitOpError() << "needs at least one Sinkhorn iteration (got " << iters << ")";
  KernelBuilder kb(moduleBuilder, op.getLoc(), name,
                   {streamsType, cast<RankedTensorType>(op.getFn().getType()),
                    cast<RankedTensorType>(op.getBase().getType()),
                    cast<RankedTensorType>(op.getScale().getType()), outputType,
                    cast<RankedTensorType>(op.getPost().getType()),
                    cast<RankedTensorType>(op.getComb().getType())});
  OpBuilder &b = kb.builder();
  Location loc = kb.location();
  Type f32 = b.getF32Type();
  SmallVector<Value> dynamicSizes = kb.dynamicLeadingSizes();
  Value h = kb.view(0, dynamicSizes), fn = kb.view(1, {}), base = kb.view(2, {}),
        scale = kb.view(3, {}), out = kb.view(4, dynamicSizes), post = kb.view(5, dynamicSizes),
        comb = kb.view(6, dynamicSizes);
  Value n = kb.index(streams), eps = kb.f32(static_cast<float>(op.getEps().convertToDouble()));

  kb.forWorkgroups(kb.leadingCount(2), [&](Value row) {
    TokenStreams token{kb, h, kb.leadingIndices(row, 2), streams, width};
    Value m = token.mixes(fn, (2 + streams) * streams, op.getNormEps().convertToDouble());
    auto scaleAt = [&](int64_t i) {
      return memref::LoadOp::create(b, loc, scale, ValueRange{kb.index(i)}).getResult();
    };
    Value preScale = scaleAt(0), postScale = scaleAt(1), combScale = scaleAt(2);
    // logit = m[offset + i] * scale + base[offset + i].
    auto logit = [&](int64_t offset, Value i, Value s) -> Value {
      Value at = arith::AddIOp::create(b, loc, i, kb.index(offset));
      return arith::AddFOp::create(
          b, loc, arith::MulFOp::create(b, loc, memref::LoadOp::create(b, loc, m, at), s),
          memref::LoadOp::create(b, loc, base, at));
    };
    auto tokenAt = [&](std::initializer_list<Value> tail) {
      SmallVector<Value> indices(token.token);
      indices.append(tail.begin(), tail.end());
      return indices;
    };
    Value pre = memref::AllocaOp::create(b, loc, MemRefType::get({streams}, f32));
    Value mix = memref::AllocaOp::create(b, loc, MemRefType::get({streams, streams}, f32));
    // The n-sized steps (pre, post, the Sinkhorn combine) are a few dozen
    // operations: one thread runs them.
    kb.forThreads(kb.index(0), kb.index(1), kb.index(1), [&](Value) {
      forRange(b, loc, n, [&](Value i) {
        memref::StoreOp::create(
            b, loc, arith::AddFOp::create(b, loc, sigmoid(b, loc, logit(0, i, preScale)), eps), pre,
            i);
        Value postI = arith::MulFOp::create(b, loc, kb.f32(2.0),
                                            sigmoid(b, loc, logit(streams, i, postScale)));
        memref::StoreOp::create(b, loc, postI, post, tokenAt({i}));
      });
      forRange(b, loc, n, [&](Value r) {
        forRange(b, loc, n, [&](Value c) {
          Value flat = arith::AddIOp::create(b, loc, arith::MulIOp::create(b, loc, r, n), c);
          memref::StoreOp::create(b, loc, logit(2 * streams, flat, combScale), mix,
                                  ValueRange{r, c});
        });
      });
      emitSinkhorn(kb, mix, streams, iters, op.getEps().convertToDouble());
      forRange(b, loc, n, [&](Value r) {
        forRange(b, loc, n, [&](Value c) {
          memref::StoreOp::create(b, loc, memref::LoadOp::create(b, loc, mix, ValueRange{r, c}),
                                  comb, tokenAt({r, c}));
        });
      });
    });
    token.weightedSum(pre, out, outputType.getElementType());
  });
  return kb.kernel();
}

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
      k.forThreads(zero, d, one, [&](Value e) {
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
  Value h = k.view(0, dynamicSizes), fn = k.view(1, {}), base = k.view(2, {}),
        scale = k.view(3, {}), out = k.view(4, dynamicSizes);
  Value eps = k.f32(static_cast<float>(op.getEps().convertToDouble()));

  k.forWorkgroups(k.leadingCount(2), [&](Value row) {
    TokenStreams token{k, h, k.leadingIndices(row, 2), streams, width};
    Value m = token.mixes(fn, streams, op.getNormEps().convertToDouble());
    Value scale0 = memref::LoadOp::create(b, loc, scale, ValueRange{k.index(0)});
    // The stream weights, kept in a small stack buffer.
    Value weights = memref::AllocaOp::create(b, loc, MemRefType::get({streams}, f32));
    k.forThreads(k.index(0), k.index(streams), k.index(1), [&](Value j) {
      Value logit = arith::AddFOp::create(
          b, loc, arith::MulFOp::create(b, loc, memref::LoadOp::create(b, loc, m, j), scale0),
          memref::LoadOp::create(b, loc, base, j));
      memref::StoreOp::create(b, loc, arith::AddFOp::create(b, loc, sigmoid(b, loc, logit), eps),
                              weights, j);
    });
    token.weightedSum(weights, out, resultType.getElementType());
  });
  return k.kernel();
}

} // namespace sieve::detail
