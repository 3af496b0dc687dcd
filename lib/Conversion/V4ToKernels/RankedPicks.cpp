//===- RankedPicks.cpp - The k best candidates without scratch memory -----===//

#include "RankedPicks.h"

#include "sieve/Conversion/ReductionLoops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <limits>

using namespace mlir;

namespace sieve::detail {

void emitRankedPicks(OpBuilder &b, Location loc, Value k, Value count,
                     llvm::function_ref<Value(Value)> scoreOf,
                     llvm::function_ref<void(Value, Value, Value)> onPick) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value none = arith::ConstantIndexOp::create(b, loc, -1);
  Value inf = arith::ConstantOp::create(
      b, loc, b.getF32FloatAttr(std::numeric_limits<float>::infinity()));
  Value falseValue = arith::ConstantIntOp::create(b, loc, b.getI1Type(), 0);
  Value trueValue = arith::ConstantIntOp::create(b, loc, b.getI1Type(), 1);
  // Past the count there is nothing left to find: those picks are -1
  // without a pass over the candidates.
  Value passes = arith::MinSIOp::create(b, loc, k, arith::MaxSIOp::create(b, loc, count, zero));
  scf::ForOp::create(
      b, loc, zero, passes, one, ValueRange{inf, none},
      [&](OpBuilder &, Location, Value j, ValueRange previous) {
        Value prevScore = previous[0], prevIndex = previous[1];
        auto search = scf::ForOp::create(
            b, loc, zero, count, one, ValueRange{inf, none, falseValue},
            [&](OpBuilder &, Location, Value c, ValueRange best) {
              Value score = scoreOf(c);
              // After the previous pick in (score descending, index ascending).
              Value below =
                  arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, score, prevScore);
              Value tiedAfter = arith::AndIOp::create(
                  b, loc,
                  arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, score, prevScore),
                  arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, c, prevIndex));
              Value eligible = arith::OrIOp::create(b, loc, below, tiedAfter);
              // Strictly better: the lower index keeps a tie.
              Value better = arith::OrIOp::create(
                  b, loc, arith::XOrIOp::create(b, loc, best[2], trueValue),
                  arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, score, best[0]));
              Value take = arith::AndIOp::create(b, loc, eligible, better);
              scf::YieldOp::create(b, loc,
                                   ValueRange{arith::SelectOp::create(b, loc, take, score, best[0]),
                                              arith::SelectOp::create(b, loc, take, c, best[1]),
                                              arith::OrIOp::create(b, loc, best[2], take)});
            });
        Value found = search.getResult(2);
        Value index = arith::SelectOp::create(b, loc, found, search.getResult(1), none);
        onPick(j, index, found);
        scf::YieldOp::create(
            b, loc,
            ValueRange{arith::SelectOp::create(b, loc, found, search.getResult(0), prevScore),
                       arith::SelectOp::create(b, loc, found, search.getResult(1), prevIndex)});
      });
  scf::ForOp::create(b, loc, passes, k, one, ValueRange{},
                     [&](OpBuilder &, Location, Value j, ValueRange) {
                       onPick(j, none, falseValue);
                       scf::YieldOp::create(b, loc);
                     });
}

void emitThresholdPicks(OpBuilder &b, Location loc, int64_t k, Value count, bool bf16Scores,
                        llvm::function_ref<Value(Value)> scoreOf,
                        llvm::function_ref<void(Value, Value, Value)> onPick) {
  Type i32 = b.getI32Type(), indexType = b.getIndexType();
  auto index = [&](int64_t v) -> Value { return arith::ConstantIndexOp::create(b, loc, v); };
  auto i32c = [&](int64_t v) -> Value {
    return arith::ConstantIntOp::create(b, loc, i32, v);
  };
  Value zero = index(0), one = index(1), f32Zero = arith::ConstantOp::create(
                                             b, loc, b.getF32FloatAttr(0.0f)),
        f32One = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(1.0f));
  Value none = index(-1);
  Value falseValue = arith::ConstantIntOp::create(b, loc, b.getI1Type(), 0);
  Value trueValue = arith::ConstantIntOp::create(b, loc, b.getI1Type(), 1);
  Value candidates = arith::MaxSIOp::create(b, loc, count, zero);

  // An unsigned key ordered as the scores: -0 as +0, NaN 0 (below every
  // score's key, which is at least that of -inf, 0x007FFFFF or 0x007F).
  auto keyOf = [&](Value c) -> Value {
    Value score = scoreOf(c);
    Value canonical = arith::AddFOp::create(b, loc, score, f32Zero);
    Value bits = arith::BitcastOp::create(b, loc, i32, canonical);
    Value negative = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, bits, i32c(0));
    Value key = arith::SelectOp::create(b, loc, negative,
                                        arith::XOrIOp::create(b, loc, bits, i32c(-1)),
                                        arith::OrIOp::create(b, loc, bits, i32c(INT32_MIN)));
    // bf16 values fill the top 16 bits; a negative one's key has its low
    // 16 bits set, so keep the top half only.
    if (bf16Scores)
      key = arith::ShRUIOp::create(b, loc, key, i32c(16));
    Value nan = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, score, score);
    return arith::SelectOp::create(b, loc, nan, i32c(0), key);
  };
  auto indicator = [&](Value condition) -> Value {
    return arith::SelectOp::create(b, loc, condition, f32One, f32Zero);
  };
  // sum over c < candidates of term(c), as an exact f32 count.
  auto countOver = [&](Value limit, llvm::function_ref<Value(Value)> term) -> Value {
    auto loop = scf::ForOp::create(b, loc, zero, limit, one, ValueRange{f32Zero},
                                   [&](OpBuilder &, Location, Value c, ValueRange acc) {
                                     scf::YieldOp::create(
                                         b, loc,
                                         ValueRange{arith::AddFOp::create(b, loc, acc[0],
                                                                          term(c))});
                                   });
    reduction_loops::mark(loop, /*bf16Products=*/false);
    return arith::FPToUIOp::create(b, loc, i32, loop.getResult(0));
  };
  auto atOrAbove = [&](Value threshold) {
    return countOver(candidates, [&](Value c) {
      return indicator(
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, keyOf(c), threshold));
    });
  };

  // picks = min(k, scores that are not NaN).
  Value valid = atOrAbove(i32c(1));
  Value picks = arith::MinUIOp::create(b, loc, valid, i32c(k));
  // The largest threshold with at least `picks` keys at or above it: the
  // picks-th largest key (0 when there are no picks).
  Value threshold = i32c(0);
  for (int bit = bf16Scores ? 15 : 31; bit >= 0; --bit) {
    Value candidate = arith::OrIOp::create(b, loc, threshold, i32c(int64_t(1) << bit));
    Value enough = arith::AndIOp::create(
        b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, picks, i32c(0)),
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, atOrAbove(candidate), picks));
    threshold = arith::SelectOp::create(b, loc, enough, candidate, threshold);
  }
  Value above = countOver(candidates, [&](Value c) {
    return indicator(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ugt, keyOf(c), threshold));
  });
  // Consistent counts give above < picks; the clamp and the fill limit
  // below keep the stack buffers in bounds whatever the counts say.
  Value tiesTaken = arith::SelectOp::create(
      b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, above, picks),
      arith::SubIOp::create(b, loc, picks, above), i32c(0));

  // The picks in index order: every key above the threshold, and the first
  // tiesTaken keys equal to it.
  Value pickIndex = memref::AllocaOp::create(b, loc, MemRefType::get({k}, i32));
  Value pickKey = memref::AllocaOp::create(b, loc, MemRefType::get({k}, i32));
  Value hasPicks = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, picks, i32c(0));
  scf::ForOp::create(
      b, loc, zero, candidates, one, ValueRange{i32c(0), i32c(0)},
      [&](OpBuilder &, Location, Value c, ValueRange state) {
        Value filled = state[0], ties = state[1];
        Value key = keyOf(c);
        Value isTie = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, key, threshold);
        Value tieWanted = arith::AndIOp::create(
            b, loc, isTie, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, ties, tiesTaken));
        Value room = arith::AndIOp::create(
            b, loc, hasPicks, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, filled, picks));
        Value take = arith::AndIOp::create(
            b, loc, room,
            arith::OrIOp::create(
                b, loc,
                arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ugt, key, threshold),
                tieWanted));
        scf::IfOp::create(b, loc, take, [&](OpBuilder &, Location) {
          Value at = arith::IndexCastUIOp::create(b, loc, indexType, filled);
          memref::StoreOp::create(b, loc, arith::IndexCastOp::create(b, loc, i32, c), pickIndex,
                                  ValueRange{at});
          memref::StoreOp::create(b, loc, key, pickKey, ValueRange{at});
          scf::YieldOp::create(b, loc);
        });
        Value nextFilled = arith::AddIOp::create(
            b, loc, filled, arith::ExtUIOp::create(b, loc, i32, take));
        Value nextTies = arith::AddIOp::create(
            b, loc, ties,
            arith::ExtUIOp::create(b, loc, i32, arith::AndIOp::create(b, loc, take, tieWanted)));
        scf::YieldOp::create(b, loc, ValueRange{nextFilled, nextTies});
      });

  // Each pick's place: the picks with a larger key, and those with the
  // same key and a lower index (earlier in the buffer).
  Value pickCount = arith::IndexCastUIOp::create(b, loc, indexType, picks);
  scf::ForOp::create(
      b, loc, zero, pickCount, one, ValueRange{}, [&](OpBuilder &, Location, Value i, ValueRange) {
        Value key = memref::LoadOp::create(b, loc, pickKey, ValueRange{i});
        Value place = countOver(pickCount, [&](Value j) {
          Value other = memref::LoadOp::create(b, loc, pickKey, ValueRange{j});
          Value larger = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ugt, other, key);
          Value tiedBefore = arith::AndIOp::create(
              b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, other, key),
              arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, j, i));
          return indicator(arith::OrIOp::create(b, loc, larger, tiedBefore));
        });
        Value candidate = arith::IndexCastOp::create(
            b, loc, indexType, memref::LoadOp::create(b, loc, pickIndex, ValueRange{i}));
        onPick(arith::IndexCastUIOp::create(b, loc, indexType, place), candidate, trueValue);
        scf::YieldOp::create(b, loc);
      });
  scf::ForOp::create(b, loc, pickCount, index(k), one, ValueRange{},
                     [&](OpBuilder &, Location, Value j, ValueRange) {
                       onPick(j, none, falseValue);
                       scf::YieldOp::create(b, loc);
                     });
}

} // namespace sieve::detail
