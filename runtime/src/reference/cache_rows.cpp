//===- cache_rows.cpp - How the reference stores one cache row ------------===//

#include "cache_rows.h"

#include "sieve/numerics/block_quant.h"
#include "sieve/numerics/float_formats.h"
#include "sieve/numerics/packing.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace sieve::ref {
namespace {

constexpr int kKvBlock = 64;  // the KV cache's FP8 simulation block (11.2)
constexpr int kKeyBlock = 32; // the indexer keys' FP4 simulation block

void storeBf16(const float *x, int64_t n, uint8_t *dst) {
  for (int64_t i = 0; i < n; ++i) {
    uint16_t bits = num::bf16FromFloat(x[i]);
    std::memcpy(dst + 2 * i, &bits, 2);
  }
}

void loadBf16(const uint8_t *src, int64_t n, float *x) {
  for (int64_t i = 0; i < n; ++i) {
    uint16_t bits;
    std::memcpy(&bits, src + 2 * i, 2);
    x[i] = num::bf16ToFloat(bits);
  }
}

/// Block-scaled codes and E8M0 scales of x[0..n) (DeepSeek's ceil rule, the
/// rule of the values being stored), then decoded back to bf16 values.
void quantizeBlocks(const float *x, int64_t n, num::ElementFormat element, int block,
                    uint8_t *codes, uint8_t *scales) {
  (void)num::quantize(x, size_t(n), {element, num::ScaleRule::kDeepSeekCeil, block}, codes,
                      scales);
}
void dequantizeBlocks(const uint8_t *codes, const uint8_t *scales, int64_t n,
                      num::ElementFormat element, int block, float *x) {
  (void)num::dequantize(codes, scales, size_t(n),
                        {element, num::ScaleRule::kDeepSeekCeil, block}, x);
  for (int64_t i = 0; i < n; ++i)
    x[i] = num::roundToBf16(x[i]);
}

} // namespace

RowCodec RowCodec::kvRows(const io::ModelConfig &c, io::CacheFormat format) {
  if (format == io::CacheFormat::kReferenceBf16)
    return RowCodec(Kind::kBf16, c.headDim, 0, 2 * c.headDim);
  const int64_t nope = c.nopeHeadDim();
  int64_t bytes = nope + 2 * c.ropeHeadDim + nope / kKvBlock;
  return RowCodec(Kind::kFp8Kv, c.headDim, c.ropeHeadDim, (bytes + 7) / 8 * 8);
}

RowCodec RowCodec::indexerKeys(int64_t dim, io::CacheFormat format) {
  switch (format) {
  case io::CacheFormat::kReferenceBf16:
    return RowCodec(Kind::kBf16, dim, 0, 2 * dim);
  case io::CacheFormat::kFp8IndexerFp8:
    return RowCodec(Kind::kFp8Key, dim, 0, dim + 4);
  case io::CacheFormat::kFp8IndexerFp4:
    return RowCodec(Kind::kFp4Key, dim, 0, dim / 2 + dim / kKeyBlock);
  }
  return RowCodec(Kind::kBf16, dim, 0, 2 * dim);
}

void RowCodec::encode(const float *row, uint8_t *dst) const {
  switch (kind_) {
  case Kind::kBf16:
    storeBf16(row, dim_, dst);
    return;
  case Kind::kFp8Kv: {
    const int64_t nope = dim_ - ropeDim_;
    std::vector<float> rounded(row, row + nope);
    for (float &v : rounded)
      v = num::roundToBf16(v);
    quantizeBlocks(rounded.data(), nope, num::ElementFormat::kE4M3, kKvBlock, dst,
                   dst + nope + 2 * ropeDim_);
    storeBf16(row + nope, ropeDim_, dst + nope);
    std::fill(dst + nope + 2 * ropeDim_ + nope / kKvBlock, dst + bytes_, uint8_t(0));
    return;
  }
  case Kind::kFp8Key: {
    // One fp32 scale for the row: amax maps to E4M3's largest value.
    float amax = 0;
    for (int64_t i = 0; i < dim_; ++i)
      amax = std::max(amax, std::fabs(num::roundToBf16(row[i])));
    const float scale = amax > 0 ? amax / num::elementMax(num::ElementFormat::kE4M3) : 1.0f;
    for (int64_t i = 0; i < dim_; ++i)
      dst[i] = num::encodeElement(num::roundToBf16(row[i]) / scale, num::ElementFormat::kE4M3);
    std::memcpy(dst + dim_, &scale, 4);
    return;
  }
  case Kind::kFp4Key: {
    std::vector<float> rounded(row, row + dim_);
    for (float &v : rounded)
      v = num::roundToBf16(v);
    std::vector<uint8_t> codes(static_cast<size_t>(dim_));
    quantizeBlocks(rounded.data(), dim_, num::ElementFormat::kE2M1, kKeyBlock, codes.data(),
                   dst + dim_ / 2);
    (void)num::packE2M1(codes.data(), size_t(dim_), dst);
    return;
  }
  }
}

void RowCodec::decode(const uint8_t *src, float *row) const {
  switch (kind_) {
  case Kind::kBf16:
    loadBf16(src, dim_, row);
    return;
  case Kind::kFp8Kv: {
    const int64_t nope = dim_ - ropeDim_;
    dequantizeBlocks(src, src + nope + 2 * ropeDim_, nope, num::ElementFormat::kE4M3,
                     kKvBlock, row);
    loadBf16(src + nope, ropeDim_, row + nope);
    return;
  }
  case Kind::kFp8Key: {
    float scale;
    std::memcpy(&scale, src + dim_, 4);
    for (int64_t i = 0; i < dim_; ++i)
      row[i] = num::roundToBf16(num::decodeElement(src[i], num::ElementFormat::kE4M3) * scale);
    return;
  }
  case Kind::kFp4Key: {
    std::vector<uint8_t> codes(static_cast<size_t>(dim_));
    (void)num::unpackE2M1(src, size_t(dim_), codes.data());
    dequantizeBlocks(codes.data(), src + dim_ / 2, dim_, num::ElementFormat::kE2M1, kKeyBlock,
                     row);
    return;
  }
  }
}

} // namespace sieve::ref
