// Random-weight checkpoints: they pass the checkpoint check, load back
// bit-identically, are deterministic per seed, shard, and have the documented
// weight statistics.
#include "sieve/io/checkpoint.h"
#include "sieve/io/random_checkpoint.h"
#include "sieve/io/safetensors.h"
#include "sieve/numerics/weights.h"

#include "../../support/temp_dir.h"
#include "test_paths.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

namespace sieve::io {
namespace {

// Removed when the test binary exits.
std::string tempDir(const std::string &tag) {
  return test::sharedTempDir("sieve-gen-" + tag);
}

std::vector<uint8_t> readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

ModelConfig tinyConfig(const char *example = "tiny-v4") {
  auto c = loadModelConfig(sieve::test_paths::sourcePath("examples/") + example + "/config.json");
  EXPECT_TRUE(c.isOk()) << c.status().message();
  return c.take();
}

TEST(RandomCheckpoint, PassesTheCheckAndLoadsBackBitIdentically) {
  ModelConfig config = tinyConfig();
  RandomCheckpointOptions options;
  options.seed = 7;
  std::string dir = tempDir("roundtrip");
  auto files = writeRandomCheckpoint(config, options, dir);
  ASSERT_TRUE(files.isOk()) << files.status().message();

  auto reader = SafetensorsReader::open(dir);
  ASSERT_TRUE(reader.isOk()) << reader.status().message();
  CheckpointReport report = checkCheckpoint(config, *reader);
  EXPECT_TRUE(report.ok()) << report.toStatus().message();
  EXPECT_EQ(report.present, report.expected);

  for (const ExpectedTensor &t : expectedTensors(config)) {
    auto view = reader->get(t.name);
    ASSERT_TRUE(view.isOk()) << t.name;
    auto want = generateTensorBytes(config, t, options);
    ASSERT_TRUE(want.isOk()) << want.status().message();
    ASSERT_EQ(view->byteSize, want->size()) << t.name;
    EXPECT_EQ(std::memcmp(view->data, want->data(), want->size()), 0) << t.name;
  }

  // The config written next to the weights parses back to the same model.
  auto reread = loadModelConfig(dir + "/config.json");
  ASSERT_TRUE(reread.isOk()) << reread.status().message();
  EXPECT_EQ(reread->compressRatios, config.compressRatios);
  EXPECT_EQ(reread->dim, config.dim);
}

TEST(RandomCheckpoint, SameSeedSameBytesOtherSeedOtherBytes) {
  ModelConfig config = tinyConfig();
  RandomCheckpointOptions a, b;
  a.seed = b.seed = 3;
  std::string d1 = tempDir("det1"), d2 = tempDir("det2"), d3 = tempDir("det3");
  ASSERT_TRUE(writeRandomCheckpoint(config, a, d1).isOk());
  ASSERT_TRUE(writeRandomCheckpoint(config, b, d2).isOk());
  b.seed = 4;
  ASSERT_TRUE(writeRandomCheckpoint(config, b, d3).isOk());
  auto f1 = readFile(d1 + "/model.safetensors");
  ASSERT_FALSE(f1.empty());
  EXPECT_EQ(f1, readFile(d2 + "/model.safetensors"));
  EXPECT_NE(f1, readFile(d3 + "/model.safetensors"));
}

TEST(RandomCheckpoint, ShardsWithAnIndexWhenLarge) {
  ModelConfig config = tinyConfig("tiny-v4-r128");
  RandomCheckpointOptions options;
  options.maxShardBytes = 1 << 20;
  std::string dir = tempDir("shards");
  auto files = writeRandomCheckpoint(config, options, dir);
  ASSERT_TRUE(files.isOk()) << files.status().message();
  EXPECT_GT(files->size(), 3u);
  EXPECT_EQ(files->back(), "model.safetensors.index.json");
  auto reader = SafetensorsReader::open(dir + "/model.safetensors.index.json");
  ASSERT_TRUE(reader.isOk()) << reader.status().message();
  EXPECT_TRUE(checkCheckpoint(config, *reader).ok());
  EXPECT_GT(reader->files().size(), 1u);
}

// Dequantized projections have std close to gain * 0.2 / sqrt(fan_in).
TEST(RandomCheckpoint, ProjectionStatisticsMatchTheDocumentedInit) {
  ModelConfig config = tinyConfig();
  RandomCheckpointOptions options;
  options.gain = 2.0;
  std::string dir = tempDir("stats");
  ASSERT_TRUE(writeRandomCheckpoint(config, options, dir).isOk());
  auto reader = SafetensorsReader::open(dir);
  ASSERT_TRUE(reader.isOk());

  auto w = reader->get("layers.1.attn.wq_b.weight");
  auto s = reader->get("layers.1.attn.wq_b.scale");
  ASSERT_TRUE(w.isOk() && s.isOk());
  size_t out = size_t(w->shape[0]), in = size_t(w->shape[1]);
  std::vector<float> values(out * in);
  num::Fp8WeightLayout layout{out, in, 128, 128};
  ASSERT_TRUE(num::dequantizeFp8Weight(w->data, s->data, layout, values.data()).isOk());
  double sum2 = 0;
  for (float v : values)
    sum2 += double(v) * v;
  double stddev = std::sqrt(sum2 / double(values.size()));
  EXPECT_NEAR(stddev, 2.0 * 0.2 / std::sqrt(double(in)), 0.05 * stddev);

  // Routed experts are MXFP4: std within FP4's coarser rounding.
  auto ew = reader->get("layers.1.ffn.experts.0.w1.weight");
  auto es = reader->get("layers.1.ffn.experts.0.w1.scale");
  ASSERT_TRUE(ew.isOk() && es.isOk());
  size_t eOut = size_t(ew->shape[0]), eIn = size_t(ew->shape[1]) * 2;
  std::vector<float> ev(eOut * eIn);
  ASSERT_TRUE(num::dequantizeMxfp4Weight(ew->data, es->data, eOut, eIn, ev.data()).isOk());
  sum2 = 0;
  for (float v : ev)
    sum2 += double(v) * v;
  EXPECT_NEAR(std::sqrt(sum2 / double(ev.size())), 2.0 * 0.2 / std::sqrt(double(eIn)),
              0.15 * 2.0 * 0.2 / std::sqrt(double(eIn)));

  // Hash routing: every token gets n_activated distinct experts in range.
  auto t = reader->get("layers.0.ffn.gate.tid2eid");
  ASSERT_TRUE(t.isOk());
  const int64_t *ids = t->as<int64_t>();
  int64_t k = config.nActivatedExperts;
  for (int64_t tok = 0; tok < config.vocabSize; ++tok) {
    std::set<int64_t> seen(ids + tok * k, ids + (tok + 1) * k);
    ASSERT_EQ(int64_t(seen.size()), k) << tok;
    ASSERT_GE(*seen.begin(), 0);
    ASSERT_LT(*seen.rbegin(), config.nRoutedExperts);
  }
}

TEST(RandomCheckpoint, BadOptionsAndPathsAreErrors) {
  ModelConfig config = tinyConfig();
  RandomCheckpointOptions options;
  options.gain = -1;
  auto r = writeRandomCheckpoint(config, options, tempDir("bad"));
  EXPECT_FALSE(r.isOk());
  options.gain = 1;
  r = writeRandomCheckpoint(config, options, "/proc/no/such/dir");
  ASSERT_FALSE(r.isOk());
  EXPECT_NE(r.status().message().find("/proc/no/such/dir"), std::string::npos);
}

} // namespace
} // namespace sieve::io
