//===- JammedSums.cpp - several columns' sums in one vector loop ----------===//
//
// Part of sieve-cpu-vectorize-reductions (ReductionVectorizer.h). A sum
// nested in a loop over columns (heads, outputs), computed one column at a
// time, pays per column for what the vector loop cannot overlap: its
// partial sums combined, reduced across lanes, the loop's entry and exit.
// The indexer scores 16 heads of 128 per key that way, the vector work
// (four dot products) smaller than the rest. Jammed, one vector loop keeps
// a vector of lane sums per column (the columns are the independent
// accumulators), loads what the columns share once (the key), and the
// columns' vectors are reduced together: each fold of two vectors into one
// halves every column's lanes, 2 shuffles and an add, so 16 columns of 16
// lanes take 15 folds instead of 16 reductions of 4 steps each.
//
//===----------------------------------------------------------------------===//

#include "ReductionVectorizer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;

namespace sieve::detail {
namespace {

/// The buffer a memref is a view of: a function argument (a binding) or a
/// stack or heap allocation; null when it cannot be followed.
Value rootBuffer(Value memref) {
  while (true) {
    if (isa<BlockArgument>(memref))
      return memref;
    Operation *def = memref.getDefiningOp();
    if (!def)
      return Value();
    if (isa<memref::AllocaOp, memref::AllocOp, memref::GetGlobalOp>(def))
      return memref;
    if (auto view = dyn_cast<memref::ViewOp>(def))
      memref = view.getSource();
    else if (auto sub = dyn_cast<memref::SubViewOp>(def))
      memref = sub.getSource();
    else if (auto cast = dyn_cast<memref::CastOp>(def))
      memref = cast.getSource();
    else if (auto reinterpret = dyn_cast<memref::ReinterpretCastOp>(def))
      memref = reinterpret.getSource();
    else if (auto collapse = dyn_cast<memref::CollapseShapeOp>(def))
      memref = collapse.getSrc();
    else if (auto expand = dyn_cast<memref::ExpandShapeOp>(def))
      memref = expand.getSrc();
    else
      return Value();
  }
}

} // namespace

bool ReductionVectorizer::matchJam(int64_t maxColumns) {
  if (kind != Kind::Sum || maxColumns < 4)
    return false;
  jamLoop = dyn_cast<scf::ForOp>(loop->getParentOp());
  if (!jamLoop)
    return false;
  // A block factor only when the columns share it (rows of activations
  // against one weight row): jamming columns of their own block-scaled
  // weights was measured slower (docs/performance.md, stop 30).
  if (dotScale && perColumn(dotScale)) {
    jamLoop = nullptr;
    return false;
  }
  std::optional<int64_t> lb = getConstantIntValue(jamLoop.getLowerBound());
  std::optional<int64_t> ub = getConstantIntValue(jamLoop.getUpperBound());
  std::optional<int64_t> step = getConstantIntValue(jamLoop.getStep());
  if (!lb || !ub || !step || *step != 1 || *ub <= *lb)
    return false;
  const int64_t trips = *ub - *lb;
  columns = 0;
  for (int64_t c = maxColumns; c >= 4; c /= 2)
    if (trips % c == 0) {
      columns = c;
      break;
    }
  // At most one column per lane of the sums' vectors (reduceColumns).
  if (columns == 0 || columns > (bf16Dot ? width / 2 : width))
    return false;
  // Every column's sum runs over the same range.
  for (Value bound : {loop.getLowerBound(), loop.getUpperBound(), loop.getStep()})
    if (!jamLoop.isDefinedOutsideOfLoop(bound))
      return false;
  // The ops before the sum are cloned per column ahead of every column's
  // sum and the ops after it; the sum and those ops must not read what an
  // earlier column's later ops change.
  auto usesIterArgs = [&](Operation *op) {
    bool uses = false;
    op->walk([&](Operation *nested) {
      for (Value operand : nested->getOperands())
        if (llvm::is_contained(jamLoop.getRegionIterArgs(), operand))
          uses = true;
    });
    return uses;
  };
  llvm::SmallPtrSet<Value, 8> readBuffers;
  auto noteRead = [&](memref::LoadOp load) { readBuffers.insert(rootBuffer(load.getMemRef())); };
  bool before = true;
  SmallVector<memref::StoreOp> stores;
  for (Operation &op : jamLoop.getBody()->without_terminator()) {
    if (&op == loop.getOperation()) {
      if (usesIterArgs(&op))
        return false;
      op.walk([&](memref::LoadOp load) { noteRead(load); });
      before = false;
      continue;
    }
    if (op.getNumRegions() != 0)
      return false;
    // An op before the sum is cloned per column ahead of the sums, where the
    // iteration values of the columns before it do not exist yet.
    if (before && usesIterArgs(&op))
      return false;
    if (auto load = dyn_cast<memref::LoadOp>(op)) {
      if (before)
        noteRead(load);
      continue;
    }
    if (auto store = dyn_cast<memref::StoreOp>(op)) {
      if (before)
        return false;
      stores.push_back(store);
      continue;
    }
    if (!isMemoryEffectFree(&op))
      return false;
  }
  // Distinct bindings are distinct buffers (the buffer plan never gives a
  // dispatch's result the space of a buffer it reads), and allocations are
  // their own.
  for (memref::StoreOp store : stores) {
    Value root = rootBuffer(store.getMemRef());
    if (!root || readBuffers.contains(root) || readBuffers.contains(Value()))
      return false;
  }
  return true;
}

Value ReductionVectorizer::reduceColumns(ArrayRef<Value> sums) {
  Location loc = loop.getLoc();
  // Each vector holds its columns' lanes in groups: the k-th column of the
  // vector in lanes [k * group, (k + 1) * group). Folding vectors of
  // columns (0..k) and (k+1..2k+1) keeps them in order, so the last vector
  // has column c in lane c.
  SmallVector<Value> level(sums);
  int64_t group = cast<VectorType>(sums.front().getType()).getNumElements();
  int64_t perVector = 1;
  // Lanes [k * group + offset, + group / 2) of each column of the first
  // source, then of the second (whose lanes follow in a two-source shuffle).
  auto halves = [&](int64_t length, int64_t offset, int64_t sources) {
    SmallVector<int64_t> order;
    for (int64_t source = 0; source < sources; ++source)
      for (int64_t k = 0; k < perVector; ++k)
        for (int64_t i = 0; i < group / 2; ++i)
          order.push_back(source * length + k * group + offset + i);
    return order;
  };
  auto fold = [&](Value x, Value y, int64_t sources) -> Value {
    int64_t length = cast<VectorType>(x.getType()).getNumElements();
    Value low = vector::ShuffleOp::create(b, loc, x, y, halves(length, 0, sources));
    Value high = vector::ShuffleOp::create(b, loc, x, y, halves(length, group / 2, sources));
    return arith::AddFOp::create(b, loc, low, high);
  };
  while (level.size() > 1) {
    SmallVector<Value> next;
    for (size_t i = 0; i + 1 < level.size(); i += 2)
      next.push_back(fold(level[i], level[i + 1], 2));
    level = next;
    perVector *= 2;
    group /= 2;
  }
  // One vector left; its columns' remaining lanes folded within it.
  Value last = level.front();
  for (; group > 1; group /= 2)
    last = fold(last, last, 1);
  return last;
}

bool ReductionVectorizer::perColumn(Value v) {
  if (v == jamLoop.getInductionVar())
    return true;
  Operation *def = v.getDefiningOp();
  if (!def || !jamLoop->isProperAncestor(def))
    return false;
  if (!inBody(def))
    return true; // an op of the columns' loop before the sum
  return llvm::any_of(def->getOperands(), [&](Value operand) { return perColumn(operand); });
}

Value ReductionVectorizer::wholeChunksEnd() {
  Location loc = loop.getLoc();
  Value lb = loop.getLowerBound(), ub = loop.getUpperBound();
  Value w = arith::ConstantIndexOp::create(b, loc, width);
  Value count = arith::MaxSIOp::create(b, loc, arith::SubIOp::create(b, loc, ub, lb),
                                       arith::ConstantIndexOp::create(b, loc, 0));
  return arith::AddIOp::create(
      b, loc, lb, arith::SubIOp::create(b, loc, count, arith::RemUIOp::create(b, loc, count, w)));
}

SmallVector<Value> ReductionVectorizer::emitJammedChunks(Value first,
                                                         SmallVectorImpl<IRMapping> &column) {
  Location loc = loop.getLoc();
  // A chunk form (a decode the columns share, read once per chunk for all).
  takeChunkForm();
  VectorType sumType = VectorType::get({sumLanes()}, b.getF32Type());
  // Each column's iteration: its induction variable and the ops before the
  // sum.
  column.assign(columns, IRMapping());
  for (int64_t c = 0; c < columns; ++c) {
    Value at = first;
    if (c > 0)
      at = arith::AddIOp::create(b, loc, at, arith::ConstantIndexOp::create(b, loc, c));
    column[c].map(jamLoop.getInductionVar(), at);
    for (Operation &op : jamLoop.getBody()->without_terminator()) {
      if (&op == loop.getOperation())
        break;
      b.clone(op, column[c]);
    }
  }
  zeros = arith::ConstantOp::create(b, loc, b.getZeroAttr(sumType));
  if (dotScale)
    hoistBlockValues(); // the columns share it (matchJam)
  auto vectorLoop = scf::ForOp::create(b, loc, loop.getLowerBound(), wholeChunksEnd(),
                                       arith::ConstantIndexOp::create(b, loc, width),
                                       SmallVector<Value>(columns, zeros));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(vectorLoop.getBody());
  SmallVector<Value> next;
  sharedDecode.clear();
  for (int64_t c = 0; c < columns; ++c) {
    outer = &column[c];
    next.push_back(emitChunk(vectorLoop.getInductionVar(), vectorLoop.getRegionIterArg(c)));
  }
  outer = nullptr;
  scf::YieldOp::create(b, loc, next);
  return SmallVector<Value>(vectorLoop.getResults());
}

Value ReductionVectorizer::finishColumn(int64_t c, Value sums, Value end, IRMapping &mapping) {
  Location loc = loop.getLoc();
  Value init = arith::AddFOp::create(b, loc, mapping.lookupOrDefault(loop.getInitArgs()[0]),
                                     vector::ExtractOp::create(b, loc, sums, c));
  auto rest = cast<scf::ForOp>(b.clone(*loop, mapping));
  rest.getLowerBoundMutable().assign(end);
  rest.getInitArgsMutable()[0].assign(init);
  return rest.getResult(0);
}

Value ReductionVectorizer::emitColumnSums(Value first, OpBuilder &at) {
  b.setInsertionPoint(at.getInsertionBlock(), at.getInsertionPoint());
  Location loc = loop.getLoc();
  SmallVector<IRMapping> column;
  Value sums = reduceColumns(emitJammedChunks(first, column));
  VectorType type = cast<VectorType>(sums.getType());
  // Each column's initial value, then what the whole chunks left (nothing
  // when they cover the range).
  std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound());
  std::optional<int64_t> ub = getConstantIntValue(loop.getUpperBound());
  bool whole = lb && ub && (*ub - *lb) % width == 0;
  Value init = loop.getInitArgs()[0];
  if (whole && jamLoop.isDefinedOutsideOfLoop(init))
    return arith::AddFOp::create(b, loc, sums, vector::BroadcastOp::create(b, loc, type, init));
  Value end = wholeChunksEnd();
  Value result = sums;
  for (int64_t c = 0; c < columns; ++c)
    result = vector::InsertOp::create(b, loc, finishColumn(c, sums, end, column[c]), result, c);
  return result;
}

void ReductionVectorizer::rewriteJammed() {
  // The columns' loop as a vector loop over the columns when the general
  // form takes it, the jammed sums one of its vectors.
  {
    ReductionVectorizer columnsLoop(jamLoop, columns, /*partialSums=*/1, /*bf16Dot=*/false,
                                    permuteLookup);
    columnsLoop.nestedSum = loop;
    columnsLoop.columnSums = this;
    if (columnsLoop.matches() && columnsLoop.width == columns) {
      columnsLoop.rewrite();
      return;
    }
  }
  // Otherwise the columns' other ops one column after another.
  Location loc = loop.getLoc();
  b.setInsertionPoint(jamLoop);
  auto stepped =
      scf::ForOp::create(b, jamLoop.getLoc(), jamLoop.getLowerBound(), jamLoop.getUpperBound(),
                         arith::ConstantIndexOp::create(b, loc, columns), jamLoop.getInitArgs());
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(stepped.getBody());
  SmallVector<IRMapping> column;
  Value sums = reduceColumns(emitJammedChunks(stepped.getInductionVar(), column));
  Value end = wholeChunksEnd();
  // Per column in order: the rest of its sum (the original loop from the
  // end of the whole chunks), then the ops after the sum.
  auto yield = cast<scf::YieldOp>(jamLoop.getBody()->getTerminator());
  SmallVector<Value> carried(stepped.getRegionIterArgs());
  for (int64_t c = 0; c < columns; ++c) {
    IRMapping &mapping = column[c];
    for (auto [arg, value] : llvm::zip_equal(jamLoop.getRegionIterArgs(), carried))
      mapping.map(arg, value);
    mapping.map(loop.getResult(0), finishColumn(c, sums, end, mapping));
    bool after = false;
    for (Operation &op : jamLoop.getBody()->without_terminator()) {
      if (after)
        b.clone(op, mapping);
      after = after || &op == loop.getOperation();
    }
    for (auto [i, value] : llvm::enumerate(yield.getOperands()))
      carried[i] = mapping.lookupOrDefault(value);
  }
  // A loop without iteration values was built with its yield.
  if (!carried.empty())
    scf::YieldOp::create(b, loc, carried);
  jamLoop.replaceAllUsesWith(stepped.getResults());
  jamLoop.erase();
}

} // namespace sieve::detail
