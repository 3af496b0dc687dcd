//===- sampler.cpp - Temperature / top-k / top-p sampling -----------------===//
//
// See generate.h for the semantics. Probabilities are fp32 like the
// reference's softmax; sums that decide which token is drawn are taken in
// double, in a fixed order, so a seed gives the same tokens everywhere.
//
//===----------------------------------------------------------------------===//

#include "sieve/reference/generate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <numeric>
#include <string>

namespace sieve::ref {

namespace {

uint64_t splitmix64(uint64_t &state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

std::string numberString(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

} // namespace

Rng::Rng(uint64_t seed) {
  // splitmix64 spreads any seed (0 included) over the 256-bit state, which
  // xoshiro needs to be non-zero.
  for (uint64_t &s : s_)
    s = splitmix64(seed);
}

uint64_t Rng::next() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Rng::uniform() { return double(next() >> 11) * 0x1.0p-53; }

Status validateSamplerOptions(const SamplerOptions &o) {
  if (!(o.temperature >= 0) || !std::isfinite(o.temperature))
    return invalidArgument("temperature must be a finite number >= 0 (got " +
                           numberString(o.temperature) + ")");
  if (!(o.topP > 0 && o.topP <= 1))
    return invalidArgument("top_p must be in (0, 1] (got " + numberString(o.topP) + ")");
  if (o.topK < 0)
    return invalidArgument("top_k must be >= 0 (got " + std::to_string(o.topK) + ")");
  if (!(o.minP >= 0 && o.minP <= 1))
    return invalidArgument("min_p must be in [0, 1] (got " + numberString(o.minP) + ")");
  if (!(o.repeatPenalty > 0) || !std::isfinite(o.repeatPenalty))
    return invalidArgument("repeat_penalty must be a finite number > 0 (got " +
                           numberString(o.repeatPenalty) + ")");
  if (!std::isfinite(o.presencePenalty))
    return invalidArgument("presence_penalty must be finite (got " +
                           numberString(o.presencePenalty) + ")");
  if (!std::isfinite(o.frequencyPenalty))
    return invalidArgument("frequency_penalty must be finite (got " +
                           numberString(o.frequencyPenalty) + ")");
  if (o.penaltyLastN < 0)
    return invalidArgument("repeat_last_n must be >= 0 (got " + std::to_string(o.penaltyLastN) +
                           ")");
  return Status::ok();
}

int64_t argmax(const float *values, int64_t n) {
  int64_t best = 0;
  float bestValue = -std::numeric_limits<float>::infinity();
  for (int64_t i = 0; i < n; ++i)
    if (values[i] > bestValue) { // strict: lowest index on ties; NaN compares false
      bestValue = values[i];
      best = i;
    }
  return best;
}

Expected<Sampler> Sampler::create(const SamplerOptions &options) {
  SIEVE_RETURN_IF_ERROR(validateSamplerOptions(options));
  return Sampler(options);
}

namespace {
/// Refuses logits a draw cannot use: NaN, +inf, or none finite. One
/// branch-free pass over the bits (it vectorizes); the slow pass that names
/// the element runs only on failure.
Status checkLogits(const float *logits, int64_t vocab) {
  if (vocab <= 0)
    return invalidArgument("no logits to sample from (vocab " + std::to_string(vocab) + ")");
  uint32_t unusable = 0, anyFinite = 0;
  for (int64_t i = 0; i < vocab; ++i) {
    uint32_t bits;
    std::memcpy(&bits, &logits[i], sizeof(bits));
    const uint32_t magnitude = bits & 0x7fffffffu;
    // NaN, or +inf (-inf is a logit that is never drawn).
    unusable |= uint32_t(magnitude > 0x7f800000u) | uint32_t(bits == 0x7f800000u);
    anyFinite |= uint32_t(magnitude < 0x7f800000u);
  }
  if (unusable)
    for (int64_t i = 0; i < vocab; ++i)
      if (std::isnan(logits[i]) || logits[i] == std::numeric_limits<float>::infinity())
        return invalidArgument("logits[" + std::to_string(i) + "] is " +
                               (std::isnan(logits[i]) ? "NaN" : "+inf"));
  if (!anyFinite)
    return invalidArgument("every logit is -inf: nothing can be sampled");
  return Status::ok();
}
} // namespace

const float *Sampler::penalize(const float *logits, int64_t vocab,
                               const std::vector<int32_t> &context,
                               std::vector<float> &penalized) const {
  if (!options_.penalizes() || context.empty())
    return logits;
  penalized.assign(logits, logits + vocab);
  const size_t window = std::min(context.size(), size_t(options_.penaltyLastN));
  std::vector<int32_t> recent(context.end() - std::ptrdiff_t(window), context.end());
  std::sort(recent.begin(), recent.end());
  for (size_t i = 0; i < recent.size();) {
    const int32_t id = recent[i];
    size_t count = 0;
    while (i < recent.size() && recent[i] == id)
      ++i, ++count;
    if (id < 0 || id >= vocab)
      continue;
    float &logit = penalized[size_t(id)];
    const float repeat = float(options_.repeatPenalty);
    logit = logit > 0 ? logit / repeat : logit * repeat;
    logit -= float(options_.frequencyPenalty * double(count) + options_.presencePenalty);
  }
  return penalized.data();
}

Status Sampler::candidates(const float *logits, int64_t vocab, Scratch &scratch) const {
  // p = softmax_f32(logits / max(T, 1e-5)), as the reference.
  const float t = float(std::max(options_.temperature, 1e-5));
  std::vector<float> &p = scratch.p;
  p.resize(static_cast<size_t>(vocab));
  float maxScaled = -std::numeric_limits<float>::infinity();
  for (int64_t i = 0; i < vocab; ++i)
    maxScaled = std::max(maxScaled, logits[i] / t);
  double sum = 0;
  for (int64_t i = 0; i < vocab; ++i) {
    p[size_t(i)] = std::exp(logits[i] / t - maxScaled);
    sum += p[size_t(i)];
  }
  for (float &v : p)
    v = float(v / sum);

  const bool useTopK = options_.topK > 0 && options_.topK < vocab;
  const bool useTopP = options_.topP < 1;
  scratch.filtered = useTopK || useTopP || options_.minP > 0;
  std::vector<int32_t> &ids = scratch.ids;
  std::vector<float> &probs = scratch.probs;
  ids.clear();
  probs.clear();
  if (!scratch.filtered)
    return Status::ok();
  ids.resize(static_cast<size_t>(vocab));
  std::iota(ids.begin(), ids.end(), 0);
  // Most probable first, lowest id on ties: a total order, so the kept set
  // does not depend on the sort algorithm.
  auto moreProbable = [&](int32_t a, int32_t b) {
    return p[size_t(a)] != p[size_t(b)] ? p[size_t(a)] > p[size_t(b)] : a < b;
  };
  // Shortest prefix of `ids` (sorted) whose mass reaches `target`; false
  // when even all of them fall short.
  auto keepPrefix = [&](double target) {
    double kept = 0;
    for (size_t n = 0; n < ids.size();) {
      kept += p[size_t(ids[n++])];
      if (kept >= target) {
        ids.resize(n);
        return true;
      }
    }
    return false;
  };
  if (useTopK) {
    const size_t k = size_t(options_.topK);
    std::partial_sort(ids.begin(), ids.begin() + std::ptrdiff_t(k), ids.end(), moreProbable);
    ids.resize(k);
    if (useTopP) {
      // The shortest prefix whose share of the top-k mass reaches top_p.
      double total = 0;
      for (int32_t id : ids)
        total += p[size_t(id)];
      keepPrefix(options_.topP * total);
    }
  } else if (useTopP) {
    // The shortest prefix of the whole vocabulary, most probable first, whose
    // mass reaches top_p of the total, without sorting the vocabulary: the
    // ids at or above a threshold are a prefix of that order, so they are
    // sorted alone; the threshold drops until the prefix is among them.
    double total = 0;
    for (float q : p)
      total += q;
    const double target = options_.topP * total;
    float threshold = *std::max_element(p.begin(), p.end()) / 64;
    for (;;) {
      ids.clear();
      for (int64_t i = 0; i < vocab; ++i)
        if (p[size_t(i)] >= threshold)
          ids.push_back(int32_t(i));
      std::sort(ids.begin(), ids.end(), moreProbable);
      if (keepPrefix(target) || threshold == 0)
        break;
      threshold = threshold > 1e-30f ? threshold / 64 : 0.0f;
    }
  }
  if (options_.minP > 0) {
    float most = 0;
    for (int32_t id : ids)
      most = std::max(most, p[size_t(id)]);
    const float floor = float(options_.minP) * most;
    // The most probable id always stays (p >= min_p * p with min_p <= 1).
    ids.erase(
        std::remove_if(ids.begin(), ids.end(), [&](int32_t id) { return p[size_t(id)] < floor; }),
        ids.end());
  }
  // Filtered by min-p alone, the ids stay in id order: the draw has the
  // same distribution and skips sorting the whole vocabulary at every step.
  probs.resize(ids.size());
  for (size_t i = 0; i < ids.size(); ++i)
    probs[i] = p[size_t(ids[i])];
  return Status::ok();
}

Expected<int32_t> Sampler::sample(const float *rawLogits, int64_t vocab,
                                  const std::vector<int32_t> &context) {
  SIEVE_RETURN_IF_ERROR(checkLogits(rawLogits, vocab));
  const float *logits = penalize(rawLogits, vocab, context, scratch_.penalized);
  if (logits != rawLogits)
    SIEVE_RETURN_IF_ERROR(checkLogits(logits, vocab));
  if (options_.temperature == 0)
    return int32_t(argmax(logits, vocab));
  SIEVE_RETURN_IF_ERROR(candidates(logits, vocab, scratch_));
  const size_t count = scratch_.kept();
  // Inverse CDF over the kept ids: the first id whose running mass passes u.
  // The walk repeats the sum's additions in the same order, so it ends at
  // exactly `mass` > u and always picks an id; zero-probability ids never win.
  double mass = 0;
  for (size_t i = 0; i < count; ++i)
    mass += scratch_.keptProb(i);
  const double u = rng_.uniform() * mass;
  double running = 0;
  for (size_t i = 0; i < count; ++i) {
    running += scratch_.keptProb(i);
    if (running > u)
      return scratch_.keptId(i);
  }
  // Unreachable in practice: the most probable kept id, the first on ties.
  size_t likeliest = 0;
  for (size_t i = 1; i < count; ++i)
    if (scratch_.keptProb(i) > scratch_.keptProb(likeliest))
      likeliest = i;
  return scratch_.keptId(likeliest);
}

Expected<std::vector<float>> Sampler::probabilities(const float *rawLogits, int64_t vocab,
                                                    const std::vector<int32_t> &context) const {
  std::vector<float> out(static_cast<size_t>(std::max<int64_t>(vocab, 0)), 0.0f);
  SIEVE_RETURN_IF_ERROR(checkLogits(rawLogits, vocab));
  Scratch scratch;
  const float *logits = penalize(rawLogits, vocab, context, scratch.penalized);
  if (logits != rawLogits)
    SIEVE_RETURN_IF_ERROR(checkLogits(logits, vocab));
  if (options_.temperature == 0) {
    out[size_t(argmax(logits, vocab))] = 1.0f;
    return out;
  }
  SIEVE_RETURN_IF_ERROR(candidates(logits, vocab, scratch));
  double mass = 0;
  for (size_t i = 0; i < scratch.kept(); ++i)
    mass += scratch.keptProb(i);
  for (size_t i = 0; i < scratch.kept(); ++i)
    out[size_t(scratch.keptId(i))] = float(scratch.keptProb(i) / mass);
  return out;
}

} // namespace sieve::ref
