//===- generate.cpp - Prefill, teacher forcing and the decode loop --------===//
//
// One Generation is the state of one sequence: each step() is exactly one
// model call (the prefill, a teacher-forced prompt id, or the last generated
// token), followed by sampling once the prompt is consumed. generate() runs
// one Generation to the end; generateBatch() runs several round-robin.
//
//===----------------------------------------------------------------------===//

#include "sieve/reference/generate.h"

#include <chrono>
#include <optional>
#include <string>
#include <utility>

namespace sieve::ref {

const char *stopReasonName(StopReason reason) {
  switch (reason) {
  case StopReason::kMaxNewTokens:
    return "max-new-tokens";
  case StopReason::kEos:
    return "eos";
  case StopReason::kMaxSeqLen:
    return "max-seq-len";
  case StopReason::kCallback:
    return "callback";
  }
  return "unknown";
}

double GenerateResult::prefillTokensPerSecond() const {
  return prefillSeconds > 0 ? double(prefillTokens) / prefillSeconds : 0.0;
}
double GenerateResult::decodeTokensPerSecond() const {
  return decodeSeconds > 0 ? double(decodeTokens) / decodeSeconds : 0.0;
}

Expected<const float *> ReferenceRunner::forward(const int32_t *tokens, int64_t n) {
  auto out = model_.forward(seq_, tokens, n);
  if (!out)
    return out.takeStatus();
  logits_ = std::move(out->logits);
  return static_cast<const float *>(logits_.data());
}

namespace {

using Clock = std::chrono::steady_clock;

class Generation {
public:
  Generation(SequenceRunner &runner, const std::vector<int32_t> &prompt,
             const GenerateOptions &options, TokenCallback onToken)
      : runner_(runner), prompt_(prompt), options_(options), onToken_(std::move(onToken)) {}

  /// Checks everything that can be checked before the first model call.
  Status init() {
    auto sampler = Sampler::create(options_.sampler);
    if (!sampler)
      return sampler.takeStatus();
    sampler_.emplace(sampler.take());

    const int64_t vocab = runner_.vocabSize();
    const int64_t n = int64_t(prompt_.size());
    if (n == 0)
      return invalidArgument("the prompt is empty: generation needs at least one token");
    if (options_.maxNewTokens < 0)
      return invalidArgument("max new tokens must be >= 0 (got " +
                             std::to_string(options_.maxNewTokens) + ")");
    prefillLen_ = options_.prefillLen == 0 ? n : options_.prefillLen;
    if (prefillLen_ < 1 || prefillLen_ > n)
      return invalidArgument("prefill length " + std::to_string(options_.prefillLen) +
                             " is outside [1, " + std::to_string(n) +
                             "] (the prompt's size)");
    for (int64_t i = 0; i < n; ++i)
      if (prompt_[size_t(i)] < 0 || prompt_[size_t(i)] >= vocab)
        return invalidArgument("prompt token " + std::to_string(prompt_[size_t(i)]) +
                               " at index " + std::to_string(i) +
                               " is outside the model's vocabulary [0, " +
                               std::to_string(vocab) + ")");
    startPos_ = runner_.position();
    if (startPos_ + n > runner_.maxSeqLen())
      return outOfRange("the prompt has " + std::to_string(n) + " tokens but the cache holds " +
                        std::to_string(runner_.maxSeqLen()) + " positions (max_seq_len)" +
                        (startPos_ > 0 ? ", " + std::to_string(startPos_) + " already used"
                                       : std::string()));
    eos_ = options_.eosTokenId ? int64_t(*options_.eosTokenId) : runner_.eosTokenId();
    if (options_.sampler.penalizes())
      context_ = prompt_;
    result_.vocab = vocab;
    return Status::ok();
  }

  bool done() const { return done_; }
  GenerateResult takeResult() { return std::move(result_); }

  /// One model call, then (once the prompt is consumed) one sampled token.
  Status step() {
    const auto start = Clock::now();
    const bool prefill = fed_ == 0;
    int32_t token;
    const int32_t *tokens = &token;
    int64_t count = 1;
    if (prefill) {
      tokens = prompt_.data();
      count = prefillLen_;
    } else if (fed_ < int64_t(prompt_.size())) {
      token = prompt_[size_t(fed_)]; // teacher forcing
    } else {
      token = pending_;
    }
    const int64_t position = runner_.position();
    auto out = runner_.forward(tokens, count);
    if (!out) {
      Status s = out.takeStatus();
      return s.annotate(prefill ? "prefill of " + std::to_string(count) + " tokens"
                                : "decode step at position " + std::to_string(position));
    }
    fed_ += fed_ < int64_t(prompt_.size()) ? count : 0;
    const float *logits = *out;
    if (options_.recordLogits) {
      result_.logits.insert(result_.logits.end(), logits, logits + result_.vocab);
      ++result_.logitSteps;
    }
    if (fed_ == int64_t(prompt_.size()))
      SIEVE_RETURN_IF_ERROR(sampleNext(logits));

    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (prefill) {
      result_.prefillTokens += count;
      result_.prefillSeconds += seconds;
    } else {
      result_.decodeTokens += count;
      result_.decodeSeconds += seconds;
    }
    return Status::ok();
  }

private:
  /// Stops when the token budget or the cache is used up; the next token
  /// would sit at position startPos + prompt + generated.
  bool limitReached() {
    const int64_t generated = int64_t(result_.tokens.size());
    if (generated >= options_.maxNewTokens)
      return stop(StopReason::kMaxNewTokens);
    if (startPos_ + int64_t(prompt_.size()) + generated >= runner_.maxSeqLen())
      return stop(StopReason::kMaxSeqLen);
    return false;
  }
  bool stop(StopReason reason) {
    result_.stopReason = reason;
    done_ = true;
    return true;
  }

  Status sampleNext(const float *logits) {
    if (limitReached())
      return Status::ok();
    auto next = sampler_->sample(logits, result_.vocab, context_);
    if (!next) {
      Status s = next.takeStatus();
      return s.annotate("sampling token " + std::to_string(result_.tokens.size()));
    }
    pending_ = *next;
    result_.tokens.push_back(pending_);
    if (options_.sampler.penalizes())
      context_.push_back(pending_);
    const bool keepGoing = !onToken_ || onToken_(pending_);
    if (options_.stopAtEos && pending_ == eos_)
      stop(StopReason::kEos);
    else if (!keepGoing)
      stop(StopReason::kCallback);
    else
      limitReached();
    return Status::ok();
  }

  SequenceRunner &runner_;
  const std::vector<int32_t> &prompt_;
  const GenerateOptions &options_;
  TokenCallback onToken_;
  std::optional<Sampler> sampler_;
  GenerateResult result_;
  std::vector<int32_t> context_; // the ids the sampler's penalties look at
  int64_t prefillLen_ = 0, startPos_ = 0, eos_ = -1;
  int64_t fed_ = 0;      // prompt ids consumed so far
  int32_t pending_ = -1; // last generated token, not yet run through the model
  bool done_ = false;
};

} // namespace

Expected<GenerateResult> generate(SequenceRunner &runner, const std::vector<int32_t> &prompt,
                                  const GenerateOptions &options,
                                  const TokenCallback &onToken) {
  Generation g(runner, prompt, options, onToken);
  SIEVE_RETURN_IF_ERROR(g.init());
  while (!g.done())
    SIEVE_RETURN_IF_ERROR(g.step());
  return g.takeResult();
}

Expected<GenerateResult> generate(const Model &model, Sequence &seq,
                                  const std::vector<int32_t> &prompt,
                                  const GenerateOptions &options,
                                  const TokenCallback &onToken) {
  ReferenceRunner runner(model, seq);
  return generate(runner, prompt, options, onToken);
}

Expected<GenerateResult> generate(const Model &model, const std::vector<int32_t> &prompt,
                                  const GenerateOptions &options,
                                  const TokenCallback &onToken) {
  Sequence seq = model.newSequence();
  return generate(model, seq, prompt, options, onToken);
}

Expected<std::vector<GenerateResult>>
generateBatch(const Model &model, const std::vector<std::vector<int32_t>> &prompts,
              const GenerateOptions &options, const BatchTokenCallback &onToken) {
  // Everything is set up and checked before the first model call, so a bad
  // prompt fails the batch without running the others. The vectors are sized
  // once: Generation holds references into them.
  const size_t n = prompts.size();
  std::vector<Sequence> seqs;
  std::vector<ReferenceRunner> runners;
  std::vector<GenerateOptions> rowOptions(n, options);
  std::vector<Generation> rows;
  seqs.reserve(n);
  runners.reserve(n);
  rows.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    seqs.push_back(model.newSequence());
    runners.emplace_back(model, seqs[i]);
    rowOptions[i].sampler.seed = options.sampler.seed + i;
    TokenCallback rowCallback;
    if (onToken)
      rowCallback = [&onToken, i](int32_t token) { return onToken(i, token); };
    rows.emplace_back(runners[i], prompts[i], rowOptions[i], std::move(rowCallback));
    Status s = rows.back().init();
    if (!s)
      return s.annotate("prompt " + std::to_string(i));
  }
  for (bool live = true; live;) {
    live = false;
    for (size_t i = 0; i < n; ++i) {
      if (rows[i].done())
        continue;
      Status s = rows[i].step();
      if (!s)
        return s.annotate("prompt " + std::to_string(i));
      live |= !rows[i].done();
    }
  }
  std::vector<GenerateResult> results;
  results.reserve(n);
  for (Generation &g : rows)
    results.push_back(g.takeResult());
  return results;
}

} // namespace sieve::ref
