//===- V4MoEOps.cpp - Routing, dispatch and combine ------------------------===//
//
// moe_route, moe_hash_route, moe_dispatch and moe_combine
// (v4-architecture.md section 8). T tokens, E experts, k experts per token.
//
//===----------------------------------------------------------------------===//

#include "V4VerifyUtils.h"
#include "v4/IR/V4Ops.h"

#include "llvm/Support/MathExtras.h"

#include <limits>

using namespace mlir;
using namespace sieve::v4;
using namespace sieve::v4::detail;

/// weights [T, k] fp32 and experts [T, k] i32 for `logits [T, E]`.
template <typename OpTy>
static LogicalResult inferRouting(MLIRContext *context,
                                  std::optional<Location> location,
                                  Type logitsType, int64_t k,
                                  SmallVectorImpl<Type> &inferred) {
  auto logits = dyn_cast<RankedTensorType>(logitsType);
  if (!logits || logits.getRank() != 2)
    return inferenceError<OpTy>(location, "expects logits of rank 2 ([T, E])");
  if (k <= 0 && !ShapedType::isDynamic(k))
    return inferenceError<OpTy>(location, "expects k > 0, got " + Twine(k));
  int64_t tokens = logits.getDimSize(0);
  inferred.push_back(RankedTensorType::get({tokens, k}, Float32Type::get(context)));
  inferred.push_back(RankedTensorType::get({tokens, k}, IntegerType::get(context, 32)));
  return success();
}

/// logits [T, E] with 0 < k <= E.
static LogicalResult verifyRouting(Operation *op, RankedTensorType logits,
                                   int64_t k, double routeScale) {
  if (failed(verifyPositive(op, "route_scale", routeScale)) ||
      failed(verifyPositive(op, "k", k)) ||
      failed(expectRank(op, "logits", logits, 2, "[T, E]")))
    return failure();
  int64_t numExperts = logits.getDimSize(1);
  if (!ShapedType::isDynamic(numExperts) && k > numExperts)
    return op->emitOpError() << "expects k (" << k
                             << ") <= the number of experts (" << numExperts
                             << ")";
  return success();
}

static constexpr ResultDescription kRoutingResults[] = {{"weights", "[T, k]"},
                                                        {"experts", "[T, k]"}};

LogicalResult MoeRouteOp::inferReturnTypes(MLIRContext *context,
                                           std::optional<Location> location,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &inferred) {
  return inferRouting<MoeRouteOp>(context, location,
                                  adaptor.getLogits().getType(),
                                  static_cast<int64_t>(adaptor.getK()), inferred);
}

LogicalResult MoeRouteOp::verify() {
  RankedTensorType logits = getLogits().getType();
  if (failed(verifyRouting(*this, logits, getK(),
                           getRouteScale().convertToDouble())) ||
      failed(expectShape(*this, "bias", getBias().getType(),
                         {logits.getDimSize(1)}, "one per expert")))
    return failure();
  return verifyInferredResults(*this, kRoutingResults);
}

LogicalResult MoeHashRouteOp::inferReturnTypes(MLIRContext *context,
                                               std::optional<Location> location,
                                               Adaptor adaptor,
                                               SmallVectorImpl<Type> &inferred) {
  auto table = dyn_cast<RankedTensorType>(adaptor.getTable().getType());
  if (!table || table.getRank() != 2)
    return inferenceError<MoeHashRouteOp>(location,
                                          "expects table of rank 2 ([vocab, k])");
  return inferRouting<MoeHashRouteOp>(context, location,
                                      adaptor.getLogits().getType(),
                                      table.getDimSize(1), inferred);
}

LogicalResult MoeHashRouteOp::verify() {
  RankedTensorType table = getTable().getType();
  if (failed(expectRank(*this, "table", table, 2, "[vocab, k]")) ||
      failed(expectStatic(*this, "experts-per-token dimension of the table",
                          table.getDimSize(1))))
    return failure();
  RankedTensorType logits = getLogits().getType();
  if (failed(verifyRouting(*this, logits, table.getDimSize(1),
                           getRouteScale().convertToDouble())) ||
      failed(expectShape(*this, "tokens", getTokens().getType(),
                         {logits.getDimSize(0)}, "one id per token")))
    return failure();
  return verifyInferredResults(*this, kRoutingResults);
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

LogicalResult MoeDispatchOp::inferReturnTypes(MLIRContext *context,
                                              std::optional<Location> location,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &inferred) {
  auto input = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
  auto experts = dyn_cast<RankedTensorType>(adaptor.getExperts().getType());
  if (!input || input.getRank() != 2)
    return inferenceError<MoeDispatchOp>(location, "expects input of rank 2 ([T, D])");
  if (!experts || experts.getRank() != 2)
    return inferenceError<MoeDispatchOp>(location,
                                         "expects experts of rank 2 ([T, k])");
  auto numExperts = static_cast<int64_t>(adaptor.getNumExperts());
  if (numExperts <= 0 || numExperts == std::numeric_limits<int64_t>::max())
    return inferenceError<MoeDispatchOp>(
        location, "expects num_experts in [1, 2^63 - 2], got " + Twine(numExperts));
  int64_t tokens = input.getDimSize(0), k = experts.getDimSize(1);
  int64_t copies = ShapedType::kDynamic;
  if (!ShapedType::isDynamic(tokens) && !ShapedType::isDynamic(k) &&
      llvm::MulOverflow(tokens, k, copies))
    return inferenceError<MoeDispatchOp>(
        location, "expects T*k to fit in 64 bits, got " + Twine(tokens) + "*" +
                      Twine(k));
  Type i32 = IntegerType::get(context, 32);
  inferred.push_back(
      RankedTensorType::get({copies, input.getDimSize(1)}, input.getElementType()));
  inferred.push_back(RankedTensorType::get({copies}, Float32Type::get(context)));
  inferred.push_back(RankedTensorType::get({copies}, i32));
  inferred.push_back(RankedTensorType::get({numExperts + 1}, i32));
  return success();
}

LogicalResult MoeDispatchOp::verify() {
  RankedTensorType input = getInput().getType();
  RankedTensorType experts = getExperts().getType();
  if (failed(verifyPositive(*this, "num_experts",
                            static_cast<int64_t>(getNumExperts()))) ||
      failed(expectRank(*this, "input", input, 2, "[T, D]")) ||
      failed(expectRank(*this, "experts", experts, 2, "[T, k]")))
    return failure();
  int64_t tokens = input.getDimSize(0);
  int64_t k = experts.getDimSize(1);
  if (failed(expectStatic(*this, "experts-per-token dimension", k)) ||
      failed(expectShape(*this, "experts", experts, {tokens, k}, "[T, k]")) ||
      failed(expectShape(*this, "weights", getWeights().getType(), {tokens, k},
                         "[T, k]")))
    return failure();
  return verifyInferredResults(*this, {{"rows", "[T*k, D]"},
                                       {"row weights", "[T*k]"},
                                       {"permutation", "[T*k]"},
                                       {"expert offsets", "num_experts + 1"}});
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
