//===- TileProducts.h - A bf16 tile product in the kernel IR ------*- C++ -*-===//
//
// acc[M, N] += rows[M, K] x columns[N, K]ᵀ over bf16 tiles with an f32
// accumulator, all static-shaped workgroup buffers: the one linalg op a
// kernel may run outside its thread loops (docs/compiler.md, "Tile
// products"). The CPU lowers it as any contraction; each GPU target gives it
// to the block's threads (sieve-gpu-tile-products), on NVIDIA to mma.sync.
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

} // namespace sieve::tile_products

#endif // SIEVE_CONVERSION_TILEPRODUCTS_H
