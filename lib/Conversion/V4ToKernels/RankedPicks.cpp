//===- RankedPicks.cpp - The k best candidates without scratch memory -----===//

#include "RankedPicks.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
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

} // namespace sieve::detail
