// The sampler: greedy, temperature, top-k, top-p, seeds, and that its draws
// follow the distribution it claims (a chi-square bound over many draws).
#include "sieve/reference/generate.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace sieve::ref {
namespace {

std::vector<float> randomLogits(uint64_t seed, int64_t n, double scale = 3.0) {
  Rng rng(seed);
  std::vector<float> v(static_cast<size_t>(n));
  for (float &x : v)
    x = float((rng.uniform() * 2 - 1) * scale);
  return v;
}

Sampler makeSampler(double temperature, int64_t topK = 0, double topP = 1.0,
                    uint64_t seed = 0) {
  SamplerOptions o;
  o.temperature = temperature;
  o.topK = topK;
  o.topP = topP;
  o.seed = seed;
  auto s = Sampler::create(o);
  EXPECT_TRUE(s.isOk()) << s.status().message();
  return s.take();
}

int32_t draw(Sampler &s, const std::vector<float> &logits) {
  auto t = s.sample(logits.data(), int64_t(logits.size()));
  EXPECT_TRUE(t.isOk()) << t.status().message();
  return t.isOk() ? *t : -1;
}

TEST(Sampler, GreedyPicksArgmaxLowestIdOnTies) {
  Sampler s = makeSampler(0);
  std::vector<float> logits = {0.5f, 2.0f, -1.0f, 2.0f, 1.0f};
  EXPECT_EQ(draw(s, logits), 1);
  for (uint64_t seed = 1; seed < 20; ++seed) {
    auto l = randomLogits(seed, 300);
    EXPECT_EQ(draw(s, l), argmax(l.data(), 300));
  }
  // -inf entries are allowed; they just never win.
  std::vector<float> masked = {-std::numeric_limits<float>::infinity(), -3.0f, -2.0f};
  EXPECT_EQ(draw(s, masked), 2);
}

TEST(Sampler, TopK1AndTinyTopPAreGreedy) {
  for (uint64_t seed = 1; seed < 50; ++seed) {
    auto l = randomLogits(seed, 257);
    const int64_t best = argmax(l.data(), 257);
    Sampler k1 = makeSampler(1.0, 1, 1.0, seed);
    Sampler p0 = makeSampler(1.0, 0, 1e-9, seed);
    Sampler hot = makeSampler(5.0, 1, 1.0, seed); // top-1 wins at any temperature
    EXPECT_EQ(draw(k1, l), best);
    EXPECT_EQ(draw(p0, l), best);
    EXPECT_EQ(draw(hot, l), best);
  }
}

TEST(Sampler, SameSeedSameTokensOtherSeedOtherTokens) {
  auto l = randomLogits(3, 1000, 1.0);
  auto run = [&](uint64_t seed) {
    Sampler s = makeSampler(1.0, 50, 0.9, seed);
    std::vector<int32_t> out;
    for (int i = 0; i < 200; ++i)
      out.push_back(draw(s, l));
    return out;
  };
  EXPECT_EQ(run(42), run(42));
  EXPECT_NE(run(42), run(43));
}

// Over many draws the counts must follow softmax(logits / T): Pearson's
// chi-square statistic against the expected counts stays below a bound far in
// the tail (Wilson-Hilferty quantile at z = 5, p ~ 3e-7), so the test is not
// flaky, yet a wrong temperature or off-by-one in the CDF walk fails by far.
void expectFollowsSoftmax(double temperature) {
  const std::vector<float> logits = {1.0f, 0.0f, 2.0f, -1.0f, 0.5f, 1.5f, -0.5f, 0.25f};
  const int64_t n = int64_t(logits.size());
  std::vector<double> p(static_cast<size_t>(n));
  double sum = 0;
  for (int64_t i = 0; i < n; ++i)
    sum += p[size_t(i)] = std::exp(logits[size_t(i)] / temperature);
  for (double &v : p)
    v /= sum;

  Sampler s = makeSampler(temperature, 0, 1.0, 1234);
  const int draws = 200000;
  std::vector<int64_t> counts(static_cast<size_t>(n), 0);
  for (int i = 0; i < draws; ++i)
    ++counts[size_t(draw(s, logits))];

  double chi2 = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double expected = draws * p[size_t(i)];
    chi2 += (counts[size_t(i)] - expected) * (counts[size_t(i)] - expected) / expected;
  }
  const double k = double(n - 1), z = 5.0;
  const double bound = k * std::pow(1 - 2 / (9 * k) + z * std::sqrt(2 / (9 * k)), 3);
  EXPECT_LT(chi2, bound) << "T=" << temperature;

  // The sampler's own probabilities agree with the textbook softmax.
  auto probs = s.probabilities(logits.data(), n);
  ASSERT_TRUE(probs.isOk());
  for (int64_t i = 0; i < n; ++i)
    EXPECT_NEAR((*probs)[size_t(i)], p[size_t(i)], 1e-6);
}

TEST(Sampler, DrawsFollowSoftmaxAtT1) { expectFollowsSoftmax(1.0); }
TEST(Sampler, DrawsFollowSoftmaxAtT07) { expectFollowsSoftmax(0.7); }

std::vector<float> logitsOf(const std::vector<double> &probs) {
  std::vector<float> l;
  for (double p : probs)
    l.push_back(float(std::log(p)));
  return l;
}

TEST(Sampler, TopKKeepsTheKMostProbableRenormalized) {
  auto l = logitsOf({0.1, 0.4, 0.05, 0.3, 0.15});
  Sampler s = makeSampler(1.0, 3, 1.0, 9);
  auto p = s.probabilities(l.data(), 5);
  ASSERT_TRUE(p.isOk());
  EXPECT_NEAR((*p)[1], 0.4 / 0.85, 1e-6);
  EXPECT_NEAR((*p)[3], 0.3 / 0.85, 1e-6);
  EXPECT_NEAR((*p)[4], 0.15 / 0.85, 1e-6);
  EXPECT_EQ((*p)[0], 0.0f);
  EXPECT_EQ((*p)[2], 0.0f);
  for (int i = 0; i < 2000; ++i) {
    int32_t t = draw(s, l);
    EXPECT_TRUE(t == 1 || t == 3 || t == 4) << t;
  }
}

TEST(Sampler, TopPKeepsTheShortestPrefixReachingP) {
  auto l = logitsOf({0.2, 0.5, 0.3});
  // 0.5 < 0.7 <= 0.5 + 0.3: ids 1 and 2 stay.
  Sampler s = makeSampler(1.0, 0, 0.7, 5);
  auto p = s.probabilities(l.data(), 3);
  ASSERT_TRUE(p.isOk());
  EXPECT_EQ((*p)[0], 0.0f);
  EXPECT_NEAR((*p)[1], 0.5 / 0.8, 1e-6);
  EXPECT_NEAR((*p)[2], 0.3 / 0.8, 1e-6);
  for (int i = 0; i < 2000; ++i)
    EXPECT_NE(draw(s, l), 0);
}

TEST(Sampler, TopKAppliesBeforeTopP) {
  // Top-k 2 renormalizes {0.5, 0.3} to {0.625, 0.375}; 0.625 >= top_p 0.6
  // keeps one id. Top-p first would have kept two (0.5 < 0.6).
  auto l = logitsOf({0.5, 0.3, 0.2});
  Sampler s = makeSampler(1.0, 2, 0.6, 5);
  auto p = s.probabilities(l.data(), 3);
  ASSERT_TRUE(p.isOk());
  EXPECT_EQ((*p)[0], 1.0f);
  EXPECT_EQ((*p)[1], 0.0f);
  EXPECT_EQ((*p)[2], 0.0f);
}

TEST(Sampler, RejectsBadOptionsWithTheFieldNamed) {
  auto bad = [](double t, int64_t k, double p) {
    SamplerOptions o;
    o.temperature = t;
    o.topK = k;
    o.topP = p;
    auto s = Sampler::create(o);
    EXPECT_FALSE(s.isOk());
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
    return s.status().message();
  };
  EXPECT_NE(bad(-0.5, 0, 1).find("temperature"), std::string::npos);
  EXPECT_NE(bad(std::nan(""), 0, 1).find("temperature"), std::string::npos);
  EXPECT_NE(bad(1, 0, 0).find("top_p"), std::string::npos);
  EXPECT_NE(bad(1, 0, 1.5).find("top_p"), std::string::npos);
  EXPECT_NE(bad(1, -1, 1).find("top_k"), std::string::npos);
}

TEST(Sampler, RejectsLogitsThatCannotBeSampled) {
  const float inf = std::numeric_limits<float>::infinity();
  for (double t : {0.0, 1.0}) {
    Sampler s = makeSampler(t);
    std::vector<float> nan = {0.0f, std::nanf(""), 1.0f};
    auto r = s.sample(nan.data(), 3);
    ASSERT_FALSE(r.isOk());
    EXPECT_NE(r.status().message().find("logits[1] is NaN"), std::string::npos);
    std::vector<float> allMasked = {-inf, -inf};
    EXPECT_FALSE(s.sample(allMasked.data(), 2).isOk());
    EXPECT_FALSE(s.sample(nan.data(), 0).isOk());
  }
}

// min-p keeps the ids whose probability is at least min_p times the most
// probable one's, computed here from the textbook softmax.
TEST(Sampler, MinPKeepsIdsNearTheMostProbable) {
  std::vector<float> logits = {2.0f, 1.0f, 0.0f, -1.0f, 1.9f};
  SamplerOptions o;
  o.minP = 0.3; // exp(-1) = 0.37 and exp(-0.1) pass, exp(-2) = 0.14 does not
  auto s = Sampler::create(o);
  ASSERT_TRUE(s.isOk());
  auto p = s->probabilities(logits.data(), 5);
  ASSERT_TRUE(p.isOk());
  const double kept = std::exp(0.0) + std::exp(-1.0) + std::exp(-0.1);
  EXPECT_NEAR((*p)[0], std::exp(0.0) / kept, 1e-6);
  EXPECT_NEAR((*p)[1], std::exp(-1.0) / kept, 1e-6);
  EXPECT_EQ((*p)[2], 0.0f);
  EXPECT_EQ((*p)[3], 0.0f);
  EXPECT_NEAR((*p)[4], std::exp(-0.1) / kept, 1e-6);
  // min_p = 1 keeps the most probable id alone: greedy.
  o.minP = 1.0;
  auto one = Sampler::create(o);
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(*one->sample(logits.data(), 5), 0);
}

// The penalties, against the formulas: ids among the last repeat_last_n of
// the context, seen c times, get logit / r (positive) or logit * r, then
// - frequency * c - presence; ids outside the window keep their logits.
TEST(Sampler, PenaltiesFollowTheFormulaOverTheWindow) {
  std::vector<float> logits = {3.0f, -1.0f, 2.0f, 0.5f, 1.0f};
  SamplerOptions o;
  o.temperature = 1.0;
  o.repeatPenalty = 2.0;
  o.frequencyPenalty = 0.25;
  o.presencePenalty = 0.5;
  o.penaltyLastN = 4;
  // id 4 falls outside the window of the last four.
  const std::vector<int32_t> context = {4, 0, 1, 0, 2};
  auto s = Sampler::create(o);
  ASSERT_TRUE(s.isOk());
  auto p = s->probabilities(logits.data(), 5, context);
  ASSERT_TRUE(p.isOk());
  const double want[] = {3.0 / 2 - 0.25 * 2 - 0.5, -1.0 * 2 - 0.25 - 0.5, 2.0 / 2 - 0.25 - 0.5, 0.5,
                         1.0};
  double sum = 0;
  for (double w : want)
    sum += std::exp(w);
  for (int i = 0; i < 5; ++i)
    EXPECT_NEAR((*p)[size_t(i)], std::exp(want[i]) / sum, 1e-6) << "id " << i;
  // Greedy decoding sees the penalties too: id 0 (3.0) drops to 0.5, below
  // id 4's 1.0.
  o.temperature = 0;
  auto greedy = Sampler::create(o);
  EXPECT_EQ(*greedy->sample(logits.data(), 5), 0);
  EXPECT_EQ(*greedy->sample(logits.data(), 5, context), 4);
  // Defaults leave the logits alone whatever the context.
  auto plain = Sampler::create(SamplerOptions{});
  auto same = plain->probabilities(logits.data(), 5, context);
  auto none = plain->probabilities(logits.data(), 5);
  EXPECT_EQ(*same, *none);
}

TEST(Sampler, RejectsBadMinPAndPenalties) {
  auto bad = [](auto set) {
    SamplerOptions o;
    set(o);
    return !validateSamplerOptions(o).isOk();
  };
  EXPECT_TRUE(bad([](SamplerOptions &o) { o.minP = -0.1; }));
  EXPECT_TRUE(bad([](SamplerOptions &o) { o.minP = 1.5; }));
  EXPECT_TRUE(bad([](SamplerOptions &o) { o.repeatPenalty = 0; }));
  EXPECT_TRUE(bad([](SamplerOptions &o) { o.repeatPenalty = std::nan(""); }));
  EXPECT_TRUE(bad([](SamplerOptions &o) { o.presencePenalty = INFINITY; }));
  EXPECT_TRUE(bad([](SamplerOptions &o) { o.frequencyPenalty = std::nan(""); }));
  EXPECT_TRUE(bad([](SamplerOptions &o) { o.penaltyLastN = -1; }));
  EXPECT_FALSE(bad([](SamplerOptions &o) { o.presencePenalty = -1.0; }));
}

TEST(Rng, UniformIsInUnitIntervalAndSeeded) {
  Rng a(7), b(7), c(8);
  double sum = 0;
  bool differs = false;
  for (int i = 0; i < 10000; ++i) {
    double u = a.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    EXPECT_EQ(u, b.uniform());
    differs |= c.uniform() != u;
  }
  EXPECT_TRUE(differs);
  EXPECT_NEAR(sum / 10000, 0.5, 0.02);
}

} // namespace
} // namespace sieve::ref
