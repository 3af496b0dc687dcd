// Generation on a random-weight tiny-v4 checkpoint written by the test:
// determinism per seed, greedy == manual forward + argmax, eos and callback
// stops, teacher forcing logits == manual forward, limits, errors, batches.
#include "sieve/io/model_config.h"
#include "sieve/io/random_checkpoint.h"
#include "sieve/reference/generate.h"
#include "sieve/reference/model.h"

#include "../support/temp_dir.h"
#include "test_paths.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace sieve::ref {
namespace {

class GenerateTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    auto config =
        io::loadModelConfig(sieve::test_paths::sourcePath("examples/tiny-v4/config.json"));
    ASSERT_TRUE(config.isOk()) << config.status().message();
    dir_ = new std::string(test::sharedTempDir("sieve-generate"));
    ASSERT_FALSE(dir_->empty());
    io::RandomCheckpointOptions options;
    options.seed = 3;
    auto files = io::writeRandomCheckpoint(*config, options, *dir_);
    ASSERT_TRUE(files.isOk()) << files.status().message();
    auto model = Model::load(*dir_);
    ASSERT_TRUE(model.isOk()) << model.status().message();
    model_ = model.take().release();
  }
  static void TearDownTestSuite() {
    delete model_;
    delete dir_;
    model_ = nullptr;
    dir_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(model_, nullptr) << "checkpoint setup failed"; }

  static GenerateOptions greedy(int64_t maxNew) {
    GenerateOptions o;
    o.sampler.temperature = 0;
    o.maxNewTokens = maxNew;
    o.stopAtEos = false;
    return o;
  }
  static GenerateResult run(const std::vector<int32_t> &prompt, const GenerateOptions &o,
                            const TokenCallback &cb = {}) {
    auto r = generate(*model_, prompt, o, cb);
    EXPECT_TRUE(r.isOk()) << r.status().message();
    return r.isOk() ? r.take() : GenerateResult{};
  }
  static std::vector<float> forward(Sequence &seq, const std::vector<int32_t> &tokens) {
    auto r = model_->forward(seq, tokens.data(), int64_t(tokens.size()));
    EXPECT_TRUE(r.isOk()) << r.status().message();
    return r.isOk() ? r->logits : std::vector<float>{};
  }

  static std::string *dir_;
  static Model *model_;
  const std::vector<int32_t> prompt_ = {0, 17, 300, 5, 42, 511, 128};
};
std::string *GenerateTest::dir_ = nullptr;
Model *GenerateTest::model_ = nullptr;

TEST_F(GenerateTest, SameSeedSameTokens) {
  GenerateOptions o;
  o.sampler.temperature = 1.0;
  o.sampler.seed = 5;
  o.maxNewTokens = 12;
  o.stopAtEos = false;
  GenerateResult a = run(prompt_, o), b = run(prompt_, o);
  ASSERT_EQ(a.tokens.size(), 12u);
  EXPECT_EQ(a.tokens, b.tokens);
  o.sampler.seed = 6;
  EXPECT_NE(run(prompt_, o).tokens, a.tokens);
}

TEST_F(GenerateTest, GreedyEqualsManualForwardAndArgmax) {
  GenerateOptions o = greedy(6);
  o.recordLogits = true;
  GenerateResult r = run(prompt_, o);
  ASSERT_EQ(r.tokens.size(), 6u);
  EXPECT_EQ(r.stopReason, StopReason::kMaxNewTokens);
  const int64_t vocab = model_->config().vocabSize;
  ASSERT_EQ(r.vocab, vocab);
  ASSERT_EQ(r.logitSteps, 6); // prefill + 5 decode steps; the last token is not run

  Sequence seq = model_->newSequence();
  std::vector<float> logits = forward(seq, prompt_);
  for (size_t j = 0; j < 6; ++j) {
    ASSERT_EQ(std::vector<float>(r.logits.begin() + std::ptrdiff_t(j * size_t(vocab)),
                                 r.logits.begin() + std::ptrdiff_t((j + 1) * size_t(vocab))),
              logits)
        << "step " << j;
    const int32_t next = int32_t(argmax(logits.data(), vocab));
    EXPECT_EQ(r.tokens[j], next) << "token " << j;
    if (j + 1 < 6)
      logits = forward(seq, {next});
  }
  EXPECT_EQ(r.prefillTokens, int64_t(prompt_.size()));
  EXPECT_EQ(r.decodeTokens, 5);
  EXPECT_GT(r.prefillSeconds, 0);
  EXPECT_GT(r.decodeTokensPerSecond(), 0);
}

TEST_F(GenerateTest, EosStopsAndIsTheLastToken) {
  GenerateResult free = run(prompt_, greedy(8));
  ASSERT_EQ(free.tokens.size(), 8u);
  const int32_t eos = free.tokens[3];
  size_t first = 0;
  while (free.tokens[first] != eos)
    ++first;

  GenerateOptions o = greedy(8);
  o.stopAtEos = true;
  o.eosTokenId = eos;
  GenerateResult r = run(prompt_, o);
  EXPECT_EQ(r.stopReason, StopReason::kEos);
  EXPECT_EQ(r.tokens, std::vector<int32_t>(free.tokens.begin(),
                                           free.tokens.begin() + std::ptrdiff_t(first + 1)));
}

TEST_F(GenerateTest, TeacherForcingLogitsEqualManualForward) {
  GenerateOptions o = greedy(3);
  o.prefillLen = 2;
  o.recordLogits = true;
  GenerateResult r = run(prompt_, o);
  const int64_t vocab = model_->config().vocabSize;
  const size_t forced = prompt_.size() - 2;
  ASSERT_EQ(r.tokens.size(), 3u);
  ASSERT_EQ(r.logitSteps, int64_t(1 + forced + 2));

  // Manual: prefill 2 ids, then every other prompt id and the first two
  // generated tokens one decode step each.
  Sequence seq = model_->newSequence();
  std::vector<std::vector<float>> rows;
  rows.push_back(forward(seq, {prompt_[0], prompt_[1]}));
  for (size_t i = 2; i < prompt_.size(); ++i)
    rows.push_back(forward(seq, {prompt_[i]}));
  for (size_t j = 0; j < 3; ++j) {
    const int32_t next = int32_t(argmax(rows.back().data(), vocab));
    EXPECT_EQ(r.tokens[j], next);
    if (j < 2)
      rows.push_back(forward(seq, {next}));
  }
  ASSERT_EQ(rows.size(), size_t(r.logitSteps));
  for (size_t s = 0; s < rows.size(); ++s)
    EXPECT_EQ(std::vector<float>(r.logits.begin() + std::ptrdiff_t(s * size_t(vocab)),
                                 r.logits.begin() + std::ptrdiff_t((s + 1) * size_t(vocab))),
              rows[s])
        << "step " << s;
  EXPECT_EQ(r.prefillTokens, 2);
  EXPECT_EQ(r.decodeTokens, int64_t(forced + 2));
}

TEST_F(GenerateTest, ScoringOnlyWithZeroNewTokens) {
  GenerateOptions o = greedy(0);
  o.prefillLen = 3;
  o.recordLogits = true;
  GenerateResult r = run(prompt_, o);
  EXPECT_TRUE(r.tokens.empty());
  EXPECT_EQ(r.stopReason, StopReason::kMaxNewTokens);
  EXPECT_EQ(r.logitSteps, int64_t(prompt_.size()) - 3 + 1);
}

TEST_F(GenerateTest, CallbackStreamsAndCanStop) {
  std::vector<int32_t> seen;
  GenerateResult r = run(prompt_, greedy(10), [&](int32_t t) {
    seen.push_back(t);
    return seen.size() < 3;
  });
  EXPECT_EQ(r.stopReason, StopReason::kCallback);
  EXPECT_EQ(r.tokens.size(), 3u);
  EXPECT_EQ(seen, r.tokens);
}

TEST_F(GenerateTest, SequencePositionAndContinuation) {
  Sequence seq = model_->newSequence();
  auto r = generate(*model_, seq, prompt_, greedy(4));
  ASSERT_TRUE(r.isOk()) << r.status().message();
  // The last generated token is not consumed.
  EXPECT_EQ(seq.position(), int64_t(prompt_.size()) + 3);
  // A follow-up turn starts with it and runs as decode steps.
  auto next = generate(*model_, seq, {r->tokens.back(), 7, 9}, greedy(2));
  ASSERT_TRUE(next.isOk()) << next.status().message();
  EXPECT_EQ(next->tokens.size(), 2u);
  EXPECT_EQ(seq.position(), int64_t(prompt_.size()) + 3 + 3 + 1);
}

TEST_F(GenerateTest, StopsAtTheCacheLength) {
  LoadOptions lo;
  lo.maxSeqLen = 10;
  auto small = Model::load(*dir_, lo);
  ASSERT_TRUE(small.isOk()) << small.status().message();
  // 7 prompt tokens + 3 generated fill the 10 positions (as the reference's
  // total = min(max_seq_len, prompt + max_new)).
  auto r = generate(**small, prompt_, greedy(100));
  ASSERT_TRUE(r.isOk()) << r.status().message();
  EXPECT_EQ(r->stopReason, StopReason::kMaxSeqLen);
  EXPECT_EQ(r->tokens.size(), 3u);

  std::vector<int32_t> longPrompt(11, 4);
  auto tooLong = generate(**small, longPrompt, greedy(1));
  ASSERT_FALSE(tooLong.isOk());
  EXPECT_EQ(tooLong.status().code(), StatusCode::kOutOfRange);
  EXPECT_NE(tooLong.status().message().find("the prompt has 11 tokens but the cache holds 10"),
            std::string::npos)
      << tooLong.status().message();
}

TEST_F(GenerateTest, BadInputsAreClearErrors) {
  auto message = [&](const std::vector<int32_t> &prompt, const GenerateOptions &o) {
    auto r = generate(*model_, prompt, o);
    EXPECT_FALSE(r.isOk());
    return r.isOk() ? std::string() : r.status().message();
  };
  EXPECT_NE(message({}, greedy(1)).find("prompt is empty"), std::string::npos);
  EXPECT_NE(message({1, 512}, greedy(1)).find("prompt token 512 at index 1 is outside"),
            std::string::npos);
  EXPECT_NE(message({1, -3}, greedy(1)).find("prompt token -3"), std::string::npos);
  GenerateOptions o = greedy(1);
  o.prefillLen = 8;
  EXPECT_NE(message(prompt_, o).find("prefill length 8 is outside [1, 7]"), std::string::npos);
  o = greedy(1);
  o.sampler.topP = 0;
  EXPECT_NE(message(prompt_, o).find("top_p"), std::string::npos);
  o = greedy(-1);
  EXPECT_NE(message(prompt_, o).find("max new tokens"), std::string::npos);
}

TEST_F(GenerateTest, BatchOfDifferentLengthsEqualsSeparateRuns) {
  const std::vector<std::vector<int32_t>> prompts = {
      {0, 3, 9}, {0, 100, 200, 300, 400, 12, 13}, {0, 77, 78, 79, 80}};
  GenerateOptions o;
  o.sampler.temperature = 0.8;
  o.sampler.topK = 40;
  o.sampler.seed = 11;
  o.maxNewTokens = 5;
  o.stopAtEos = false;
  std::vector<std::vector<int32_t>> streamed(prompts.size());
  std::vector<size_t> order;
  auto batch = generateBatch(*model_, prompts, o, [&](size_t i, int32_t t) {
    streamed[i].push_back(t);
    order.push_back(i);
    return true;
  });
  ASSERT_TRUE(batch.isOk()) << batch.status().message();
  ASSERT_EQ(batch->size(), prompts.size());
  for (size_t i = 0; i < prompts.size(); ++i) {
    GenerateOptions single = o;
    single.sampler.seed = o.sampler.seed + i;
    EXPECT_EQ((*batch)[i].tokens, run(prompts[i], single).tokens) << "prompt " << i;
    EXPECT_EQ(streamed[i], (*batch)[i].tokens);
  }
  // Round-robin: the first tokens of all three arrive before any second one.
  ASSERT_GE(order.size(), 3u);
  EXPECT_EQ(std::vector<size_t>(order.begin(), order.begin() + 3),
            (std::vector<size_t>{0, 1, 2}));

  auto bad = generateBatch(*model_, {{1, 2}, {}}, o);
  ASSERT_FALSE(bad.isOk());
  EXPECT_NE(bad.status().message().find("prompt 1: the prompt is empty"), std::string::npos);
}

} // namespace
} // namespace sieve::ref
