//===- perplexity.h - Per-token log-likelihood of a text ----------*- C++ -*-===//
//
// Scores a text the way llama-perplexity does, on any backend: the token
// ids are cut into windows, each window is a fresh sequence that starts with
// BOS, and every text token is scored by the log-probability the model gave
// it after the tokens before it in its window. One model call per token (a
// backend returns the last position's logits only), so a window is exactly
// the computation generation runs.
//
//   nll_i      = -log softmax(logits_before_i)[token_i]   (in double)
//   perplexity = exp(mean nll);  its standard error by the delta method,
//                perplexity * stddev(nll) / sqrt(n)
//
//===----------------------------------------------------------------------===//
#pragma once

#include "sieve/generate/sequence_runner.h"
#include "sieve/support/status.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace sieve::ref {

struct PerplexityOptions {
  /// Model positions per window (the cache must hold them): BOS and the
  /// first window - 1 of its text tokens are fed, `window` tokens scored.
  int64_t window = 0;
  int32_t bosTokenId = 0;
};

struct PerplexityResult {
  /// Negative log-likelihood in nats of every text token, in text order.
  std::vector<double> nll;
  int64_t windows = 0;
  double seconds = 0; // in model calls and scoring

  double meanNll() const;
  double perplexity() const;
  /// Standard error of perplexity() (0 for fewer than two tokens).
  double perplexityError() const;
};

/// A runner on a fresh sequence at position 0, valid until the next call.
using FreshRunner = std::function<Expected<SequenceRunner *>()>;
/// Called after each window with the result so far.
using WindowDone = std::function<void(const PerplexityResult &soFar, int64_t windowsTotal)>;

/// -log p(token) under softmax(logits) over `vocab` entries, in double.
/// Errors when a logit is NaN or +inf, or the token's is -inf.
Expected<double> negativeLogLikelihood(const float *logits, int64_t vocab, int32_t token);

/// Scores `text` (ids without BOS, at least one) in windows. Errors name
/// the window and token when the model or a logit fails.
Expected<PerplexityResult> scorePerplexity(const FreshRunner &freshRunner,
                                           const std::vector<int32_t> &text,
                                           const PerplexityOptions &options,
                                           const WindowDone &onWindow = {});

} // namespace sieve::ref
