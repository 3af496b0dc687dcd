//===- CacheKernels.cpp - The cache ops and window indices as kernels ------===//
//
// A cache operand is bound as its storage (its type's getStorageType()); an
// op that returns an updated cache writes that binding in place and has no
// binding of its own for the result (dispatch formation aliases the two).
// Batch row b uses cache row slots[b] (b without slots); a cache row outside
// the cache's batch is neither read nor written, and neither is an entry
// past the capacity, so bad slots or positions never reach memory they do
// not own. Rows are encoded and decoded as the cache type stores them
// (CacheRows.h: bf16, FP8 KV rows, FP8 or MXFP4 indexer keys); compressor
// state is fp32 values.
//
// v4.window_append, one chunk row per workgroup: row s goes to ring slot
// (p + s) mod window when it is among the last `window` rows (the ones that
// survive), so the surviving rows write distinct slots in parallel.
// v4.compressed_append, one entry row per workgroup: row j is entry
// p / ratio + j when j < (p + n) / ratio - p / ratio. v4.cache_read copies
// (gathers, with slots) rows; v4.cache_init fills zeros (score state -inf).
//
// v4.window_indices, one query row (b, s) per workgroup: the positions
// max(lo, i - window + 1) .. i of query i = positions[b] + s, mapped to the
// rows the layout names, then -1 up to the window (the op's definition; the
// reference builds the same list inline in its attention). Integer results:
// exact. Arithmetic is signed, so a row near the start (i < window) clamps
// at lo instead of wrapping.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "CacheRows.h"
#include "OpKernelEmitters.h"

#include "v4/IR/V4Types.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <limits>

using namespace mlir;

namespace sieve::detail {

namespace {

/// The chunk geometry every cache update shares: batch rows B and rows per
/// batch row of a [B, rows, D] operand given as push constants (those
/// dynamic), its positions and slots, and the cache row of batch row b.
struct ChunkRows {
  KernelBuilder &kb;
  Value batch, rows, positions, slots, cacheBatch;

  /// Sizes of the [B, rows, D] operand as view sizes (the dynamic ones).
  SmallVector<Value> viewSizes(RankedTensorType type) const {
    SmallVector<Value> sizes;
    if (type.isDynamicDim(0))
      sizes.push_back(batch);
    if (type.isDynamicDim(1))
      sizes.push_back(rows);
    return sizes;
  }
  Value startOf(Value b) {
    OpBuilder &builder = kb.builder();
    return arith::IndexCastOp::create(
        builder, kb.location(), builder.getIndexType(),
        memref::LoadOp::create(builder, kb.location(), positions, ValueRange{b}));
  }
  Value cacheRowOf(Value b) {
    if (!slots)
      return b;
    OpBuilder &builder = kb.builder();
    return arith::IndexCastUIOp::create(
        builder, kb.location(), builder.getIndexType(),
        memref::LoadOp::create(builder, kb.location(), slots, ValueRange{b}));
  }
  /// Whether cache row `row` exists (an unsigned compare: a negative slot is huge).
  Value cacheRowOk(Value row) {
    return arith::CmpIOp::create(kb.builder(), kb.location(), arith::CmpIPredicate::ult, row,
                                 cacheBatch);
  }
};

/// Kernel bindings {cache storage, chunk [B, rows, D] (operand 1), positions,
/// slots?} with the chunk's dynamic B and rows as extra push constants, then
/// `extra`.
struct ChunkKernel {
  KernelBuilder kb;
  ChunkRows chunk;
  Value cache, values;

  ChunkKernel(OpBuilder &moduleBuilder, Operation *op, llvm::StringRef name,
              RankedTensorType storage, int64_t cacheBatch, RankedTensorType chunkType,
              Value positionsValue, Value slotsValue, ArrayRef<PushConstant> extra)
      : kb(moduleBuilder, op->getLoc(), name,
           tensorsOf(storage, chunkType, positionsValue, slotsValue),
           constantsOf(chunkType, extra)),
        chunk{kb, {}, {}, {}, {}, {}} {
    unsigned next = 0;
    chunk.batch = chunkType.isDynamicDim(0) ? kb.extraConstant(next++)
                                            : kb.index(chunkType.getDimSize(0));
    chunk.rows = chunkType.isDynamicDim(1) ? kb.extraConstant(next++)
                                           : kb.index(chunkType.getDimSize(1));
    firstExtra = next;
    chunk.cacheBatch = kb.index(cacheBatch);
    cache = kb.view(0, {});
    values = kb.view(1, chunk.viewSizes(chunkType));
    auto batchSizes = [&](Value v) {
      return cast<RankedTensorType>(v.getType()).isDynamicDim(0) ? SmallVector<Value>{chunk.batch}
                                                                 : SmallVector<Value>{};
    };
    chunk.positions = kb.view(2, batchSizes(positionsValue));
    if (slotsValue)
      chunk.slots = kb.view(3, batchSizes(slotsValue));
  }
  unsigned firstExtra = 0;

  static SmallVector<PushConstant> constantsOf(RankedTensorType chunkType,
                                               ArrayRef<PushConstant> extra) {
    SmallVector<PushConstant> constants;
    for (int64_t d = 0; d < 2; ++d)
      if (chunkType.isDynamicDim(d))
        constants.push_back(PushConstant::operandSize(1, d));
    constants.append(extra.begin(), extra.end());
    return constants;
  }
  static SmallVector<RankedTensorType> tensorsOf(RankedTensorType storage,
                                                 RankedTensorType chunkType, Value positions,
                                                 Value slots) {
    SmallVector<RankedTensorType> tensors = {storage, chunkType,
                                             cast<RankedTensorType>(positions.getType())};
    if (slots)
      tensors.push_back(cast<RankedTensorType>(slots.getType()));
    return tensors;
  }
};

/// cache[cacheRow, target, :] = values[b, r, :], encoded as the cache
/// stores rows, when `write`.
void emitRowStore(KernelBuilder &kb, Value write, Value values, Value b, Value r, Value cache,
                  Value cacheRow, Value target, const CacheRowCodec &codec) {
  OpBuilder &builder = kb.builder();
  Location loc = kb.location();
  scf::IfOp::create(builder, loc, write, [&](OpBuilder &, Location) {
    codec.storeRow(builder, loc, cache, cacheRow, target, [&](Value x) -> Value {
      return memref::LoadOp::create(builder, loc, values, ValueRange{b, r, x});
    });
    scf::YieldOp::create(builder, loc);
  });
}

} // namespace

FailureOr<func::FuncOp> emitWindowAppendKernel(v4::WindowAppendOp op, llvm::StringRef name,
                                               OpBuilder &moduleBuilder) {
  v4::WindowCacheType cacheType = op.getCache().getType();
  CacheRowCodec codec = CacheRowCodec::of(cacheType);
  auto rowsType = cast<RankedTensorType>(op.getRows().getType());
  ChunkKernel k(moduleBuilder, op, name, cacheType.getStorageType(), cacheType.getBatch(),
                rowsType, op.getPositions(), op.getSlots(), {});
  KernelBuilder &kb = k.kb;
  OpBuilder &b = kb.builder();
  Location loc = kb.location();
  Value window = kb.index(cacheType.getRows());
  Value rows = k.chunk.rows;
  kb.forWorkgroups(arith::MulIOp::create(b, loc, k.chunk.batch, rows), [&](Value item) {
    Value row = arith::DivUIOp::create(b, loc, item, rows);
    Value s = arith::RemUIOp::create(b, loc, item, rows);
    Value cacheRow = k.chunk.cacheRowOf(row);
    // Survives: s >= rows - window, written as s + window >= rows.
    Value survives = arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::uge, arith::AddIOp::create(b, loc, s, window), rows);
    Value position = arith::AddIOp::create(b, loc, k.chunk.startOf(row), s);
    Value slot = arith::RemUIOp::create(b, loc, position, window);
    emitRowStore(kb, arith::AndIOp::create(b, loc, survives, k.chunk.cacheRowOk(cacheRow)),
                 k.values, row, s, k.cache, cacheRow, slot, codec);
  });
  return kb.kernel();
}

FailureOr<func::FuncOp> emitCompressedAppendKernel(v4::CompressedAppendOp op,
                                                   llvm::StringRef name,
                                                   OpBuilder &moduleBuilder) {
  auto cacheType = cast<v4::CacheTypeInterface>(op.getCache().getType());
  CacheRowCodec codec = CacheRowCodec::of(cacheType);
  int64_t ratio = v4::IndexerCacheType::kRatio;
  if (auto compressed = dyn_cast<v4::CompressedCacheType>(op.getCache().getType()))
    ratio = compressed.getRatio();
  RankedTensorType storage = cacheType.getStorageType();
  int64_t capacity = storage.getDimSize(1);
  auto entriesType = cast<RankedTensorType>(op.getEntries().getType());
  // The chunk's token count is the last push constant.
  ChunkKernel k(moduleBuilder, op, name, storage, cacheType.getBatch(), entriesType,
                op.getPositions(), op.getSlots(),
                {PushConstant::scalarOperand(op.getNumTokensMutable().getOperandNumber())});
  KernelBuilder &kb = k.kb;
  OpBuilder &b = kb.builder();
  Location loc = kb.location();
  Value tokens = kb.extraConstant(k.firstExtra), r = kb.index(ratio);
  Value rows = k.chunk.rows;
  kb.forWorkgroups(arith::MulIOp::create(b, loc, k.chunk.batch, rows), [&](Value item) {
    Value row = arith::DivUIOp::create(b, loc, item, rows);
    Value j = arith::RemUIOp::create(b, loc, item, rows);
    Value start = k.chunk.startOf(row);
    Value firstEntry = arith::DivUIOp::create(b, loc, start, r);
    Value completed = arith::SubIOp::create(
        b, loc,
        arith::DivUIOp::create(b, loc, arith::AddIOp::create(b, loc, start, tokens), r),
        firstEntry);
    Value entry = arith::AddIOp::create(b, loc, firstEntry, j);
    Value cacheRow = k.chunk.cacheRowOf(row);
    Value write = arith::AndIOp::create(
        b, loc,
        arith::AndIOp::create(
            b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, j, completed),
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, entry,
                                  kb.index(capacity))),
        k.chunk.cacheRowOk(cacheRow));
    emitRowStore(kb, write, k.values, row, j, k.cache, cacheRow, entry, codec);
  });
  return kb.kernel();
}

FailureOr<func::FuncOp> emitCacheReadKernel(v4::CacheReadOp op, llvm::StringRef name,
                                            OpBuilder &moduleBuilder) {
  auto cacheType = cast<v4::CacheTypeInterface>(op.getCache().getType());
  // Rows of values are decoded; compressor state is fp32 values as stored.
  std::optional<CacheRowCodec> codec;
  if (!isa<v4::CompressorStateType>(cacheType))
    codec = CacheRowCodec::of(cacheType);
  RankedTensorType storage = cacheType.getStorageType();
  auto contentsType = cast<RankedTensorType>(op.getContents().getType());
  // Compressor state is [2, batch, rows, width]; the others [batch, rows, width].
  const int64_t batchDim = storage.getRank() - 3;
  int64_t outer = batchDim == 1 ? storage.getDimSize(0) : 1;
  int64_t rows = storage.getDimSize(batchDim + 1);
  int64_t width = codec ? codec->dim() : storage.getDimSize(batchDim + 2);
  SmallVector<RankedTensorType> tensors = {storage};
  Value slotsValue = op.getSlots();
  if (slotsValue)
    tensors.push_back(cast<RankedTensorType>(slotsValue.getType()));
  tensors.push_back(contentsType);
  // The read's batch rows are the extra push constant when dynamic.
  const bool dynamicBatch = contentsType.isDynamicDim(batchDim);
  SmallVector<PushConstant> extras;
  if (dynamicBatch)
    extras.push_back(PushConstant::resultSize(0, batchDim));
  KernelBuilder kb(moduleBuilder, op.getLoc(), name, tensors, extras);
  OpBuilder &b = kb.builder();
  Location loc = kb.location();
  Value batch = dynamicBatch ? kb.extraConstant(0) : kb.index(contentsType.getDimSize(batchDim));
  SmallVector<Value> batchSizes;
  if (dynamicBatch)
    batchSizes.push_back(batch);
  Value cache = kb.view(0, {});
  Value slots = slotsValue ? kb.view(1, cast<RankedTensorType>(slotsValue.getType()).isDynamicDim(0)
                                            ? batchSizes
                                            : SmallVector<Value>{})
                           : Value();
  Value out = kb.view(slotsValue ? 2 : 1, batchSizes);
  Value rowCount = kb.index(rows), cacheBatch = kb.index(cacheType.getBatch());
  Value perPart = arith::MulIOp::create(b, loc, batch, rowCount);
  kb.forWorkgroups(arith::MulIOp::create(b, loc, kb.index(outer), perPart), [&](Value item) {
    Value part = arith::DivUIOp::create(b, loc, item, perPart);
    Value rest = arith::RemUIOp::create(b, loc, item, perPart);
    Value row = arith::DivUIOp::create(b, loc, rest, rowCount);
    Value r = arith::RemUIOp::create(b, loc, rest, rowCount);
    Value cacheRow = row;
    if (slots)
      cacheRow = arith::IndexCastUIOp::create(b, loc, b.getIndexType(),
                                              memref::LoadOp::create(b, loc, slots, row));
    // A slot past the batch reads the cache's first row rather than out of bounds.
    Value ok = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, cacheRow, cacheBatch);
    cacheRow = arith::SelectOp::create(b, loc, ok, cacheRow, kb.index(0));
    auto at = [&](Value batchRow, Value x) {
      SmallVector<Value> indices;
      if (batchDim == 1)
        indices.push_back(part);
      indices.append({batchRow, r, x});
      return indices;
    };
    kb.forThreads(kb.index(0), kb.index(width), kb.index(1), [&](Value x) {
      Value v;
      if (codec) {
        // Decoded values are bf16 values: the narrowing is exact.
        v = codec->load(b, loc, cache, cacheRow, r, x);
        Type element = contentsType.getElementType();
        if (element != v.getType())
          v = arith::TruncFOp::create(b, loc, element, v);
      } else {
        v = memref::LoadOp::create(b, loc, cache, at(cacheRow, x));
      }
      memref::StoreOp::create(b, loc, v, out, at(row, x));
    });
  });
  return kb.kernel();
}

FailureOr<func::FuncOp> emitCacheInitKernel(v4::CacheInitOp op, llvm::StringRef name,
                                            OpBuilder &moduleBuilder) {
  auto cacheType = cast<v4::CacheTypeInterface>(op.getCache().getType());
  RankedTensorType storage = cacheType.getStorageType();
  KernelBuilder kb(moduleBuilder, op.getLoc(), name, {storage});
  OpBuilder &b = kb.builder();
  Location loc = kb.location();
  Value cache = kb.view(0, {});
  Type element = storage.getElementType();
  // Every encoding's zero is all-zero bytes; compressor state has kv = 0
  // and score (the second half) = -inf.
  const bool state = isa<v4::CompressorStateType>(cacheType);
  int64_t width = storage.getShape().back();
  int64_t rows = storage.getNumElements() / width;
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(element));
  Value negInf =
      state ? kb.f32(-std::numeric_limits<double>::infinity()) : Value();
  kb.forWorkgroups(kb.index(rows), [&](Value row) {
    SmallVector<Value> indices;
    Value rest = row;
    for (int64_t d = storage.getRank() - 2; d >= 0; --d) {
      Value size = kb.index(storage.getDimSize(d));
      indices.insert(indices.begin(), arith::RemUIOp::create(b, loc, rest, size));
      rest = arith::DivUIOp::create(b, loc, rest, size);
    }
    Value fill = zero;
    if (state)
      fill = arith::SelectOp::create(
          b, loc,
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, indices[0], kb.index(1)),
          negInf, zero);
    kb.forThreads(kb.index(0), kb.index(width), kb.index(1), [&](Value x) {
      SmallVector<Value> at(indices);
      at.push_back(x);
      memref::StoreOp::create(b, loc, fill, cache, at);
    });
  });
  return kb.kernel();
}

FailureOr<func::FuncOp> emitWindowIndicesKernel(v4::WindowIndicesOp op, llvm::StringRef name,
                                                OpBuilder &moduleBuilder) {
  auto positionsType = cast<RankedTensorType>(op.getPositions().getType());
  auto indicesType = cast<RankedTensorType>(op.getIndices().getType());
  const int64_t window = static_cast<int64_t>(op.getWindow());
  if (indicesType.getDimSize(2) != window)
    return op.emitOpError() << "needs its result's last dimension to be the window (" << window
                            << ") to become a kernel";
  // The query rows S are the extra push constant when dynamic (the op's
  // `rows` operand, or 1 for a decode step).
  const bool dynamicRows = indicesType.isDynamicDim(1);
  SmallVector<PushConstant> extras;
  if (dynamicRows)
    extras.push_back(PushConstant::resultSize(0, 1));
  KernelBuilder kb(moduleBuilder, op.getLoc(), name, {positionsType, indicesType}, extras);
  OpBuilder &b = kb.builder();
  Location loc = kb.location();
  Value batch = kb.dim(0);
  Value rows = dynamicRows ? kb.extraConstant(0) : kb.index(indicesType.getDimSize(1));
  SmallVector<Value> batchSizes, indexSizes;
  if (positionsType.isDynamicDim(0))
    batchSizes.push_back(batch);
  if (indicesType.isDynamicDim(0))
    indexSizes.push_back(batch);
  if (dynamicRows)
    indexSizes.push_back(rows);
  Value positions = kb.view(0, batchSizes), out = kb.view(1, indexSizes);
  Value zero = kb.index(0), one = kb.index(1), width = kb.index(window);
  Value none = arith::ConstantIntOp::create(b, loc, b.getI32Type(), -1);
  v4::WindowLayout layout = op.getLayout();

  kb.forWorkgroups(arith::MulIOp::create(b, loc, batch, rows), [&](Value item) {
    Value row = arith::DivUIOp::create(b, loc, item, rows);
    Value query = arith::RemUIOp::create(b, loc, item, rows);
    Value start = arith::IndexCastOp::create(
        b, loc, b.getIndexType(), memref::LoadOp::create(b, loc, positions, ValueRange{row}));
    Value position = arith::AddIOp::create(b, loc, start, query);
    Value lo = layout == v4::WindowLayout::chunk ? start : zero;
    Value oldest = arith::AddIOp::create(b, loc, arith::SubIOp::create(b, loc, position, width),
                                         one);
    Value first = arith::MaxSIOp::create(b, loc, lo, oldest);
    Value count =
        arith::AddIOp::create(b, loc, arith::SubIOp::create(b, loc, position, first), one);
    kb.forThreads(zero, width, one, [&](Value j) {
      Value p = arith::AddIOp::create(b, loc, first, j);
      Value slot = arith::RemSIOp::create(b, loc, p, width);
      Value sinceStart = arith::SubIOp::create(b, loc, p, start);
      Value target;
      switch (layout) {
      case v4::WindowLayout::chunk:
        target = sinceStart;
        break;
      case v4::WindowLayout::ring:
        target = slot;
        break;
      case v4::WindowLayout::ring_chunk: {
        Value before = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, p, start);
        target = arith::SelectOp::create(b, loc, before, slot,
                                         arith::AddIOp::create(b, loc, width, sinceStart));
        break;
      }
      }
      Value listed = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, j, count);
      Value value = arith::SelectOp::create(
          b, loc, listed, arith::IndexCastOp::create(b, loc, b.getI32Type(), target), none);
      memref::StoreOp::create(b, loc, value, out, ValueRange{row, query, j});
    });
  });
  return kb.kernel();
}

} // namespace sieve::detail
