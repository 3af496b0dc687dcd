//===- TileProducts.cpp - a workgroup's tile products over its threads ----===//
//
// A kernel's tile products (TileProducts.h) run outside its thread
// loops; on a GPU every thread would run them, so each becomes a thread
// loop here. On sm_90a a warpgroup (128 threads) takes each 64 columns of
// the accumulator with wgmma: the operand tiles are kept in the layout
// wgmma reads from shared memory (below, relayout) and multiplied with
// `wgmma.mma_async` m64nNk16, the product's columns being wgmma's M and its
// rows wgmma's N (the tile form's 16 rows are too few for M = 64). On the
// other NVIDIA chips (all sm_80 or later) a warp takes each 16 x 8
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
// is one thread's sum over K, in ascending order. A block-scaled product
// (codes and E8M0 scales) runs on gfx950's scaled MFMA 16x16x128, a wave
// per 16 x 16 fragment; elsewhere one thread per output sums its terms.
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

#include "llvm/ADT/SmallPtrSet.h"

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

/// wgmma's operand layout without swizzling, K-major: 8 x 8 bf16 "core
/// matrices" of 128 contiguous bytes (8 rows of 16 bytes). An operand of
/// [R, K] is kept as [R / 8][K / 8] core matrices, element (r, c) at
/// ((r / 8) (K / 8) + c / 8) 64 + (r % 8) 8 + c % 8, so the descriptor's
/// leading byte offset (the next core matrix in K) is 128 and its stride
/// byte offset (the next 8 rows) K * 16.
struct CoreMatrixLayout {
  int64_t k;
  int64_t strideBytes() const { return k * 16; }
  static constexpr int64_t kLeadingBytes = 128;
};

/// Whether `tile` is a workgroup buffer [rows, K] (an alloca of static
/// shape) that only memref.load, memref.store and `product` use: then its
/// elements can live in wgmma's layout instead (sieve-gpu-form-kernels
/// allows workgroup buffers no other users, so the tile form's always are).
bool canRelayout(Value tile, Operation *product) {
  auto alloca = tile.getDefiningOp<memref::AllocaOp>();
  if (!alloca || !alloca.getType().hasStaticShape() || alloca.getType().getRank() != 2)
    return false;
  return llvm::all_of(tile.getUsers(), [&](Operation *user) {
    return user == product || isa<memref::LoadOp, memref::StoreOp>(user);
  });
}

/// Moves `tile`'s elements into a 1-D buffer beside it in wgmma's core-matrix
/// layout: every load and store is rewritten to the element's place there,
/// and each thread loop that stores into it ends with a generic-to-async
/// proxy fence (wgmma reads shared memory through the async proxy; the
/// loop's barrier follows). The old buffer is left to the product.
Value relayout(Value tile, Operation *product) {
  auto alloca = tile.getDefiningOp<memref::AllocaOp>();
  MemRefType type = alloca.getType();
  const int64_t rows = type.getDimSize(0), k = type.getDimSize(1);
  OpBuilder b(alloca);
  b.setInsertionPointAfter(alloca);
  Location loc = alloca.getLoc();
  Value moved = memref::AllocaOp::create(b, loc, MemRefType::get({rows * k}, type.getElementType()),
                                         ValueRange{}, b.getI64IntegerAttr(16));
  MLIRContext *ctx = b.getContext();
  llvm::SmallPtrSet<Operation *, 4> fenced;
  for (Operation *user : llvm::make_early_inc_range(tile.getUsers())) {
    if (user == product)
      continue;
    b.setInsertionPoint(user);
    IndexArith x{b, user->getLoc()};
    // One statement per op: the IR's order is the same with every compiler.
    auto at = [&](ValueRange indices) {
      Value r = indices[0], c = indices[1];
      Value rowBlock = x.mul(x.div(r, 8), k / 8);
      Value core = x.add(rowBlock, x.div(c, 8));
      Value coreStart = x.mul(core, 64);
      Value rowStart = x.add(coreStart, x.mul(x.rem(r, 8), 8));
      return x.add(rowStart, x.rem(c, 8));
    };
    if (auto load = dyn_cast<memref::LoadOp>(user)) {
      Value value = memref::LoadOp::create(b, load.getLoc(), moved, at(load.getIndices()));
      load.getResult().replaceAllUsesWith(value);
    } else {
      auto store = cast<memref::StoreOp>(user);
      memref::StoreOp::create(b, store.getLoc(), store.getValueToStore(), moved,
                              at(store.getIndices()));
      Operation *loop = store->getParentOp();
      while (loop && !kernel_contract::isThreadForall(loop))
        loop = loop->getParentOp();
      if (loop && fenced.insert(loop).second) {
        b.setInsertionPoint(cast<scf::ForallOp>(loop).getBody()->getTerminator());
        NVVM::FenceProxyOp::create(b, store.getLoc(),
                                   NVVM::ProxyKindAttr::get(ctx, NVVM::ProxyKind::async_shared),
                                   NVVM::SharedSpaceAttr::get(ctx, NVVM::SharedSpace::shared_cta));
      }
    }
    user->erase();
  }
  return moved;
}

/// How a product is split for wgmma: rows (wgmma's N) per unit, and units
/// ((columns / 64) x (rows / nTile)), one warpgroup each.
struct WgmmaPlan {
  int64_t nTile;
  int64_t units;
};

/// How `p` runs on wgmma in a block of `blockSize` threads, or nothing
/// where it cannot: 64-column slabs, rows a multiple of 8 up to 256
/// (wgmma's N), K a multiple of 16, whole warpgroups.
std::optional<WgmmaPlan> planWgmma(const tile_products::TileProduct &p, int64_t blockSize) {
  if (p.n % 64 != 0 || p.m % 8 != 0 || p.m > 256 || p.k % 16 != 0 || blockSize % 128 != 0)
    return std::nullopt;
  // Rows split between warpgroups while slabs alone leave some idle.
  const int64_t warpgroups = blockSize / 128, slabs = p.n / 64;
  int64_t nTile = p.m;
  while (nTile % 16 == 0 && slabs * (p.m / nTile) < warpgroups)
    nTile /= 2;
  return WgmmaPlan{nTile, slabs * (p.m / nTile)};
}

/// acc[M, N] += rows x columnsᵀ on sm_90a's wgmma, from `columns` and
/// `rows` in wgmma's layout (relayout), computed transposed:
/// D[64, nTile] = columns-slab[64, 16] x rows[nTile, 16]ᵀ per 16 of K, so
/// D[c][r] is acc[r][c]. One of 128 iterations per unit runs a warpgroup's
/// wgmmas: thread t (warp w = t / 32, lane g = lane / 4, q = lane % 4)
/// holds D rows 16w + g and 16w + g + 8 at columns 8j + 2q and 8j + 2q + 1
/// for each j < nTile / 8 (the PTX ISA's m64nNk16 accumulator layout),
/// loaded from and stored back to the accumulator tile. Both descriptors
/// are the same in all four warps, as wgmma needs.
void emitWgmma(OpBuilder &b, Location loc, const tile_products::TileProduct &p,
               const WgmmaPlan &plan, Value columns, Value rows) {
  MLIRContext *ctx = b.getContext();
  IndexArith x{b, loc};
  Type f32 = b.getF32Type(), i64 = b.getI64Type();
  const CoreMatrixLayout layout{p.k};
  const int64_t rowGroups = p.m / plan.nTile;
  scf::ForallOp products = threadLoop(b, loc, plan.units * 128, /*perWarp=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(products.getBody());
  Value iteration = products.getInductionVar(0);
  Value unit = x.div(iteration, 128), thread = x.rem(iteration, 128);
  Value warp = x.div(thread, 32), lane = x.rem(thread, 32);
  Value g = x.div(lane, 4), q = x.rem(lane, 4);
  Value slab = x.div(unit, rowGroups), rowGroup = x.rem(unit, rowGroups);
  Value column0 = x.add(x.add(x.mul(slab, 64), x.mul(warp, 16)), g);
  Value row0 = x.add(x.mul(rowGroup, plan.nTile), x.mul(q, 2));
  // Register i of the accumulator: D[column0 + 8 (i % 4 / 2)][row0 + 8 (i / 4) + i % 2].
  const int64_t registers = plan.nTile / 2;
  SmallVector<std::pair<Value, Value>> accAt;
  for (int64_t r = 0; r < registers; ++r) {
    Value column = x.add(column0, x.index(8 * (r % 4 / 2)));
    Value row = x.add(row0, x.index(8 * (r / 4) + r % 2));
    accAt.emplace_back(row, column);
  }
  auto accType = LLVM::LLVMStructType::getLiteral(ctx, SmallVector<Type>(registers, f32));
  Value d = LLVM::PoisonOp::create(b, loc, accType);
  for (auto [r, at] : llvm::enumerate(accAt)) {
    Value value = memref::LoadOp::create(b, loc, p.acc, ValueRange{at.first, at.second});
    d = LLVM::InsertValueOp::create(b, loc, d, value, int64_t(r));
  }
  auto address = [&](Value buffer) {
    Value pointer = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, buffer);
    return arith::IndexCastUIOp::create(b, loc, i64, pointer);
  };
  auto constant64 = [&](int64_t v) { return arith::ConstantIntOp::create(b, loc, i64, v); };
  // matrix-descriptor-encode(x) = (x & 0x3FFFF) >> 4 in bits 0-13 (the
  // start), 16-29 (leading) and 32-45 (stride); no swizzle, no base offset.
  Value window = constant64(0x3FFFF), encode = constant64(4);
  Value strides =
      constant64((CoreMatrixLayout::kLeadingBytes >> 4) << 16 | (layout.strideBytes() >> 4) << 32);
  auto descriptor = [&](Value base, Value byteOffset) -> Value {
    Value start =
        arith::AddIOp::create(b, loc, base, arith::IndexCastUIOp::create(b, loc, i64, byteOffset));
    start = arith::ShRUIOp::create(b, loc, arith::AndIOp::create(b, loc, start, window), encode);
    return arith::OrIOp::create(b, loc, start, strides);
  };
  Value columnsBase = address(columns), rowsBase = address(rows);
  // A slab starts 64 rows (8 core matrices down) into the columns, a row
  // group nTile rows into the rows.
  Value columnsAt = x.mul(slab, 8 * layout.strideBytes());
  Value rowsAt = x.mul(rowGroup, plan.nTile / 8 * layout.strideBytes());
  NVVM::WgmmaFenceAlignedOp::create(b, loc);
  auto shape = NVVM::MMAShapeAttr::get(ctx, 64, plan.nTile, 16);
  auto type = [&](NVVM::WGMMATypes t) { return NVVM::WGMMATypesAttr::get(ctx, t); };
  for (int64_t k = 0; k < p.k; k += 16) {
    // 16 of K are two core matrices: 256 bytes further for the next 16.
    Value kBytes = x.index(k / 8 * CoreMatrixLayout::kLeadingBytes);
    Value descriptorA = descriptor(columnsBase, x.add(columnsAt, kBytes));
    Value descriptorB = descriptor(rowsBase, x.add(rowsAt, kBytes));
    d = NVVM::WgmmaMmaAsyncOp::create(
        b, loc, accType, d, descriptorA, descriptorB, shape, type(NVVM::WGMMATypes::bf16),
        type(NVVM::WGMMATypes::bf16), type(NVVM::WGMMATypes::f32),
        NVVM::WGMMAScaleOutAttr::get(ctx, NVVM::WGMMAScaleOut::one),
        NVVM::WGMMAScaleInAttr::get(ctx, NVVM::WGMMAScaleIn::one),
        NVVM::WGMMAScaleInAttr::get(ctx, NVVM::WGMMAScaleIn::one),
        NVVM::MMALayoutAttr::get(ctx, NVVM::MMALayout::row),
        NVVM::MMALayoutAttr::get(ctx, NVVM::MMALayout::col), NVVM::MMAIntOverflowAttr());
  }
  NVVM::WgmmaGroupSyncAlignedOp::create(b, loc);
  NVVM::WgmmaWaitGroupSyncOp::create(b, loc, 0);
  for (auto [r, at] : llvm::enumerate(accAt)) {
    Value value = LLVM::ExtractValueOp::create(b, loc, d, int64_t(r));
    memref::StoreOp::create(b, loc, value, p.acc, ValueRange{at.first, at.second});
  }
}

/// A wave's 16 x 16 fragments of an M x N accumulator (CDNA's layout): a
/// thread loop of 64 iterations per fragment (one per lane: with a block of
/// whole waves, a wave's threads take the same fragment and run its MFMAs
/// together), `b` left inside it. Lane l's operand row and column are
/// l % 16 of the fragment's, its K group `quarter` = l / 16, and it holds
/// accumulator rows 4 quarter .. + 3 of its column.
struct WaveFragment {
  Value row, column, quarter, accRow;

  static WaveFragment begin(OpBuilder &b, Location loc, int64_t m, int64_t n) {
    const int64_t columnFragments = n / 16, waveLanes = 64;
    scf::ForallOp loop = threadLoop(b, loc, (m / 16) * columnFragments * waveLanes,
                                    /*perWarp=*/false);
    b.setInsertionPointToStart(loop.getBody());
    IndexArith x{b, loc};
    Value iteration = loop.getInductionVar(0);
    // One statement per op: the IR's order is the same with every compiler.
    Value fragment = x.div(iteration, waveLanes), lane = x.rem(iteration, waveLanes);
    Value quarter = x.div(lane, 16), laneRow = x.rem(lane, 16);
    Value firstRow = x.mul(x.div(fragment, columnFragments), 16);
    Value firstColumn = x.mul(x.rem(fragment, columnFragments), 16);
    Value row = x.add(firstRow, laneRow), column = x.add(firstColumn, laneRow);
    Value accRow = x.add(firstRow, x.mul(quarter, 4));
    return {row, column, quarter, accRow};
  }

  /// The lane's four accumulator elements as a vector<4xf32>.
  Value load(OpBuilder &b, Location loc, Value acc) const {
    IndexArith x{b, loc};
    SmallVector<Value> elements;
    for (int64_t e = 0; e < 4; ++e)
      elements.push_back(
          memref::LoadOp::create(b, loc, acc, ValueRange{x.add(accRow, x.index(e)), column}));
    return vector::FromElementsOp::create(b, loc, VectorType::get({4}, b.getF32Type()), elements);
  }

  void store(OpBuilder &b, Location loc, Value acc, Value sum) const {
    IndexArith x{b, loc};
    for (int64_t e = 0; e < 4; ++e) {
      Value element = vector::ExtractOp::create(b, loc, sum, e);
      memref::StoreOp::create(b, loc, element, acc, ValueRange{x.add(accRow, x.index(e)), column});
    }
  }
};

/// Each 16 x 16 fragment of the accumulator a wave's (WaveFragment), one
/// bf16 `amdgpu.mfma` 16x16x16 per 16 of K: lane l's A row and B column at
/// K 4 (l / 16) .. + 3.
void emitMfma(OpBuilder &b, Location loc, const tile_products::TileProduct &p) {
  OpBuilder::InsertionGuard guard(b);
  WaveFragment f = WaveFragment::begin(b, loc, p.m, p.n);
  IndexArith x{b, loc};
  Value kOffset = x.mul(f.quarter, 4);
  Type bf16 = b.getBF16Type();
  auto fourOf = [&](Value tile, Value r, Value c) -> Value {
    SmallVector<Value> elements;
    for (int64_t e = 0; e < 4; ++e)
      elements.push_back(memref::LoadOp::create(b, loc, tile, ValueRange{r, x.add(c, x.index(e))}));
    return vector::FromElementsOp::create(b, loc, VectorType::get({4}, bf16), elements);
  };
  Value init = f.load(b, loc, p.acc);
  auto steps = scf::ForOp::create(b, loc, x.index(0), x.index(p.k), x.index(16), ValueRange{init},
                                  [&](OpBuilder &, Location, Value k, ValueRange acc) {
                                    Value at = x.add(k, kOffset);
                                    Value a = fourOf(p.rows, f.row, at);
                                    Value c = fourOf(p.columns, f.column, at);
                                    Value sum =
                                        amdgpu::MFMAOp::create(b, loc, acc[0].getType(), 16, 16, 16,
                                                               /*blocks=*/1, a, c, acc[0]);
                                    scf::YieldOp::create(b, loc, sum);
                                  });
  f.store(b, loc, p.acc, steps.getResult(0));
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

/// Each 16 x 16 fragment of a block-scaled product's accumulator a wave's
/// (WaveFragment), one gfx950 scaled MFMA 16x16x128 per 128 of K. Lane l
/// holds A row l % 16 at K 32 (l / 16) .. + 31 with that row's scale for
/// those K, B column l % 16 at the same K with its scale (CDNA4's layouts,
/// IREE's MFMA_SCALE_F32_16x16x128_B32). The codes go in as they are: E4M3
/// bytes, E2M1 nibbles low first (the tile's packing is the operand's).
void emitScaledMfma(OpBuilder &b, Location loc, const tile_products::ScaledTileProduct &p) {
  OpBuilder::InsertionGuard guard(b);
  WaveFragment f = WaveFragment::begin(b, loc, p.m, p.n);
  IndexArith x{b, loc};
  Value kBlock = x.mul(f.quarter, 32);
  Type i8 = b.getI8Type();
  // The lane's 32 codes of `tile` from K `at`, as the op's operand type.
  auto codesOf = [&](const tile_products::ScaledTile &tile, Value r, Value at) -> Value {
    const int64_t bytes = tile.fp4 ? 16 : 32;
    Value first = tile.fp4 ? x.div(at, 2) : at;
    SmallVector<Value> elements;
    for (int64_t e = 0; e < bytes; ++e)
      elements.push_back(
          memref::LoadOp::create(b, loc, tile.codes, ValueRange{r, x.add(first, x.index(e))}));
    Value packed = vector::FromElementsOp::create(b, loc, VectorType::get({bytes}, i8), elements);
    Type format =
        tile.fp4 ? Type(b.getType<Float4E2M1FNType>()) : Type(b.getType<Float8E4M3FNType>());
    return vector::BitCastOp::create(b, loc, VectorType::get({32}, format), packed);
  };
  auto scaleOf = [&](const tile_products::ScaledTile &tile, Value r, Value at) -> Value {
    Value byte = memref::LoadOp::create(b, loc, tile.scales, ValueRange{r, x.div(at, tile.block)});
    return arith::BitcastOp::create(b, loc, b.getType<Float8E8M0FNUType>(), byte);
  };
  Value init = f.load(b, loc, p.acc);
  auto steps = scf::ForOp::create(b, loc, x.index(0), x.index(p.k), x.index(128), ValueRange{init},
                                  [&](OpBuilder &, Location, Value k, ValueRange acc) {
                                    Value at = x.add(k, kBlock);
                                    // One statement per operand: the IR's order is the same with
                                    // every compiler.
                                    Value a = codesOf(p.rows, f.row, at);
                                    Value c = codesOf(p.columns, f.column, at);
                                    Value scaleA = scaleOf(p.rows, f.row, at);
                                    Value scaleB = scaleOf(p.columns, f.column, at);
                                    Value sum = amdgpu::ScaledMFMAOp::create(
                                        b, loc, acc[0].getType(), 16, 16, 128, a, c, acc[0], scaleA,
                                        scaleB, /*scalesIdxA=*/0,
                                        /*scalesIdxB=*/0);
                                    scf::YieldOp::create(b, loc, sum);
                                  });
  f.store(b, loc, p.acc, steps.getResult(0));
}

/// Any tile product with each output a thread's: acc[i, j] + the product's
/// own body over K in ascending order (its operands read through its maps).
void emitPerOutputGeneric(OpBuilder &b, Location loc, linalg::GenericOp product, int64_t m,
                          int64_t n, int64_t k) {
  scf::ForallOp loop = threadLoop(b, loc, m * n, /*perWarp=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(loop.getBody());
  IndexArith x{b, loc};
  Value output = loop.getInductionVar(0);
  Value i = x.div(output, n), j = x.rem(output, n);
  Value acc = product.getDpsInits()[0];
  Value init = memref::LoadOp::create(b, loc, acc, ValueRange{i, j});
  auto sum = scf::ForOp::create(
      b, loc, x.index(0), x.index(k), x.index(1), ValueRange{init},
      [&](OpBuilder &, Location, Value kIndex, ValueRange partial) {
        SmallVector<Value> dims = {i, j, kIndex};
        // The maps' results are dimensions, or dimensions divided by a
        // constant (matchScaled's).
        auto indexOf = [&](AffineExpr expr) -> Value {
          if (auto dim = dyn_cast<AffineDimExpr>(expr))
            return dims[dim.getPosition()];
          auto division = cast<AffineBinaryOpExpr>(expr);
          return x.div(dims[cast<AffineDimExpr>(division.getLHS()).getPosition()],
                       cast<AffineConstantExpr>(division.getRHS()).getValue());
        };
        IRMapping mapping;
        Block &body = product.getRegion().front();
        for (OpOperand *input : product.getDpsInputOperands()) {
          SmallVector<Value> indices;
          AffineMap map = product.getMatchingIndexingMap(input);
          for (unsigned r = 0; r < map.getNumResults(); ++r)
            indices.push_back(indexOf(map.getResult(r)));
          mapping.map(body.getArgument(input->getOperandNumber()),
                      memref::LoadOp::create(b, loc, input->get(), indices));
        }
        mapping.map(body.getArguments().back(), partial[0]);
        for (Operation &op : body.without_terminator()) {
          if (auto index = dyn_cast<linalg::IndexOp>(op)) {
            mapping.map(index.getResult(), dims[index.getDim()]);
            continue;
          }
          b.clone(op, mapping);
        }
        scf::YieldOp::create(b, loc, mapping.lookupOrDefault(body.getTerminator()->getOperand(0)));
      });
  memref::StoreOp::create(b, loc, sum.getResult(0), acc, ValueRange{i, j});
}

struct GPUTileProductsPass : impl::GPUTileProductsPassBase<GPUTileProductsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<std::pair<linalg::GenericOp, tile_products::TileProduct>> products;
    SmallVector<std::pair<linalg::GenericOp, tile_products::ScaledTileProduct>> scaledProducts;
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
        else if (std::optional<tile_products::ScaledTileProduct> scaled =
                     tile_products::matchScaled(op))
          scaledProducts.emplace_back(op, *scaled);
      });
    });
    // The matrix units need whole warps (NVIDIA) or waves (AMD's CDNA
    // chips, wave64) in every thread loop iteration they run in.
    const bool nvidia = StringRef(chip).starts_with("sm_") && blockSize % 32 == 0;
    const bool amd = StringRef(chip).starts_with("gfx9") && blockSize % 64 == 0;
    const bool wgmma = hasWgmma(chip);
    for (auto &[op, product] : products) {
      OpBuilder b(op);
      std::optional<WgmmaPlan> plan;
      if (wgmma && product.rows != product.columns && canRelayout(product.rows, op) &&
          canRelayout(product.columns, op))
        plan = planWgmma(product, blockSize);
      if (plan) {
        Value columns = relayout(product.columns, op), rows = relayout(product.rows, op);
        emitWgmma(b, op.getLoc(), product, *plan, columns, rows);
        op.erase();
        // The tiles' old buffers had no other user left.
        for (Value tile : {product.rows, product.columns})
          if (tile.use_empty())
            tile.getDefiningOp()->erase();
        continue;
      }
      if (nvidia && product.m % 16 == 0 && product.n % 8 == 0 && product.k % 16 == 0)
        emitMmaSync(b, op.getLoc(), product);
      else if (amd && product.m % 16 == 0 && product.n % 16 == 0 && product.k % 16 == 0)
        emitMfma(b, op.getLoc(), product);
      else
        emitPerOutput(b, op.getLoc(), product);
      op.erase();
    }
    // Codes and scales as they are on the chips whose matrix units take
    // them; elsewhere (and for shapes or blocks the scaled MFMA does not
    // divide) each output sums the op's own decoded terms.
    const bool scaledMfma = amd && StringRef(chip) == "gfx950";
    for (auto &[op, product] : scaledProducts) {
      OpBuilder b(op);
      if (scaledMfma && product.m % 16 == 0 && product.n % 16 == 0 && product.k % 128 == 0 &&
          product.rows.block % 32 == 0 && product.columns.block % 32 == 0)
        emitScaledMfma(b, op.getLoc(), product);
      else
        emitPerOutputGeneric(b, op.getLoc(), op, product.m, product.n, product.k);
      op.erase();
    }
  }
};

} // namespace
} // namespace sieve
