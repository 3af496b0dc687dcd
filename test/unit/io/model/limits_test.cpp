// Bounded resources on hostile input (issue 9): every config field has a
// range, derived sizes cannot overflow, JSON readers are linear and reject
// NUL bytes, byte-order marks and deep nesting, and only regular files are
// opened. Each test is a reproducer of a finding that once crashed, hung or
// was accepted.
#include "sieve/io/checkpoint.h"
#include "sieve/io/model_config.h"
#include "sieve/io/safetensors.h"
#include "sieve/support/checked_math.h"
#include "sieve/support/system.h"

#include "test_util.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>

#include <sys/stat.h>

namespace sieve::io {
namespace {

using nlohmann::json;
using test::TempDir;

json tinyJson() {
  return json::parse(test::readText(test::sourcePath("examples/tiny-v4/config.json")));
}

std::string parseError(const json &j) {
  auto c = parseModelConfig(j.dump(), "test.json");
  if (c.isOk())
    return "";
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  return c.status().message();
}

#define EXPECT_MESSAGE(msg, part)                                                  \
  EXPECT_NE((msg).find(part), std::string::npos) << "message: " << (msg)

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

//===----------------------------------------------------------------------===//
// CheckedSize
//===----------------------------------------------------------------------===//

TEST(CheckedSize, OverflowAndNegativeOperandsPoisonTheResult) {
  EXPECT_EQ((CheckedSize(3) * 4 + 5).valueOr(-1), 17);
  EXPECT_FALSE((CheckedSize(int64_t(1) << 32) * (int64_t(1) << 31)).valid());
  EXPECT_FALSE((CheckedSize(INT64_MAX) + 1).valid());
  EXPECT_FALSE((CheckedSize(-1) * 0).valid());
  // Once poisoned, always poisoned, even when later steps are small.
  CheckedSize s = CheckedSize(INT64_MAX) * 2;
  s += 1;
  EXPECT_FALSE(s.valid());
  EXPECT_EQ(CheckedSize(17).ceilDiv(8).valueOr(-1), 3);
  EXPECT_TRUE(CheckedSize::product({1 << 20, 1 << 20, 1 << 20}).fitsIn(int64_t(1) << 60));
  EXPECT_FALSE(CheckedSize::product({1 << 20, 1 << 20, 1 << 20}).fitsIn((int64_t(1) << 60) - 1));
}

//===----------------------------------------------------------------------===//
// Config field ranges (each value here once crashed or exhausted memory)
//===----------------------------------------------------------------------===//

TEST(ConfigLimits, HugeSizesAreRangeErrorsNotWrappedAllocations) {
  struct Case {
    const char *field;
    int64_t value;
  };
  const int64_t k2p31 = int64_t(1) << 31;
  const Case cases[] = {
      {"max_seq_len", (int64_t(1) << 59) + 1}, // wrapped the RoPE table size
      {"max_seq_len", 20'000'000},             // 12 GB of tables and caches
      {"window_size", (int64_t(1) << 57) + 1}, // wrapped the window ring
      {"window_size", int64_t(1) << 62},
      {"hc_mult", INT64_MAX},                  // tensor<-1x-256xf32> in the graph
      {"dim", int64_t(1) << 62},
      {"vocab_size", k2p31},
      {"dim", k2p31},
      {"n_heads", k2p31},
      {"head_dim", k2p31},
      {"q_lora_rank", k2p31},
      {"o_lora_rank", k2p31},
      {"index_n_heads", k2p31},
      {"index_head_dim", k2p31},
      {"moe_inter_dim", k2p31},
      {"n_routed_experts", int64_t(1) << 20}, // 8 GB of tensor records
      {"hc_sinkhorn_iters", 1'000'000'000},   // ran forever
      {"n_layers", int64_t(1) << 40},
  };
  for (const Case &c : cases) {
    json j = tinyJson();
    j[c.field] = c.value;
    std::string m = parseError(j);
    EXPECT_MESSAGE(m, std::string("field '") + c.field + "' = " + std::to_string(c.value) +
                          " exceeds the limit of");
  }
}

TEST(ConfigLimits, EveryLimitIsInclusive) {
  // A field at its maximum passes the range check (other rules may still
  // object, but not with "exceeds the limit").
  for (auto [field, max] : {std::pair<const char *, int64_t>{"max_seq_len", limits::kMaxSeqLen},
                            {"hc_sinkhorn_iters", limits::kMaxSinkhornIters},
                            {"max_batch_size", limits::kMaxBatchSize}}) {
    json j = tinyJson();
    j[field] = max;
    EXPECT_EQ(parseError(j), "") << field;
    j[field] = max + 1;
    EXPECT_MESSAGE(parseError(j), "exceeds the limit of " + std::to_string(max));
  }
}

TEST(ConfigLimits, RoutedExpertsOfAllBlocksHaveAProductLimit) {
  // Each field is in range, but 201 blocks of 1000 experts would list over
  // a million checkpoint tensors.
  json j = tinyJson();
  j["n_layers"] = 200;
  j["n_hash_layers"] = 0;
  j["compress_ratios"] = std::vector<int64_t>(201, 0);
  j["n_routed_experts"] = 1000;
  std::string m = parseError(j);
  EXPECT_MESSAGE(m, "(n_layers + n_mtp_layers) * n_routed_experts = 201 * 1000 routed "
                    "experts exceed the limit of 131072");
}

TEST(ConfigLimits, TokenIdsMustBeInTheVocabulary) {
  json tiny = tinyJson();
  int64_t vocab = tiny["vocab_size"].get<int64_t>();
  for (const char *field : {"bos_token_id", "eos_token_id"})
    for (int64_t id : {vocab, vocab + 100, int64_t(-1)}) {
      json j = tiny;
      j[field] = id;
      EXPECT_MESSAGE(parseError(j), std::string("field '") + field + "' = " +
                                        std::to_string(id) +
                                        " is not a token id of the vocabulary [0, " +
                                        std::to_string(vocab) + ")");
    }
  // Hugging Face's list form of eos_token_id is checked the same way.
  json j = tiny;
  j["eos_token_id"] = json::array({-5, 1});
  EXPECT_MESSAGE(parseError(j), "field 'eos_token_id' = -5 is not a token id");
}

/// A config with every field at its maximum at once (the expert count
/// lowered to fit the product limit): the worst case of every derived size.
ModelConfig largestConfig() {
  ModelConfig c;
  c.vocabSize = limits::kMaxVocabSize;
  c.dim = limits::kMaxWidth;
  c.nLayers = limits::kMaxLayers;
  c.nMtpLayers = limits::kMaxMtpLayers;
  c.nHashLayers = limits::kMaxLayers;
  c.nHeads = limits::kMaxHeads;
  c.headDim = limits::kMaxHeadDim;
  c.ropeHeadDim = 64;
  c.qLoraRank = limits::kMaxWidth;
  c.oGroups = limits::kMaxHeads;
  c.oLoraRank = limits::kMaxWidth;
  c.windowSize = limits::kMaxWindow;
  c.compressRatios.assign(size_t(c.nLayers + c.nMtpLayers), 4); // CSA: most bytes
  c.indexNHeads = limits::kMaxHeads;
  c.indexHeadDim = limits::kMaxHeadDim;
  c.indexTopk = limits::kMaxIndexTopk;
  c.nRoutedExperts = limits::kMaxRoutedExpertsInAll / (c.nLayers + c.nMtpLayers);
  c.nActivatedExperts = c.nRoutedExperts;
  c.moeInterDim = limits::kMaxWidth;
  c.hcMult = limits::kMaxHcMult;
  c.hcSinkhornIters = limits::kMaxSinkhornIters;
  c.maxSeqLen = limits::kMaxSeqLen;
  c.maxBatchSize = limits::kMaxBatchSize;
  c.originalSeqLen = limits::kMaxSeqLen;
  c.dtype = WeightFormat::kBf16; // two bytes per weight: the largest payload
  c.expertDtype = ExpertFormat::kBf16;
  c.source = "largest";
  return c;
}

TEST(ConfigLimits, DerivedSizesOfTheLargestValidConfigFitInInt64) {
  // Under UBSan a signed overflow anywhere in these sums fails the test.
  ModelConfig c = largestConfig();
  ASSERT_TRUE(validateModelConfig(c).isOk()) << validateModelConfig(c).message();
  ParameterCounts params = countParameters(c);
  EXPECT_GT(params.total, 0);
  EXPECT_GT(params.activePerToken, 0);
  EXPECT_LE(params.activePerToken, params.total);
  WeightBytes bytes = countWeightBytes(c);
  EXPECT_GT(bytes.total, uint64_t(params.total));
  EXPECT_LT(bytes.total, uint64_t(1) << 62);
  CacheSizes caches = computeCacheSizes(c, CacheFormat::kReferenceBf16, true);
  int64_t atCapacity = caches.bytesForContext(c.maxSeqLen);
  EXPECT_GT(atCapacity, caches.fixedBytesPerSequence());
  EXPECT_LT(atCapacity, int64_t(1) << 62);
  // The tensor list itself stays bounded by the product limit.
  EXPECT_LT(expectedTensors(c).size(), size_t(1) << 20);
}

//===----------------------------------------------------------------------===//
// JSON: linear time, bounded depth, no hidden bytes
//===----------------------------------------------------------------------===//

TEST(JsonLimits, NulByteAndTrailingGarbageAreRejected) {
  // nlohmann takes a NUL as the end of input: everything after it was
  // silently ignored.
  std::string text = tinyJson().dump();
  text.push_back('\0');
  text += "garbage";
  auto c = parseModelConfig(text, "test.json");
  ASSERT_FALSE(c.isOk());
  EXPECT_MESSAGE(c.status().message(), "NUL byte at offset");

  TempDir dir;
  std::string header = R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
  header.push_back('\0');
  header += "xyz";
  test::writeBytes(dir.file("nul.safetensors"), test::safetensorsImage(header, 4));
  auto f = SafetensorsFile::open(dir.file("nul.safetensors"));
  ASSERT_FALSE(f.isOk());
  EXPECT_MESSAGE(f.status().message(), "header: NUL byte at offset");
}

TEST(JsonLimits, ByteOrderMarkIsRejected) {
  TempDir dir;
  std::string header = "\xEF\xBB\xBF" R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
  test::writeBytes(dir.file("bom.safetensors"), test::safetensorsImage(header, 4));
  auto f = SafetensorsFile::open(dir.file("bom.safetensors"));
  ASSERT_FALSE(f.isOk());
  EXPECT_MESSAGE(f.status().message(), "byte-order mark");
  auto c = parseModelConfig("\xEF\xBB\xBF" + tinyJson().dump(), "test.json");
  ASSERT_FALSE(c.isOk());
  EXPECT_MESSAGE(c.status().message(), "byte-order mark");
}

TEST(JsonLimits, DeepNestingStopsAtTheLimit) {
  std::string deep = "{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  auto c = parseModelConfig(deep, "test.json");
  ASSERT_FALSE(c.isOk());
  EXPECT_MESSAGE(c.status().message(), "nesting deeper than 64 levels");
}

TEST(JsonLimits, DuplicateKeysAreFoundInLinearTime) {
  // 200,000 tensors: a rescan of the parent object per closing brace (the
  // old duplicate check) takes minutes here; one lookup per key well under
  // a second.
  const int n = 200000;
  std::string header = "{";
  for (int i = 0; i < n; ++i)
    header += (i ? "," : "") + std::string("\"t") + std::to_string(i) +
              R"(":{"dtype":"I8","shape":[1],"data_offsets":[)" + std::to_string(i) + "," +
              std::to_string(i + 1) + "]}";
  header += "}";
  auto start = std::chrono::steady_clock::now();
  auto f = SafetensorsFile::fromBytes(test::safetensorsImage(header, n), "many.safetensors");
  ASSERT_TRUE(f.isOk()) << f.status().toString();
  EXPECT_EQ((*f)->entries().size(), size_t(n));
  EXPECT_LT(secondsSince(start), 20.0);

  // The same keys with a duplicate at the very end is still found.
  header.pop_back();
  header += R"(,"t7":{"dtype":"I8","shape":[1],"data_offsets":[0,1]}})";
  auto dup = SafetensorsFile::fromBytes(test::safetensorsImage(header, n), "dup.safetensors");
  ASSERT_FALSE(dup.isOk());
  EXPECT_MESSAGE(dup.status().message(), "duplicate key 't7'");
}

TEST(JsonLimits, ManyObjectValuedConfigKeysParseQuickly) {
  json j = tinyJson();
  for (int i = 0; i < 40000; ++i)
    j["extra_" + std::to_string(i)] = json::object({{"x", i}});
  auto start = std::chrono::steady_clock::now();
  auto c = parseModelConfig(j.dump(), "test.json");
  EXPECT_TRUE(c.isOk()) << c.status().toString();
  EXPECT_LT(secondsSince(start), 10.0);
}

//===----------------------------------------------------------------------===//
// Files: regular files only, with size limits
//===----------------------------------------------------------------------===//

TEST(FileLimits, AFifoIsRefusedWithoutBlocking) {
  TempDir dir;
  std::string fifo = dir.file("model-00001.safetensors");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  test::writeText(dir.file("model.safetensors.index.json"),
                  R"({"weight_map":{"w":"model-00001.safetensors"}})");
  auto r = SafetensorsReader::open(dir.path().string());
  ASSERT_FALSE(r.isOk());
  EXPECT_MESSAGE(r.status().message(), "is a FIFO, not a regular file");

  auto c = loadModelConfig(fifo);
  ASSERT_FALSE(c.isOk());
  EXPECT_MESSAGE(c.status().message(), "config is a FIFO, not a regular file");
  auto d = loadModelConfig(dir.path().string());
  ASSERT_FALSE(d.isOk());
  EXPECT_MESSAGE(d.status().message(), "config is a directory");
}

TEST(FileLimits, OversizedConfigIsRefusedBeforeReading) {
  TempDir dir;
  std::string path = dir.file("config.json");
  test::writeText(path, tinyJson().dump());
  ASSERT_EQ(truncate(path.c_str(), off_t(limits::kMaxConfigFileBytes) + 1), 0);
  auto c = loadModelConfig(path);
  ASSERT_FALSE(c.isOk());
  EXPECT_MESSAGE(c.status().message(), "config of 16.0 MiB (16777217 bytes) exceeds the "
                                       "limit of 16.0 MiB (16777216 bytes)");
}

TEST(MemoryCheck, NamesBothFigures) {
  Status s = checkMemoryAvailable(uint64_t(1) << 62, "a test request");
  ASSERT_FALSE(s.isOk());
  EXPECT_EQ(s.code(), StatusCode::kOutOfRange);
  EXPECT_MESSAGE(s.message(), "a test request needs 4.0 EiB (4611686018427387904 bytes) of "
                              "memory but only ");
  EXPECT_MESSAGE(s.message(), " are available");
  EXPECT_TRUE(checkMemoryAvailable(1024, "a small request").isOk());
  EXPECT_EQ(formatBytes(512), "512 bytes");
  EXPECT_EQ(formatBytes(1536), "1.5 KiB (1536 bytes)");
}

} // namespace
} // namespace sieve::io
