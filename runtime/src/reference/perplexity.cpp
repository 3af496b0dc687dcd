//===- perplexity.cpp - Per-token log-likelihood of a text ----------------===//

#include "sieve/reference/perplexity.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>

namespace sieve::ref {

double PerplexityResult::meanNll() const {
  if (nll.empty())
    return 0;
  double sum = 0;
  for (double v : nll)
    sum += v;
  return sum / double(nll.size());
}

double PerplexityResult::perplexity() const { return std::exp(meanNll()); }

double PerplexityResult::perplexityError() const {
  const size_t n = nll.size();
  if (n < 2)
    return 0;
  const double mean = meanNll();
  double squares = 0;
  for (double v : nll)
    squares += (v - mean) * (v - mean);
  const double variance = squares / double(n - 1);
  return perplexity() * std::sqrt(variance / double(n));
}

Expected<double> negativeLogLikelihood(const float *logits, int64_t vocab, int32_t token) {
  if (token < 0 || token >= vocab)
    return outOfRange("token " + std::to_string(token) + " is outside the vocabulary of " +
                      std::to_string(vocab));
  double maxLogit = -INFINITY;
  for (int64_t i = 0; i < vocab; ++i) {
    const float v = logits[i];
    if (std::isnan(v) || v == INFINITY)
      return invalidArgument("logit " + std::to_string(i) + " is " +
                             (std::isnan(v) ? "NaN" : "+inf"));
    maxLogit = std::max(maxLogit, double(v));
  }
  if (logits[token] == -INFINITY)
    return invalidArgument("the token's logit is -inf (probability 0)");
  double sum = 0;
  for (int64_t i = 0; i < vocab; ++i)
    sum += std::exp(double(logits[i]) - maxLogit);
  return maxLogit + std::log(sum) - double(logits[token]);
}

Expected<PerplexityResult> scorePerplexity(const FreshRunner &freshRunner,
                                           const std::vector<int32_t> &text,
                                           const PerplexityOptions &options,
                                           const WindowDone &onWindow) {
  if (text.empty())
    return invalidArgument("no tokens to score");
  if (options.window < 1)
    return invalidArgument("a perplexity window needs at least one position (got " +
                           std::to_string(options.window) + ")");
  const int64_t perWindow = options.window;
  const int64_t n = int64_t(text.size());
  const int64_t windowsTotal = (n + perWindow - 1) / perWindow;
  const auto start = std::chrono::steady_clock::now();
  PerplexityResult result;
  result.nll.reserve(text.size());
  for (int64_t w = 0; w < windowsTotal; ++w) {
    auto where = [&](int64_t index) {
      return "window " + std::to_string(w + 1) + ", token " + std::to_string(index) + ": ";
    };
    Expected<SequenceRunner *> runner = freshRunner();
    if (!runner)
      return runner.takeStatus();
    if ((*runner)->maxSeqLen() < options.window)
      return invalidArgument("a window of " + std::to_string(options.window) +
                             " positions does not fit the cache's " +
                             std::to_string((*runner)->maxSeqLen()));
    const int64_t begin = w * perWindow, end = std::min(n, begin + perWindow);
    int32_t input = options.bosTokenId;
    for (int64_t i = begin; i < end; ++i) {
      Expected<const float *> logits = (*runner)->forward(&input, 1);
      if (!logits)
        return Status(logits.status().code(), where(i) + logits.status().message());
      Expected<double> nll = negativeLogLikelihood(*logits, (*runner)->vocabSize(), text[i]);
      if (!nll)
        return Status(nll.status().code(), where(i) + nll.status().message());
      result.nll.push_back(*nll);
      input = text[i];
    }
    result.windows = w + 1;
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (onWindow)
      onWindow(result, windowsTotal);
  }
  return result;
}

} // namespace sieve::ref
