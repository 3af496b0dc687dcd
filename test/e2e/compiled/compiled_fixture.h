//===- compiled_fixture.h - Compiled modules for end-to-end tests -*- C++ -*-===//
//
// A bundled config (or a checkpoint directory) compiled once per test binary
// with sieve-compile, a random checkpoint written for it, and helpers to
// compare logits.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "sieve/exec/compiled_model.h"
#include "sieve/io/random_checkpoint.h"

#include "../../unit/support/official_logits.h"
#include "../../unit/support/temp_dir.h"
#include "test_paths.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sieve {

inline constexpr double kTolerance = 1e-2;

using test::relativeL2;

inline int64_t argmaxOf(const float *v, int64_t n) {
  int64_t best = 0;
  for (int64_t i = 1; i < n; ++i)
    if (v[i] > v[best])
      best = i;
  return best;
}

/// Deterministic token ids in [2, vocab).
inline std::vector<int32_t> tokenIds(int64_t n, int64_t vocab, uint64_t seed) {
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

/// `example` is a folder of examples/, or an absolute checkpoint directory
/// holding a config.json (then that checkpoint is used, not a random one).
inline const Compiled &compiledModel(const std::string &example, int64_t maxSeqLen,
                              const std::string &extraFlags = "") {
  static std::map<std::string, Compiled> cache;
  std::string key = example + "/" + std::to_string(maxSeqLen) + extraFlags;
  auto it = cache.find(key);
  if (it != cache.end())
    return it->second;
  Compiled c;
  const bool given = example.front() == '/';
  c.dir = test::sharedTempDir("compiled");
  std::string configPath =
      given ? example + "/config.json"
            : sieve::test_paths::sourcePath("examples/") + example + "/config.json";
  Expected<io::ModelConfig> config = io::loadModelConfig(configPath);
  EXPECT_TRUE(config.isOk()) << config.status().message();
  c.config = *config;
  c.checkpoint = given ? example : c.dir + "/checkpoint-" + example;
  if (!given) {
    io::RandomCheckpointOptions options;
    options.seed = 7;
    auto files = io::writeRandomCheckpoint(c.config, options, c.checkpoint);
    EXPECT_TRUE(files.isOk()) << files.status().message();
  }
  c.module = c.dir + "/" + std::to_string(cache.size()) + ".sieve";
  std::string command = std::string(sieve::test_paths::compilerPath()) + " " + configPath +
                        " --max-seq-len=" + std::to_string(maxSeqLen) + " " + extraFlags + " -o " +
                        c.module;
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  return cache.emplace(key, std::move(c)).first->second;
}


inline std::unique_ptr<exec::CompiledModel> loadCompiled(const Compiled &c) {
  exec::CompiledLoadOptions options;
  options.weights = c.checkpoint;
  auto model = exec::CompiledModel::load(c.module, options);
  EXPECT_TRUE(model.isOk()) << model.status().message();
  return model.isOk() ? model.take() : nullptr;
}

} // namespace sieve
