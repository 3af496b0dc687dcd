//===- compiled_model_test.cpp - Compiled CPU code vs the reference -------===//
//
// End to end: sieve-compile writes a module for a bundled config, the
// runtime loads it with a random checkpoint and runs prefill, decode and
// MTP on compiled CPU code; the reference executor runs the same tokens on
// the same checkpoint. Logits must agree at every step within the stated
// tolerance (docs/numerics.md: relative L2 <= 1e-2) and greedy tokens must
// be identical.
//
//===----------------------------------------------------------------------===//

#include "sieve/exec/compiled_model.h"
#include "sieve/io/random_checkpoint.h"
#include "sieve/reference/model.h"

#include "../../unit/support/temp_dir.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace sieve {
namespace {

constexpr double kTolerance = 1e-2;

double relativeL2(const float *got, const float *want, int64_t n) {
  double diff = 0, norm = 0;
  for (int64_t i = 0; i < n; ++i) {
    double d = double(got[i]) - double(want[i]);
    diff += d * d;
    norm += double(want[i]) * double(want[i]);
  }
  return std::sqrt(diff / std::max(norm, 1e-30));
}

int64_t argmaxOf(const float *v, int64_t n) {
  int64_t best = 0;
  for (int64_t i = 1; i < n; ++i)
    if (v[i] > v[best])
      best = i;
  return best;
}

/// Deterministic token ids in [2, vocab).
std::vector<int32_t> tokenIds(int64_t n, int64_t vocab, uint64_t seed) {
  std::vector<int32_t> ids;
  uint64_t state = seed * 6364136223846793005ull + 1442695040888963407ull;
  for (int64_t i = 0; i < n; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    ids.push_back(int32_t(2 + (state >> 33) % uint64_t(vocab - 2)));
  }
  return ids;
}

/// A model compiled once per test binary: the config, its checkpoint and
/// the module.
struct Compiled {
  std::string dir, checkpoint, module;
  io::ModelConfig config;
};

const Compiled &compiledModel(const std::string &example, int64_t maxSeqLen,
                              const std::string &extraFlags = "") {
  static std::map<std::string, Compiled> cache;
  std::string key = example + "/" + std::to_string(maxSeqLen) + extraFlags;
  auto it = cache.find(key);
  if (it != cache.end())
    return it->second;
  Compiled c;
  c.dir = test::sharedTempDir("compiled-" + example);
  std::string configPath = std::string(SIEVE_SOURCE_DIR) + "/examples/" + example + "/config.json";
  Expected<io::ModelConfig> config = io::loadModelConfig(configPath);
  EXPECT_TRUE(config.isOk()) << config.status().message();
  c.config = *config;
  c.checkpoint = c.dir + "/checkpoint";
  io::RandomCheckpointOptions options;
  options.seed = 7;
  auto files = io::writeRandomCheckpoint(c.config, options, c.checkpoint);
  EXPECT_TRUE(files.isOk()) << files.status().message();
  c.module = c.dir + "/" + std::to_string(cache.size()) + ".sieve";
  std::string command = std::string(SIEVE_COMPILE) + " " + configPath + " --max-seq-len=" +
                        std::to_string(maxSeqLen) + " " + extraFlags + " -o " + c.module;
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  return cache.emplace(key, std::move(c)).first->second;
}

class CompiledVsReference : public ::testing::TestWithParam<const char *> {};

// A long teacher-forced run: prefill a prompt, then feed the rest of 300
// tokens one decode step each, then generate greedily; logits compared at
// every step, greedy tokens identical.
TEST_P(CompiledVsReference, PrefillThenDecodeEveryStep) {
  const Compiled &c = compiledModel(GetParam(), 512);
  exec::CompiledLoadOptions options;
  options.weights = c.checkpoint;
  auto compiled = exec::CompiledModel::load(c.module, options);
  ASSERT_TRUE(compiled.isOk()) << compiled.status().message();
  ref::LoadOptions refOptions;
  refOptions.maxSeqLen = 512;
  auto reference = ref::Model::load(c.checkpoint, refOptions);
  ASSERT_TRUE(reference.isOk()) << reference.status().message();

  const int64_t vocab = (*compiled)->vocabSize();
  std::vector<int32_t> tokens = tokenIds(300, vocab, 11);
  const int64_t prefillLen = 37;
  auto seq = (*compiled)->newSequence();
  ASSERT_TRUE(seq.isOk()) << seq.status().message();
  ref::Sequence refSeq = (*reference)->newSequence();

  auto got = (*compiled)->forward(*seq, tokens.data(), prefillLen);
  ASSERT_TRUE(got.isOk()) << got.status().message();
  auto want = (*reference)->forward(refSeq, tokens.data(), prefillLen);
  ASSERT_TRUE(want.isOk()) << want.status().message();
  double worst = relativeL2(got->data, want->logits.data(), vocab);
  EXPECT_LE(worst, kTolerance) << "prefill";

  int32_t next = 0;
  for (int64_t step = prefillLen; step < 300 + 64; ++step) {
    int32_t token = step < 300 ? tokens[size_t(step)] : next;
    got = (*compiled)->forward(*seq, &token, 1);
    ASSERT_TRUE(got.isOk()) << "step " << step << ": " << got.status().message();
    want = (*reference)->forward(refSeq, &token, 1);
    ASSERT_TRUE(want.isOk()) << want.status().message();
    double error = relativeL2(got->data, want->logits.data(), vocab);
    worst = std::max(worst, error);
    ASSERT_LE(error, kTolerance) << "step " << step;
    if (step >= 299) {
      int64_t greedy = argmaxOf(got->data, vocab);
      ASSERT_EQ(greedy, argmaxOf(want->logits.data(), vocab)) << "greedy token at step " << step;
      next = int32_t(greedy);
    }
  }
  std::printf("%s: worst relative L2 over %d steps: %.3g\n", GetParam(), 300 + 64 - int(prefillLen) + 1,
              worst);
}

INSTANTIATE_TEST_SUITE_P(Models, CompiledVsReference,
                         ::testing::Values("tiny-v4", "tiny-v4-r128"));

} // namespace
} // namespace sieve
