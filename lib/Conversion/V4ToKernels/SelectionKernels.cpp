//===- SelectionKernels.cpp - v4.topk as a kernel --------------------------===//
//
// One query row per workgroup. The k best of the visible candidates
// c < (position + 1) / ratio, in the reference's order (ref::causalTopk:
// descending score, ties to the lower index, -1 once fewer remain): each
// pass picks the best candidate strictly after the previous pick in that
// order, so no scratch memory is needed. Integer results: identical to the
// reference for finite scores (and -inf).
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "OpKernelEmitters.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <limits>

using namespace mlir;

namespace sieve::detail {

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
  Type f32 = b.getF32Type(), i32 = b.getI32Type(), indexType = b.getIndexType();
  SmallVector<Value> dynamicSizes = kb.dynamicLeadingSizes();
  Value rows = kb.rowCount();
  Value scores = kb.view(0, dynamicSizes), out = kb.view(2, dynamicSizes);
  SmallVector<Value> positionSizes;
  if (positionsType.isDynamicDim(0))
    positionSizes.push_back(kb.dim(0));
  Value positions = kb.view(1, positionSizes);
  Value zero = kb.index(0), one = kb.index(1);
  Value inf = arith::ConstantOp::create(
      b, loc, b.getF32FloatAttr(std::numeric_limits<float>::infinity()));
  Value none = arith::ConstantIndexOp::create(b, loc, -1);

  kb.forWorkgroups(rows, [&](Value row) {
    SmallVector<Value> at = kb.rowElement(row, zero); // [b, s, 0]
    Value position = arith::IndexCastOp::create(
        b, loc, indexType, memref::LoadOp::create(b, loc, positions, ValueRange{at[0]}));
    Value query = arith::AddIOp::create(b, loc, position, at[1]);
    Value visible = arith::DivUIOp::create(b, loc, arith::AddIOp::create(b, loc, query, one),
                                           kb.index(ratio));
    Value limit = arith::MinUIOp::create(b, loc, visible, kb.index(candidates));
    Value falseValue = arith::ConstantIntOp::create(b, loc, b.getI1Type(), 0);
    scf::ForOp::create(
        b, loc, zero, kb.index(k), one, ValueRange{inf, none},
        [&](OpBuilder &, Location, Value j, ValueRange previous) {
          Value prevScore = previous[0], prevIndex = previous[1];
          auto search = scf::ForOp::create(
              b, loc, zero, limit, one, ValueRange{inf, none, falseValue},
              [&](OpBuilder &, Location, Value c, ValueRange best) {
                SmallVector<Value> scoreAt(at.begin(), at.end() - 1);
                scoreAt.push_back(c);
                Value score = memref::LoadOp::create(b, loc, scores, scoreAt);
                if (score.getType() != f32)
                  score = arith::ExtFOp::create(b, loc, f32, score);
                // After the previous pick in (score descending, index ascending).
                Value below = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, score,
                                                    prevScore);
                Value tiedAfter = arith::AndIOp::create(
                    b, loc,
                    arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, score, prevScore),
                    arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, c, prevIndex));
                Value eligible = arith::OrIOp::create(b, loc, below, tiedAfter);
                // Strictly better: the lower index keeps a tie.
                Value better = arith::OrIOp::create(
                    b, loc, arith::XOrIOp::create(
                                b, loc, best[2],
                                arith::ConstantIntOp::create(b, loc, b.getI1Type(), 1)),
                    arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, score, best[0]));
                Value take = arith::AndIOp::create(b, loc, eligible, better);
                scf::YieldOp::create(
                    b, loc,
                    ValueRange{arith::SelectOp::create(b, loc, take, score, best[0]),
                               arith::SelectOp::create(b, loc, take, c, best[1]),
                               arith::OrIOp::create(b, loc, best[2], take)});
              });
          Value found = search.getResult(2);
          Value index = arith::SelectOp::create(b, loc, found, search.getResult(1), none);
          SmallVector<Value> outAt(at.begin(), at.end() - 1);
          outAt.push_back(j);
          memref::StoreOp::create(b, loc, arith::IndexCastOp::create(b, loc, i32, index), out,
                                  outAt);
          scf::YieldOp::create(
              b, loc,
              ValueRange{arith::SelectOp::create(b, loc, found, search.getResult(0), prevScore),
                         arith::SelectOp::create(b, loc, found, search.getResult(1), prevIndex)});
        });
  });
  return kb.kernel();
}

} // namespace sieve::detail
