//===- AttentionKernels.cpp - v4.sparse_attention and v4.hca_attention -----===//
//
// One (batch row, query, head) per workgroup (a block's scores one key per
// thread, the output row's elements over the threads), ref::
// sparseAttentionHead's arithmetic in its order over the op's joint key list: the window rows
// named by window_indices, then the compressed entries (named by
// entry_indices for sparse attention; every visible entry c < (position +
// 1) / ratio, ascending, for HCA). Blocks of 64 keys of that joint list:
// s_j = fp32(q . k_j) * scale, the block max, alpha = exp(m - m_new)
// rescaling the fp32 output row, the block's P summed in fp32 and rounded
// to bf16 for P V, l = l * alpha + sum(P); finally l + exp(sink - m) and one
// rounding. K = V. exp is MLIR's polynomial approximation (no libm), so
// outputs may differ from the reference by a bf16 ulp.
//
// Entries are read in place from the compressed cache's storage at the
// row's cache slot. An index below zero is skipped (padding), as is one past
// the window rows or the capacity, or a cache slot past the batch: a bad
// index never reads out of bounds. Entry rows are decoded as the cache
// stores them (CacheRows.h: bf16 or FP8 KV rows).
//
// Fused (FusionTable.cpp, row 6), the window is the v4.cache_read of a
// window cache and is read in place too: batch row b's ring is cache row
// slots[b] of the read's slots (b without), one past the batch reading row
// 0 as the read does, its rows decoded as the cache stores them. A decode
// step then no longer copies each layer's ring (128 KB for small-v4) into a
// buffer only the attention reads.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "CacheRows.h"
#include "OpKernelEmitters.h"
#include "sieve/Conversion/ReductionLoops.h"

#include "v4/IR/V4Types.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <limits>

using namespace mlir;

namespace sieve::detail {

namespace {

/// The parts of an attention op the kernel reads. `entryIndices` is null for
/// HCA (all visible entries) and `positions` null for sparse attention.
struct GatherAttention {
  Operation *op;
  Value query, window, windowIndices, entries, entryIndices, slots, sink, positions, result;
  double scale;
  /// The read of `window` taken in, or null: the window binding is then its
  /// cache's storage and its slots are bound last.
  v4::CacheReadOp windowRead = nullptr;
};

constexpr int64_t kKeyBlock = 64; // the reference kernel's online-softmax block

FailureOr<func::FuncOp> emitGatherAttention(const GatherAttention &a, llvm::StringRef name,
                                            OpBuilder &moduleBuilder) {
  auto queryType = cast<RankedTensorType>(a.query.getType());
  auto windowType = cast<RankedTensorType>(a.window.getType());
  v4::WindowCacheType windowCache;
  std::optional<CacheRowCodec> windowRowCodec;
  Value windowSlotsValue;
  if (v4::CacheReadOp read = a.windowRead) {
    windowCache = cast<v4::WindowCacheType>(read.getCache().getType());
    windowRowCodec = CacheRowCodec::of(windowCache);
    windowSlotsValue = read.getSlots();
  }
  auto windowIndicesType = cast<RankedTensorType>(a.windowIndices.getType());
  int64_t heads = queryType.getDimSize(2), dim = queryType.getDimSize(3);
  int64_t windowKeys = windowIndicesType.getDimSize(2);
  if (ShapedType::isDynamic(heads) || ShapedType::isDynamic(dim) ||
      ShapedType::isDynamic(windowKeys))
    return a.op->emitOpError() << "needs static heads, head dim and window list to become a "
                                  "kernel";
  v4::CompressedCacheType cache;
  std::optional<CacheRowCodec> entryRows;
  if (a.entries) {
    cache = cast<v4::CompressedCacheType>(a.entries.getType());
    entryRows = CacheRowCodec::of(cache);
  }
  int64_t entryKeys = 0;
  if (a.entryIndices) {
    entryKeys = cast<RankedTensorType>(a.entryIndices.getType()).getDimSize(2);
    if (ShapedType::isDynamic(entryKeys))
      return a.op->emitOpError() << "needs a static entry list to become a kernel";
  }

  // Bindings in operand order; the window's row count is the extra push
  // constant when dynamic (a prefill chunk's rows).
  SmallVector<RankedTensorType> tensors;
  SmallVector<Value> operands = {a.query, a.window, a.windowIndices};
  const bool sparse = !a.positions;
  if (sparse) {
    if (a.entries)
      operands.append({a.entries, a.entryIndices});
    if (a.slots)
      operands.push_back(a.slots);
    operands.push_back(a.sink);
  } else {
    operands.append({a.entries, a.sink, a.positions});
    if (a.slots)
      operands.push_back(a.slots);
  }
  if (windowSlotsValue)
    operands.push_back(windowSlotsValue);
  operands.push_back(a.result);
  for (Value v : operands)
    tensors.push_back(v == a.entries                  ? cache.getStorageType()
                      : a.windowRead && v == a.window ? windowCache.getStorageType()
                                                      : cast<RankedTensorType>(v.getType()));
  auto bindingOf = [&](Value v) {
    return static_cast<unsigned>(llvm::find(operands, v) - operands.begin());
  };
  const bool dynamicWindow = windowType.isDynamicDim(1);
  SmallVector<PushConstant> extras;
  if (dynamicWindow)
    extras.push_back(PushConstant::operandSize(1, 1));
  KernelBuilder kb(moduleBuilder, a.op->getLoc(), name, tensors, extras);
  OpBuilder &b = kb.builder();
  Location loc = kb.location();
  Type f32 = b.getF32Type(), bf16 = b.getBF16Type(), indexType = b.getIndexType();
  Value batch = kb.dim(0), queries = kb.dim(1);
  Value windowRows = dynamicWindow ? kb.extraConstant(0) : kb.index(windowType.getDimSize(1));
  SmallVector<Value> querySizes = kb.dynamicLeadingSizes(); // [B, S] as dynamic
  auto batchSizes = [&](RankedTensorType type) {
    return type.isDynamicDim(0) ? SmallVector<Value>{batch} : SmallVector<Value>{};
  };
  SmallVector<Value> windowSizes = a.windowRead ? SmallVector<Value>{} : batchSizes(windowType);
  if (dynamicWindow)
    windowSizes.push_back(windowRows);
  Value q = kb.view(0, querySizes), window = kb.view(1, windowSizes),
        windowIndices = kb.view(2, querySizes), out = kb.view(bindingOf(a.result), querySizes);
  Value sink = kb.view(bindingOf(a.sink), {});
  Value entries = a.entries ? kb.view(bindingOf(a.entries), {}) : Value();
  Value entryIndices = a.entryIndices ? kb.view(bindingOf(a.entryIndices), querySizes) : Value();
  Value slots = a.slots ? kb.view(bindingOf(a.slots),
                                  batchSizes(cast<RankedTensorType>(a.slots.getType())))
                        : Value();
  Value positions = a.positions ? kb.view(bindingOf(a.positions),
                                          batchSizes(cast<RankedTensorType>(a.positions.getType())))
                                : Value();
  Value windowSlots = windowSlotsValue
                          ? kb.view(bindingOf(windowSlotsValue),
                                    batchSizes(cast<RankedTensorType>(windowSlotsValue.getType())))
                          : Value();

  Value zero = kb.index(0), one = kb.index(1), d = kb.index(dim), h = kb.index(heads);
  Value f32Zero = kb.f32(0.0), scale = kb.f32(static_cast<float>(a.scale));
  Value negInf = kb.f32(-std::numeric_limits<double>::infinity());
  auto load = [&](Value memref, ValueRange indices) {
    return memref::LoadOp::create(b, loc, memref, indices).getResult();
  };
  auto loadIndex = [&](Value memref, ValueRange indices) -> Value {
    return arith::IndexCastOp::create(b, loc, indexType, load(memref, indices));
  };
  auto inRange = [&](Value index, Value limit) -> Value {
    return arith::AndIOp::create(
        b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, index, zero),
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, index, limit));
  };

  Value items = arith::MulIOp::create(b, loc, arith::MulIOp::create(b, loc, batch, queries), h);
  kb.forWorkgroups(items, [&](Value item) {
    Value head = arith::RemUIOp::create(b, loc, item, h);
    Value token = arith::DivUIOp::create(b, loc, item, h);
    Value s = arith::RemUIOp::create(b, loc, token, queries);
    Value row = arith::DivUIOp::create(b, loc, token, queries);
    Value cacheRow = slots ? loadIndex(slots, {row}) : row;
    // The ring's cache row, as the read gathers it.
    Value windowRow = row;
    if (a.windowRead) {
      Value slot = windowSlots ? loadIndex(windowSlots, {row}) : row;
      Value inBatch = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, slot,
                                            kb.index(windowCache.getBatch()));
      windowRow = arith::SelectOp::create(b, loc, inBatch, slot, zero);
    }
    Value cacheRowOk = cache ? inRange(cacheRow, kb.index(cache.getBatch())) : Value();
    Value capacity = cache ? kb.index(cache.getCapacity()) : Value();
    // Keys in the joint list: the window list, then the entries.
    Value keys = kb.index(windowKeys + entryKeys);
    if (positions) {
      Value position = arith::AddIOp::create(b, loc, loadIndex(positions, {row}), s);
      Value visible = arith::DivSIOp::create(b, loc, arith::AddIOp::create(b, loc, position, one),
                                             kb.index(cache.getRatio()));
      visible = arith::MaxSIOp::create(b, loc, arith::MinSIOp::create(b, loc, visible, capacity),
                                       zero);
      keys = arith::AddIOp::create(b, loc, kb.index(windowKeys), visible);
    }

    // Emits `body(valid, rows, prefix)` for key j: rows[prefix..., x] is the
    // key's element x; the window and the entries each get their own copy
    // under an scf.if, whose results are returned.
    using KeyBody = llvm::function_ref<SmallVector<Value>(Value, Value, SmallVector<Value>)>;
    auto onKey = [&](Value j, KeyBody body) -> SmallVector<Value> {
      auto windowKey = [&]() {
        Value index = loadIndex(windowIndices, {row, s, j});
        return body(inRange(index, windowRows), window, {windowRow, index});
      };
      if (!cache)
        return windowKey();
      Value isWindow =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, j, kb.index(windowKeys));
      auto branch = scf::IfOp::create(
          b, loc, isWindow,
          [&](OpBuilder &, Location) { scf::YieldOp::create(b, loc, windowKey()); },
          [&](OpBuilder &, Location) {
            Value slot = arith::SubIOp::create(b, loc, j, kb.index(windowKeys));
            Value index = entryIndices ? loadIndex(entryIndices, {row, s, slot}) : slot;
            Value valid = arith::AndIOp::create(b, loc, inRange(index, capacity), cacheRowOk);
            scf::YieldOp::create(b, loc, body(valid, entries, {cacheRow, index}));
          });
      return SmallVector<Value>(branch.getResults());
    };
    // Cache rows read in place are decoded as the cache stores them.
    auto element = [&](Value rows, SmallVector<Value> prefix, Value x) -> Value {
      if (rows == entries)
        return entryRows->load(b, loc, entries, prefix[0], prefix[1], x);
      if (windowRowCodec)
        return windowRowCodec->load(b, loc, window, prefix[0], prefix[1], x);
      prefix.push_back(x);
      return arith::ExtFOp::create(b, loc, f32, load(rows, prefix));
    };

    // The running output row and a block's scores: scratch the block's
    // threads share. Keys and output elements go over the threads; the
    // online-softmax state (m, l) every thread computes alike.
    Value acc = memref::AllocaOp::create(b, loc, MemRefType::get({dim}, f32));
    Value scores = memref::AllocaOp::create(b, loc, MemRefType::get({kKeyBlock}, f32));
    kb.forThreads(zero, d, one, [&](Value x) { memref::StoreOp::create(b, loc, f32Zero, acc, x); });
    auto blocks = scf::ForOp::create(
        b, loc, zero, keys, kb.index(kKeyBlock), ValueRange{negInf, f32Zero},
        [&](OpBuilder &, Location, Value start, ValueRange state) {
          Value m = state[0], l = state[1];
          Value end = arith::MinUIOp::create(
              b, loc, arith::AddIOp::create(b, loc, start, kb.index(kKeyBlock)), keys);
          // s_j, one key per thread; a skipped key scores -inf.
          kb.forThreads(
              start, end, one,
              [&](Value j) {
                SmallVector<Value> scored = onKey(j, [&](Value valid, Value rows,
                                                         SmallVector<Value> prefix) {
                  auto dot = scf::IfOp::create(
                      b, loc, valid,
                      [&](OpBuilder &, Location) {
                        auto sum = scf::ForOp::create(
                            b, loc, zero, d, one, ValueRange{f32Zero},
                            [&](OpBuilder &, Location, Value x, ValueRange partial) {
                              Value qx =
                                  arith::ExtFOp::create(b, loc, f32, load(q, {row, s, head, x}));
                              Value product =
                                  arith::MulFOp::create(b, loc, qx, element(rows, prefix, x));
                              scf::YieldOp::create(
                                  b, loc,
                                  ValueRange{arith::AddFOp::create(b, loc, partial[0], product)});
                            });
                        // q . k: the target may run it in vector lanes
                        // (bf16 dot products for bf16 rows).
                        const CacheRowCodec *codec = rows == entries  ? &*entryRows
                                                     : windowRowCodec ? &*windowRowCodec
                                                                      : nullptr;
                        reduction_loops::mark(sum, !codec || codec->storesBf16());
                        scf::YieldOp::create(
                            b, loc,
                            ValueRange{arith::MulFOp::create(b, loc, sum.getResult(0), scale)});
                      },
                      [&](OpBuilder &, Location) { scf::YieldOp::create(b, loc, negInf); });
                  return SmallVector<Value>{dot.getResult(0)};
                });
                memref::StoreOp::create(b, loc, scored[0], scores,
                                        ValueRange{arith::SubIOp::create(b, loc, j, start)});
              },
              /*splitReductions=*/true);
          // std::max(blockMax, s) over the valid keys (a skipped key's -inf
          // never wins).
          auto scan = scf::ForOp::create(
              b, loc, start, end, one, ValueRange{negInf},
              [&](OpBuilder &, Location, Value j, ValueRange blockMax) {
                Value score = load(scores, {arith::SubIOp::create(b, loc, j, start).getResult()});
                Value larger =
                    arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, blockMax[0], score);
                scf::YieldOp::create(
                    b, loc, ValueRange{arith::SelectOp::create(b, loc, larger, score, blockMax[0])});
              });
          Value blockMax = scan.getResult(0);
          Value empty =
              arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, blockMax, negInf);
          auto update = scf::IfOp::create(
              b, loc, empty,
              [&](OpBuilder &, Location) { scf::YieldOp::create(b, loc, ValueRange{m, l}); },
              [&](OpBuilder &, Location) {
                Value grows = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, m, blockMax);
                Value mNew = arith::SelectOp::create(b, loc, grows, blockMax, m);
                Value first = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, m, negInf);
                Value alpha = arith::SelectOp::create(
                    b, loc, first, f32Zero,
                    math::ExpOp::create(b, loc, arith::SubFOp::create(b, loc, m, mNew)));
                kb.forThreads(zero, d, one, [&](Value x) {
                  memref::StoreOp::create(
                      b, loc, arith::MulFOp::create(b, loc, load(acc, {x}), alpha), acc, x);
                });
                // P V key by key in the reference's order, each key's row
                // over the threads.
                auto sum = scf::ForOp::create(
                    b, loc, start, end, one, ValueRange{f32Zero},
                    [&](OpBuilder &, Location, Value j, ValueRange blockSum) {
                      Value score =
                          load(scores, {arith::SubIOp::create(b, loc, j, start).getResult()});
                      Value p = math::ExpOp::create(b, loc, arith::SubFOp::create(b, loc, score,
                                                                                  mNew));
                      Value rounded = arith::ExtFOp::create(
                          b, loc, f32, arith::TruncFOp::create(b, loc, bf16, p).getResult());
                      SmallVector<Value> added = onKey(j, [&](Value valid, Value rows,
                                                              SmallVector<Value> prefix) {
                        auto accumulate = scf::IfOp::create(
                            b, loc, valid,
                            [&](OpBuilder &, Location) {
                              kb.forThreads(zero, d, one, [&](Value x) {
                                Value term =
                                    arith::MulFOp::create(b, loc, rounded, element(rows, prefix, x));
                                memref::StoreOp::create(
                                    b, loc, arith::AddFOp::create(b, loc, load(acc, {x}), term),
                                    acc, x);
                              });
                              scf::YieldOp::create(b, loc, p);
                            },
                            [&](OpBuilder &, Location) { scf::YieldOp::create(b, loc, f32Zero); });
                        return SmallVector<Value>{accumulate.getResult(0)};
                      });
                      scf::YieldOp::create(
                          b, loc, ValueRange{arith::AddFOp::create(b, loc, blockSum[0], added[0])});
                    });
                Value lNew = arith::AddFOp::create(
                    b, loc, arith::MulFOp::create(b, loc, l, alpha), sum.getResult(0));
                scf::YieldOp::create(b, loc, ValueRange{mNew, lNew});
              });
          scf::YieldOp::create(b, loc, update.getResults());
        });
    Value m = blocks.getResult(0), l = blocks.getResult(1);
    Value sinkTerm = math::ExpOp::create(
        b, loc, arith::SubFOp::create(b, loc, load(sink, {head}), m));
    Value denominator = arith::AddFOp::create(b, loc, l, sinkTerm);
    kb.forThreads(zero, d, one, [&](Value x) {
      Value value = arith::DivFOp::create(b, loc, load(acc, {x}), denominator);
      memref::StoreOp::create(b, loc, arith::TruncFOp::create(b, loc, bf16, value), out,
                              ValueRange{row, s, head, x});
    });
  });
  return kb.kernel();
}

} // namespace

FailureOr<func::FuncOp> emitSparseAttentionKernel(v4::SparseAttentionOp op, llvm::StringRef name,
                                                  OpBuilder &moduleBuilder,
                                                  v4::CacheReadOp windowRead) {
  return emitGatherAttention({op, op.getQuery(), op.getWindow(), op.getWindowIndices(),
                              op.getEntries(), op.getEntryIndices(), op.getSlots(), op.getSink(),
                              Value(), op.getResult(), op.getScale().convertToDouble(), windowRead},
                             name, moduleBuilder);
}

FailureOr<func::FuncOp> emitHcaAttentionKernel(v4::HcaAttentionOp op, llvm::StringRef name,
                                               OpBuilder &moduleBuilder,
                                               v4::CacheReadOp windowRead) {
  return emitGatherAttention({op, op.getQuery(), op.getWindow(), op.getWindowIndices(),
                              op.getEntries(), Value(), op.getSlots(), op.getSink(),
                              op.getPositions(), op.getResult(), op.getScale().convertToDouble(),
                              windowRead},
                             name, moduleBuilder);
}

} // namespace sieve::detail
