// Perplexity windows on a random-weight tiny-v4 checkpoint: every score is
// checked against logits taken from a plain per-token forward on a sequence
// of the test's own, with a float log-softmax written here.
#include "sieve/io/model_config.h"
#include "sieve/io/random_checkpoint.h"
#include "sieve/reference/generate.h"
#include "sieve/reference/model.h"
#include "sieve/reference/perplexity.h"

#include "../support/temp_dir.h"
#include "test_paths.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sieve::ref {
namespace {

class PerplexityTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    auto config =
        io::loadModelConfig(sieve::test_paths::sourcePath("examples/tiny-v4/config.json"));
    ASSERT_TRUE(config.isOk()) << config.status().message();
    dir_ = new std::string(test::sharedTempDir("sieve-perplexity"));
    ASSERT_FALSE(dir_->empty());
    io::RandomCheckpointOptions options;
    options.seed = 8;
    options.gain = 4; // sharper distributions than the default's near-uniform
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

  /// Fresh reference sequences, one per call, counted.
  FreshRunner freshRunners() {
    return [this]() -> Expected<SequenceRunner *> {
      ++freshCalls_;
      runner_.reset();
      seq_.emplace(model_->newSequence());
      runner_ = std::make_unique<ReferenceRunner>(*model_, *seq_);
      return runner_.get();
    };
  }

  /// -log p(token) after feeding `context` one token at a time.
  static double expectedNll(const std::vector<int32_t> &context, int32_t token) {
    Sequence seq = model_->newSequence();
    std::vector<float> logits;
    for (int32_t id : context) {
      auto out = model_->forward(seq, &id, 1);
      EXPECT_TRUE(out.isOk()) << out.status().message();
      if (!out.isOk())
        return NAN;
      logits = out->logits;
    }
    float maxLogit = -std::numeric_limits<float>::infinity();
    for (float v : logits)
      maxLogit = std::max(maxLogit, v);
    double sum = 0;
    for (float v : logits)
      sum += std::exp(double(v - maxLogit));
    return -(double(logits[size_t(token)] - maxLogit) - std::log(sum));
  }

  static std::string *dir_;
  static Model *model_;
  std::optional<Sequence> seq_;
  std::unique_ptr<ReferenceRunner> runner_;
  int freshCalls_ = 0;
  const std::vector<int32_t> text_ = {17, 300, 5, 42, 511, 128, 9};
};
std::string *PerplexityTest::dir_ = nullptr;
Model *PerplexityTest::model_ = nullptr;

TEST_F(PerplexityTest, OneWindowScoresEveryTokenAfterBos) {
  PerplexityOptions options;
  options.window = 16;
  options.bosTokenId = int32_t(model_->config().bosTokenId);
  auto result = scorePerplexity(freshRunners(), text_, options);
  ASSERT_TRUE(result.isOk()) << result.status().message();
  ASSERT_EQ(result->nll.size(), text_.size());
  EXPECT_EQ(result->windows, 1);
  EXPECT_EQ(freshCalls_, 1);
  std::vector<int32_t> context = {options.bosTokenId};
  double sum = 0;
  for (size_t i = 0; i < text_.size(); ++i) {
    const double want = expectedNll(context, text_[i]);
    EXPECT_NEAR(result->nll[i], want, 1e-5 * std::max(1.0, want)) << "token " << i;
    sum += want;
    context.push_back(text_[i]);
  }
  EXPECT_NEAR(result->perplexity(), std::exp(sum / double(text_.size())), 1e-4);
  EXPECT_GT(result->perplexityError(), 0);
}

TEST_F(PerplexityTest, WindowsStartOverWithBos) {
  PerplexityOptions options;
  options.window = 3; // [BOS t0 t1] [BOS t3 t4] [BOS t6], scoring t0..t2, t3..t5, t6
  options.bosTokenId = int32_t(model_->config().bosTokenId);
  int64_t callbacks = 0;
  auto result = scorePerplexity(freshRunners(), text_, options,
                                [&](const PerplexityResult &soFar, int64_t total) {
                                  ++callbacks;
                                  EXPECT_EQ(total, 3);
                                  EXPECT_EQ(soFar.windows, callbacks);
                                });
  ASSERT_TRUE(result.isOk()) << result.status().message();
  ASSERT_EQ(result->nll.size(), text_.size());
  EXPECT_EQ(result->windows, 3);
  EXPECT_EQ(callbacks, 3);
  EXPECT_EQ(freshCalls_, 3);
  for (size_t i = 0; i < text_.size(); ++i) {
    std::vector<int32_t> context = {options.bosTokenId};
    for (size_t j = i - i % 3; j < i; ++j)
      context.push_back(text_[j]);
    const double want = expectedNll(context, text_[i]);
    EXPECT_NEAR(result->nll[i], want, 1e-5 * std::max(1.0, want)) << "token " << i;
  }
}

TEST_F(PerplexityTest, BadInputsAreErrors) {
  PerplexityOptions options;
  options.window = 4;
  options.bosTokenId = int32_t(model_->config().bosTokenId);
  EXPECT_FALSE(scorePerplexity(freshRunners(), {}, options).isOk());
  auto outside = scorePerplexity(freshRunners(), {1, 2, 100000}, options);
  ASSERT_FALSE(outside.isOk());
  EXPECT_NE(outside.status().message().find("window 1, token 2"), std::string::npos)
      << outside.status().message();
  options.window = 0;
  EXPECT_FALSE(scorePerplexity(freshRunners(), text_, options).isOk());
  options.window = model_->maxSeqLen() + 1;
  auto tooLong = scorePerplexity(freshRunners(), text_, options);
  ASSERT_FALSE(tooLong.isOk());
  EXPECT_NE(tooLong.status().message().find("does not fit"), std::string::npos);
}

TEST(NegativeLogLikelihood, MatchesClosedForms) {
  // Uniform over 4: -log(1/4).
  const float uniform[4] = {2, 2, 2, 2};
  auto u = negativeLogLikelihood(uniform, 4, 1);
  ASSERT_TRUE(u.isOk());
  EXPECT_NEAR(*u, std::log(4.0), 1e-12);
  // Large logits must not overflow: softmax is shift-invariant.
  const float big[2] = {1000, 1000 + float(std::log(3.0))};
  auto b = negativeLogLikelihood(big, 2, 1);
  ASSERT_TRUE(b.isOk());
  EXPECT_NEAR(*b, -std::log(0.75), 1e-4);
  const float withNan[2] = {0, NAN};
  EXPECT_FALSE(negativeLogLikelihood(withNan, 2, 0).isOk());
  const float impossible[2] = {0, -INFINITY};
  EXPECT_FALSE(negativeLogLikelihood(impossible, 2, 1).isOk());
  EXPECT_TRUE(negativeLogLikelihood(impossible, 2, 0).isOk());
  EXPECT_FALSE(negativeLogLikelihood(uniform, 4, 4).isOk());
}

} // namespace
} // namespace sieve::ref
