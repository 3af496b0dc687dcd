//===- TileProducts.cpp - a workgroup's tile products over its threads ----===//
//
// A kernel's bf16 tile products (TileProducts.h) run outside its thread
// loops; on a GPU every thread would run them, so each becomes a thread
// loop here. On NVIDIA chips (all sm_80 or later) a warp takes each 16 x 8
// fragment of the accumulator: it loads the fragment, adds one mma.sync
// m16n8k16 (bf16 operands, f32 accumulator) per 16 of K, and stores it
// back. The operands are read from workgroup memory in the PTX fragment
// layout (a lane's g = lane / 4 and t = lane % 4): rows g and g + 8, K
// pairs 2t and 2t + 8 for A (row-major), a column's K pairs 2t and 2t + 8
// for B (column-major, as the tile holds each column's K contiguously), and
// accumulator rows g and g + 8 at columns 2t, 2t + 1. On AMD's CDNA chips
// (gfx90a, gfx942, gfx950) a wave takes each 16 x 16 fragment with one bf16
// MFMA 16x16x16 per 16 of K. Elsewhere (and for shapes that do not divide
// into fragments, or blocks that are not whole warps or waves) each output
// is one thread's sum over K, in ascending order.
//
//===----------------------------------------------------------------------===//

#include "sieve/Conversion/TileProducts.h"
#include "sieve/Conversion/KernelContract.h"
#include "sieve/Conversion/KernelsToGPU/Passes.h"

#include "mlir/Dialect/AMDGPU/IR/AMDGPUDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace sieve {
#define GEN_PASS_DEF_GPUTILEPRODUCTSPASS
#include "sieve/Conversion/KernelsToGPU/Passes.h.inc"
} // namespace sieve

using namespace mlir;

namespace sieve {
namespace {

/// A thread loop over [0, count); with `perWarp`, each iteration a group of
/// 32 threads (kSplitReductions).
scf::ForallOp threadLoop(OpBuilder &b, Location loc, int64_t count, bool perWarp) {
  return kernel_contract::createThreadLoop(b, loc, b.getIndexAttr(0), b.getIndexAttr(count),
                                           b.getIndexAttr(1), perWarp);
}

/// Index arithmetic and fragment loads at one place.
struct IndexArith {
  OpBuilder &b;
  Location loc;
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value mul(Value x, int64_t y) { return arith::MulIOp::create(b, loc, x, index(y)); }
  Value div(Value x, int64_t y) { return arith::DivUIOp::create(b, loc, x, index(y)); }
  Value rem(Value x, int64_t y) { return arith::RemUIOp::create(b, loc, x, index(y)); }
  /// Elements c and c + 1 of row r of a bf16 tile as one i32, element c in
  /// the low half (an mma.sync operand register).
  Value pair(Value tile, Value r, Value c) {
    Type i16 = b.getI16Type(), i32 = b.getI32Type();
    auto bits = [&](Value at) -> Value {
      Value v = memref::LoadOp::create(b, loc, tile, ValueRange{r, at});
      return arith::ExtUIOp::create(b, loc, i32, arith::BitcastOp::create(b, loc, i16, v));
    };
    Value low = bits(c);
    Value high = bits(add(c, index(1)));
    Value shifted =
        arith::ShLIOp::create(b, loc, high, arith::ConstantIntOp::create(b, loc, i32, 16));
    return arith::OrIOp::create(b, loc, shifted, low);
  }
};

/// Each 16 x 8 fragment of the accumulator a warp's, mma.sync per 16 of K.
void emitMmaSync(OpBuilder &b, Location loc, const tile_products::TileProduct &p) {
  const int64_t columnFragments = p.n / 8;
  scf::ForallOp loop = threadLoop(b, loc, (p.m / 16) * columnFragments, /*perWarp=*/true);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(loop.getBody());
  IndexArith x{b, loc};
  Value fragment = loop.getInductionVar(0);
  Value lane = gpu::LaneIdOp::create(b, loc, /*upperBound=*/nullptr);
  Value g = x.div(lane, 4), t = x.rem(lane, 4);
  Value row0 = x.add(x.mul(x.div(fragment, columnFragments), 16), g);
  Value row1 = x.add(row0, x.index(8));
  Value firstColumn = x.mul(x.rem(fragment, columnFragments), 8);
  Value column = x.add(firstColumn, g); // B's column of this lane
  Value accColumn0 = x.add(firstColumn, x.mul(t, 2));
  Value accColumn1 = x.add(accColumn0, x.index(1));
  SmallVector<std::pair<Value, Value>> accAt = {
      {row0, accColumn0}, {row0, accColumn1}, {row1, accColumn0}, {row1, accColumn1}};
  SmallVector<Value> init;
  for (auto [r, c] : accAt)
    init.push_back(memref::LoadOp::create(b, loc, p.acc, ValueRange{r, c}));
  Type f32 = b.getF32Type();
  auto resultType = LLVM::LLVMStructType::getLiteral(b.getContext(), {f32, f32, f32, f32});
  auto steps = scf::ForOp::create(
      b, loc, x.index(0), x.index(p.k), x.index(16), init,
      [&](OpBuilder &, Location, Value k, ValueRange acc) {
        Value k0 = x.add(k, x.mul(t, 2));
        Value k8 = x.add(k0, x.index(8));
        SmallVector<Value> a = {x.pair(p.rows, row0, k0), x.pair(p.rows, row1, k0),
                                x.pair(p.rows, row0, k8), x.pair(p.rows, row1, k8)};
        SmallVector<Value> bOperand = {x.pair(p.columns, column, k0),
                                       x.pair(p.columns, column, k8)};
        auto mma = NVVM::MmaOp::create(
            b, loc, resultType, a, bOperand, acc, ArrayRef<int64_t>{16, 8, 16},
            /*b1Op=*/std::nullopt, /*intOverflow=*/std::nullopt,
            std::array<NVVM::MMATypes, 2>{NVVM::MMATypes::bf16, NVVM::MMATypes::bf16},
            std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row, NVVM::MMALayout::col});
        SmallVector<Value> next;
        for (int64_t i = 0; i < 4; ++i)
          next.push_back(LLVM::ExtractValueOp::create(b, loc, mma.getResult(), i));
        scf::YieldOp::create(b, loc, next);
      });
  for (auto [value, at] : llvm::zip(steps.getResults(), accAt))
    memref::StoreOp::create(b, loc, value, p.acc, ValueRange{at.first, at.second});
}

/// Each 16 x 16 fragment of the accumulator a wave's (64 iterations of a
/// thread loop, one per lane: with a block of whole waves, a wave's threads
/// take the same fragment and run its MFMAs together), one bf16
/// `amdgpu.mfma` 16x16x16 per 16 of K. Lane l holds A row l % 16 at K
/// 4 (l / 16) .. + 3, B column l % 16 at the same K, and accumulator rows
/// 4 (l / 16) .. + 3 of column l % 16 (the CDNA layout).
void emitMfma(OpBuilder &b, Location loc, const tile_products::TileProduct &p) {
  const int64_t columnFragments = p.n / 16, waveLanes = 64;
  scf::ForallOp loop =
      threadLoop(b, loc, (p.m / 16) * columnFragments * waveLanes, /*perWarp=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(loop.getBody());
  IndexArith x{b, loc};
  Value iteration = loop.getInductionVar(0);
  Value fragment = x.div(iteration, waveLanes), lane = x.rem(iteration, waveLanes);
  Value row = x.add(x.mul(x.div(fragment, columnFragments), 16), x.rem(lane, 16));
  Value column = x.add(x.mul(x.rem(fragment, columnFragments), 16), x.rem(lane, 16));
  Value quarter = x.mul(x.div(lane, 16), 4);
  Value accRow = x.add(x.mul(x.div(fragment, columnFragments), 16), quarter);
  Type f32 = b.getF32Type(), bf16 = b.getBF16Type();
  auto fourOf = [&](Value tile, Value r, Value c, Type element) -> Value {
    SmallVector<Value> elements;
    for (int64_t e = 0; e < 4; ++e)
      elements.push_back(memref::LoadOp::create(b, loc, tile, ValueRange{r, x.add(c, x.index(e))}));
    return vector::FromElementsOp::create(b, loc, VectorType::get({4}, element), elements);
  };
  SmallVector<Value> accElements;
  for (int64_t e = 0; e < 4; ++e)
    accElements.push_back(
        memref::LoadOp::create(b, loc, p.acc, ValueRange{x.add(accRow, x.index(e)), column}));
  Value init = vector::FromElementsOp::create(b, loc, VectorType::get({4}, f32), accElements);
  auto steps = scf::ForOp::create(b, loc, x.index(0), x.index(p.k), x.index(16), ValueRange{init},
                                  [&](OpBuilder &, Location, Value k, ValueRange acc) {
                                    Value at = x.add(k, quarter);
                                    Value a = fourOf(p.rows, row, at, bf16);
                                    Value c = fourOf(p.columns, column, at, bf16);
                                    Value sum =
                                        amdgpu::MFMAOp::create(b, loc, acc[0].getType(), 16, 16, 16,
                                                               /*blocks=*/1, a, c, acc[0]);
                                    scf::YieldOp::create(b, loc, sum);
                                  });
  for (int64_t e = 0; e < 4; ++e)
    memref::StoreOp::create(b, loc, vector::ExtractOp::create(b, loc, steps.getResult(0), e), p.acc,
                            ValueRange{x.add(accRow, x.index(e)), column});
}

/// Each output a thread's: acc[i, j] + the sum over K in ascending order.
void emitPerOutput(OpBuilder &b, Location loc, const tile_products::TileProduct &p) {
  scf::ForallOp loop = threadLoop(b, loc, p.m * p.n, /*perWarp=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(loop.getBody());
  IndexArith x{b, loc};
  Value output = loop.getInductionVar(0);
  Value i = x.div(output, p.n), j = x.rem(output, p.n);
  Value init = memref::LoadOp::create(b, loc, p.acc, ValueRange{i, j});
  Type f32 = b.getF32Type();
  auto sum = scf::ForOp::create(
      b, loc, x.index(0), x.index(p.k), x.index(1), ValueRange{init},
      [&](OpBuilder &, Location, Value k, ValueRange acc) {
        Value a = memref::LoadOp::create(b, loc, p.rows, ValueRange{i, k});
        Value c = memref::LoadOp::create(b, loc, p.columns, ValueRange{j, k});
        a = arith::ExtFOp::create(b, loc, f32, a);
        c = arith::ExtFOp::create(b, loc, f32, c);
        Value term = arith::MulFOp::create(b, loc, a, c);
        scf::YieldOp::create(b, loc, ValueRange{arith::AddFOp::create(b, loc, acc[0], term)});
      });
  memref::StoreOp::create(b, loc, sum.getResult(0), p.acc, ValueRange{i, j});
}

struct GPUTileProductsPass : impl::GPUTileProductsPassBase<GPUTileProductsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<std::pair<linalg::GenericOp, tile_products::TileProduct>> products;
    getOperation().walk([&](func::FuncOp kernel) {
      if (!kernel->hasAttr(kernel_contract::kKernel))
        return;
      kernel.walk([&](linalg::GenericOp op) {
        // Only the workgroup's own: a product inside a thread loop is one
        // thread's, a contraction like any other.
        for (Operation *parent = op->getParentOp(); parent != kernel;
             parent = parent->getParentOp())
          if (kernel_contract::isThreadForall(parent))
            return;
        if (std::optional<tile_products::TileProduct> product = tile_products::match(op))
          products.emplace_back(op, *product);
      });
    });
    // The matrix units need whole warps (NVIDIA) or waves (AMD's CDNA
    // chips, wave64) in every thread loop iteration they run in.
    const bool nvidia = StringRef(chip).starts_with("sm_") && blockSize % 32 == 0;
    const bool amd = StringRef(chip).starts_with("gfx9") && blockSize % 64 == 0;
    for (auto &[op, product] : products) {
      OpBuilder b(op);
      if (nvidia && product.m % 16 == 0 && product.n % 8 == 0 && product.k % 16 == 0)
        emitMmaSync(b, op.getLoc(), product);
      else if (amd && product.m % 16 == 0 && product.n % 16 == 0 && product.k % 16 == 0)
        emitMfma(b, op.getLoc(), product);
      else
        emitPerOutput(b, op.getLoc(), product);
      op.erase();
    }
  }
};

} // namespace
} // namespace sieve
