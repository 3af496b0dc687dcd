//===- V4Types.h - v4 typed cache values --------------------------*- C++ -*-===//
#ifndef SIEVE_V4_IR_V4TYPES_H
#define SIEVE_V4_IR_V4TYPES_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Types.h"

#include "v4/IR/V4TypeInterfaces.h.inc"

#define GET_TYPEDEF_CLASSES
#include "v4/IR/V4Types.h.inc"

namespace sieve::v4 {

/// Compression ratios the dialect accepts: 4 (CSA, overlapping) or a power of
/// two in [8, 128] (HCA; 128 in V4, smaller in the test configs).
bool isValidCompressionRatio(int64_t ratio);

/// The encoded rows' scale blocks (v4-architecture.md 11.2): one E8M0 scale
/// per 64 non-RoPE dims of an FP8 KV row, per 32 values of an MXFP4 key.
constexpr int64_t kKvScaleBlock = 64;
constexpr int64_t kKeyScaleBlock = 32;

/// Bytes of one stored row of `dim` values in `encoding` (bf16, f8E4M3FN
/// with `rope` bf16 dims for KV rows, f8E4M3FN or f4E2M1FN for indexer keys);
/// the layouts of v4-architecture.md section 11.
int64_t kvRowBytes(mlir::Type encoding, int64_t dim, int64_t rope);
int64_t indexerKeyBytes(mlir::Type encoding, int64_t dim);

} // namespace sieve::v4

#endif // SIEVE_V4_IR_V4TYPES_H
