//===- SelectionKernels.cpp - v4.indexer_score and v4.topk as kernels ------===//
//
// One query row per workgroup. The k best of the visible candidates
// c < (position + 1) / ratio, in the reference's order (ref::causalTopk:
// descending score, ties to the lower index, -1 once fewer remain), by
// emitThresholdPicks (a threshold found bit by bit, so long contexts cost
// passes over the candidates, not k of them). Integer results: identical
// to the reference for finite scores (and -inf).
//
// Fused (fusion table row 4), one kernel scores only the candidates a query
// sees into a stack row and picks from it: the scores never leave the
// workgroup, and positions early in a long cache score few keys.
//
// Split (row 4 for queries of one token: decode, MTP), the score kernel
// takes the top-k's positions and scores only the visible keys, in
// workgroups of one query row and 256 keys, so a step's few query rows
// spread over every thread; the top-k reads them back as its own dispatch.
//
// v4.indexer_score, one query row per workgroup, scores every cached key
// with the reference's bf16 steps (ref::indexerScore): per head the fp32
// dot product rounded to bf16, ReLU, times the head weight rounded, the
// heads summed in fp32 and rounded once. The key cache is bound as its
// storage; bf16 rows are read as they are (FP8/FP4 key rows need their
// decode, which comes with the cache storage layouts).
//
//===----------------------------------------------------------------------===//

#include "CacheRows.h"
#include "KernelBuilder.h"
#include "OpKernelEmitters.h"
#include "RankedPicks.h"
#include "sieve/Conversion/ReductionLoops.h"
#include "sieve/Conversion/V4ToKernels/OpKernels.h"

#include "v4/IR/V4Types.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <algorithm>

using namespace mlir;

namespace sieve::detail {

namespace {

/// The candidates query `token` of `batchRow` sees (the top-k's rule, not
/// clamped to the capacity): (positions[batchRow] + token + 1) / ratio.
Value visibleCandidates(KernelBuilder &kb, Value positions, Value batchRow, Value token,
                        int64_t ratio) {
  OpBuilder &b = kb.builder();
  Location loc = kb.location();
  Value position = arith::IndexCastOp::create(
      b, loc, b.getIndexType(), memref::LoadOp::create(b, loc, positions, ValueRange{batchRow}));
  Value query = arith::AddIOp::create(b, loc, position, token);
  return arith::DivUIOp::create(b, loc, arith::AddIOp::create(b, loc, query, kb.index(1)),
                                kb.index(ratio));
}

} // namespace

FailureOr<func::FuncOp> emitTopkKernel(v4::TopkOp op, llvm::StringRef name,
                                       OpBuilder &moduleBuilder) {
  auto scoresType = cast<RankedTensorType>(op.getScores().getType());
  auto positionsType = cast<RankedTensorType>(op.getPositions().getType());
  auto resultType = cast<RankedTensorType>(op.getIndices().getType());
  int64_t candidates = scoresType.getDimSize(2), k = static_cast<int64_t>(op.getK());
  int64_t ratio = static_cast<int64_t>(op.getRatio());
  if (ShapedType::isDynamic(candidates))
    return op.emitOpError() << "needs a static candidate count to become a kernel";

  KernelBuilder kb(moduleBuilder, op.getLoc(), name, {scoresType, positionsType, resultType});
  OpBuilder &b = kb.builder();
  Location loc = kb.location();
  Type f32 = b.getF32Type(), i32 = b.getI32Type();
  SmallVector<Value> dynamicSizes = kb.dynamicLeadingSizes();
  Value rows = kb.rowCount();
  Value scores = kb.view(0, dynamicSizes), out = kb.view(2, dynamicSizes);
  SmallVector<Value> positionSizes;
  if (positionsType.isDynamicDim(0))
    positionSizes.push_back(kb.dim(0));
  Value positions = kb.view(1, positionSizes);
  Value zero = kb.index(0), one = kb.index(1);

  kb.forWorkgroups(rows, [&](Value row) {
    SmallVector<Value> at = kb.leadingIndices(row, 1); // [b, s]
    Value visible = visibleCandidates(kb, positions, at[0], at[1], ratio);
    Value limit = arith::MinUIOp::create(b, loc, visible, kb.index(candidates));
    // One iteration: the selection is a sequence, its counts split over a
    // GPU thread group.
    kb.forThreads(
        zero, one, one,
        [&](Value) {
          emitThresholdPicks(
              b, loc, k, limit, scoresType.getElementType().isBF16(),
              [&](Value c) -> Value {
                SmallVector<Value> scoreAt(at);
                scoreAt.push_back(c);
                Value score = memref::LoadOp::create(b, loc, scores, scoreAt);
                return score.getType() == f32 ? score : arith::ExtFOp::create(b, loc, f32, score);
              },
              [&](Value j, Value index, Value) {
                SmallVector<Value> outAt(at);
                outAt.push_back(j);
                memref::StoreOp::create(b, loc, arith::IndexCastOp::create(b, loc, i32, index), out,
                                        outAt);
              });
        },
        /*splitReductions=*/true);
  });
  return kb.kernel();
}

namespace {

/// The reference's indexer score of one query row against one cached key
/// (ref::indexerScore's bf16 steps): per head the fp32 dot product rounded
/// to bf16, ReLU, times the head weight rounded, the heads summed in fp32.
/// Shared by the score kernel and the score-and-select kernel (fusion table
/// row 4).
struct IndexerScorer {
  Value queries, cache, weights; // views [B, S, H, D], the keys' storage, [B, S, H]
  int64_t heads, dim;
  CacheRowCodec keys;            // how the key rows are stored

  /// The fp32 score (before the final rounding to the scores' type).
  Value score(OpBuilder &b, Location loc, Value batchRow, Value token, Value cacheRow,
              Value candidate) const {
    Type f32 = b.getF32Type(), bf16 = b.getBF16Type();
    auto widen = [&](Value v) -> Value {
      return v.getType() == f32 ? v : arith::ExtFOp::create(b, loc, f32, v);
    };
    auto round = [&](Value v) -> Value {
      Value narrowed = arith::TruncFOp::create(b, loc, bf16, v);
      return arith::ExtFOp::create(b, loc, f32, narrowed);
    };
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value f32Zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
    auto total = scf::ForOp::create(
        b, loc, zero, arith::ConstantIndexOp::create(b, loc, heads), one, ValueRange{f32Zero},
        [&](OpBuilder &, Location, Value h, ValueRange acc) {
          auto dot = scf::ForOp::create(
              b, loc, zero, arith::ConstantIndexOp::create(b, loc, dim), one,
              ValueRange{f32Zero}, [&](OpBuilder &, Location, Value u, ValueRange partial) {
                Value qv = widen(memref::LoadOp::create(b, loc, queries,
                                                        ValueRange{batchRow, token, h, u}));
                Value kv = keys.load(b, loc, cache, cacheRow, candidate, u);
                Value product = arith::MulFOp::create(b, loc, qv, kv);
                scf::YieldOp::create(
                    b, loc, ValueRange{arith::AddFOp::create(b, loc, partial[0], product)});
              });
          // The target may run the dot product in vector lanes (bf16 dot
          // products for bf16 key rows).
          reduction_loops::mark(dot, keys.storesBf16());
          // max(bf16(dot), 0): a NaN dot stays NaN, as std::max(NaN, 0) returns it.
          Value rounded = round(dot.getResult(0));
          Value negative =
              arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, rounded, f32Zero);
          Value relu = arith::SelectOp::create(b, loc, negative, f32Zero, rounded);
          Value wh =
              widen(memref::LoadOp::create(b, loc, weights, ValueRange{batchRow, token, h}));
          Value term = round(arith::MulFOp::create(b, loc, wh, relu));
          scf::YieldOp::create(b, loc, ValueRange{arith::AddFOp::create(b, loc, acc[0], term)});
        });
    return total.getResult(0);
  }
};

/// The parts of an indexer_score kernel both kernels share: the query heads
/// and dims must be static.
LogicalResult checkIndexerScore(v4::IndexerScoreOp op) {
  auto queriesType = cast<RankedTensorType>(op.getQueries().getType());
  if (queriesType.isDynamicDim(2) || queriesType.isDynamicDim(3))
    return op.emitOpError() << "needs static heads and head dim to become a kernel";
  return success();
}

/// The bindings both indexer kernels start with: the queries, the keys'
/// storage, the head weights and the slots (if any).
SmallVector<RankedTensorType> scoreBindings(v4::IndexerScoreOp op) {
  SmallVector<RankedTensorType> tensors = {cast<RankedTensorType>(op.getQueries().getType()),
                                           op.getKeys().getType().getStorageType(),
                                           cast<RankedTensorType>(op.getWeights().getType())};
  if (Value slots = op.getSlots())
    tensors.push_back(cast<RankedTensorType>(slots.getType()));
  return tensors;
}

/// The scorer over bindings 0-2 of such a kernel.
IndexerScorer scorerOf(KernelBuilder &kb, v4::IndexerScoreOp op, ArrayRef<Value> dynamicSizes) {
  auto queriesType = cast<RankedTensorType>(op.getQueries().getType());
  return IndexerScorer{kb.view(0, dynamicSizes), kb.view(1, {}), kb.view(2, dynamicSizes),
                       queriesType.getDimSize(2), queriesType.getDimSize(3),
                       CacheRowCodec::of(op.getKeys().getType())};
}

/// The query rows [B, S] of `queriesType` (tensors[0] of the kernel): their
/// count and the dynamic sizes of the views shaped like them.
Value queryRows(KernelBuilder &kb, RankedTensorType queriesType,
                SmallVectorImpl<Value> &dynamicSizes) {
  Value rows = kb.index(1);
  for (int64_t d = 0; d < 2; ++d) {
    Value size = kb.dim(d);
    if (queriesType.isDynamicDim(d))
      dynamicSizes.push_back(size);
    rows = arith::MulIOp::create(kb.builder(), kb.location(), rows, size);
  }
  return rows;
}

/// Where query row `row` (of [B, S]) is: its batch row, its token within
/// the batch row, and its cache row (its slot, or the batch row).
struct QueryRow {
  Value batchRow, token, cacheRow;
};
QueryRow locateQuery(KernelBuilder &kb, Value row, Value slotTable) {
  OpBuilder &b = kb.builder();
  Location loc = kb.location();
  Value seq = kb.dim(1);
  QueryRow at{arith::DivUIOp::create(b, loc, row, seq), arith::RemUIOp::create(b, loc, row, seq),
              Value()};
  at.cacheRow = at.batchRow;
  if (slotTable)
    at.cacheRow = arith::IndexCastOp::create(
        b, loc, b.getIndexType(), memref::LoadOp::create(b, loc, slotTable, ValueRange{at.batchRow}));
  return at;
}

/// The views of a kernel binding an indexer_score's inputs, then the
/// slots (if any), the top-k's positions and one result shaped like the
/// query rows (the scores, or the picks).
struct PositionedScoreViews {
  IndexerScorer scorer;
  Value rows, slotTable, positions, out;
};
PositionedScoreViews positionedScoreViews(KernelBuilder &kb, v4::IndexerScoreOp score,
                                          RankedTensorType positionsType) {
  auto queriesType = cast<RankedTensorType>(score.getQueries().getType());
  SmallVector<Value> dynamicSizes;
  Value rows = queryRows(kb, queriesType, dynamicSizes);
  unsigned next = 3;
  auto batchSizes = [&](RankedTensorType type) {
    SmallVector<Value> sizes;
    if (type.isDynamicDim(0))
      sizes.push_back(kb.dim(0));
    return sizes;
  };
  Value slots = score.getSlots();
  Value slotTable =
      slots ? kb.view(next++, batchSizes(cast<RankedTensorType>(slots.getType()))) : Value();
  Value positions = kb.view(next++, batchSizes(positionsType));
  return {scorerOf(kb, score, dynamicSizes), rows, slotTable, positions,
          kb.view(next, dynamicSizes)};
}

} // namespace

FailureOr<func::FuncOp> emitIndexerScoreKernel(v4::IndexerScoreOp op, llvm::StringRef name,
                                               OpBuilder &moduleBuilder) {
  if (failed(checkIndexerScore(op)))
    return failure();
  auto queriesType = cast<RankedTensorType>(op.getQueries().getType());
  auto scoresType = cast<RankedTensorType>(op.getScores().getType());
  v4::IndexerCacheType keys = op.getKeys().getType();
  SmallVector<RankedTensorType> tensors = scoreBindings(op);
  Value slots = op.getSlots();
  tensors.push_back(scoresType);

  KernelBuilder kb(moduleBuilder, op.getLoc(), name, tensors);
  OpBuilder &b = kb.builder();
  Location loc = kb.location();
  SmallVector<Value> dynamicSizes;
  Value rows = queryRows(kb, queriesType, dynamicSizes);
  IndexerScorer scorer = scorerOf(kb, op, dynamicSizes);
  Value slotTable;
  if (slots) {
    SmallVector<Value> slotSizes;
    if (cast<RankedTensorType>(slots.getType()).isDynamicDim(0))
      slotSizes.push_back(kb.dim(0));
    slotTable = kb.view(3, slotSizes);
  }
  Value out = kb.view(slots ? 4 : 3, dynamicSizes);
  Value zero = kb.index(0), one = kb.index(1);

  kb.forWorkgroups(rows, [&](Value row) {
    // Named values, not structured bindings: lambdas capture them (C++17).
    QueryRow at = locateQuery(kb, row, slotTable);
    Value batchRow = at.batchRow, token = at.token, cacheRow = at.cacheRow;
    // Each candidate's head dot products split over a GPU thread group.
    kb.forThreads(
        zero, kb.index(keys.getCapacity()), one,
        [&](Value c) {
          Value score = scorer.score(b, loc, batchRow, token, cacheRow, c);
          Type element = scoresType.getElementType();
          if (element != b.getF32Type())
            score = arith::TruncFOp::create(b, loc, element, score);
          memref::StoreOp::create(b, loc, score, out, ValueRange{batchRow, token, c});
        },
        /*splitReductions=*/true);
  });
  return kb.kernel();
}

FailureOr<func::FuncOp> emitVisibleIndexerScoreKernel(v4::IndexerScoreOp score, v4::TopkOp topk,
                                                      llvm::StringRef name,
                                                      OpBuilder &moduleBuilder) {
  if (failed(checkIndexerScore(score)))
    return failure();
  if (topk.getScores() != score.getScores())
    return topk.emitOpError() << "does not select from this indexer_score's scores";
  auto scoresType = cast<RankedTensorType>(score.getScores().getType());
  auto positionsType = cast<RankedTensorType>(topk.getPositions().getType());
  v4::IndexerCacheType keys = score.getKeys().getType();
  int64_t capacity = keys.getCapacity(), ratio = static_cast<int64_t>(topk.getRatio());
  int64_t chunk = std::min(capacity, kIndexerScoreChunk);
  int64_t chunks = (capacity + chunk - 1) / chunk;
  SmallVector<RankedTensorType> tensors = scoreBindings(score);
  tensors.push_back(positionsType);
  tensors.push_back(scoresType);

  KernelBuilder kb(moduleBuilder, score.getLoc(), name, tensors);
  OpBuilder &b = kb.builder();
  Location loc = kb.location();
  Type element = scoresType.getElementType();
  PositionedScoreViews views = positionedScoreViews(kb, score, positionsType);
  Value rows = views.rows, slotTable = views.slotTable, positions = views.positions,
        out = views.out;
  const IndexerScorer &scorer = views.scorer;
  Value one = kb.index(1);

  Value workgroups = arith::MulIOp::create(b, loc, rows, kb.index(chunks));
  kb.forWorkgroups(workgroups, [&](Value workgroup) {
    Value row = arith::DivUIOp::create(b, loc, workgroup, kb.index(chunks));
    Value first = arith::MulIOp::create(
        b, loc, arith::RemUIOp::create(b, loc, workgroup, kb.index(chunks)), kb.index(chunk));
    // Named values, not structured bindings: lambdas capture them (C++17).
    QueryRow at = locateQuery(kb, row, slotTable);
    Value batchRow = at.batchRow, token = at.token, cacheRow = at.cacheRow;
    // The top-k reads c < (position + 1) / ratio only: the rest stays unwritten.
    Value visible = visibleCandidates(kb, positions, batchRow, token, ratio);
    Value end = arith::MinUIOp::create(
        b, loc, visible,
        arith::MinUIOp::create(b, loc, arith::AddIOp::create(b, loc, first, kb.index(chunk)),
                               kb.index(capacity)));
    // An empty range (first >= end) when the chunk lies past what is visible.
    Value last = arith::MaxUIOp::create(b, loc, first, end);
    kb.forThreads(
        first, last, one,
        [&](Value c) {
          Value value = scorer.score(b, loc, batchRow, token, cacheRow, c);
          if (element != b.getF32Type())
            value = arith::TruncFOp::create(b, loc, element, value);
          memref::StoreOp::create(b, loc, value, out, ValueRange{batchRow, token, c});
        },
        /*splitReductions=*/true);
  });
  return kb.kernel();
}

FailureOr<func::FuncOp> emitIndexerTopkKernel(v4::TopkOp topk, v4::IndexerScoreOp score,
                                              llvm::StringRef name, OpBuilder &moduleBuilder) {
  if (failed(checkIndexerScore(score)))
    return failure();
  auto scoresType = cast<RankedTensorType>(score.getScores().getType());
  auto positionsType = cast<RankedTensorType>(topk.getPositions().getType());
  auto resultType = cast<RankedTensorType>(topk.getIndices().getType());
  v4::IndexerCacheType keys = score.getKeys().getType();
  if (topk.getScores() != score.getScores() || keys.getCapacity() > kMaxFusedCandidates)
    return topk.emitOpError() << "cannot take in this indexer_score (its scores, at most "
                              << kMaxFusedCandidates << " candidates)";
  int64_t k = static_cast<int64_t>(topk.getK()), ratio = static_cast<int64_t>(topk.getRatio());
  SmallVector<RankedTensorType> tensors = scoreBindings(score);
  tensors.push_back(positionsType);
  tensors.push_back(resultType);

  KernelBuilder kb(moduleBuilder, topk.getLoc(), name, tensors);
  OpBuilder &b = kb.builder();
  Location loc = kb.location();
  Type f32 = b.getF32Type(), i32 = b.getI32Type();
  Type element = scoresType.getElementType();
  PositionedScoreViews views = positionedScoreViews(kb, score, positionsType);
  Value rows = views.rows, slotTable = views.slotTable, positions = views.positions,
        out = views.out;
  const IndexerScorer &scorer = views.scorer;
  Value zero = kb.index(0), one = kb.index(1);

  kb.forWorkgroups(rows, [&](Value row) {
    // Named values, not structured bindings: lambdas capture them (C++17).
    QueryRow at = locateQuery(kb, row, slotTable);
    Value batchRow = at.batchRow, token = at.token, cacheRow = at.cacheRow;
    // Only the candidates this query sees are scored: c < (position + 1) / ratio.
    Value visible = visibleCandidates(kb, positions, batchRow, token, ratio);
    Value limit = arith::MinUIOp::create(b, loc, visible, kb.index(keys.getCapacity()));
    // The row's scores, rounded as the unfused scores tensor stores them.
    Value rowScores =
        memref::AllocaOp::create(b, loc, MemRefType::get({keys.getCapacity()}, element));
    kb.forThreads(
        zero, limit, one,
        [&](Value c) {
          Value value = scorer.score(b, loc, batchRow, token, cacheRow, c);
          if (element != f32)
            value = arith::TruncFOp::create(b, loc, element, value);
          memref::StoreOp::create(b, loc, value, rowScores, ValueRange{c});
        },
        /*splitReductions=*/true);
    // One iteration: the selection is a sequence, its counts split over a
    // GPU thread group.
    kb.forThreads(
        zero, one, one,
        [&](Value) {
          emitThresholdPicks(
              b, loc, k, limit, element.isBF16(),
              [&](Value c) -> Value {
                Value value = memref::LoadOp::create(b, loc, rowScores, ValueRange{c});
                return value.getType() == f32 ? value : arith::ExtFOp::create(b, loc, f32, value);
              },
              [&](Value j, Value index, Value) {
                memref::StoreOp::create(b, loc, arith::IndexCastOp::create(b, loc, i32, index), out,
                                        ValueRange{batchRow, token, j});
              });
        },
        /*splitReductions=*/true);
  });
  return kb.kernel();
}

} // namespace sieve::detail
