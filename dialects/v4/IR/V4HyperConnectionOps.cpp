//===- V4HyperConnectionOps.cpp - hc_pre, hc_post, hc_head -----------------===//
//
// Shapes of v4-architecture.md section 5: n streams of width D, mixes of
// (2+n)*n values per token for hc_pre and n for hc_head.
//
//===----------------------------------------------------------------------===//

#include "V4VerifyUtils.h"
#include "v4/IR/V4Ops.h"

using namespace mlir;
using namespace sieve::v4;
using namespace sieve::v4::detail;

namespace {
/// `[tokens..., n, D]` split into its parts.
struct StreamShape {
  ArrayRef<int64_t> tokens;
  int64_t n;
  int64_t dim;
};
} // namespace

static FailureOr<StreamShape> verifyStreams(Operation *op, ShapedType streams) {
  if (failed(expectMinRank(op, "streams", streams, 3, "[..., n, D]")))
    return failure();
  int64_t rank = streams.getRank();
  StreamShape shape{streams.getShape().drop_back(2),
                    streams.getDimSize(rank - 2), streams.getDimSize(rank - 1)};
  if (failed(expectStatic(op, "stream count", shape.n)) ||
      failed(expectStatic(op, "stream width", shape.dim)))
    return failure();
  return shape;
}

/// fn [mix, n*D], base [mix], scale [scales].
static LogicalResult verifyMixParams(Operation *op, const StreamShape &s,
                                     int64_t mix, int64_t scales, Value fn,
                                     Value base, Value scale) {
  if (failed(expectShape(op, "fn", cast<ShapedType>(fn.getType()),
                         {mix, s.n * s.dim}, "[mixes, n*D]")) ||
      failed(expectShape(op, "base", cast<ShapedType>(base.getType()), {mix},
                         "one per mix")))
    return failure();
  return expectShape(op, "scale", cast<ShapedType>(scale.getType()), {scales});
}

static LogicalResult verifyEpsilons(Operation *op, double eps,
                                    double normEps) {
  if (failed(verifyPositive(op, "eps", eps)))
    return failure();
  return verifyPositive(op, "norm_eps", normEps);
}

/// The mixed stream `[..., D]` (the streams' element type) of `streams
/// [..., n, D]`; null when the streams have rank < 3 (the verifier says so).
static RankedTensorType mixedStreamType(Type streams) {
  auto type = dyn_cast<RankedTensorType>(streams);
  if (!type || type.getRank() < 3)
    return {};
  return RankedTensorType::get(
      concatShape(type.getShape().drop_back(2), {type.getShape().back()}),
      type.getElementType());
}

LogicalResult HcPreOp::inferReturnTypes(MLIRContext *context,
                                        std::optional<Location> location,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  RankedTensorType output = mixedStreamType(adaptor.getStreams().getType());
  if (!output)
    return inferenceError<HcPreOp>(location,
                                   "expects streams of rank >= 3 ([..., n, D])");
  ArrayRef<int64_t> streams =
      cast<RankedTensorType>(adaptor.getStreams().getType()).getShape();
  ArrayRef<int64_t> tokens = streams.drop_back(2);
  int64_t n = streams[streams.size() - 2];
  Type f32 = Float32Type::get(context);
  inferred.push_back(output);
  inferred.push_back(RankedTensorType::get(concatShape(tokens, {n}), f32));
  inferred.push_back(RankedTensorType::get(concatShape(tokens, {n, n}), f32));
  return success();
}

LogicalResult HcPreOp::verify() {
  FailureOr<StreamShape> s = verifyStreams(*this, getStreams().getType());
  if (failed(s) ||
      failed(verifyPositive(*this, "sinkhorn_iters",
                            static_cast<int64_t>(getSinkhornIters()))) ||
      failed(verifyEpsilons(*this, getEps().convertToDouble(),
                            getNormEps().convertToDouble())) ||
      failed(verifyMixParams(*this, *s, (2 + s->n) * s->n, 3, getFn(),
                             getBase(), getScale())))
    return failure();
  return verifyInferredResults(*this, {{"output", "[..., D]"},
                                       {"post", "[..., n]"},
                                       {"comb", "[..., n, n]"}});
}

LogicalResult HcPostOp::verify() {
  FailureOr<StreamShape> s = verifyStreams(*this, getStreams().getType());
  if (failed(s) ||
      failed(expectShape(*this, "input", getInput().getType(),
                         concatShape(s->tokens, {s->dim}))) ||
      failed(expectShape(*this, "post", getPost().getType(),
                         concatShape(s->tokens, {s->n}))))
    return failure();
  return expectShape(*this, "comb", getComb().getType(),
                     concatShape(s->tokens, {s->n, s->n}));
}

LogicalResult HcHeadOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  RankedTensorType result = mixedStreamType(adaptor.getStreams().getType());
  if (!result)
    return inferenceError<HcHeadOp>(location,
                                    "expects streams of rank >= 3 ([..., n, D])");
  inferred.push_back(result);
  return success();
}

LogicalResult HcHeadOp::verify() {
  FailureOr<StreamShape> s = verifyStreams(*this, getStreams().getType());
  if (failed(s) ||
      failed(verifyEpsilons(*this, getEps().convertToDouble(),
                            getNormEps().convertToDouble())) ||
      failed(verifyMixParams(*this, *s, s->n, 1, getFn(), getBase(),
                             getScale())))
    return failure();
  return verifyInferredResults(*this, {{"result", "[..., D]"}});
}
