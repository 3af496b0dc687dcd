//===- V4ReifyShapes.cpp - Result sizes in terms of the operands ----------===//
//
// ReifyRankedShapedTypeOpInterface for every v4 op with tensor results: each
// result dimension as an index attribute (static) or a value computed from
// the operands' sizes (`tensor.dim`, `arith`). Bufferization and tiling use
// it to size outputs of dynamic shape (the token count of a prefill chunk)
// without the op. Static result dimensions come from the result type, which
// the verifier ties to the operands; only dynamic ones are computed.
//
//===----------------------------------------------------------------------===//

#include "v4/IR/V4Ops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace sieve::v4;

namespace {

/// Sizes of one op's results, appended in result order.
class ShapeBuilder {
public:
  ShapeBuilder(OpBuilder &builder, Operation *op,
               ReifiedRankedShapedTypeDims &shapes)
      : builder(builder), loc(op->getLoc()), op(op), shapes(shapes) {}

  /// Dimension `d` of the ranked tensor `value`.
  OpFoldResult dim(Value value, int64_t d) {
    return tensor::getMixedSize(builder, loc, value, d);
  }

  /// `x * factor`, `x / divisor` and `ceil(x / divisor)` on index sizes;
  /// folded when `x` is a constant.
  OpFoldResult mul(OpFoldResult x, int64_t factor) {
    return apply<arith::MulIOp>(x, factor, [&](int64_t c) { return c * factor; });
  }
  OpFoldResult div(OpFoldResult x, int64_t divisor) {
    return apply<arith::DivUIOp>(x, divisor,
                                 [&](int64_t c) { return c / divisor; });
  }
  OpFoldResult ceilDiv(OpFoldResult x, int64_t divisor) {
    return apply<arith::CeilDivUIOp>(x, divisor, [&](int64_t c) {
      return (c + divisor - 1) / divisor;
    });
  }

  /// Appends the sizes of result `index`: its static dimensions as they are
  /// typed, dynamic dimension `d` from `dynamicDim(d)`. Fails (and the op
  /// has no reifiable shape) when `dynamicDim` returns null.
  LogicalResult result(unsigned index,
                       llvm::function_ref<OpFoldResult(int64_t)> dynamicDim) {
    auto type = cast<RankedTensorType>(op->getResult(index).getType());
    SmallVector<OpFoldResult> sizes;
    for (int64_t d = 0, rank = type.getRank(); d < rank; ++d) {
      if (!type.isDynamicDim(d)) {
        sizes.push_back(builder.getIndexAttr(type.getDimSize(d)));
        continue;
      }
      OpFoldResult size = dynamicDim(d);
      if (!size)
        return failure();
      sizes.push_back(size);
    }
    shapes.push_back(std::move(sizes));
    return success();
  }

  /// A result shaped like `source` dimension by dimension.
  LogicalResult resultLike(unsigned index, Value source) {
    return result(index, [&](int64_t d) { return dim(source, d); });
  }

private:
  template <typename ArithOp>
  OpFoldResult apply(OpFoldResult x, int64_t constant,
                     llvm::function_ref<int64_t(int64_t)> fold) {
    if (std::optional<int64_t> value = getConstantIntValue(x))
      return builder.getIndexAttr(fold(*value));
    Value rhs = arith::ConstantIndexOp::create(builder, loc, constant);
    return ArithOp::create(builder, loc, cast<Value>(x), rhs).getResult();
  }

  OpBuilder &builder;
  Location loc;
  Operation *op;
  ReifiedRankedShapedTypeDims &shapes;
};

int64_t rankOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getRank();
}

} // namespace

//===----------------------------------------------------------------------===//
// Results shaped like an operand
//===----------------------------------------------------------------------===//

LogicalResult DequantizeOp::reifyResultShapes(OpBuilder &builder,
                                              ReifiedRankedShapedTypeDims &shapes) {
  return ShapeBuilder(builder, *this, shapes).resultLike(0, getCodes());
}

LogicalResult SimulateQuantOp::reifyResultShapes(
    OpBuilder &builder, ReifiedRankedShapedTypeDims &shapes) {
  return ShapeBuilder(builder, *this, shapes).resultLike(0, getInput());
}

LogicalResult RmsNormOp::reifyResultShapes(OpBuilder &builder,
                                           ReifiedRankedShapedTypeDims &shapes) {
  return ShapeBuilder(builder, *this, shapes).resultLike(0, getInput());
}

LogicalResult RopeOp::reifyResultShapes(OpBuilder &builder,
                                        ReifiedRankedShapedTypeDims &shapes) {
  return ShapeBuilder(builder, *this, shapes).resultLike(0, getInput());
}

LogicalResult HadamardOp::reifyResultShapes(OpBuilder &builder,
                                            ReifiedRankedShapedTypeDims &shapes) {
  return ShapeBuilder(builder, *this, shapes).resultLike(0, getInput());
}

LogicalResult SwigluOp::reifyResultShapes(OpBuilder &builder,
                                          ReifiedRankedShapedTypeDims &shapes) {
  return ShapeBuilder(builder, *this, shapes).resultLike(0, getGate());
}

LogicalResult HcPostOp::reifyResultShapes(OpBuilder &builder,
                                          ReifiedRankedShapedTypeDims &shapes) {
  return ShapeBuilder(builder, *this, shapes).resultLike(0, getStreams());
}

LogicalResult SparseAttentionOp::reifyResultShapes(
    OpBuilder &builder, ReifiedRankedShapedTypeDims &shapes) {
  return ShapeBuilder(builder, *this, shapes).resultLike(0, getQuery());
}

LogicalResult HcaAttentionOp::reifyResultShapes(
    OpBuilder &builder, ReifiedRankedShapedTypeDims &shapes) {
  return ShapeBuilder(builder, *this, shapes).resultLike(0, getQuery());
}

//===----------------------------------------------------------------------===//
// Quantization and GEMMs: [..., K] -> [..., N] or [..., K / block]
//===----------------------------------------------------------------------===//

LogicalResult QuantizeOp::reifyResultShapes(OpBuilder &builder,
                                            ReifiedRankedShapedTypeDims &shapes) {
  ShapeBuilder s(builder, *this, shapes);
  Value input = getInput();
  int64_t last = rankOf(input) - 1;
  if (failed(s.resultLike(0, input)))
    return failure();
  return s.result(1, [&](int64_t d) {
    OpFoldResult size = s.dim(input, d);
    return d == last ? s.div(size, getBlock()) : size;
  });
}

/// `[..., N]`: the activation's leading dimensions, N from the weight
/// (`[N, K]`, or `[E, N, K]` for grouped GEMMs).
static LogicalResult reifyMatmul(ShapeBuilder &s, Value input, Value weight) {
  int64_t last = rankOf(input) - 1;
  return s.result(0, [&](int64_t d) {
    return d == last ? s.dim(weight, rankOf(weight) - 2) : s.dim(input, d);
  });
}

LogicalResult Fp8MatmulOp::reifyResultShapes(OpBuilder &builder,
                                             ReifiedRankedShapedTypeDims &shapes) {
  ShapeBuilder s(builder, *this, shapes);
  return reifyMatmul(s, getInput(), getWeight());
}

LogicalResult Mxfp4MatmulOp::reifyResultShapes(
    OpBuilder &builder, ReifiedRankedShapedTypeDims &shapes) {
  ShapeBuilder s(builder, *this, shapes);
  return reifyMatmul(s, getInput(), getWeight());
}

LogicalResult GroupedLinearOp::reifyResultShapes(
    OpBuilder &builder, ReifiedRankedShapedTypeDims &shapes) {
  // [..., H, D] -> [..., groups, R]; groups is static and R is the weight's.
  ShapeBuilder s(builder, *this, shapes);
  int64_t rank = rankOf(getInput());
  return s.result(0, [&](int64_t d) {
    return d == rank - 1 ? s.dim(getWeight(), 1) : s.dim(getInput(), d);
  });
}

//===----------------------------------------------------------------------===//
// Hyper-connections: streams [..., n, D]
//===----------------------------------------------------------------------===//

LogicalResult HcPreOp::reifyResultShapes(OpBuilder &builder,
                                         ReifiedRankedShapedTypeDims &shapes) {
  ShapeBuilder s(builder, *this, shapes);
  Value streams = getStreams();
  int64_t tokens = rankOf(streams) - 2;
  // output [..., D]; post [..., n]; comb [..., n, n].
  if (failed(s.result(0, [&](int64_t d) {
        return s.dim(streams, d < tokens ? d : tokens + 1);
      })) ||
      failed(s.result(1, [&](int64_t d) {
        return s.dim(streams, d < tokens ? d : tokens);
      })))
    return failure();
  return s.result(2, [&](int64_t d) {
    return s.dim(streams, d < tokens ? d : tokens);
  });
}

LogicalResult HcHeadOp::reifyResultShapes(OpBuilder &builder,
                                          ReifiedRankedShapedTypeDims &shapes) {
  ShapeBuilder s(builder, *this, shapes);
  Value streams = getStreams();
  int64_t tokens = rankOf(streams) - 2;
  return s.result(0, [&](int64_t d) {
    return s.dim(streams, d < tokens ? d : tokens + 1);
  });
}

//===----------------------------------------------------------------------===//
// Compressor and caches
//===----------------------------------------------------------------------===//

LogicalResult CompressOp::reifyResultShapes(OpBuilder &builder,
                                            ReifiedRankedShapedTypeDims &shapes) {
  // entries [B, ceil(S / ratio), d]; the state result is not a tensor.
  ShapeBuilder s(builder, *this, shapes);
  return s.result(0, [&](int64_t d) -> OpFoldResult {
    if (d == 1)
      return s.ceilDiv(s.dim(getKv(), 1), getRatio());
    return s.dim(getKv(), d);
  });
}

LogicalResult CacheReadOp::reifyResultShapes(OpBuilder &builder,
                                             ReifiedRankedShapedTypeDims &shapes) {
  // The contents type of a cache is static; a read at `slots` has one batch
  // row per slot.
  ShapeBuilder s(builder, *this, shapes);
  return s.result(0, [&](int64_t) -> OpFoldResult {
    if (Value slots = getSlots())
      return s.dim(slots, 0);
    return {};
  });
}

LogicalResult WindowIndicesOp::reifyResultShapes(
    OpBuilder &builder, ReifiedRankedShapedTypeDims &shapes) {
  // [B, S, window]: B is the number of positions, S is `rows` (or 1 with
  // layout ring).
  ShapeBuilder s(builder, *this, shapes);
  return s.result(0, [&](int64_t d) -> OpFoldResult {
    if (d == 0)
      return s.dim(getPositions(), 0);
    if (d != 1)
      return {};
    if (Value rows = getRows())
      return rows;
    if (getLayout() == WindowLayout::ring)
      return builder.getIndexAttr(1);
    return {};
  });
}

//===----------------------------------------------------------------------===//
// Indexer and top-k: [B, S, ...] from the queries or scores
//===----------------------------------------------------------------------===//

LogicalResult IndexerScoreOp::reifyResultShapes(
    OpBuilder &builder, ReifiedRankedShapedTypeDims &shapes) {
  // [B, S, capacity]; the capacity is the key cache's (static).
  ShapeBuilder s(builder, *this, shapes);
  return s.result(0, [&](int64_t d) -> OpFoldResult {
    return d < 2 ? s.dim(getQueries(), d) : OpFoldResult();
  });
}

LogicalResult TopkOp::reifyResultShapes(OpBuilder &builder,
                                        ReifiedRankedShapedTypeDims &shapes) {
  ShapeBuilder s(builder, *this, shapes);
  return s.result(0, [&](int64_t d) -> OpFoldResult {
    return d < 2 ? s.dim(getScores(), d) : builder.getIndexAttr(getK());
  });
}

//===----------------------------------------------------------------------===//
// Mixture of experts: T tokens, k experts per token
//===----------------------------------------------------------------------===//

/// weights and experts [T, k].
static LogicalResult reifyRouting(ShapeBuilder &s, Value logits, int64_t k,
                                  OpBuilder &builder) {
  auto dim = [&](int64_t d) -> OpFoldResult {
    return d == 0 ? s.dim(logits, 0) : builder.getIndexAttr(k);
  };
  if (failed(s.result(0, dim)))
    return failure();
  return s.result(1, dim);
}

LogicalResult MoeRouteOp::reifyResultShapes(OpBuilder &builder,
                                            ReifiedRankedShapedTypeDims &shapes) {
  ShapeBuilder s(builder, *this, shapes);
  return reifyRouting(s, getLogits(), getK(), builder);
}

LogicalResult MoeHashRouteOp::reifyResultShapes(
    OpBuilder &builder, ReifiedRankedShapedTypeDims &shapes) {
  ShapeBuilder s(builder, *this, shapes);
  return reifyRouting(s, getLogits(), getTable().getType().getDimSize(1),
                      builder);
}

LogicalResult MoeDispatchOp::reifyResultShapes(
    OpBuilder &builder, ReifiedRankedShapedTypeDims &shapes) {
  // rows [T*k, D], row_weights and permutation [T*k]; k is static.
  ShapeBuilder s(builder, *this, shapes);
  int64_t k = getExperts().getType().getDimSize(1);
  OpFoldResult copiesSize;
  auto copies = [&]() {
    if (!copiesSize)
      copiesSize = s.mul(s.dim(getInput(), 0), k);
    return copiesSize;
  };
  if (failed(s.result(0, [&](int64_t d) {
        return d == 0 ? copies() : s.dim(getInput(), 1);
      })) ||
      failed(s.result(1, [&](int64_t) { return copies(); })) ||
      failed(s.result(2, [&](int64_t) { return copies(); })))
    return failure();
  return s.result(3, [](int64_t) { return OpFoldResult(); });
}

LogicalResult MoeCombineOp::reifyResultShapes(
    OpBuilder &builder, ReifiedRankedShapedTypeDims &shapes) {
  // [T, D]: T is the shared expert's rows; without it, the rows per token
  // are not in the op and a dynamic T has no reifiable size.
  ShapeBuilder s(builder, *this, shapes);
  return s.result(0, [&](int64_t d) -> OpFoldResult {
    if (d == 1)
      return s.dim(getRows(), 1);
    if (Value shared = getShared())
      return s.dim(shared, 0);
    return {};
  });
}
