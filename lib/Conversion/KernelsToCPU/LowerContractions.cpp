//===- LowerContractions.cpp - matmuls as loops with a carried sum --------===//
//
// The shape the configuration and the vectorizer take: a reduction loop
// innermost whose sum is an scf.for iteration value (Passes.td). Only ops
// with one reduction dimension and projected-permutation indexing maps;
// the rest is left to convert-linalg-to-loops.
//
//===----------------------------------------------------------------------===//

#include "sieve/Conversion/KernelsToCPU/Passes.h"
#include "sieve/Conversion/ReductionLoops.h"
#include "sieve/Conversion/TileProducts.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"

namespace sieve {
#define GEN_PASS_DEF_CPULOWERCONTRACTIONSPASS
#include "sieve/Conversion/KernelsToCPU/Passes.h.inc"
} // namespace sieve

using namespace mlir;

namespace sieve {
namespace {

/// Whether `body` is `out + extf(a) * extf(b)` over bf16 `a` and `b`.
bool isBf16Dot(Block &body) {
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add)
    return false;
  Value out = body.getArguments().back();
  Value term = add.getLhs() == out ? add.getRhs() : add.getRhs() == out ? add.getLhs() : Value();
  auto mul = term ? term.getDefiningOp<arith::MulFOp>() : nullptr;
  if (!mul)
    return false;
  auto isBf16Extension = [&](Value v) {
    auto ext = v.getDefiningOp<arith::ExtFOp>();
    return ext && ext.getIn().getType().isBF16() && isa<BlockArgument>(ext.getIn());
  };
  return isBf16Extension(mul.getLhs()) && isBf16Extension(mul.getRhs());
}

LogicalResult lowerContraction(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() != 1 || op->getNumRegions() != 1)
    return failure();
  for (AffineMap map : op.getIndexingMapsArray())
    if (!map.isProjectedPermutation())
      return failure();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  unsigned reduction = static_cast<unsigned>(
      llvm::find(iterators, utils::IteratorType::reduction) - iterators.begin());
  OpOperand *init = op.getDpsInitOperand(0);
  if (op.getMatchingIndexingMap(init).isFunctionOfDim(reduction))
    return failure();

  OpBuilder b(op);
  Location loc = op.getLoc();
  SmallVector<Range> ranges = op.createLoopRanges(b, loc);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  SmallVector<Value> ivs(iterators.size());
  // Parallel loops outermost, in dimension order; the body is built inside.
  std::function<void(unsigned)> build = [&](unsigned dim) {
    if (dim == iterators.size()) {
      // The reduction loop, innermost, carrying the output element.
      auto indicesOf = [&](OpOperand *operand) {
        SmallVector<Value> indices;
        for (AffineExpr e : op.getMatchingIndexingMap(operand).getResults())
          indices.push_back(ivs[cast<AffineDimExpr>(e).getPosition()]);
        return indices;
      };
      Value start = memref::LoadOp::create(b, loc, init->get(), indicesOf(init));
      Value upper = getValueOrCreateConstantIndexOp(b, loc, ranges[reduction].size);
      auto sum = scf::ForOp::create(
          b, loc, zero, upper, one, ValueRange{start},
          [&](OpBuilder &nested, Location nestedLoc, Value k, ValueRange acc) {
            ivs[reduction] = k;
            IRMapping mapping;
            Block &body = op->getRegion(0).front();
            for (OpOperand *input : op.getDpsInputOperands())
              mapping.map(body.getArgument(input->getOperandNumber()),
                          memref::LoadOp::create(nested, nestedLoc, input->get(),
                                                 indicesOf(input)));
            mapping.map(body.getArguments().back(), acc[0]);
            for (Operation &bodyOp : body.without_terminator())
              nested.clone(bodyOp, mapping);
            scf::YieldOp::create(nested, nestedLoc,
                                 mapping.lookup(body.getTerminator()->getOperand(0)));
          });
      reduction_loops::mark(sum, isBf16Dot(op->getRegion(0).front()));
      memref::StoreOp::create(b, loc, sum.getResult(0), init->get(), indicesOf(init));
      return;
    }
    if (dim == reduction) {
      build(dim + 1);
      return;
    }
    Value upper = getValueOrCreateConstantIndexOp(b, loc, ranges[dim].size);
    scf::ForOp::create(b, loc, zero, upper, one, ValueRange{},
                       [&](OpBuilder &nested, Location, Value iv, ValueRange) {
                         OpBuilder::InsertionGuard guard(b);
                         b.setInsertionPointToStart(nested.getInsertionBlock());
                         ivs[dim] = iv;
                         build(dim + 1);
                         scf::YieldOp::create(b, loc);
                       });
  };
  build(0);
  op->erase();
  return success();
}

struct CPULowerContractionsPass
    : impl::CPULowerContractionsPassBase<CPULowerContractionsPass> {
  void runOnOperation() override {
    // A block-scaled tile product multiplies decoded bf16 tiles here, as
    // the bf16 tile form does: a decode per operand element, not per term.
    SmallVector<std::pair<linalg::GenericOp, tile_products::ScaledTileProduct>> scaled;
    getOperation().walk([&](linalg::GenericOp op) {
      if (std::optional<tile_products::ScaledTileProduct> product = tile_products::matchScaled(op))
        scaled.emplace_back(op, *product);
    });
    OpBuilder b(&getContext());
    for (auto &[op, product] : scaled)
      tile_products::decodeScaled(b, op, product);
    SmallVector<linalg::LinalgOp> ops;
    getOperation().walk([&](linalg::LinalgOp op) { ops.push_back(op); });
    for (linalg::LinalgOp op : ops)
      (void)lowerContraction(op); // the others go to convert-linalg-to-loops
  }
};

} // namespace
} // namespace sieve
