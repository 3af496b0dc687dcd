//===- generate.h - Sampling and text generation on the reference -*- C++ -*-===//
//
// Token generation over the reference executor (model.h), following the
// reference generate.py (v4-architecture.md 12): the prompt is prefilled at
// position 0, then one decode step per token; each step's fp32 logits go
// through the sampler; generation stops at eos, at a new-token limit or when
// the sequence reaches the cache's max_seq_len.
//
// Sampler semantics (deterministic for a seed on every platform: its own
// PRNG, no std:: distributions, whose algorithms are implementation-defined):
//   temperature 0      -> argmax of the (penalized) logits, lowest id on ties,
//                         as the reference's T == 0;
//   penalties first    (llama.cpp's, off by default) over the last
//                      repeat_last_n ids of the context (prompt and generated):
//                      each id there, seen c times, gets its logit divided
//                      by repeat_penalty when positive (multiplied when not),
//                      then less frequency_penalty * c + presence_penalty;
//   otherwise          p = softmax_f32(logits / max(T, 1e-5))   (reference)
//                      top-k: keep the k most probable ids (0 = all);
//                      top-p: of those, keep the shortest most-probable-first
//                             prefix whose mass reaches top_p (at least one id);
//                      min-p: of those, keep the ids with p >= min_p * max p;
//                      draw by inverse CDF: one uniform u in [0, kept mass)
//                      from xoshiro256** seeded with splitmix64(seed), walked
//                      over the kept ids (most probable first when top-k or
//                      top-p filtered them, else in id order).
// The reference draws with exponential noise (argmax p / Exp(1), i.e.
// Gumbel-max); both are exact samples of the same distribution, but inverse
// CDF needs one random number per token instead of one per vocabulary entry.
// Neither reproduces torch's random stream, so sampled tokens are compared by
// distribution, greedy tokens exactly.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "sieve/generate/sequence_runner.h"
#include "sieve/reference/model.h"
#include "sieve/support/status.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace sieve::ref {

//===--- Sampling ----------------------------------------------------------===//

struct SamplerOptions {
  /// 0 = greedy. The DeepSeek-V4 card recommends 1.0.
  double temperature = 1.0;
  /// Keep the k most probable ids; 0 = no limit.
  int64_t topK = 0;
  /// Nucleus mass in (0, 1]; 1 = no limit.
  double topP = 1.0;
  /// Keep ids at least this share of the most probable one's; 0 = all.
  double minP = 0.0;
  /// Penalties on the ids among the last penaltyLastN of the context
  /// (llama.cpp's --repeat-penalty, --presence-penalty, --frequency-penalty,
  /// --repeat-last-n); the defaults leave the logits as they are.
  double repeatPenalty = 1.0;
  double presencePenalty = 0.0;
  double frequencyPenalty = 0.0;
  int64_t penaltyLastN = 64;
  uint64_t seed = 0;

  bool penalizes() const {
    return penaltyLastN > 0 &&
           (repeatPenalty != 1.0 || presencePenalty != 0.0 || frequencyPenalty != 0.0);
  }
};

/// Ok, or invalid-argument naming the bad field (T >= 0 and finite,
/// 0 < top_p <= 1, top_k >= 0, 0 <= min_p <= 1, repeat_penalty > 0 and
/// finite, finite presence and frequency penalties, repeat_last_n >= 0).
Status validateSamplerOptions(const SamplerOptions &options);

/// Index of the largest value, lowest index on ties (NaN never wins).
int64_t argmax(const float *values, int64_t n);

/// xoshiro256** (Blackman & Vigna), seeded through splitmix64: small, fast and
/// identical everywhere, unlike std::mt19937 + std distributions.
class Rng {
public:
  explicit Rng(uint64_t seed);
  uint64_t next();
  /// Uniform double in [0, 1) with 53 random bits.
  double uniform();

private:
  uint64_t s_[4];
};

class Sampler {
public:
  static Expected<Sampler> create(const SamplerOptions &options);

  /// Picks the next token from `vocab` fp32 logits; `context` holds the
  /// ids the penalties look at (the sequence so far, the last penaltyLastN
  /// of them count). Errors on NaN or +inf logits, or when every logit is
  /// -inf (nothing can be sampled).
  Expected<int32_t> sample(const float *logits, int64_t vocab,
                           const std::vector<int32_t> &context = {});

  /// The distribution sample() draws from (zeros outside the kept ids;
  /// one-hot on the argmax for temperature 0). For tests and tools.
  Expected<std::vector<float>> probabilities(const float *logits, int64_t vocab,
                                             const std::vector<int32_t> &context = {}) const;

  const SamplerOptions &options() const { return options_; }

private:
  explicit Sampler(const SamplerOptions &options)
      : options_(options), rng_(options.seed) {}
  /// Buffers of one call, kept between calls: a step allocates nothing.
  struct Scratch {
    std::vector<float> penalized, p, probs;
    std::vector<int32_t> ids;
    /// False when every id is kept: then ids and probs stay empty and p, in
    /// id order, is the distribution.
    bool filtered = false;
    /// The kept distribution: `kept()` entries, entry i is id `keptId(i)`
    /// with unnormalized probability `keptProb(i)`.
    size_t kept() const { return filtered ? probs.size() : p.size(); }
    float keptProb(size_t i) const { return filtered ? probs[i] : p[i]; }
    int32_t keptId(size_t i) const { return filtered ? ids[i] : int32_t(i); }
  };
  /// The softmax `scratch.p` of `logits`, and the kept ids with their
  /// probabilities in `scratch.ids` / `scratch.probs`, most probable first
  /// (min-p alone keeps id order).
  Status candidates(const float *logits, int64_t vocab, Scratch &scratch) const;
  /// `logits`, or `penalized` holding them with the penalties applied.
  const float *penalize(const float *logits, int64_t vocab, const std::vector<int32_t> &context,
                        std::vector<float> &penalized) const;

  SamplerOptions options_;
  Rng rng_;
  Scratch scratch_;
};

//===--- Generation --------------------------------------------------------===//

struct GenerateOptions {
  SamplerOptions sampler;
  /// Tokens to generate at most (0 = only run the prompt, e.g. to score it).
  int64_t maxNewTokens = 128;
  /// Stop after generating this id; unset = the config's eos_token_id.
  std::optional<int32_t> eosTokenId;
  /// False: generate through eos (benchmarks).
  bool stopAtEos = true;
  /// Teacher forcing: prefill only the first prefillLen prompt ids (1 ..
  /// prompt size; 0 = all of them), then feed the rest one decode step each
  /// before generating, recording the logits of every step.
  int64_t prefillLen = 0;
  /// Keep the logits of every step in GenerateResult::logits.
  bool recordLogits = false;
};

enum class StopReason {
  kMaxNewTokens, // generated maxNewTokens tokens
  kEos,          // generated the eos token (it is the last token)
  kMaxSeqLen,    // prompt + generated tokens filled the cache's max_seq_len
  kCallback,     // the token callback returned false
};
const char *stopReasonName(StopReason reason); // "max-new-tokens", "eos", ...

struct GenerateResult {
  /// Generated ids, eos included when it stopped generation.
  std::vector<int32_t> tokens;
  StopReason stopReason = StopReason::kMaxNewTokens;

  /// With recordLogits: [logitSteps, vocab] fp32, row-major. Row 0 is the
  /// prefill's last position, then one row per decode step: the teacher-forced
  /// prompt ids first, then the generated ones. Generated token j was drawn
  /// from row (promptSize - prefillLen) + j. The last generated token is not
  /// run through the model (nothing needs its logits), so there is no row
  /// after it.
  std::vector<float> logits;
  int64_t logitSteps = 0;
  int64_t vocab = 0;

  /// Timing: the prefill call, and every decode step (teacher-forced prompt
  /// ids and generated tokens, sampling included).
  int64_t prefillTokens = 0;
  double prefillSeconds = 0;
  int64_t decodeTokens = 0;
  double decodeSeconds = 0;
  double prefillTokensPerSecond() const;
  double decodeTokensPerSecond() const;
};

/// Called with each generated token as soon as it is drawn (eos included);
/// return false to stop after it.
using TokenCallback = std::function<bool(int32_t token)>;

/// Runs `prompt` on `seq` and generates. A fresh sequence is prefilled; one
/// that already holds tokens takes the prompt as decode steps (a next chat
/// turn; the model's documented extension). The last generated token is not
/// consumed: seq.position() ends at prompt + generated - 1, so a follow-up
/// turn starts its prompt with that token. Errors (bad options, a prompt that
/// is empty, out of vocabulary or longer than the cache) name the problem.
Expected<GenerateResult> generate(const Model &model, Sequence &seq,
                                  const std::vector<int32_t> &prompt,
                                  const GenerateOptions &options,
                                  const TokenCallback &onToken = {});

/// A reference Sequence as a SequenceRunner (keeps the last logits).
class ReferenceRunner final : public SequenceRunner {
public:
  ReferenceRunner(const Model &model, Sequence &seq) : model_(model), seq_(seq) {}
  int64_t position() const override { return seq_.position(); }
  int64_t maxSeqLen() const override { return model_.maxSeqLen(); }
  int64_t vocabSize() const override { return model_.config().vocabSize; }
  int64_t eosTokenId() const override { return model_.config().eosTokenId; }
  Expected<const float *> forward(const int32_t *tokens, int64_t n) override;

private:
  const Model &model_;
  Sequence &seq_;
  std::vector<float> logits_;
};

/// The same on any backend's sequence (a compiled module's, the
/// reference's): the generation loop is written once.
Expected<GenerateResult> generate(SequenceRunner &runner, const std::vector<int32_t> &prompt,
                                  const GenerateOptions &options,
                                  const TokenCallback &onToken = {});
/// Same on a fresh sequence.
Expected<GenerateResult> generate(const Model &model,
                                  const std::vector<int32_t> &prompt,
                                  const GenerateOptions &options,
                                  const TokenCallback &onToken = {});

/// Called with (prompt index, token); return false to stop that sequence.
using BatchTokenCallback = std::function<bool(size_t index, int32_t token)>;

/// A batch of prompts of different lengths. The reference executor keeps one
/// cache per Sequence, so each prompt gets its own fresh Sequence; decode steps
/// are interleaved round-robin (one step of every live sequence per round),
/// the order a batched backend would produce them in. Prompt i samples with
/// seed options.sampler.seed + i, so result i equals generate() of prompt i
/// with that seed. Each result's timing covers its own calls.
Expected<std::vector<GenerateResult>>
generateBatch(const Model &model, const std::vector<std::vector<int32_t>> &prompts,
              const GenerateOptions &options, const BatchTokenCallback &onToken = {});

} // namespace sieve::ref
