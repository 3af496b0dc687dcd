//===- V4CacheOps.cpp - Compressor and typed cache ops ---------------------===//
//
// compress, cache_init/read, window_append, compressed_append and
// window_indices (v4-architecture.md sections 7.3, 7.4 and 11).
//
//===----------------------------------------------------------------------===//

#include "V4VerifyUtils.h"
#include "v4/IR/V4Ops.h"

#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace sieve::v4;
using namespace sieve::v4::detail;

/// Rows appended to a cache: [B, rows, dim] with the cache's dtype, one
/// start position per batch row, batch rows mapped to cache rows by `slots`.
static LogicalResult verifyCacheRows(Operation *op, StringRef what,
                                     ShapedType rows, CacheTypeInterface cache,
                                     int64_t dim, Value positions, Value slots) {
  int64_t batch = rowBatchOf(slots, cache.getBatch());
  if (failed(expectRank(op, what, rows, 3, "[B, rows, dim]")) ||
      failed(expectShape(op, what, rows, {batch, rows.getDimSize(1), dim},
                         slots ? "batch of the slots and dim of the cache"
                               : "batch and dim of the cache")))
    return failure();
  Type element = cache.getContentsType().getElementType();
  if (rows.getElementType() != element)
    return op->emitOpError() << "expects " << what << " of element type "
                             << element << " (the cache's), got "
                             << rows.getElementType();
  return verifyRowAddressing(op, rows.getDimSize(0), positions, slots,
                             cache.getBatch());
}

//===----------------------------------------------------------------------===//
// CompressOp
//===----------------------------------------------------------------------===//

LogicalResult CompressOp::inferReturnTypes(MLIRContext *context,
                                           std::optional<Location> location,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &inferred) {
  auto ratio = static_cast<int64_t>(adaptor.getRatio());
  if (ratio <= 0)
    return inferenceError<CompressOp>(location,
                                      "expects ratio > 0, got " + Twine(ratio));
  auto kv = dyn_cast<RankedTensorType>(adaptor.getKv().getType());
  if (!kv || kv.getRank() != 3)
    return inferenceError<CompressOp>(location,
                                      "expects kv of rank 3 ([B, S, coff*d])");
  auto state = cast<CompressorStateType>(adaptor.getState().getType());
  inferred.push_back(RankedTensorType::get(
      {kv.getDimSize(0), ceilDivDim(kv.getDimSize(1), ratio), state.getDim()},
      Float32Type::get(context)));
  inferred.push_back(state);
  return success();
}

LogicalResult CompressOp::verify() {
  int64_t ratio = getRatio();
  if (failed(verifyRatio(*this, ratio)))
    return failure();
  bool overlap = getOverlap();
  if (overlap != (ratio == 4))
    return emitOpError() << "expects `overlap` exactly when ratio is 4, got "
                         << (overlap ? "overlap" : "no overlap")
                         << " with ratio " << ratio;
  CompressorStateType state = getState().getType();
  if (state.getRatio() != ratio)
    return emitOpError() << "expects a compressor state of ratio " << ratio
                         << ", got ratio " << state.getRatio();

  int64_t width = state.getCoff() * state.getDim();
  RankedTensorType kv = getKv().getType();
  int64_t batch = rowBatchOf(getSlots(), state.getBatch());
  if (failed(expectRank(*this, "kv", kv, 3, "[B, S, coff*d]")) ||
      failed(expectShape(*this, "kv", kv, {batch, kv.getDimSize(1), width},
                         getSlots() ? "batch of the slots and coff*dim of the state"
                                    : "batch and coff*dim of the state")) ||
      failed(expectShape(*this, "ape", getApe().getType(), {ratio, width},
                         "[ratio, coff*d]")) ||
      failed(verifyRowAddressing(*this, kv.getDimSize(0), getPositions(),
                                 getSlots(), state.getBatch())))
    return failure();
  return verifyInferredResults(*this, {{"entries", "[B, ceil(S/ratio), d]"},
                                       {"new state", "the state's type"}});
}

//===----------------------------------------------------------------------===//
// CacheReadOp
//===----------------------------------------------------------------------===//

LogicalResult CacheReadOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto cache = dyn_cast<CacheTypeInterface>(adaptor.getCache().getType());
  if (!cache)
    return inferenceError<CacheReadOp>(location, "expects a v4 cache operand");
  RankedTensorType contents = cache.getContentsType();
  if (Value slots = adaptor.getSlots()) {
    // The batch dimension: 1 for compressor state ([2, B, ...]), else 0.
    SmallVector<int64_t> shape(contents.getShape());
    shape[isa<CompressorStateType>(cache) ? 1 : 0] =
        rowBatchOf(slots, cache.getBatch());
    contents = contents.clone(shape);
  }
  inferred.push_back(contents);
  return success();
}

LogicalResult CacheReadOp::verify() {
  auto cache = cast<CacheTypeInterface>(getCache().getType());
  if (Value slots = getSlots();
      slots && failed(verifyRowAddressing(*this, rowBatchOf(slots, cache.getBatch()),
                                          /*positions=*/Value(), slots,
                                          cache.getBatch())))
    return failure();
  // The contents type is exact: a read gives whole cache rows.
  SmallVector<Type> inferred;
  if (failed(inferReturnTypes(getContext(), getLoc(), Adaptor(*this), inferred)))
    return failure();
  if (getContents().getType() != inferred.front())
    return emitOpError() << "expects result type " << inferred.front()
                         << " (the contents of " << getCache().getType()
                         << (getSlots() ? " at the slots" : "") << "), got "
                         << getContents().getType();
  return success();
}

// A fresh KV or key cache is all zeros. (Compressor state is kv = 0 and
// score = -inf, not a splat; it is left alone.)
OpFoldResult CacheReadOp::fold(FoldAdaptor) {
  if (!getCache().getDefiningOp<CacheInitOp>() ||
      isa<CompressorStateType>(getCache().getType()))
    return {};
  RankedTensorType type = getContents().getType();
  if (!type.hasStaticShape())
    return {};
  auto zero = FloatAttr::get(type.getElementType(), 0.0);
  return DenseElementsAttr::get(type, ArrayRef<Attribute>(zero));
}

//===----------------------------------------------------------------------===//
// WindowAppendOp / CompressedAppendOp
//===----------------------------------------------------------------------===//

LogicalResult WindowAppendOp::verify() {
  WindowCacheType cache = getCache().getType();
  return verifyCacheRows(*this, "rows", getRows().getType(), cache,
                         cache.getDim(), getPositions(), getSlots());
}

OpFoldResult WindowAppendOp::fold(FoldAdaptor) {
  if (getRows().getType().getDimSize(1) == 0)
    return getCache();
  return {};
}

LogicalResult CompressedAppendOp::verify() {
  return TypeSwitch<Type, LogicalResult>(getCache().getType())
      .Case<CompressedCacheType, IndexerCacheType>([&](auto cache) {
        return verifyCacheRows(*this, "entries", getEntries().getType(),
                               cache, cache.getDim(), getPositions(),
                               getSlots());
      })
      .Default([&](Type type) {
        return emitOpError()
               << "expects a compressed or indexer cache, got " << type;
      });
}

OpFoldResult CompressedAppendOp::fold(FoldAdaptor) {
  if (getEntries().getType().getDimSize(1) == 0)
    return getCache();
  return {};
}

//===----------------------------------------------------------------------===//
// WindowIndicesOp
//===----------------------------------------------------------------------===//

LogicalResult WindowIndicesOp::verify() {
  int64_t window = getWindow();
  if (failed(verifyPositive(*this, "window", window)))
    return failure();
  RankedTensorType indices = getIndices().getType();
  if (failed(expectRank(*this, "result", indices, 3, "[B, S, window]")) ||
      failed(expectShape(*this, "result", indices,
                         {indices.getDimSize(0), indices.getDimSize(1), window},
                         "one row of `window` indices per query")) ||
      failed(verifyPerRow(*this, "positions", getPositions(),
                          indices.getDimSize(0))))
    return failure();
  int64_t queries = indices.getDimSize(1);
  if (getLayout() != WindowLayout::ring && ShapedType::isDynamic(queries) &&
      !getRows())
    return emitOpError() << "expects a `rows` operand with layout "
                         << stringifyWindowLayout(getLayout())
                         << " and a dynamic query dimension (nothing else gives S)";
  APInt rows;
  if (Value rowsValue = getRows();
      rowsValue && !ShapedType::isDynamic(queries) &&
      matchPattern(rowsValue, m_ConstantInt(&rows)) &&
      rows.getSExtValue() != queries)
    return emitOpError() << "expects rows (" << rows.getSExtValue()
                         << ") to match the query dimension of the result ("
                         << queries << ")";
  if (getLayout() == WindowLayout::ring && !ShapedType::isDynamic(queries) &&
      queries != 1)
    return emitOpError() << "expects a single query row with layout ring "
                            "(older slots are overwritten by longer chunks), "
                            "got "
                         << queries;
  return success();
}
