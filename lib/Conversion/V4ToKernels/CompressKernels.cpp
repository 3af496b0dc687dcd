//===- CompressKernels.cpp - v4.compress as a kernel -----------------------===//
//
// One batch row per workgroup: the compressor's tokens are a sequence (an
// entry pools its group and, with overlap, the previous one; the state
// carries the group in progress across calls), so a row's entries and its
// state update run in order in one workgroup, each (entry, channel) and each
// stored token's channel an iteration of a thread loop. Every token's (score, kv) is
// looked up where it lives: token t >= p (the chunk's start) is chunk row
// t - p with ape[t mod ratio] added to its score; an earlier token of the
// group in progress at p is in the state's current slots, one of the group
// before it in the state's previous slots (overlap), and a token before 0
// is (-inf, 0). Entries pool with ref::poolEntry's fp32 operations in its
// order (the max, exp(s - max) summed, then sum (e / denom) * v), with exp
// approximated; rows past the completed entries are zero.
//
// Then the state, in place: with overlap, when a group completed, the
// previous slots get the group before the one now in progress; the current
// slots get the chunk's tokens of the group now in progress. Slots of tokens
// not yet seen keep what they held (the op leaves them unspecified). A state
// row past the batch is not touched and the row's entries are zero.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "OpKernelEmitters.h"

#include "v4/IR/V4Types.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <limits>

using namespace mlir;

namespace sieve::detail {

FailureOr<func::FuncOp> emitCompressKernel(v4::CompressOp op, llvm::StringRef name,
                                           OpBuilder &moduleBuilder) {
  auto kvType = cast<RankedTensorType>(op.getKv().getType());
  auto entriesType = cast<RankedTensorType>(op.getEntries().getType());
  v4::CompressorStateType state = op.getState().getType();
  const int64_t ratio = static_cast<int64_t>(op.getRatio()), dim = state.getDim();
  const bool overlap = state.isOverlapping();
  const int64_t width = state.getCoff() * dim, slotCount = overlap ? 2 * ratio : ratio;
  if (kvType.getDimSize(2) != width)
    return op.emitOpError() << "needs a static projection width of " << width
                            << " to become a kernel";
  SmallVector<RankedTensorType> tensors = {
      kvType, kvType, cast<RankedTensorType>(op.getApe().getType()), state.getStorageType(),
      cast<RankedTensorType>(op.getPositions().getType())};
  if (op.getSlots())
    tensors.push_back(cast<RankedTensorType>(op.getSlots().getType()));
  tensors.push_back(entriesType);

  KernelBuilder kb(moduleBuilder, op.getLoc(), name, tensors);
  OpBuilder &b = kb.builder();
  Location loc = kb.location();
  Type f32 = b.getF32Type(), indexType = b.getIndexType();
  Value batch = kb.dim(0), tokens = kb.dim(1);
  Value zero = kb.index(0), one = kb.index(1), r = kb.index(ratio);
  Value entryRows = entriesType.isDynamicDim(1)
                        ? arith::CeilDivUIOp::create(b, loc, tokens, r).getResult()
                        : kb.index(entriesType.getDimSize(1));
  auto batchSizes = [&](unsigned i) {
    return tensors[i].isDynamicDim(0) ? SmallVector<Value>{batch} : SmallVector<Value>{};
  };
  SmallVector<Value> chunkSizes = kb.dynamicLeadingSizes(), entrySizes = batchSizes(0);
  if (entriesType.isDynamicDim(1))
    entrySizes.push_back(entryRows);
  unsigned last = tensors.size() - 1;
  Value kv = kb.view(0, chunkSizes), score = kb.view(1, chunkSizes), ape = kb.view(2, {}),
        stateRows = kb.view(3, {}), positions = kb.view(4, batchSizes(4)),
        slots = op.getSlots() ? kb.view(5, batchSizes(5)) : Value(),
        entries = kb.view(last, entrySizes);
  Value f32Zero = kb.f32(0.0), negInf = kb.f32(-std::numeric_limits<double>::infinity());
  Value current = kb.index(overlap ? ratio : 0); // first slot of the group in progress
  auto forRange = [&](Value lo, Value hi, llvm::function_ref<void(Value)> body) {
    scf::ForOp::create(b, loc, lo, hi, one, ValueRange{},
                       [&](OpBuilder &, Location, Value i, ValueRange) {
                         body(i);
                         scf::YieldOp::create(b, loc);
                       });
  };
  auto load = [&](Value memref, ValueRange indices) {
    return memref::LoadOp::create(b, loc, memref, indices).getResult();
  };

  kb.forWorkgroups(batch, [&](Value row) {
    Value start = arith::IndexCastOp::create(b, loc, indexType, load(positions, {row}));
    Value stateRow = slots ? arith::IndexCastUIOp::create(b, loc, indexType, load(slots, {row}))
                                 .getResult()
                           : row;
    Value rowOk = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, stateRow,
                                        kb.index(state.getBatch()));
    stateRow = arith::SelectOp::create(b, loc, rowOk, stateRow, zero);
    Value groupAtStart = arith::DivSIOp::create(b, loc, start, r);
    Value end = arith::AddIOp::create(b, loc, start, tokens);
    Value groupAtEnd = arith::DivSIOp::create(b, loc, end, r);
    Value completed = arith::SelectOp::create(
        b, loc, rowOk, arith::SubIOp::create(b, loc, groupAtEnd, groupAtStart), zero);

    // (score, kv) of token t in channel ch, wherever the token lives.
    auto tokenAt = [&](Value t, Value ch) -> std::pair<Value, Value> {
      Value inChunk = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, t, start);
      auto lookup = scf::IfOp::create(
          b, loc, inChunk,
          [&](OpBuilder &, Location) {
            Value chunkRow = arith::SubIOp::create(b, loc, t, start);
            Value phase = arith::RemSIOp::create(b, loc, t, r);
            Value s = arith::AddFOp::create(b, loc, load(score, {row, chunkRow, ch}),
                                            load(ape, {phase, ch}));
            scf::YieldOp::create(b, loc, ValueRange{s, load(kv, {row, chunkRow, ch})});
          },
          [&](OpBuilder &, Location) {
            Value before = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, t, zero);
            Value known = arith::MaxSIOp::create(b, loc, t, zero);
            Value phase = arith::RemSIOp::create(b, loc, known, r);
            Value inProgress = arith::CmpIOp::create(
                b, loc, arith::CmpIPredicate::eq, arith::DivSIOp::create(b, loc, known, r),
                groupAtStart);
            Value slot = arith::SelectOp::create(
                b, loc, inProgress, arith::AddIOp::create(b, loc, current, phase), phase);
            Value s = load(stateRows, {one, stateRow, slot, ch});
            Value v = load(stateRows, {zero, stateRow, slot, ch});
            scf::YieldOp::create(b, loc,
                                 ValueRange{arith::SelectOp::create(b, loc, before, negInf, s),
                                            arith::SelectOp::create(b, loc, before, f32Zero, v)});
          });
      return {lookup.getResult(0), lookup.getResult(1)};
    };

    // Each (entry, channel) its own thread loop iteration, its slots in the
    // thread's scratch.
    Value dimSize = kb.index(dim);
    kb.forThreads(zero, arith::MulIOp::create(b, loc, entryRows, dimSize), one, [&](Value flat) {
      Value j = arith::DivUIOp::create(b, loc, flat, dimSize);
      Value u = arith::RemUIOp::create(b, loc, flat, dimSize);
      Value scores = memref::AllocaOp::create(b, loc, MemRefType::get({slotCount}, f32));
      Value values = memref::AllocaOp::create(b, loc, MemRefType::get({slotCount}, f32));
      Value entry = arith::AddIOp::create(b, loc, groupAtStart, j);
      Value first = arith::MulIOp::create(b, loc, entry, r);
      Value isCompleted = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, j, completed);
      {
        auto pooled = scf::IfOp::create(
            b, loc, isCompleted,
            [&](OpBuilder &, Location) {
              // Slot i: with overlap the previous group's first half, then
              // this group's second half; else this group's r tokens.
              forRange(zero, kb.index(slotCount), [&](Value i) {
                Value t = arith::AddIOp::create(b, loc, first, i);
                Value ch = u;
                if (overlap) {
                  t = arith::SubIOp::create(b, loc, t, r);
                  Value second = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, i, r);
                  ch = arith::SelectOp::create(b, loc, second,
                                               arith::AddIOp::create(b, loc, u, kb.index(dim)), u);
                }
                auto [s, v] = tokenAt(t, ch);
                memref::StoreOp::create(b, loc, s, scores, i);
                memref::StoreOp::create(b, loc, v, values, i);
              });
              // *max_element: the first largest.
              Value max =
                  scf::ForOp::create(b, loc, one, kb.index(slotCount), one,
                                     ValueRange{load(scores, {zero})},
                                     [&](OpBuilder &, Location, Value i, ValueRange acc) {
                                       Value s = load(scores, {i});
                                       Value larger = arith::CmpFOp::create(
                                           b, loc, arith::CmpFPredicate::OLT, acc[0], s);
                                       scf::YieldOp::create(
                                           b, loc,
                                           ValueRange{arith::SelectOp::create(b, loc, larger, s,
                                                                              acc[0])});
                                     })
                      .getResult(0);
              auto sumOver = [&](llvm::function_ref<Value(Value)> term) {
                return scf::ForOp::create(
                           b, loc, zero, kb.index(slotCount), one, ValueRange{f32Zero},
                           [&](OpBuilder &, Location, Value i, ValueRange acc) {
                             scf::YieldOp::create(
                                 b, loc,
                                 ValueRange{arith::AddFOp::create(b, loc, acc[0], term(i))});
                           })
                    .getResult(0);
              };
              Value denom = sumOver([&](Value i) -> Value {
                Value e = math::ExpOp::create(
                    b, loc, arith::SubFOp::create(b, loc, load(scores, {i}), max));
                memref::StoreOp::create(b, loc, e, scores, i);
                return e;
              });
              Value acc = sumOver([&](Value i) -> Value {
                Value weight = arith::DivFOp::create(b, loc, load(scores, {i}), denom);
                return arith::MulFOp::create(b, loc, weight, load(values, {i}));
              });
              scf::YieldOp::create(b, loc, acc);
            },
            [&](OpBuilder &, Location) { scf::YieldOp::create(b, loc, f32Zero); });
        memref::StoreOp::create(b, loc, pooled.getResult(0), entries, ValueRange{row, j, u});
      }
    });

    // The state, after the entries have read it.
    scf::IfOp::create(b, loc, rowOk, [&](OpBuilder &, Location) {
      // A token's channels over the threads (each reads and writes only
      // its own channel of the state).
      auto storeToken = [&](Value t, Value slot) {
        kb.forThreads(zero, kb.index(width), one, [&](Value ch) {
          auto [s, v] = tokenAt(t, ch);
          memref::StoreOp::create(b, loc, v, stateRows, ValueRange{zero, stateRow, slot, ch});
          memref::StoreOp::create(b, loc, s, stateRows, ValueRange{one, stateRow, slot, ch});
        });
      };
      if (overlap) {
        // The group before the one now in progress, when a group completed.
        Value advanced =
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, groupAtEnd, groupAtStart);
        scf::IfOp::create(b, loc, advanced, [&](OpBuilder &, Location) {
          Value previous =
              arith::MulIOp::create(b, loc, arith::SubIOp::create(b, loc, groupAtEnd, one), r);
          forRange(zero, r, [&](Value i) {
            storeToken(arith::AddIOp::create(b, loc, previous, i), i);
          });
          scf::YieldOp::create(b, loc);
        });
      }
      Value groupStart = arith::MulIOp::create(b, loc, groupAtEnd, r);
      forRange(arith::MaxSIOp::create(b, loc, start, groupStart), end, [&](Value t) {
        storeToken(t, arith::AddIOp::create(b, loc, current, arith::RemSIOp::create(b, loc, t, r)));
      });
      scf::YieldOp::create(b, loc);
    });
  });
  return kb.kernel();
}

} // namespace sieve::detail
