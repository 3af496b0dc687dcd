//===- CacheKernels.cpp - Window indices as a kernel -----------------------===//
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
#include "OpKernelEmitters.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace sieve::detail {

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
  KernelBuilder kb(moduleBuilder, op.getLoc(), name, {positionsType, indicesType},
                   dynamicRows ? 1 : 0);
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
    scf::ForOp::create(b, loc, zero, width, one, ValueRange{}, [&](OpBuilder &, Location,
                                                                   Value j, ValueRange) {
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
      scf::YieldOp::create(b, loc);
    });
  });
  return kb.kernel();
}

} // namespace sieve::detail
