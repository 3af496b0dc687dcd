// Cache rows in the production FP8 layouts (v4-architecture.md 11.2): sizes,
// and exact round trips of rows the reference has already simulated.
#include "cache_rows.h"
#include "ops.h"

#include "sieve/numerics/block_quant.h"
#include "sieve/numerics/float_formats.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace sieve::ref {
namespace {

io::ModelConfig v4Attention() {
  io::ModelConfig c;
  c.headDim = 512;
  c.ropeHeadDim = 64;
  c.indexHeadDim = 128;
  return c;
}

std::vector<float> randomRow(std::mt19937 &rng, int64_t n, float spread) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> row(static_cast<size_t>(n));
  for (float &v : row)
    v = normal(rng) * spread;
  return row;
}

TEST(CacheRows, SizesAreThoseOfSection11) {
  io::ModelConfig c = v4Attention();
  EXPECT_EQ(RowCodec::kvRows(c, io::CacheFormat::kReferenceBf16).bytes(), 1024);
  // 448 E4M3 + 64 * 2 bf16 + 7 scales, padded to 8.
  EXPECT_EQ(RowCodec::kvRows(c, io::CacheFormat::kFp8IndexerFp8).bytes(), 584);
  EXPECT_EQ(RowCodec::indexerKeys(128, io::CacheFormat::kReferenceBf16).bytes(), 256);
  EXPECT_EQ(RowCodec::indexerKeys(128, io::CacheFormat::kFp8IndexerFp8).bytes(), 132);
  EXPECT_EQ(RowCodec::indexerKeys(128, io::CacheFormat::kFp8IndexerFp4).bytes(), 68);
}

TEST(CacheRows, SimulatedKvRowsAreStoredExactlyInFp8) {
  // The reference's KV row: the non-RoPE dims FP8-simulated in blocks of 64,
  // the RoPE dims bf16. The FP8 layout stores exactly those values.
  io::ModelConfig c = v4Attention();
  RowCodec fp8 = RowCodec::kvRows(c, io::CacheFormat::kFp8IndexerFp4);
  std::mt19937 rng(3);
  std::vector<uint8_t> stored(static_cast<size_t>(fp8.bytes()));
  std::vector<float> back(512);
  for (float spread : {1e-3f, 0.5f, 1.0f, 37.0f, 3e4f}) {
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<float> row = randomRow(rng, 512, spread);
      fp8Sim64(row.data(), 448);
      for (int64_t i = 448; i < 512; ++i)
        row[size_t(i)] = num::roundToBf16(row[size_t(i)]);
      fp8.encode(row.data(), stored.data());
      fp8.decode(stored.data(), back.data());
      ASSERT_EQ(back, row) << "spread " << spread;
    }
  }
  // An all-zero block (and row) round-trips too.
  std::vector<float> zeros(512, 0.0f);
  fp8.encode(zeros.data(), stored.data());
  fp8.decode(stored.data(), back.data());
  EXPECT_EQ(back, zeros);
}

TEST(CacheRows, SimulatedIndexerKeysAreStoredExactlyInMxfp4) {
  RowCodec fp4 = RowCodec::indexerKeys(128, io::CacheFormat::kFp8IndexerFp4);
  std::mt19937 rng(4);
  std::vector<uint8_t> stored(static_cast<size_t>(fp4.bytes()));
  std::vector<float> back(128);
  for (float spread : {0.01f, 1.0f, 250.0f})
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<float> key = randomRow(rng, 128, spread);
      hadamardFp4Sim(key.data(), 128);
      fp4.encode(key.data(), stored.data());
      fp4.decode(stored.data(), back.data());
      ASSERT_EQ(back, key) << "spread " << spread;
    }
}

TEST(CacheRows, Fp8IndexerKeysRoundWithinE4M3Precision) {
  // One fp32 scale per key: each value keeps E4M3's 3 mantissa bits relative
  // to the row's largest (relative error at most 2^-4 of the amax).
  RowCodec fp8 = RowCodec::indexerKeys(128, io::CacheFormat::kFp8IndexerFp8);
  std::mt19937 rng(5);
  std::vector<uint8_t> stored(static_cast<size_t>(fp8.bytes()));
  std::vector<float> back(128);
  std::vector<float> key = randomRow(rng, 128, 2.0f);
  hadamardFp4Sim(key.data(), 128);
  fp8.encode(key.data(), stored.data());
  fp8.decode(stored.data(), back.data());
  float amax = 0;
  for (float v : key)
    amax = std::max(amax, std::fabs(v));
  for (size_t i = 0; i < key.size(); ++i)
    EXPECT_LE(std::fabs(back[i] - key[i]), amax / 16) << i;
}

} // namespace
} // namespace sieve::ref
