//===- CacheRows.h - One cache row, encoded and decoded in a kernel -*- C++ -*-===//
//
// Private to SieveV4ToKernels: how a cache type stores a row, as kernel IR
// (the reference's RowCodec, runtime/src/reference/cache_rows.h, in integer
// arithmetic). bf16 rows; FP8 KV rows (E4M3 codes of the non-RoPE dims with
// one E8M0 scale per 64 by the ceil rule, the RoPE dims in bf16, zero
// padding); FP8 indexer keys (E4M3 codes, one fp32 scale: amax / 448); MXFP4
// keys (E2M1 pairs, one E8M0 scale per 32). Values decode to the bf16 values
// the reference holds. The storage is the cache binding's view: [B, R, D]
// bf16, or [B, R, bytes] i8 for the encoded layouts.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_LIB_CONVERSION_V4TOKERNELS_CACHEROWS_H
#define SIEVE_LIB_CONVERSION_V4TOKERNELS_CACHEROWS_H

#include "mlir/IR/Builders.h"

namespace sieve::detail {

class CacheRowCodec {
public:
  /// The rows of `cacheType` (a window, compressed or indexer-key cache).
  static CacheRowCodec of(mlir::Type cacheType);

  /// The f32 value (a bf16 value) of element `i` of row [cacheRow, row].
  mlir::Value load(mlir::OpBuilder &b, mlir::Location loc, mlir::Value storage,
                   mlir::Value cacheRow, mlir::Value row, mlir::Value i) const;
  /// Stores row [cacheRow, row] from `valueOf(i)` (f32 or bf16, i < dim),
  /// rounded to bf16 and encoded as the reference encodes it, in thread
  /// loops of the workgroup (so not from inside one).
  void storeRow(mlir::OpBuilder &b, mlir::Location loc, mlir::Value storage, mlir::Value cacheRow,
                mlir::Value row, llvm::function_ref<mlir::Value(mlir::Value)> valueOf) const;

  int64_t dim() const { return dim_; }
  /// Whether load() is the widening of a stored bf16 value.
  bool storesBf16() const { return kind_ == Kind::Bf16; }

private:
  enum class Kind { Bf16, Fp8Kv, Fp8Key, Fp4Key };
  CacheRowCodec(Kind kind, int64_t dim, int64_t rope, int64_t bytes)
      : kind_(kind), dim_(dim), rope_(rope), bytes_(bytes) {}

  Kind kind_;
  int64_t dim_;
  int64_t rope_;  // Fp8Kv: the trailing bf16 dims
  int64_t bytes_; // of one stored row
};

} // namespace sieve::detail

#endif // SIEVE_LIB_CONVERSION_V4TOKERNELS_CACHEROWS_H
