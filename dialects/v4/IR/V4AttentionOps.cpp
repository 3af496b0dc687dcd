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
  RankedTensorType keys = getKeys().getType();
  if (failed(expectRank(*this, "queries", q, 4, "[B, S, H, D]")) ||
      failed(expectRank(*this, "keys", keys, 3, "[B, C, D]")))
    return failure();
  int64_t b = q.getDimSize(0), s = q.getDimSize(1), h = q.getDimSize(2),
          d = q.getDimSize(3);
  if (failed(expectShape(*this, "keys", keys, {b, keys.getDimSize(1), d},
                         "batch and head dim of the queries")) ||
      failed(expectShape(*this, "weights", getWeights().getType(), {b, s, h},
                         "[B, S, H]")))
    return failure();
  return expectShape(*this, "scores", getScores().getType(),
                     {b, s, keys.getDimSize(1)}, "[B, S, C]");
}

LogicalResult TopkOp::verify() {
  if (failed(verifyPositive(*this, "k", static_cast<int64_t>(getK()))) ||
      failed(verifyRatio(*this, static_cast<int64_t>(getRatio()))))
    return failure();
  RankedTensorType scores = getScores().getType();
  if (failed(expectRank(*this, "scores", scores, 3, "[B, S, C]")))
    return failure();
  return expectShape(*this, "result", getIndices().getType(),
                     {scores.getDimSize(0), scores.getDimSize(1),
                      static_cast<int64_t>(getK())},
                     "[B, S, k]");
}

/// q [B, S, H, D], kv [B, N, D], indices [B, S, K], sink [H], scale > 0.
static LogicalResult verifyAttention(Operation *op, RankedTensorType q,
                                     RankedTensorType kv,
                                     RankedTensorType indices,
                                     RankedTensorType sink, double scale) {
  if (failed(verifyPositive(op, "scale", scale)) ||
      failed(expectRank(op, "query", q, 4, "[B, S, H, D]")) ||
      failed(expectRank(op, "kv", kv, 3, "[B, N, D]")) ||
      failed(expectRank(op, "indices", indices, 3, "[B, S, K]")))
    return failure();
  int64_t b = q.getDimSize(0), s = q.getDimSize(1), h = q.getDimSize(2),
          d = q.getDimSize(3);
  if (failed(expectShape(op, "kv", kv, {b, kv.getDimSize(1), d},
                         "batch and head dim of the query")) ||
      failed(expectShape(op, "indices", indices,
                         {b, s, indices.getDimSize(2)},
                         "batch and sequence of the query")))
    return failure();
  return expectShape(op, "sink", sink, {h}, "one logit per head");
}

LogicalResult SparseAttentionOp::verify() {
  return verifyAttention(*this, getQuery().getType(), getKv().getType(),
                         getIndices().getType(), getSink().getType(),
                         getScale().convertToDouble());
}

LogicalResult HcaAttentionOp::verify() {
  RankedTensorType q = getQuery().getType();
  if (failed(verifyRatio(*this, getRatio())) ||
      failed(verifyAttention(*this, q, getKv().getType(),
                             getIndices().getType(), getSink().getType(),
                             getScale().convertToDouble())))
    return failure();
  RankedTensorType compressed = getCompressed().getType();
  if (failed(expectRank(*this, "compressed", compressed, 3, "[B, C, D]")))
    return failure();
  return expectShape(*this, "compressed", compressed,
                     {q.getDimSize(0), compressed.getDimSize(1),
                      q.getDimSize(3)},
                     "batch and head dim of the query");
}
