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
// per 16 x 16 fragment, and on sm_100a's tcgen05.mma.block_scale from
// tensor memory (M = 128, transposed as on wgmma); elsewhere one thread
// per output sums its terms.
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

#include "llvm/ADT/DenseMap.h"

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

/// The matrix units' shared-memory operand layout without swizzling,
/// K-major (wgmma's and tcgen05's): "core matrices" of 8 rows of 16 bytes,
/// 128 contiguous bytes each. An operand of [R, K] elements of `bytes` each
/// is kept as [R / 8][K / e] core matrices (e = 16 / bytes elements in a
/// core matrix row), element (r, c) at ((r / 8) (K / e) + c / e) 8e +
/// (r % 8) e + c % e; the descriptor's leading byte offset (the next core
/// matrix in K) is 128 and its stride byte offset (the next 8 rows) 8 K
/// `bytes`.
struct CoreMatrixLayout {
  int64_t k;
  int64_t bytes;
  int64_t rowElements() const { return 16 / bytes; }
  int64_t strideBytes() const { return k * bytes * 8; }
  static constexpr int64_t kLeadingBytes = 128;
};

/// Whether `tile` is a workgroup buffer [rows, K] (an alloca of static
/// shape) that only memref.load, memref.store and `product` use: then its
/// elements can live in a matrix unit's layout instead
/// (sieve-gpu-form-kernels allows workgroup buffers no other users, so the
/// tile form's always are). With `storesOnly`, no loads either.
bool canRelayout(Value tile, Operation *product, bool storesOnly = false) {
  auto alloca = tile.getDefiningOp<memref::AllocaOp>();
  if (!alloca || !alloca.getType().hasStaticShape() || alloca.getType().getRank() != 2)
    return false;
  return llvm::all_of(tile.getUsers(), [&](Operation *user) {
    return user == product || isa<memref::StoreOp>(user) ||
           (!storesOnly && isa<memref::LoadOp>(user));
  });
}

/// E2M1 code `code` (low 4 bits of an i8) as the E4M3FN code of the same
/// value (every E2M1 value is one): magnitudes 0 and 0.5 are 0x00 and
/// 0x30, the others m = 2..7 (1 .. 6) (m + 12) << 2, the sign bit moved
/// from bit 3 to bit 7.
Value e2m1ToE4m3(OpBuilder &b, Location loc, Value code) {
  Type i8 = b.getI8Type();
  auto constant = [&](int64_t v) { return arith::ConstantIntOp::create(b, loc, i8, v); };
  Value magnitude = arith::AndIOp::create(b, loc, code, constant(7));
  Value small = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, magnitude, constant(2));
  Value subnormal = arith::MulIOp::create(b, loc, magnitude, constant(0x30));
  Value biased = arith::AddIOp::create(b, loc, magnitude, constant(12));
  Value normal = arith::ShLIOp::create(b, loc, biased, constant(2));
  Value value = arith::SelectOp::create(b, loc, small, subnormal, normal);
  Value signBit = arith::AndIOp::create(b, loc, code, constant(8));
  Value sign = arith::ShLIOp::create(b, loc, signBit, constant(4));
  return arith::OrIOp::create(b, loc, value, sign);
}

/// How relayout moves a tile: its elements' bytes in the core-matrix
/// layout, `rows` rows (at least the tile's: more leave rows a matrix unit
/// reads but whose results nobody uses), and with `widenE2M1` a tile of
/// E2M1 pairs [R, K / 2] (low nibble first) kept as E4M3FN codes [R, K].
struct Relayout {
  int64_t rows = 0;
  bool widenE2M1 = false;
};

/// Moves `tile`'s elements into a 1-D buffer beside it in the core-matrix
/// layout: every load and store is rewritten to the element's place there,
/// and each thread loop that stores into it ends with a generic-to-async
/// proxy fence (the matrix units read shared memory through the async
/// proxy; the loop's barrier follows). The old buffer is left to the
/// product.
Value relayout(Value tile, Operation *product, Relayout how = {}) {
  auto alloca = tile.getDefiningOp<memref::AllocaOp>();
  MemRefType type = alloca.getType();
  const int64_t rows = std::max(type.getDimSize(0), how.rows);
  const int64_t k = type.getDimSize(1) * (how.widenE2M1 ? 2 : 1);
  const CoreMatrixLayout layout{k, type.getElementTypeBitWidth() / 8};
  const int64_t e = layout.rowElements();
  OpBuilder b(alloca);
  b.setInsertionPointAfter(alloca);
  Location loc = alloca.getLoc();
  Value moved = memref::AllocaOp::create(b, loc, MemRefType::get({rows * k}, type.getElementType()),
                                         ValueRange{}, b.getI64IntegerAttr(16));
  MLIRContext *ctx = b.getContext();
  for (Operation *user : llvm::make_early_inc_range(tile.getUsers())) {
    if (user == product)
      continue;
    b.setInsertionPoint(user);
    IndexArith x{b, user->getLoc()};
    // One statement per op: the IR's order is the same with every compiler.
    auto at = [&](Value r, Value c) {
      Value rowBlock = x.mul(x.div(r, 8), k / e);
      Value core = x.add(rowBlock, x.div(c, e));
      Value coreStart = x.mul(core, 8 * e);
      Value rowStart = x.add(coreStart, x.mul(x.rem(r, 8), e));
      return x.add(rowStart, x.rem(c, e));
    };
    if (auto load = dyn_cast<memref::LoadOp>(user)) {
      Value value = memref::LoadOp::create(b, load.getLoc(), moved,
                                           at(load.getIndices()[0], load.getIndices()[1]));
      load.getResult().replaceAllUsesWith(value);
    } else {
      auto store = cast<memref::StoreOp>(user);
      Location storeLoc = store.getLoc();
      Value r = store.getIndices()[0], c = store.getIndices()[1];
      if (how.widenE2M1) {
        Value pair = store.getValueToStore();
        Value four = arith::ConstantIntOp::create(b, storeLoc, b.getI8Type(), 4);
        Value highCode = arith::ShRUIOp::create(b, storeLoc, pair, four);
        Value low = e2m1ToE4m3(b, storeLoc, pair);
        Value high = e2m1ToE4m3(b, storeLoc, highCode);
        Value first = x.mul(c, 2);
        Value second = x.add(first, x.index(1));
        memref::StoreOp::create(b, storeLoc, low, moved, at(r, first));
        memref::StoreOp::create(b, storeLoc, high, moved, at(r, second));
      } else {
        memref::StoreOp::create(b, storeLoc, store.getValueToStore(), moved, at(r, c));
      }
      Operation *loop = store->getParentOp();
      while (loop && !kernel_contract::isThreadForall(loop))
        loop = loop->getParentOp();
      // One fence a loop, whichever tile's stores it holds.
      Operation *end = loop ? cast<scf::ForallOp>(loop).getBody()->getTerminator() : nullptr;
      if (loop && !isa_and_nonnull<NVVM::FenceProxyOp>(end->getPrevNode())) {
        b.setInsertionPoint(end);
        NVVM::FenceProxyOp::create(b, storeLoc,
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
  const CoreMatrixLayout layout{p.k, /*bytes=*/2};
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

/// How a block-scaled product runs on sm_100a's tcgen05.mma.block_scale
/// (kind::mxf8f6f4, M = 128, K = 32 an instruction), transposed as on
/// wgmma: the columns are the MMA's A (the column tile padded to M = 128
/// rows whose results nobody reads) and the rows its B (N = the row tile),
/// so D[c][r] is acc[r][c]. The tensor memory holds D (N columns from
/// column 0: row c in lane c), then A's scales (4 columns: A row c in lane
/// c % 32 of column c / 32) and B's (one column per 32 rows), each
/// duplicated in all four 32-lane quarters; byte i of a scale word is the
/// scale of K 32i .. 32i + 31, the instruction's scale-factor id.
struct Tcgen05Plan {
  int64_t n;            // the MMA's N: the product's rows
  int64_t instructions; // K / 32
  int64_t scaleAColumn, scaleBColumn, scaleBColumns;
  int64_t columns; // allocated: a power of two, 32 at least
};

/// How `p` runs on tcgen05 in a block of `blockSize` threads, or nothing
/// where it cannot: whole warpgroups (the tensor memory's four lane
/// quarters), at most 128 columns, rows a multiple of 16 up to 256 (N, in
/// loads of 16 columns) in a power of two of 32-row scale words (a
/// tcgen05.st's count), K a multiple of 32 up to 128 (one scale word), and
/// scale blocks of whole instructions.
std::optional<Tcgen05Plan> planTcgen05(const tile_products::ScaledTileProduct &p,
                                       int64_t blockSize) {
  if (blockSize % 128 != 0 || p.n > 128 || p.m % 16 != 0 || p.m > 256 || p.k % 32 != 0 ||
      p.k > 128 || p.rows.block % 32 != 0 || p.columns.block % 32 != 0 ||
      !llvm::isPowerOf2_64(llvm::divideCeil(p.m, 32)))
    return std::nullopt;
  Tcgen05Plan plan;
  plan.n = p.m;
  plan.instructions = p.k / 32;
  plan.scaleAColumn = llvm::alignTo(p.m, 4);
  plan.scaleBColumn = plan.scaleAColumn + 4;
  plan.scaleBColumns = llvm::divideCeil(p.m, 32);
  plan.columns = std::max<int64_t>(32, llvm::PowerOf2Ceil(plan.scaleBColumn + plan.scaleBColumns));
  return plan;
}

/// acc[M, N] += the block-scaled product on tcgen05 (Tcgen05Plan), from the
/// operands' codes in the core-matrix layout (relayout; `columns` with 128
/// rows). Five thread loops, each closed by the block's barrier with
/// tcgen05's fences around it: warp 0 allocates the tensor memory and
/// thread 0 sets up an mbarrier; warps 0-3 store the scale words into
/// their lane quarters; thread 0 issues the K / 32 MMAs and commits them to
/// the mbarrier; the warps holding D's lanes wait for it and add D to the
/// accumulator; warp 0 frees the tensor memory and the mbarrier.
void emitTcgen05(OpBuilder &b, Location loc, const tile_products::ScaledTileProduct &p,
                 const Tcgen05Plan &plan, Value columns, Value rows) {
  MLIRContext *ctx = b.getContext();
  IndexArith x{b, loc};
  Type i1 = b.getI1Type(), i32 = b.getI32Type(), i64 = b.getI64Type();
  auto sharedPtr = LLVM::LLVMPointerType::get(ctx, 3);
  auto tensorPtr = LLVM::LLVMPointerType::get(ctx, 6);
  auto constant32 = [&](int64_t v) { return arith::ConstantIntOp::create(b, loc, i32, v); };
  auto constant64 = [&](int64_t v) { return arith::ConstantIntOp::create(b, loc, i64, v); };
  auto addressOf = [&](Value buffer) -> Value {
    Value pointer = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, buffer);
    return arith::IndexCastUIOp::create(b, loc, i64, pointer);
  };
  auto cta1 = NVVM::CTAGroupKindAttr::get(ctx, NVVM::CTAGroupKind::CTA_1);
  auto fence = [&](NVVM::Tcgen05FenceKind kind) {
    NVVM::Tcgen05FenceOp::create(b, loc, NVVM::Tcgen05FenceKindAttr::get(ctx, kind));
  };
  auto shape32x32 = NVVM::Tcgen05LdStShapeAttr::get(ctx, NVVM::Tcgen05LdStShape::SHAPE_32X32B);

  // The allocation's address (written by tcgen05.alloc) and the mbarrier,
  // workgroup buffers beside the tiles.
  Value slot, barrier;
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointAfterValue(rows);
    slot = memref::AllocaOp::create(b, loc, MemRefType::get({1}, i32));
    barrier = memref::AllocaOp::create(b, loc, MemRefType::get({1}, i64), ValueRange{},
                                       b.getI64IntegerAttr(8));
  }
  auto sharedPointer = [&](Value buffer) -> Value {
    return LLVM::IntToPtrOp::create(b, loc, sharedPtr, addressOf(buffer));
  };
  Value columnCount = constant32(plan.columns);
  // A thread loop of `count` iterations (thread i the i-th), `b` inside it.
  auto loop = [&](int64_t count) -> Value {
    scf::ForallOp forall = threadLoop(b, loc, count, /*perWarp=*/false);
    b.setInsertionPointToStart(forall.getBody());
    return forall.getInductionVar(0);
  };
  auto ifFirst = [&](Value thread, llvm::function_ref<void()> body) {
    Value first = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, thread, x.index(0));
    auto branch = scf::IfOp::create(b, loc, first, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(branch.thenBlock());
    body();
  };
  auto base = [&]() -> Value {
    return memref::LoadOp::create(b, loc, slot, ValueRange{x.index(0)});
  };
  // The tensor memory address `column` columns into the allocation, in the
  // lane quarter of thread `thread`'s warp.
  auto quarterAddress = [&](Value start, Value thread, int64_t column) -> Value {
    Value quarter = arith::IndexCastUIOp::create(b, loc, i32, x.mul(x.div(thread, 32), 32));
    Value lane = arith::ShLIOp::create(b, loc, quarter, constant32(16));
    Value address = arith::AddIOp::create(b, loc, start, lane);
    return arith::AddIOp::create(b, loc, address, constant32(column));
  };
  auto tensorPointer = [&](Value address) -> Value {
    return LLVM::IntToPtrOp::create(b, loc, tensorPtr, address);
  };
  OpBuilder::InsertionGuard guard(b);
  Block *block = b.getInsertionBlock();
  Block::iterator at = b.getInsertionPoint();
  auto next = [&]() { b.setInsertionPoint(block, at); };

  // 1. Warp 0 allocates; thread 0 sets up the mbarrier for one arrival.
  Value thread = loop(32);
  NVVM::Tcgen05AllocOp::create(b, loc, sharedPointer(slot), columnCount, cta1);
  ifFirst(thread, [&] {
    Value barrierPointer = sharedPointer(barrier);
    Value one = constant32(1);
    NVVM::MBarrierInitOp::create(b, loc, barrierPointer, one, Value());
    // The commit arrives from the tensor cores, outside the block's threads.
    NVVM::FenceMbarrierInitOp::create(b, loc);
  });
  fence(NVVM::Tcgen05FenceKind::BEFORE_THREAD_SYNC);
  next();

  // 2. Each of warps 0-3 stores the scale words into its lane quarter:
  // thread t's word j is the scales of A row 32 j + t % 32 (4 words) and B
  // row 32 j + t % 32. Rows past the tile's get scale 1 (127).
  thread = loop(128);
  fence(NVVM::Tcgen05FenceKind::AFTER_THREAD_SYNC);
  Value start = base();
  Value lane = x.rem(thread, 32);
  auto scaleWord = [&](const tile_products::ScaledTile &tile, int64_t tileRows, Value row) {
    Value inTile = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, row, x.index(tileRows));
    Value clamped = arith::MinUIOp::create(b, loc, row, x.index(tileRows - 1));
    Value word = constant32(0);
    for (int64_t i = 0; i < 4; ++i) {
      Value byte = constant32(127);
      if (i < plan.instructions) {
        Value scale = memref::LoadOp::create(b, loc, tile.scales,
                                             ValueRange{clamped, x.index(32 * i / tile.block)});
        Value widened = arith::ExtUIOp::create(b, loc, i32, scale);
        byte = arith::SelectOp::create(b, loc, inTile, widened, byte);
      }
      Value shifted = arith::ShLIOp::create(b, loc, byte, constant32(8 * i));
      word = arith::OrIOp::create(b, loc, word, shifted);
    }
    return word;
  };
  auto storeWords = [&](const tile_products::ScaledTile &tile, int64_t tileRows, int64_t words,
                        int64_t column) {
    SmallVector<Value> values;
    for (int64_t j = 0; j < words; ++j)
      values.push_back(scaleWord(tile, tileRows, x.add(lane, x.index(32 * j))));
    Value value =
        values.size() == 1
            ? values[0]
            : vector::FromElementsOp::create(b, loc, VectorType::get({words}, i32), values);
    Value address = tensorPointer(quarterAddress(start, thread, column));
    NVVM::Tcgen05StOp::create(b, loc, UnitAttr(), shape32x32, address, value, Value());
  };
  storeWords(p.columns, p.n, 4, plan.scaleAColumn);
  storeWords(p.rows, p.m, plan.scaleBColumns, plan.scaleBColumn);
  NVVM::Tcgen05WaitOp::create(b, loc,
                              NVVM::Tcgen05WaitKindAttr::get(ctx, NVVM::Tcgen05WaitKind::STORE));
  fence(NVVM::Tcgen05FenceKind::BEFORE_THREAD_SYNC);
  next();

  // 3. Thread 0 issues the MMAs, instruction i over K 32i .. 32i + 31 with
  // scale byte i (the instruction descriptor's ids, and bits 30-31 of the
  // scale addresses, as CUTLASS writes them), and commits them.
  loop(1);
  fence(NVVM::Tcgen05FenceKind::AFTER_THREAD_SYNC);
  start = base();
  // tcgen05's shared memory descriptor: (address & 0x3FFFF) >> 4 in bits
  // 0-13, the leading byte offset >> 4 in 16-29, the stride byte offset
  // >> 4 in 32-45, bit 46 set (the descriptor's version); no swizzle.
  const CoreMatrixLayout layout{p.k, /*bytes=*/1};
  Value window = constant64(0x3FFFF), encode = constant64(4);
  Value fields = constant64((CoreMatrixLayout::kLeadingBytes >> 4) << 16 |
                            (layout.strideBytes() >> 4) << 32 | int64_t(1) << 46);
  Value columnsAddress = addressOf(columns), rowsAddress = addressOf(rows);
  auto descriptor = [&](Value address, int64_t instruction) -> Value {
    // Each instruction's 32 of K are two core matrices further.
    Value at = arith::AddIOp::create(b, loc, address,
                                     constant64(2 * instruction * CoreMatrixLayout::kLeadingBytes));
    Value masked = arith::AndIOp::create(b, loc, at, window);
    Value encoded = arith::ShRUIOp::create(b, loc, masked, encode);
    return arith::OrIOp::create(b, loc, encoded, fields);
  };
  Value d = tensorPointer(start);
  for (int64_t i = 0; i < plan.instructions; ++i) {
    // E4M3 x E4M3 (formats 0), K-major, N >> 3 at bit 17, UE8M0 scales (bit
    // 23), M >> 7 = 1 at bit 27, the scale ids at bits 4 (B) and 29 (A).
    const int64_t instruction =
        i << 4 | (plan.n >> 3) << 17 | int64_t(1) << 23 | int64_t(1) << 27 | i << 29;
    Value scaleId = constant32(i << 30);
    Value scaleA = arith::AddIOp::create(b, loc, start, constant32(plan.scaleAColumn));
    scaleA = arith::OrIOp::create(b, loc, scaleA, scaleId);
    Value scaleB = arith::AddIOp::create(b, loc, start, constant32(plan.scaleBColumn));
    scaleB = arith::OrIOp::create(b, loc, scaleB, scaleId);
    Value descriptorA = descriptor(columnsAddress, i);
    Value descriptorB = descriptor(rowsAddress, i);
    Value accumulate = arith::ConstantIntOp::create(b, loc, i1, i > 0);
    Value descriptorI = constant32(instruction);
    Value scaleAPointer = tensorPointer(scaleA);
    Value scaleBPointer = tensorPointer(scaleB);
    NVVM::Tcgen05MMABlockScaleOp::create(
        b, loc, NVVM::MMABlockScaleKindAttr::get(ctx, NVVM::MMABlockScaleKind::MXF8F6F4), cta1,
        NVVM::Tcgen05MMABlockScaleAttr::get(ctx, NVVM::Tcgen05MMABlockScale::BLOCK32),
        NVVM::Tcgen05MMACollectorOpAttr::get(ctx, NVVM::Tcgen05MMACollectorOp::DISCARD), d,
        descriptorA, descriptorB, descriptorI, accumulate, scaleAPointer, scaleBPointer);
  }
  NVVM::Tcgen05CommitOp::create(b, loc, sharedPointer(barrier), Value(), cta1);
  next();

  // 4. The warps holding D's lanes (the tile's columns) wait for the MMAs,
  // then add D to the accumulator: thread c reads lane c, 16 columns (rows
  // of the tile) a load.
  thread = loop(llvm::alignTo(p.n, 32));
  Value barrierPointer = sharedPointer(barrier);
  scf::WhileOp::create(
      b, loc, TypeRange{}, ValueRange{},
      [&](OpBuilder &, Location, ValueRange) {
        Value done = NVVM::MBarrierTryWaitOp::create(
            b, loc, i1, barrierPointer, constant32(0), Value(),
            NVVM::MemScopeKindAttr::get(ctx, NVVM::MemScopeKind::CTA));
        Value always = arith::ConstantIntOp::create(b, loc, i1, 1);
        Value waiting = arith::XOrIOp::create(b, loc, done, always);
        scf::ConditionOp::create(b, loc, waiting, ValueRange{});
      },
      [&](OpBuilder &, Location, ValueRange) { scf::YieldOp::create(b, loc); });
  fence(NVVM::Tcgen05FenceKind::AFTER_THREAD_SYNC);
  start = base();
  // A load's 16 registers added before the next load (waited for one at a
  // time: 16 live registers, not N).
  Value inTile = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, thread, x.index(p.n));
  for (int64_t first = 0; first < plan.n; first += 16) {
    Value address = tensorPointer(quarterAddress(start, thread, first));
    Value sums = NVVM::Tcgen05LdOp::create(b, loc, VectorType::get({16}, i32), UnitAttr(),
                                           shape32x32, address, Value());
    NVVM::Tcgen05WaitOp::create(b, loc,
                                NVVM::Tcgen05WaitKindAttr::get(ctx, NVVM::Tcgen05WaitKind::LOAD));
    auto add = scf::IfOp::create(b, loc, inTile, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard addGuard(b);
    b.setInsertionPointToStart(add.thenBlock());
    for (int64_t r = first; r < first + 16; ++r) {
      Value bits = vector::ExtractOp::create(b, loc, sums, r - first);
      Value product = arith::BitcastOp::create(b, loc, b.getF32Type(), bits);
      Value row = x.index(r);
      Value old = memref::LoadOp::create(b, loc, p.acc, ValueRange{row, thread});
      Value sum = arith::AddFOp::create(b, loc, old, product);
      memref::StoreOp::create(b, loc, sum, p.acc, ValueRange{row, thread});
    }
  }
  fence(NVVM::Tcgen05FenceKind::BEFORE_THREAD_SYNC);
  next();

  // 5. Warp 0 frees the tensor memory; thread 0 invalidates the mbarrier
  // (the next product sets it up again).
  thread = loop(32);
  fence(NVVM::Tcgen05FenceKind::AFTER_THREAD_SYNC);
  start = base();
  NVVM::Tcgen05DeallocOp::create(b, loc, tensorPointer(start), columnCount, cta1);
  ifFirst(thread, [&] { NVVM::MBarrierInvalOp::create(b, loc, sharedPointer(barrier)); });
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
    const bool tcgen05 = nvidia && hasTcgen05(chip);
    SmallVector<std::optional<Tcgen05Plan>> plans;
    // A kernel allocates the same tensor memory for each of its products:
    // the ISA forbids an allocation larger than the one before it.
    llvm::DenseMap<Operation *, int64_t> kernelColumns;
    for (auto &[op, product] : scaledProducts) {
      std::optional<Tcgen05Plan> &plan = plans.emplace_back();
      if (tcgen05 && product.rows.codes != product.columns.codes &&
          canRelayout(product.rows.codes, op, /*storesOnly=*/product.rows.fp4) &&
          canRelayout(product.columns.codes, op, /*storesOnly=*/product.columns.fp4))
        plan = planTcgen05(product, blockSize);
      if (plan) {
        int64_t &columns = kernelColumns[op->getParentOfType<func::FuncOp>()];
        columns = std::max(columns, plan->columns);
      }
    }
    for (auto [entry, plan] : llvm::zip(scaledProducts, plans)) {
      auto &[op, product] = entry;
      OpBuilder b(op);
      if (plan)
        plan->columns = kernelColumns[op->getParentOfType<func::FuncOp>()];
      if (plan) {
        Value columns = relayout(product.columns.codes, op, {128, product.columns.fp4});
        Value rows = relayout(product.rows.codes, op, {0, product.rows.fp4});
        emitTcgen05(b, op.getLoc(), product, *plan, columns, rows);
        op.erase();
        for (Value tile : {product.rows.codes, product.columns.codes})
          if (tile.use_empty())
            tile.getDefiningOp()->erase();
        continue;
      }
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
