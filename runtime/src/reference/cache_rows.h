//===- cache_rows.h - How the reference stores one cache row -----*- C++ -*-===//
//
// Cache rows in the reference's bf16 (v4-architecture.md 11.1) or in the
// production layouts of 11.2: main KV rows of 584 bytes for V4 (E4M3 codes of
// the non-RoPE dims with one E8M0 scale per 64, the RoPE dims in bf16, padded
// to 8 bytes), indexer keys as E4M3 with one fp32 scale or as MXFP4 (E2M1
// pairs with one E8M0 scale per 32). The main rows and the MXFP4 keys repeat
// exactly the blocks and power-of-two scales the reference simulates, so a
// simulated row decodes to the same bf16 values it was encoded from; FP8 keys
// with an fp32 scale are lossy.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "sieve/io/model_schema.h"

#include <cstdint>

namespace sieve::ref {

class RowCodec {
public:
  /// Main KV rows (window ring and compressed entries) of `format`.
  static RowCodec kvRows(const io::ModelConfig &config, io::CacheFormat format);
  /// CSA indexer keys of `dim` values in `format`.
  static RowCodec indexerKeys(int64_t dim, io::CacheFormat format);

  /// Bytes of one stored row.
  int64_t bytes() const { return bytes_; }
  /// Stores row[0 .. dim) at dst[0 .. bytes()).
  void encode(const float *row, uint8_t *dst) const;
  /// The row's values (bf16 values, as the reference holds them).
  void decode(const uint8_t *src, float *row) const;

private:
  enum class Kind : uint8_t {
    kBf16,   // dim bf16 values
    kFp8Kv,  // nope E4M3 codes, rope bf16, nope / 64 E8M0 scales, padding
    kFp8Key, // dim E4M3 codes, one fp32 scale
    kFp4Key  // dim / 2 packed E2M1 pairs, dim / 32 E8M0 scales
  };
  RowCodec(Kind kind, int64_t dim, int64_t ropeDim, int64_t bytes)
      : kind_(kind), dim_(dim), ropeDim_(ropeDim), bytes_(bytes) {}

  Kind kind_;
  int64_t dim_;
  int64_t ropeDim_; // kFp8Kv: the trailing bf16 dims
  int64_t bytes_;
};

} // namespace sieve::ref
