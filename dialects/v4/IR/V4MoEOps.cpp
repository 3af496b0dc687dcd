//===- V4MoEOps.cpp - Routing, dispatch and combine ------------------------===//
//
// moe_route, moe_hash_route, moe_dispatch and moe_combine
// (v4-architecture.md section 8). T tokens, E experts, k experts per token.
//
//===----------------------------------------------------------------------===//

#include "V4VerifyUtils.h"
#include "v4/IR/V4Ops.h"

using namespace mlir;
using namespace sieve::v4;
using namespace sieve::v4::detail;

/// logits [T, E]; weights and experts [T, k] with 0 < k <= E.
static LogicalResult verifyRouting(Operation *op, RankedTensorType logits,
                                   int64_t k, double routeScale,
                                   ShapedType weights, ShapedType experts) {
  if (failed(verifyPositive(op, "route_scale", routeScale)) ||
      failed(verifyPositive(op, "k", k)) ||
      failed(expectRank(op, "logits", logits, 2, "[T, E]")))
    return failure();
  int64_t numExperts = logits.getDimSize(1);
  if (!ShapedType::isDynamic(numExperts) && k > numExperts)
    return op->emitOpError() << "expects k (" << k
                             << ") <= the number of experts (" << numExperts
                             << ")";
  int64_t tokens = logits.getDimSize(0);
  if (failed(expectShape(op, "weights", weights, {tokens, k}, "[T, k]")))
    return failure();
  return expectShape(op, "experts", experts, {tokens, k}, "[T, k]");
}

LogicalResult MoeRouteOp::verify() {
  RankedTensorType logits = getLogits().getType();
  if (failed(verifyRouting(*this, logits, getK(),
                           getRouteScale().convertToDouble(),
                           getWeights().getType(), getExperts().getType())))
    return failure();
  return expectShape(*this, "bias", getBias().getType(),
                     {logits.getDimSize(1)}, "one per expert");
}

LogicalResult MoeHashRouteOp::verify() {
  RankedTensorType table = getTable().getType();
  if (failed(expectRank(*this, "table", table, 2, "[vocab, k]")) ||
      failed(expectStatic(*this, "experts-per-token dimension of the table",
                          table.getDimSize(1))))
    return failure();
  RankedTensorType logits = getLogits().getType();
  if (failed(verifyRouting(*this, logits, table.getDimSize(1),
                           getRouteScale().convertToDouble(),
                           getWeights().getType(), getExperts().getType())))
    return failure();
  return expectShape(*this, "tokens", getTokens().getType(),
                     {logits.getDimSize(0)}, "one id per token");
}

/// "expects <what> of element type <other's> (the <otherName>'s), got ...".
static LogicalResult expectSameElementType(Operation *op, StringRef what,
                                           ShapedType type,
                                           StringRef otherName,
                                           ShapedType other) {
  if (type.getElementType() == other.getElementType())
    return success();
  return op->emitOpError() << "expects " << what << " of element type "
                           << other.getElementType() << " (the " << otherName
                           << "'s), got " << type.getElementType();
}

LogicalResult MoeDispatchOp::verify() {
  int64_t numExperts = getNumExperts();
  RankedTensorType input = getInput().getType();
  RankedTensorType experts = getExperts().getType();
  if (failed(verifyPositive(*this, "num_experts", numExperts)) ||
      failed(expectRank(*this, "input", input, 2, "[T, D]")) ||
      failed(expectRank(*this, "experts", experts, 2, "[T, k]")))
    return failure();
  int64_t tokens = input.getDimSize(0), dim = input.getDimSize(1);
  int64_t k = experts.getDimSize(1);
  if (failed(expectStatic(*this, "experts-per-token dimension", k)) ||
      failed(expectShape(*this, "experts", experts, {tokens, k}, "[T, k]")) ||
      failed(expectShape(*this, "weights", getWeights().getType(), {tokens, k},
                         "[T, k]")))
    return failure();
  int64_t copies = mulDim(tokens, k);
  if (failed(expectShape(*this, "rows", getRows().getType(), {copies, dim},
                         "[T*k, D]")) ||
      failed(expectSameElementType(*this, "rows", getRows().getType(),
                                   "input", input)) ||
      failed(expectShape(*this, "row weights", getRowWeights().getType(),
                         {copies}, "[T*k]")) ||
      failed(expectShape(*this, "permutation", getPermutation().getType(),
                         {copies}, "[T*k]")))
    return failure();
  return expectShape(*this, "expert offsets", getExpertOffsets().getType(),
                     {numExperts + 1}, "num_experts + 1");
}

LogicalResult MoeCombineOp::verify() {
  RankedTensorType rows = getRows().getType();
  RankedTensorType result = getResult().getType();
  if (failed(expectRank(*this, "rows", rows, 2, "[R, D]")) ||
      failed(expectRank(*this, "result", result, 2, "[T, D]")) ||
      failed(expectShape(*this, "permutation", getPermutation().getType(),
                         {rows.getDimSize(0)}, "one per row")) ||
      failed(expectShape(*this, "result", result,
                         {result.getDimSize(0), rows.getDimSize(1)},
                         "the row width")))
    return failure();
  int64_t numRows = rows.getDimSize(0), tokens = result.getDimSize(0);
  if (!ShapedType::isDynamic(numRows) && !ShapedType::isDynamic(tokens) &&
      (tokens == 0 ? numRows != 0 : numRows % tokens != 0))
    return emitOpError() << "expects the row count (" << numRows
                         << ") to be a multiple of the token count ("
                         << tokens << ")";
  if (Value shared = getShared()) {
    auto sharedType = cast<ShapedType>(shared.getType());
    if (failed(expectShape(*this, "shared", sharedType, result.getShape(),
                           "the result shape")))
      return failure();
    return expectSameElementType(*this, "shared", sharedType, "result",
                                 result);
  }
  return success();
}
