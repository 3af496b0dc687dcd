//===- OpKernels.h - One v4 op as one kernel of the kernel IR -----*- C++ -*-===//
//
// The per-op kernel emitters dispatch formation builds on, and what the
// conformance suite compiles alone. A kernel (docs/compiler.md, "Kernel IR")
// takes the values kernelBindings() names and then its results as byte
// bindings, in order, and the i32 push constants its sieve.push_constants
// attribute describes. Ops without an emitter are a diagnostic at the op.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_CONVERSION_V4TOKERNELS_OPKERNELS_H
#define SIEVE_CONVERSION_V4TOKERNELS_OPKERNELS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/Support/LLVM.h"

namespace sieve {

/// Output columns per workgroup of the block-scaled GEMMs (fp8_matmul,
/// mxfp4_matmul, dense and grouped): a workgroup is one activation row and
/// one tile of this many outputs, so a one-token GEMV still spreads over
/// N / 512 workgroups (the CPU's threads; a GPU's blocks), while a fused
/// norm or quantization, redone per tile, stays a small share (compiler.md,
/// "Workgroup tiles"). Target-agnostic: it fixes the workgroup count the
/// host computes.
constexpr int64_t kGemmColumnTile = 512;
/// A one-row GEMV of few outputs still spreads over this many workgroups:
/// its tile shrinks (to no less than kGemmMinColumnTile, in steps of 64)
/// until it does, so a 512-output projection of a decode step runs on four
/// threads rather than one. The grouped GEMMs (routed experts) keep
/// kGemmColumnTile: their rows are the routed token copies, which already
/// spread, and each row's fused quantization stays once per row.
constexpr int64_t kGemmMinWorkgroups = 4;
constexpr int64_t kGemmMinColumnTile = 128;

/// The widest tile of a module with GPU code (the module attribute
/// kGemmColumnTileAttr, set by sieve-form-dispatches from its option): the
/// workgroup count is the host program's, shared by every executable, and a
/// GPU needs blocks for its many SMs (a 4096-output decode GEMV in tiles of
/// 512 is 8 blocks on a 132-SM H100; in tiles of 64, 64 blocks of 8 warps,
/// each output column a warp's). The CPU executable of such a module runs
/// the same, smaller workgroups.
constexpr int64_t kGpuGemmColumnTile = 64;
constexpr llvm::StringLiteral kGemmColumnTileAttr = "sieve.gemm_column_tile";
/// The kGemmColumnTileAttr of the module holding `op`, or 0.
int64_t moduleGemmColumnTile(mlir::Operation *op);

/// Outputs per workgroup of an ungrouped GEMM with `n` outputs (n <= 0: not
/// known at compile time, the widest tile); `widest` replaces
/// kGemmColumnTile when positive (a module with GPU code).
constexpr int64_t gemmColumnTile(int64_t n, int64_t widest = 0) {
  if (widest > 0)
    return n > 0 && n < widest ? n : widest;
  if (n <= 0)
    return kGemmColumnTile;
  const int64_t share = (n + kGemmMinWorkgroups - 1) / kGemmMinWorkgroups;
  const int64_t tile = (share + 63) / 64 * 64;
  return tile < kGemmMinColumnTile ? kGemmMinColumnTile
         : tile > kGemmColumnTile  ? kGemmColumnTile
                                   : tile;
}

/// Outputs per workgroup of a block-scaled GEMM kernel with `n` outputs:
/// gemmColumnTile, or kGemmColumnTile when grouped, never more than n;
/// `widest` as for gemmColumnTile.
constexpr int64_t gemmTile(int64_t n, bool grouped, int64_t widest = 0) {
  const int64_t tile = widest > 0 ? widest : grouped ? kGemmColumnTile : gemmColumnTile(n);
  return n < tile ? n : tile;
}

/// Activation rows per workgroup of an ungrouped block-scaled GEMM: the
/// rows of a decode batch (or a prompt) share each weight tile, whose codes
/// a target may then decode once for all of them (the CPU's vectorizer jams
/// the rows' sums). Grouped GEMMs keep one row per workgroup: each row has
/// its own expert.
/// Rows are grouped only where the group's stack buffers (each row's decoded
/// activation, and its normalized input when a norm is fused) fit
/// kGemmRowBufferBytes: on the CPU the jammed rows are re-read for every
/// output column and must stay in L1 next to the weight stream (four rows
/// of K = 4096, 32 KiB, made the 4096 x 4096 FP8 GEMV of four rows 1.3x
/// slower, K <= 2048 1.05-1.7x faster; docs/performance.md), and a GPU keeps
/// them in shared memory.
constexpr int64_t kGemmRowGroup = 4;
constexpr int64_t kGemmRowBufferBytes = 16 * 1024;
constexpr int64_t gemmRowGroup(bool grouped, int64_t rowBufferBytes = 0) {
  return grouped || kGemmRowGroup * rowBufferBytes > kGemmRowBufferBytes ? 1 : kGemmRowGroup;
}

/// The workgroups of a GEMM kernel over `rows` rows and `n` outputs: each
/// group of gemmRowGroup(grouped, rowBufferBytes) rows' outputs in tiles of
/// gemmTile; `rowBufferBytes` is what the kernel keeps per row (K bf16, and
/// K more of the norm's element with a fused norm; 0: small enough to
/// group). Callers that launch a kernel themselves (tests, benchmarks) size
/// the grid with it; the compiler's host programs compute it from the
/// kernel.
constexpr int64_t gemmWorkgroups(int64_t rows, int64_t n, bool grouped = false,
                                 int64_t rowBufferBytes = 0) {
  const int64_t tile = gemmTile(n, grouped), group = gemmRowGroup(grouped, rowBufferBytes);
  return (rows + group - 1) / group * ((n + tile - 1) / tile);
}
/// The tile form of an ungrouped block-scaled GEMM in a module with GPU code
/// (docs/compiler.md, "Tile products"): a workgroup takes `rowTile` rows
/// and one column tile, and per step of K decodes the rows' activations and
/// the tile's weights into bf16 tiles in workgroup memory and adds their
/// product to an f32 accumulator tile (a linalg op each GPU target lowers to
/// its matrix units); a lone row still runs the GEMV. The row tile is the
/// module's kGemmRowTileAttr (kGpuGemmRowTile unless the compiler is told
/// otherwise; 0 or absent: no tile form). gpuGemmTileK is the K step, or 0
/// where the form does not apply: no row tile, a column tile that is not a
/// multiple of 8 or wider than 64 (the weight tile's workgroup memory), an
/// activation block that is not a multiple of 16 (a matrix unit's K), or
/// more workgroup memory with the GEMV's own row buffers (`rowBufferBytes`)
/// than a block may have statically.
constexpr int64_t kGpuGemmRowTile = 16;
constexpr int64_t kGpuGemmMaxRowTile = 64;
constexpr llvm::StringLiteral kGemmRowTileAttr = "sieve.gemm_row_tile";
constexpr int64_t kGpuStaticWorkgroupBytes = 48 * 1024;
/// The kGemmRowTileAttr of the module holding `op`, or 0.
int64_t moduleGemmRowTile(mlir::Operation *op);
/// The tile form's operands as codes and E8M0 scales instead of decoded bf16
/// (tile_products::emitScaled), for modules whose GPU chips all multiply
/// them as they are (gfx950's scaled MFMA): a unit attribute of the module.
constexpr llvm::StringLiteral kGemmScaledTilesAttr = "sieve.gemm_scaled_tiles";
bool moduleGemmScaledTiles(mlir::Operation *op);
constexpr int64_t gpuGemmTileK(int64_t rowTile, int64_t columnTile, int64_t k, int64_t actBlock,
                               int64_t rowBufferBytes) {
  if (rowTile <= 0 || rowTile % 16 != 0 || columnTile % 8 != 0 || columnTile > 64 ||
      actBlock % 16 != 0 || k % actBlock != 0)
    return 0;
  int64_t step = actBlock;
  while (step < 128 && k % (2 * step) == 0)
    step *= 2;
  const int64_t tileBytes = (rowTile + columnTile) * step * 2 + rowTile * columnTile * 4 + 64;
  return tileBytes + rowBufferBytes > kGpuStaticWorkgroupBytes ? 0 : step;
}
/// The workgroups of a block-scaled GEMM's tile form (rows in tiles of
/// `rowTile`, outputs in tiles of `columnTile`).
constexpr int64_t gpuGemmTileWorkgroups(int64_t rows, int64_t n, int64_t rowTile,
                                        int64_t columnTile) {
  return (rows + rowTile - 1) / rowTile * ((n + columnTile - 1) / columnTile);
}

/// Outputs per workgroup of v4.grouped_linear: a workgroup is one token,
/// one group and one tile of this many of the group's outputs (wo_a of one
/// decode token: groups * rank / 64 workgroups).
constexpr int64_t kGroupedLinearOutputTile = 64;
/// Keys per workgroup of the indexer score for one-token queries (fusion
/// row 4, split form): a row's keys spread over ceil(capacity / 256)
/// workgroups, so a decode step's few query rows still fill every thread
/// (32 workgroups per row at 8,192 visible keys).
constexpr int64_t kIndexerScoreChunk = 256;

/// Kernel function attributes (DenseI64ArrayAttr of binding numbers) the
/// module records per kernel for traffic figures: bindings read one row per
/// index (a table lookup), and expert stacks read only for the experts the
/// group offsets give rows.
constexpr llvm::StringLiteral kGatheredBindingsAttr = "sieve.gathered_bindings";
constexpr llvm::StringLiteral kRoutedBindingsAttr = "sieve.routed_bindings";

/// Builds kernel `name` computing `op` at `builder`'s insertion point (in a
/// module). The kernel's workgroups and their count follow the op: one row
/// per workgroup for row-wise ops, row and column tile for the GEMMs.
mlir::FailureOr<mlir::func::FuncOp> emitOpKernel(mlir::Operation *op, llvm::StringRef name,
                                                  mlir::OpBuilder &builder);

/// The values `op`'s kernel binds, in order; the kernel binds its untied
/// results after them. Tensor and cache operands, except: a linalg op's
/// initial value (made in the kernel), an insert_slice into an empty tensor
/// (not read), and the tensors a tensor.generate body reads (not operands).
llvm::SmallVector<mlir::Value> kernelBindings(mlir::Operation *op);

} // namespace sieve

#endif // SIEVE_CONVERSION_V4TOKERNELS_OPKERNELS_H
