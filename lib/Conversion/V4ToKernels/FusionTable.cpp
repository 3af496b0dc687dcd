//===- FusionTable.cpp - The fusion patterns, one row each ----------------===//
//
// | consumer                      | producers it computes     | when                          |
// | ----------------------------- | ------------------------- | ----------------------------- |
// | v4.fp8_matmul, v4.mxfp4_matmul | the v4.quantize of its    | E4M3 codes, ceil rule, block  |
// |                               | activation codes + scales | = the matmul's activation     |
// |                               |                           | block (per-token FP8 before   |
// |                               |                           | every FP8/MXFP4 GEMM)         |
// | v4.fp8_matmul, v4.mxfp4_matmul | row 1's quantize and the  | a plain v4.rms_norm (weighted |
// |                               | v4.rms_norm it reads      | or not, not round_each_step)  |
// |                               | (RMSNorm in the GEMM's    | of the same element type      |
// |                               | prologue)                 |                               |
// | v4.topk                       | the v4.indexer_score of   | at most kMaxFusedCandidates   |
// |                               | its scores                | entries (the scores live on   |
// |                               |                           | the stack), queries of more   |
// |                               |                           | than one token                |
// | v4.indexer_score (split row 4)| nothing: it takes its     | queries of one token, the     |
// |                               | top-k's positions and     | top-k its only user; keys     |
// |                               | scores only visible keys  | spread over workgroups        |
// | v4.moe_dispatch               | the v4.moe_route or       | the routing's experts and     |
// |                               | v4.moe_hash_route of its  | weights are the dispatch's;   |
// |                               | experts and weights       | one workgroup does both       |
// | v4.grouped_linear             | the v4.dequantize of its  | the weight is a dequantize    |
// |                               | weight (and the broadcast | viewed [groups, R, C]; scales |
// |                               | of its tile scales)       | per row, or 2-D tiles         |
// |                               |                           | broadcast over rows (wo_a)    |
// | v4.sparse_attention,          | the v4.cache_read of its  | a window cache (the ring),    |
// | v4.hca_attention              | window (read in place at  | slots or none: decode's and   |
// |                               | the read's slots)         | MTP's window, not a prefill   |
// |                               |                           | chunk's concatenated one      |
//
// A fused producer whose every use reaches, through reshapes, only consumers
// that fuse it has no dispatch of its own; one with another user keeps its
// dispatch (a norm that other ops also read is computed again in each GEMM
// that takes it in, a row's worth of work).
//
//===----------------------------------------------------------------------===//

#include "sieve/Conversion/V4ToKernels/FusionTable.h"

#include "OpKernelEmitters.h"
#include "sieve/Conversion/V4ToKernels/OpKernels.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;

namespace sieve {

namespace detail {

/// Row 2: a grouped_linear's weight `expand_shape(dequantize(codes,
/// scales))`, with the scales either per row or
/// `collapse_shape(linalg.broadcast(tiles))` (a tile scale repeated over its
/// rows). The broadcast, when there is one, is taken in too.
std::optional<std::pair<DequantizedWeight, linalg::BroadcastOp>>
groupedLinearWeight(Operation *op) {
  auto linear = dyn_cast<v4::GroupedLinearOp>(op);
  if (!linear)
    return std::nullopt;
  using Groups = SmallVector<ReassociationIndices>;
  const Groups leadingPair = {{0, 1}, {2}};
  auto expand = linear.getWeight().getDefiningOp<tensor::ExpandShapeOp>();
  if (!expand || expand.getReassociationIndices() != leadingPair)
    return std::nullopt;
  auto dequantize = expand.getSrc().getDefiningOp<v4::DequantizeOp>();
  if (!dequantize)
    return std::nullopt;
  DequantizedWeight weight{dequantize, dequantize.getScales(), 1};
  linalg::BroadcastOp broadcast;
  if (auto collapse = dequantize.getScales().getDefiningOp<tensor::CollapseShapeOp>()) {
    broadcast = collapse.getSrc().getDefiningOp<linalg::BroadcastOp>();
    if (!broadcast || collapse.getReassociationIndices() != leadingPair ||
        broadcast.getDimensions() != ArrayRef<int64_t>{1})
      return std::nullopt;
    weight.scales = broadcast.getInput();
    weight.rowsPerScale = cast<ShapedType>(collapse.getSrcType()).getDimSize(1);
    if (ShapedType::isDynamic(weight.rowsPerScale))
      return std::nullopt;
  }
  return std::make_pair(weight, broadcast);
}

} // namespace detail

namespace {

/// Row 1: the quantize producing a matmul's activation codes and scales.
v4::QuantizeOp fusableActivationQuantize(Value codes, Value scales, int64_t actBlock) {
  auto quantize = codes.getDefiningOp<v4::QuantizeOp>();
  if (!quantize || scales.getDefiningOp() != quantize.getOperation() ||
      codes != quantize.getCodes() || scales != quantize.getScales())
    return nullptr;
  if (quantize.getRule() != v4::ScaleRule::ceil ||
      !isa<Float8E4M3FNType>(quantize.getCodes().getType().getElementType()) ||
      static_cast<int64_t>(quantize.getBlock()) != actBlock)
    return nullptr;
  return quantize;
}

v4::QuantizeOp activationQuantizeOf(Operation *op) {
  return llvm::TypeSwitch<Operation *, v4::QuantizeOp>(op)
      .Case<v4::Fp8MatmulOp>([](auto matmul) {
        return fusableActivationQuantize(matmul.getInput(), matmul.getInputScales(),
                                         matmul.getBlock()[1]);
      })
      .Case<v4::Mxfp4MatmulOp>([](auto matmul) {
        return fusableActivationQuantize(matmul.getInput(), matmul.getInputScales(),
                                         static_cast<int64_t>(matmul.getActBlock()));
      })
      .Default([](Operation *) { return nullptr; });
}

/// Row 3: the plain rms_norm a fused activation quantization reads.
v4::RmsNormOp normBeforeQuantize(v4::QuantizeOp quantize) {
  auto norm = quantize.getInput().getDefiningOp<v4::RmsNormOp>();
  if (!norm || norm.getRoundEachStep() ||
      norm.getInput().getType() != norm.getResult().getType())
    return nullptr;
  return norm;
}

/// Whether an indexer_score's queries are one token per batch row (decode,
/// MTP): too few query rows to spread one kernel per row over the threads.
bool scoresOneToken(v4::IndexerScoreOp score) {
  auto queries = cast<RankedTensorType>(score.getQueries().getType());
  return queries.getDimSize(1) == 1;
}

/// Row 4: the indexer_score whose scores a top-k selects from.
v4::IndexerScoreOp scoreBeforeTopk(Operation *op) {
  auto topk = dyn_cast<v4::TopkOp>(op);
  auto score = topk ? topk.getScores().getDefiningOp<v4::IndexerScoreOp>() : nullptr;
  if (!score || scoresOneToken(score) ||
      score.getKeys().getType().getCapacity() > detail::kMaxFusedCandidates)
    return nullptr;
  return score;
}

/// Row 4, split form: the top-k that alone reads a one-token indexer_score,
/// whose positions the score kernel takes to score only the visible keys.
v4::TopkOp topkAfterOneTokenScore(Operation *op) {
  auto score = dyn_cast<v4::IndexerScoreOp>(op);
  if (!score || !scoresOneToken(score) || !score.getScores().hasOneUse())
    return nullptr;
  auto topk = dyn_cast<v4::TopkOp>(*score.getScores().user_begin());
  return topk && topk.getScores() == score.getScores() ? topk : nullptr;
}

/// Row 5: the routing whose experts and weights a dispatch places.
Operation *routeBeforeDispatch(Operation *op) {
  auto dispatch = dyn_cast<v4::MoeDispatchOp>(op);
  Operation *route = dispatch ? dispatch.getExperts().getDefiningOp() : nullptr;
  if (!route || !isa<v4::MoeRouteOp, v4::MoeHashRouteOp>(route) ||
      route->getResult(0) != dispatch.getWeights() ||
      route->getResult(1) != dispatch.getExperts())
    return nullptr;
  // The fused kernel stages each copy's expert and weight (8 bytes) in its
  // row of the result before the rows are copied.
  auto rowsType = cast<RankedTensorType>(dispatch.getRows().getType());
  int64_t width = rowsType.getDimSize(1);
  if (ShapedType::isDynamic(width) || !rowsType.getElementType().isIntOrFloat() ||
      width * rowsType.getElementTypeBitWidth() < 64)
    return nullptr;
  return route;
}

/// Row 6: the read of the window ring an attention attends over.
v4::CacheReadOp windowReadBeforeAttention(Operation *op) {
  Value window = llvm::TypeSwitch<Operation *, Value>(op)
                     .Case<v4::SparseAttentionOp, v4::HcaAttentionOp>(
                         [](auto attention) { return attention.getWindow(); })
                     .Default([](Operation *) { return Value(); });
  auto read = window ? window.getDefiningOp<v4::CacheReadOp>() : nullptr;
  if (!read || !isa<v4::WindowCacheType>(read.getCache().getType()))
    return nullptr;
  return read;
}

} // namespace

SmallVector<Operation *> fusedProducers(Operation *op) {
  if (v4::QuantizeOp quantize = activationQuantizeOf(op)) {
    if (v4::RmsNormOp norm = normBeforeQuantize(quantize))
      return {quantize.getOperation(), norm.getOperation()};
    return {quantize.getOperation()};
  }
  if (v4::IndexerScoreOp score = scoreBeforeTopk(op))
    return {score.getOperation()};
  if (Operation *route = routeBeforeDispatch(op))
    return {route};
  if (v4::CacheReadOp read = windowReadBeforeAttention(op))
    return {read.getOperation()};
  if (auto weight = detail::groupedLinearWeight(op)) {
    SmallVector<Operation *> producers = {weight->first.dequantize.getOperation()};
    if (weight->second)
      producers.push_back(weight->second.getOperation());
    return producers;
  }
  return {};
}

FailureOr<func::FuncOp> emitFusedKernel(Operation *op, ArrayRef<Operation *> producers,
                                        StringRef name, OpBuilder &builder) {
  if (producers.empty()) {
    if (v4::TopkOp topk = topkAfterOneTokenScore(op))
      return detail::emitVisibleIndexerScoreKernel(cast<v4::IndexerScoreOp>(op), topk, name,
                                                   builder);
    return emitOpKernel(op, name, builder);
  }
  if (auto score = dyn_cast<v4::IndexerScoreOp>(producers.front()))
    return detail::emitIndexerTopkKernel(cast<v4::TopkOp>(op), score, name, builder);
  if (isa<v4::MoeRouteOp, v4::MoeHashRouteOp>(producers.front()))
    return detail::emitRouteDispatchKernel(cast<v4::MoeDispatchOp>(op), producers.front(), name,
                                           builder);
  if (auto read = dyn_cast<v4::CacheReadOp>(producers.front())) {
    if (auto sparse = dyn_cast<v4::SparseAttentionOp>(op))
      return detail::emitSparseAttentionKernel(sparse, name, builder, read);
    return detail::emitHcaAttentionKernel(cast<v4::HcaAttentionOp>(op), name, builder, read);
  }
  if (isa<v4::DequantizeOp>(producers.front())) {
    auto weight = detail::groupedLinearWeight(op);
    if (!weight)
      return op->emitOpError() << "does not match the fusion row it was given";
    return detail::emitGroupedLinearKernel(cast<v4::GroupedLinearOp>(op), name, builder,
                                           &weight->first);
  }
  auto quantize = cast<v4::QuantizeOp>(producers.front());
  v4::RmsNormOp norm =
      producers.size() > 1 ? cast<v4::RmsNormOp>(producers[1]) : v4::RmsNormOp();
  if (auto matmul = dyn_cast<v4::Fp8MatmulOp>(op))
    return detail::emitFp8MatmulKernel(matmul, name, builder, quantize, norm);
  return detail::emitMxfp4MatmulKernel(cast<v4::Mxfp4MatmulOp>(op), name, builder, quantize,
                                       norm);
}

SmallVector<Value> fusedKernelBindings(Operation *op, ArrayRef<Operation *> producers) {
  if (producers.empty()) {
    SmallVector<Value> bindings = kernelBindings(op);
    // The split row 4 score kernel reads its top-k's positions too.
    if (v4::TopkOp topk = topkAfterOneTokenScore(op))
      bindings.push_back(topk.getPositions());
    return bindings;
  }
  if (isa<v4::MoeRouteOp, v4::MoeHashRouteOp>(producers.front())) {
    // The routing's inputs, then the rows to place.
    SmallVector<Value> bindings(producers.front()->getOperands());
    bindings.push_back(cast<v4::MoeDispatchOp>(op).getInput());
    return bindings;
  }
  if (auto read = dyn_cast<v4::CacheReadOp>(producers.front())) {
    // The ring's storage replaces the window; the read's slots come last.
    SmallVector<Value> bindings = kernelBindings(op);
    llvm::replace(bindings, Value(read.getContents()), Value(read.getCache()));
    if (Value slots = read.getSlots())
      bindings.push_back(slots);
    return bindings;
  }
  if (auto score = dyn_cast<v4::IndexerScoreOp>(producers.front())) {
    // The score's bindings replace the scores; the positions follow.
    SmallVector<Value> bindings = kernelBindings(score);
    bindings.push_back(cast<v4::TopkOp>(op).getPositions());
    return bindings;
  }
  if (isa<v4::DequantizeOp>(producers.front())) {
    // The codes and the scales it reads replace the dequantized weight.
    auto weight = detail::groupedLinearWeight(op);
    assert(weight && "emitFusedKernel checks the row");
    return {cast<v4::GroupedLinearOp>(op).getInput(), weight->first.dequantize.getCodes(),
            weight->first.scales};
  }
  // The quantize's input replaces the activation codes and scales; with the
  // norm, its input and weight do.
  SmallVector<Value> unfused = kernelBindings(op);
  SmallVector<Value> bindings = {cast<v4::QuantizeOp>(producers.front()).getInput()};
  if (producers.size() > 1) {
    auto norm = cast<v4::RmsNormOp>(producers[1]);
    bindings = {norm.getInput()};
    if (Value weight = norm.getWeight())
      bindings.push_back(weight);
  }
  bindings.append(unfused.begin() + 2, unfused.end());
  return bindings;
}

} // namespace sieve
