//===- TileProducts.h - Tile products in the kernel IR ------------*- C++ -*-===//
//
// acc[M, N] += rows[M, K] x columns[N, K]ᵀ with an f32 accumulator, all
// static-shaped workgroup buffers: the one linalg op a kernel may run
// outside its thread loops (docs/compiler.md, "Tile products"). Its operands
// are bf16 tiles, or (the block-scaled form) small-float codes with an E8M0
// scale per K block, which a chip with block-scaled matrix units multiplies
// as they are. The CPU lowers either as any contraction; each GPU target
// gives it to the block's threads (sieve-gpu-tile-products).
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_CONVERSION_TILEPRODUCTS_H
#define SIEVE_CONVERSION_TILEPRODUCTS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <optional>

namespace sieve::tile_products {

/// Emits the product at `b`'s insertion point: a linalg.generic reading
/// `rows` and `columns`, adding to `acc`.
void emit(mlir::OpBuilder &b, mlir::Location loc, mlir::Value rows, mlir::Value columns,
          mlir::Value acc);

struct TileProduct {
  mlir::Value rows, columns, acc;
  int64_t m, n, k;
};
/// `op`'s operands and sizes when it is such a product.
std::optional<TileProduct> match(mlir::linalg::GenericOp op);

/// One operand of a block-scaled tile product: `codes` [R, K] bytes of E4M3
/// codes, or [R, K / 2] of E2M1 codes two per byte (element 2i in the low
/// nibble, as the checkpoint packs them); `scales` [R, K / block] E8M0
/// bytes, one per `block` codes of a row.
struct ScaledTile {
  mlir::Value codes, scales;
  bool fp4;
  int64_t block;
};

struct ScaledTileProduct {
  ScaledTile rows, columns;
  mlir::Value acc;
  int64_t m, n, k;
};

/// A term's value from its code and scale byte (each in the low bits of an
/// i32): decode(code) x 2^(scale - 127), NaN for the scale 0xFF.
using TermBuilder = llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                                   mlir::Value code, mlir::Value scale, bool fp4)>;

/// Emits the block-scaled product at `b`'s insertion point: a linalg.generic
/// reading both operands' codes and scales (marked kScaledProduct with their
/// formats), whose body adds term(row) x term(column) to `acc`.
void emitScaled(mlir::OpBuilder &b, mlir::Location loc, const ScaledTile &rows,
                const ScaledTile &columns, mlir::Value acc, TermBuilder term);

/// `op`'s operands and sizes when it is a block-scaled product emitScaled
/// made.
std::optional<ScaledTileProduct> matchScaled(mlir::linalg::GenericOp op);

/// Replaces `op` (`product` its matchScaled) by the bf16 product of its
/// operands decoded into bf16 tiles beside it (each term exact in bf16, as
/// the bf16 tile form's): two elementwise linalg.generics running the
/// product's own decode of each operand, then emit(). What a target
/// without scaled matrix units multiplies: (M + N) K decodes, not M N K.
void decodeScaled(mlir::OpBuilder &b, mlir::linalg::GenericOp op, const ScaledTileProduct &product);

/// The attribute marking a block-scaled product: [rows fp4, rows block,
/// columns fp4, columns block].
constexpr llvm::StringLiteral kScaledProduct = "sieve.scaled_tile_product";

} // namespace sieve::tile_products

#endif // SIEVE_CONVERSION_TILEPRODUCTS_H
