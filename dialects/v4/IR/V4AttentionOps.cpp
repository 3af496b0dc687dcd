//===- V4AttentionOps.cpp - Indexer, top-k and attention -------------------===//
//
// indexer_score, topk, sparse_attention and hca_attention
// (v4-architecture.md sections 7.5 - 7.7).
//
//===----------------------------------------------------------------------===//

#include "V4VerifyUtils.h"
#include "v4/IR/V4Ops.h"

using namespace mlir;
using namespace sieve::v4;
using namespace sieve::v4::detail;

LogicalResult IndexerScoreOp::verify() {
  RankedTensorType q = getQueries().getType();
  IndexerCacheType keys = getKeys().getType();
  if (failed(expectRank(*this, "queries", q, 4, "[B, S, H, D]")))
    return failure();
  int64_t b = q.getDimSize(0), s = q.getDimSize(1), h = q.getDimSize(2);
  if (failed(expectShape(*this, "queries", q,
                         {rowBatchOf(getSlots(), keys.getBatch()), s, h,
                          keys.getDim()},
                         getSlots() ? "batch of the slots, dim of the key cache"
                                    : "the key cache's batch and dim")) ||
      failed(verifyRowAddressing(*this, b, /*positions=*/Value(), getSlots(),
                                 keys.getBatch())) ||
      failed(expectShape(*this, "weights", getWeights().getType(), {b, s, h},
                         "[B, S, H]")))
    return failure();
  return expectShape(*this, "scores", getScores().getType(),
                     {b, s, keys.getCapacity()}, "[B, S, capacity of the key cache]");
}

LogicalResult TopkOp::inferReturnTypes(MLIRContext *context,
                                       std::optional<Location> location,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferred) {
  auto k = static_cast<int64_t>(adaptor.getK());
  if (k <= 0)
    return inferenceError<TopkOp>(location, "expects k > 0, got " + Twine(k));
  auto scores = dyn_cast<RankedTensorType>(adaptor.getScores().getType());
  if (!scores || scores.getRank() != 3)
    return inferenceError<TopkOp>(location, "expects scores of rank 3 ([B, S, C])");
  inferred.push_back(RankedTensorType::get(
      {scores.getDimSize(0), scores.getDimSize(1), k}, IntegerType::get(context, 32)));
  return success();
}

LogicalResult TopkOp::verify() {
  if (failed(verifyPositive(*this, "k", static_cast<int64_t>(getK()))) ||
      failed(verifyRatio(*this, static_cast<int64_t>(getRatio()))) ||
      failed(expectRank(*this, "scores", getScores().getType(), 3, "[B, S, C]")) ||
      failed(verifyPerRow(*this, "positions", getPositions(),
                          getScores().getType().getDimSize(0))))
    return failure();
  return verifyInferredResults(*this, {{"result", "[B, S, k]"}});
}

/// q [B, S, H, D], window [B, W, D], window_indices [B, S, Kw], sink [H],
/// scale > 0.
static LogicalResult verifyWindowAttention(Operation *op, RankedTensorType q,
                                           RankedTensorType window,
                                           RankedTensorType indices,
                                           RankedTensorType sink, double scale) {
  if (failed(verifyPositive(op, "scale", scale)) ||
      failed(expectRank(op, "query", q, 4, "[B, S, H, D]")) ||
      failed(expectRank(op, "window", window, 3, "[B, W, D]")) ||
      failed(expectRank(op, "window indices", indices, 3, "[B, S, K]")))
    return failure();
  int64_t b = q.getDimSize(0), s = q.getDimSize(1), h = q.getDimSize(2),
          d = q.getDimSize(3);
  if (failed(expectShape(op, "window", window, {b, window.getDimSize(1), d},
                         "batch and head dim of the query")) ||
      failed(expectShape(op, "window indices", indices,
                         {b, s, indices.getDimSize(2)},
                         "batch and sequence of the query")))
    return failure();
  return expectShape(op, "sink", sink, {h}, "one logit per head");
}

/// The compressed entries a query attends: the cache's row width must be
/// the query's, and its batch too unless `slots` maps query rows to cache
/// rows.
static LogicalResult verifyEntries(Operation *op, RankedTensorType q,
                                   CompressedCacheType entries, Value positions,
                                   Value slots) {
  if (failed(expectShape(op, "query", q,
                         {rowBatchOf(slots, entries.getBatch()), q.getDimSize(1),
                          q.getDimSize(2), entries.getDim()},
                         slots ? "batch of the slots, dim of the compressed cache"
                               : "the compressed cache's batch and dim")))
    return failure();
  return verifyRowAddressing(op, q.getDimSize(0), positions, slots,
                             entries.getBatch());
}

LogicalResult SparseAttentionOp::verify() {
  RankedTensorType q = getQuery().getType();
  if (failed(verifyWindowAttention(*this, q, getWindow().getType(),
                                   getWindowIndices().getType(), getSink().getType(),
                                   getScale().convertToDouble())))
    return failure();
  if (static_cast<bool>(getEntries()) != static_cast<bool>(getEntryIndices()))
    return emitOpError("expects compressed entries and their indices together");
  if (!getEntries()) {
    if (getSlots())
      return emitOpError("expects `slots` only with compressed entries (they "
                         "address the entry cache's rows)");
    return success();
  }
  if (failed(verifyEntries(*this, q, getEntries().getType(), /*positions=*/Value(),
                           getSlots())))
    return failure();
  RankedTensorType indices = getEntryIndices().getType();
  if (failed(expectRank(*this, "entry indices", indices, 3, "[B, S, K]")))
    return failure();
  return expectShape(*this, "entry indices", indices,
                     {q.getDimSize(0), q.getDimSize(1), indices.getDimSize(2)},
                     "batch and sequence of the query");
}

LogicalResult HcaAttentionOp::verify() {
  RankedTensorType q = getQuery().getType();
  if (failed(verifyWindowAttention(*this, q, getWindow().getType(),
                                   getWindowIndices().getType(), getSink().getType(),
                                   getScale().convertToDouble())))
    return failure();
  return verifyEntries(*this, q, getEntries().getType(), getPositions(),
                       getSlots());
}
