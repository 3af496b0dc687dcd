//===- sampler_bench.cpp - One token drawn from a V4 vocabulary's logits ---===//
//
// sieve::ref::Sampler::sample on 129,280 logits (DeepSeek-V4's vocabulary),
// normally distributed, with the settings a generation uses: greedy,
// temperature alone, with top-p, with min-p and a repeat penalty. A tool,
// not a test; the figures are in docs/performance.md.
//
//===----------------------------------------------------------------------===//

#include "sieve/reference/generate.h"

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

namespace {

constexpr int64_t kVocab = 129280;

void drawOne(benchmark::State &state, sieve::ref::SamplerOptions options) {
  std::vector<float> logits(kVocab);
  std::mt19937 generator(1);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  for (float &logit : logits)
    logit = normal(generator);
  const std::vector<int32_t> context = {1, 2, 3, 4, 5};
  auto sampler = sieve::ref::Sampler::create(options);
  if (!sampler) {
    state.SkipWithError(sampler.status().message().c_str());
    return;
  }
  for (auto _ : state) {
    auto token = sampler->sample(logits.data(), kVocab, context);
    benchmark::DoNotOptimize(token);
  }
}

void Greedy(benchmark::State &state) {
  sieve::ref::SamplerOptions options;
  options.temperature = 0;
  drawOne(state, options);
}

void Temperature(benchmark::State &state) {
  sieve::ref::SamplerOptions options;
  options.temperature = 0.8;
  drawOne(state, options);
}

void TopP(benchmark::State &state) {
  sieve::ref::SamplerOptions options;
  options.temperature = 0.8;
  options.topP = 0.95;
  drawOne(state, options);
}

void MinPRepeatPenalty(benchmark::State &state) {
  sieve::ref::SamplerOptions options;
  options.temperature = 0.8;
  options.minP = 0.05;
  options.repeatPenalty = 1.3;
  options.penaltyLastN = 16;
  drawOne(state, options);
}

} // namespace

BENCHMARK(Greedy)->Unit(benchmark::kMicrosecond);
BENCHMARK(Temperature)->Unit(benchmark::kMicrosecond);
BENCHMARK(TopP)->Unit(benchmark::kMicrosecond);
BENCHMARK(MinPRepeatPenalty)->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
