// The reference executor: ops against hand-computed cases written from
// v4-architecture.md, the scenarios of 17.2, prefill/decode consistency,
// determinism and cache accounting.
#include "ops.h"

#include "sieve/io/random_checkpoint.h"
#include "sieve/numerics/float_formats.h"
#include "sieve/reference/model.h"

#include "../support/temp_dir.h"
#include "test_paths.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <numeric>
#include <string>

namespace sieve::ref {
namespace {

using num::roundToBf16;

//===----------------------------------------------------------------------===//
// Ops on hand-computed cases
//===----------------------------------------------------------------------===//

TEST(Ops, RmsNormRoundsOnceToBf16) {
  // x = [3, 4]: mean square 12.5, so x / rms = [0.8485, 1.1314]; w = [1, 2].
  float x[2] = {3, 4}, w[2] = {1, 2}, out[2];
  rmsNorm(x, 2, w, 0.0f, out);
  EXPECT_EQ(out[0], roundToBf16(float(3 / std::sqrt(12.5))));
  EXPECT_EQ(out[1], roundToBf16(float(2 * 4 / std::sqrt(12.5))));
}

TEST(Ops, HeadNormRoundsEveryOpToBf16) {
  // q = [1, 2, 3]: squares 1, 4, 9; mean 14/3 -> bf16 4.65625; rsqrt -> bf16
  // 0.462890625; products 0.462890625, 0.92578125, 1.388671875 -> 1.390625.
  float q[3] = {1, 2, 3};
  headNormBf16(q, 3, 1e-6f);
  EXPECT_EQ(q[0], 0.462890625f);
  EXPECT_EQ(q[1], 0.92578125f);
  EXPECT_EQ(q[2], 1.390625f);
}

io::ModelConfig smallHcConfig() {
  io::ModelConfig c;
  c.hcMult = 2;
  c.dim = 1;
  c.normEps = 1e-6;
  c.hcEps = 1e-6;
  c.hcSinkhornIters = 20;
  return c;
}

TEST(Ops, HcPostFeedsColumnJToStreamJ) {
  // out_j = post_j * x + sum_i comb[i, j] * h_i (15.1: not comb[j, i]).
  io::ModelConfig c = smallHcConfig();
  float x[1] = {1}, h[2] = {10, 20}, post[2] = {1, 0.5f};
  float comb[4] = {0.1f, 0.2f, 0.3f, 0.4f}; // row-major [i][j]
  float out[2];
  hcPost(c, x, h, post, comb, out);
  EXPECT_EQ(out[0], roundToBf16(1 + 0.1f * 10 + 0.3f * 20)); // 8
  EXPECT_EQ(out[1], roundToBf16(0.5f + 0.2f * 10 + 0.4f * 20)); // 10.5
}

TEST(Ops, HcPreWeightsAndSinkhorn) {
  // fn = 0 makes every mix equal to its base: pre_i = sigmoid(base_i) + eps,
  // post_i = 2 sigmoid(base_{2+i}), comb = Sinkhorn(base[4..8]).
  io::ModelConfig c = smallHcConfig();
  HyperConnection w;
  w.fn.assign(8 * 2, 0.0f);
  w.base = {0.0f, 1.0f, 0.0f, -1.0f, 0, 0, 0, 0};
  w.scale = {1, 1, 1};
  float h[2] = {2.0f, 4.0f}, a[1], post[2], comb[4];
  hcPre(c, w, h, a, post, comb);
  auto sig = [](double v) { return 1 / (1 + std::exp(-v)); };
  EXPECT_EQ(a[0], roundToBf16(float((sig(0) + 1e-6) * 2 + (sig(1) + 1e-6) * 4)));
  EXPECT_NEAR(post[0], 2 * sig(0), 1e-6);
  EXPECT_NEAR(post[1], 2 * sig(-1), 1e-6);
  for (float v : comb) // zero logits: uniform doubly stochastic
    EXPECT_NEAR(v, 0.5f, 1e-5f);
}

TEST(Ops, HcHeadNormalizedMixesWithoutSinkhorn) {
  // h = [3, 4]: r = rsqrt(mean(h^2) + eps) = rsqrt(12.5), m = fn h * r with
  // fn = I, w_i = sigmoid(m_i * scale + base_i) + hc_eps, y = bf16(sum w_i h_i).
  io::ModelConfig c = smallHcConfig();
  HyperConnection w;
  w.fn = {1, 0, 0, 1};
  w.base = {0.5f, -0.5f};
  w.scale = {2.0f};
  float h[2] = {3.0f, 4.0f}, y[1];
  hcHead(c, w, h, y);
  auto sig = [](double v) { return 1 / (1 + std::exp(-v)); };
  double r = 1 / std::sqrt(12.5 + 1e-6);
  double want = (sig(3 * r * 2 + 0.5) + 1e-6) * 3 + (sig(4 * r * 2 - 0.5) + 1e-6) * 4;
  // One bf16 step near 6 is 2^-5; an unnormalized mix would give ~7.
  EXPECT_NEAR(y[0], want, 0.0313);
  EXPECT_EQ(y[0], roundToBf16(y[0]));
}

TEST(Ops, IndexerScoreIsReluOfBf16DotsWeightedPerHead) {
  // Head 0: q.k = 1*3 + 2*1 = 5, ReLU 5, times w 0.5 -> 2.5. Head 1: q.k =
  // -4, ReLU 0. Score 2.5.
  float q[4] = {1, 2, -1, -1}, w[2] = {0.5f, 2.0f}, key[2] = {3, 1};
  EXPECT_EQ(indexerScore(q, w, 2, 2, key), 2.5f);
  // 1 + 2^-8 lies halfway between the bf16 values 1 and 1 + 2^-7: the dot
  // is rounded to bf16 (to even, 1.0) before the weight scales it by 3.
  float q1[2] = {1, 1}, key1[2] = {1, 1.0f / 256}, w1[1] = {3};
  EXPECT_EQ(indexerScore(q1, w1, 1, 2, key1), 3.0f);
}

TEST(Ops, CausalTopkSortsDescendingTiesLowAndPadsInvisible) {
  // Ties go to the lower index.
  EXPECT_EQ(causalTopk({0.5f, 2, 2, 1}, 4, 4, 3), (std::vector<int64_t>{1, 2, 3}));
  // Two visible of four ranked (prefill, 7.5): the third pick is an
  // invisible entry at -inf and becomes -1.
  EXPECT_EQ(causalTopk({0.5f, 2}, 4, 2, 3), (std::vector<int64_t>{1, 0, -1}));
  // Nothing visible yet: all padding.
  EXPECT_EQ(causalTopk({}, 2, 0, 2), (std::vector<int64_t>{-1, -1}));
  // Negative scores still beat invisible entries.
  EXPECT_EQ(causalTopk({-3, -1, -2}, 3, 3, 2), (std::vector<int64_t>{1, 2}));
}

TEST(Ops, SparseAttentionWithSinkTwoKeys) {
  // Keys [1,0] and [0,1], q = [1,0], scale 1: scores 1 and 0, m = 1,
  // P = [1, e^-1]; the numerator uses bf16(P), the denominator fp32 P plus
  // exp(sink - m).
  float q[2] = {1, 0}, k1[2] = {1, 0}, k2[2] = {0, 1}, out[2];
  const float sink = 0.5f;
  sparseAttentionHead(q, {k1, nullptr, k2}, 2, sink, 1.0f, out);
  double l = 1 + std::exp(-1.0) + std::exp(sink - 1.0);
  EXPECT_EQ(out[0], roundToBf16(float(1.0 / l)));
  EXPECT_EQ(out[1], roundToBf16(float(double(roundToBf16(std::exp(-1.0f))) / l)));
}

TEST(Ops, SparseAttentionAcrossBlocksMatchesPlainSoftmax) {
  // 150 keys cross two 64-key blocks; the online softmax must agree with a
  // direct double-precision softmax up to the bf16 rounding of P and output.
  const int n = 150, hd = 8;
  std::vector<float> keys(n * hd), q(hd);
  for (int i = 0; i < n * hd; ++i)
    keys[i] = roundToBf16(std::sin(0.37f * float(i)));
  for (int i = 0; i < hd; ++i)
    q[i] = roundToBf16(std::cos(0.91f * float(i)));
  std::vector<const float *> ptrs;
  for (int i = 0; i < n; ++i)
    ptrs.push_back(i % 7 == 3 ? nullptr : keys.data() + i * hd); // some padded
  std::vector<float> out(hd);
  sparseAttentionHead(q.data(), ptrs, hd, -2.0f, 0.35f, out.data());
  std::vector<double> want(hd, 0.0);
  double denom = std::exp(-2.0);
  for (int i = 0; i < n; ++i) {
    if (!ptrs[i])
      continue;
    double s = 0;
    for (int x = 0; x < hd; ++x)
      s += double(q[x]) * keys[i * hd + x];
    double p = std::exp(0.35 * s);
    denom += p;
    for (int x = 0; x < hd; ++x)
      want[x] += p * keys[i * hd + x];
  }
  for (int x = 0; x < hd; ++x)
    EXPECT_NEAR(out[x], want[x] / denom, 4e-3 + 8e-3 * std::fabs(want[x] / denom)) << x;
}

// The overlapping compressor (7.4) pools, per channel, the previous group's
// FIRST halves and the current group's SECOND halves. Scores pick one slot
// per channel (weight ~1); kv values are +-1 so after the RMSNorm (w = 1)
// every channel is exactly +-1, FP8-exact, and RoPE at position 0 is the
// identity: the output sign pattern shows which slot and half were used.
TEST(Ops, OverlapCompressorUsesPreviousFirstHalvesAndCurrentSecondHalves) {
  io::ModelConfig c;
  c.headDim = 128;
  c.ropeHeadDim = 64;
  c.normEps = 1e-6;
  CompressorWeights w;
  w.ratio = 4;
  w.coff = 2;
  w.dim = 128;
  w.norm.assign(128, 1.0f);
  num::RopeParams rp;
  auto rope = num::RopeTable::create(rp, 4);
  ASSERT_TRUE(rope.isOk());
  const int width = 256;
  std::vector<float> prevKv(4 * width), prevSc(4 * width, 0.0f);
  std::vector<float> curKv(4 * width), curSc(4 * width, 0.0f);
  for (int t = 0; t < 4; ++t)
    for (int u = 0; u < width; ++u) {
      // Each (slot, half, channel) gets its own sign.
      prevKv[t * width + u] = ((t + u / 128) % 2) ? 1.0f : -1.0f;
      curKv[t * width + u] = ((t + u / 128) % 2) ? -1.0f : 1.0f;
    }
  // Channel u: even -> previous slot u%4 wins (first half), odd -> current
  // slot u%4 wins (second half).
  for (int u = 0; u < 128; ++u) {
    if (u % 2 == 0)
      prevSc[(u % 4) * width + u] = 60.0f;
    else
      curSc[(u % 4) * width + 128 + u] = 60.0f;
    // Decoys in the halves that must be ignored.
    prevSc[((u + 1) % 4) * width + 128 + u] = 90.0f;
    curSc[((u + 2) % 4) * width + u] = 90.0f;
  }
  std::vector<float> out(128);
  compressEntry(w, c, *rope, /*indexerKey=*/false, prevKv.data(), prevSc.data(),
                curKv.data(), curSc.data(), /*pos=*/0, out.data());
  for (int u = 0; u < 128; ++u) {
    float want = u % 2 == 0 ? prevKv[(u % 4) * width + u]
                            : curKv[(u % 4) * width + 128 + u];
    EXPECT_NEAR(out[u], want, 1e-6f) << "channel " << u;
  }
  // Entry 0 has no previous group: only current second halves compete. Even
  // channels now average four +-1 values (near 0), so the RMSNorm scales the
  // odd ones up; their signs still name the winning slot.
  compressEntry(w, c, *rope, false, nullptr, nullptr, curKv.data(), curSc.data(), 0,
                out.data());
  for (int u = 1; u < 128; u += 2) {
    float want = curKv[(u % 4) * width + 128 + u];
    EXPECT_EQ(std::signbit(out[u]), std::signbit(want)) << u;
    EXPECT_GT(std::fabs(out[u]), 1.0f) << u;
  }
}

// MoE (8) on a hand-made bf16 checkpoint: dim 2, two experts of width 1,
// one active, swiglu_limit 0.5 so both clamps fire.
class MoEHandCase : public ::testing::Test {
protected:
  void SetUp() override {
    io::SafetensorsWriter wr;
    auto bf16 = [&](const std::string &name, std::vector<int64_t> shape,
                    std::vector<float> v) {
      std::vector<uint8_t> bytes(v.size() * 2);
      for (size_t i = 0; i < v.size(); ++i) {
        uint16_t b = num::bf16FromFloat(v[i]);
        std::memcpy(bytes.data() + 2 * i, &b, 2);
      }
      ASSERT_TRUE(wr.addTensor(name, io::DType::kBF16, shape, bytes).isOk());
    };
    bf16("gate.weight", {2, 2}, {1, 0, 0, 1});
    bf16("e0.w1.weight", {1, 2}, {-3, 0}); // gate -3: no lower clamp
    bf16("e0.w3.weight", {1, 2}, {1, 0});  // up 1 -> clamped to 0.5
    bf16("e0.w2.weight", {2, 1}, {1, 2});
    bf16("e1.w1.weight", {1, 2}, {2, 0});  // gate 2 -> clamped to 0.5
    bf16("e1.w3.weight", {1, 2}, {0, -4}); // up -2 -> clamped to -0.5
    bf16("e1.w2.weight", {2, 1}, {1, 1});
    bf16("s.w1.weight", {1, 2}, {1, 0});
    bf16("s.w3.weight", {1, 2}, {0, 1});
    bf16("s.w2.weight", {2, 1}, {1, 0});
    dir_ = dirHolder_.path();
    ASSERT_TRUE(wr.write(dir_ + "/moe.safetensors").isOk());
    auto r = io::SafetensorsReader::open(dir_ + "/moe.safetensors");
    ASSERT_TRUE(r.isOk()) << r.status().message();
    reader_ = std::make_unique<io::SafetensorsReader>(r.take());
    c_.dim = 2;
    c_.nRoutedExperts = 2;
    c_.nActivatedExperts = 1;
    c_.moeInterDim = 1;
    c_.routeScale = 1.5;
    c_.swigluLimit = 0.5;
    auto bind = [&](const std::string &n, int64_t out, int64_t in) {
      auto l = Linear::bind(*reader_, io::LinearSchema{n, out, in, io::LinearFormat::kBf16});
      EXPECT_TRUE(l.isOk()) << l.status().message();
      return l.take();
    };
    w_.gate = bind("gate", 2, 2);
    w_.experts.resize(2);
    for (int e = 0; e < 2; ++e) {
      std::string p = "e" + std::to_string(e);
      w_.experts[e] = {bind(p + ".w1", 1, 2), bind(p + ".w2", 2, 1), bind(p + ".w3", 1, 2)};
    }
    w_.shared = {bind("s.w1", 1, 2), bind("s.w2", 2, 1), bind("s.w3", 1, 2)};
  }

  static double silu(double g) { return g / (1 + std::exp(-g)); }

  test::ScopedTempDir dirHolder_{"sieve-moe"};
  std::string dir_;
  std::unique_ptr<io::SafetensorsReader> reader_;
  io::ModelConfig c_;
  MoEWeights w_;
};

TEST_F(MoEHandCase, BiasSelectsButUnbiasedScoresWeigh) {
  // x = [1, 0.5]: router logits [1, 0.5]; the bias makes expert 1 win although
  // its score is lower; with one expert the normalised weight is 1 * 1.5.
  w_.bias = {0.0f, 10.0f};
  float x[2] = {1.0f, 0.5f}, out[2];
  int32_t tok = 0;
  moe(c_, w_, x, &tok, 1, out);
  // Expert 1: gate 2 -> 0.5, up -2 -> -0.5; shared: gate 1 -> 0.5, up 0.5.
  double h1 = roundToBf16(float(silu(0.5) * -0.5 * 1.5));
  double hs = roundToBf16(float(silu(0.5) * 0.5));
  EXPECT_EQ(out[0], roundToBf16(float(roundToBf16(float(h1)) + roundToBf16(float(hs)))));
  EXPECT_EQ(out[1], roundToBf16(float(h1)));
}

TEST_F(MoEHandCase, HashRoutingUsesTheTableAndOneSidedGateClamp) {
  // tid2eid sends token 2 to expert 0; its gate -3 is not clamped below.
  w_.hashRouted = true;
  w_.tid2eid = {1, 1, 0};
  float x[2] = {1.0f, 0.5f}, out[2];
  int32_t tok = 2;
  moe(c_, w_, x, &tok, 1, out);
  double h0 = roundToBf16(float(silu(-3.0) * 0.5 * 1.5));
  double hs = roundToBf16(float(silu(0.5) * 0.5));
  EXPECT_EQ(out[0], roundToBf16(float(h0 + hs)));
  EXPECT_EQ(out[1], roundToBf16(float(roundToBf16(float(2 * h0)))));
}

//===----------------------------------------------------------------------===//
// Whole-model scenarios on generated tiny checkpoints
//===----------------------------------------------------------------------===//

std::string checkpointFor(const std::string &example) {
  static std::map<std::string, std::string> made;
  auto it = made.find(example);
  if (it != made.end())
    return it->second;
  auto config =
      io::loadModelConfig(sieve::test_paths::sourcePath("examples/") + example + "/config.json");
  EXPECT_TRUE(config.isOk()) << config.status().message();
  std::string dir = test::sharedTempDir("sieve-ref-" + example);
  io::RandomCheckpointOptions options;
  options.seed = 11;
  auto files = io::writeRandomCheckpoint(*config, options, dir);
  EXPECT_TRUE(files.isOk()) << files.status().message();
  return made[example] = dir;
}

std::unique_ptr<Model> loadModel(const std::string &example) {
  auto m = Model::load(checkpointFor(example));
  EXPECT_TRUE(m.isOk()) << m.status().message();
  return m ? m.take() : nullptr;
}

std::vector<int32_t> tokensFor(int64_t n, int64_t vocab, int salt = 0) {
  std::vector<int32_t> t(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    t[size_t(i)] = int32_t((i * 37 + 11 + salt * 101) % vocab);
  return t;
}

double relL2(const std::vector<float> &a, const std::vector<float> &b) {
  double num = 0, den = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    num += double(a[i] - b[i]) * (a[i] - b[i]);
    den += double(b[i]) * b[i];
  }
  return std::sqrt(num / den);
}

int64_t argmax(const std::vector<float> &v) {
  return int64_t(std::max_element(v.begin(), v.end()) - v.begin());
}

// Logits at every position p in [from, to] from prefill(k) + teacher-forced
// decode, and a prefill of p + 1 tokens at each position of `check`.
void expectPrefillDecodeConsistent(const Model &m, int64_t k, int64_t total,
                                   const std::vector<int64_t> &check) {
  auto tokens = tokensFor(total, m.config().vocabSize);
  Sequence dec = m.newSequence();
  std::map<int64_t, std::vector<float>> decodeLogits;
  auto r = m.forward(dec, tokens.data(), k);
  ASSERT_TRUE(r.isOk()) << r.status().message();
  decodeLogits[k - 1] = r->logits;
  for (int64_t p = k; p < total; ++p) {
    auto s = m.forward(dec, tokens.data() + p, 1);
    ASSERT_TRUE(s.isOk()) << s.status().message();
    decodeLogits[p] = s->logits;
  }
  for (int64_t p : check) {
    Sequence pre = m.newSequence();
    auto full = m.forward(pre, tokens.data(), p + 1);
    ASSERT_TRUE(full.isOk()) << full.status().message();
    for (float v : full->logits)
      ASSERT_TRUE(std::isfinite(v)) << "position " << p;
    const std::vector<float> &d = decodeLogits.at(p);
    EXPECT_LT(relL2(d, full->logits), 1e-2) << "position " << p;
    EXPECT_EQ(argmax(d), argmax(full->logits)) << "position " << p;
  }
}

// 17.2 (1): prefill S = 3 (< every ratio: no compressed entries, empty
// top-k), then decode to position 40 across 4-, 16- and 32-boundaries and the
// 16-row window wrap.
TEST(TinyV4, ShortPromptThenDecodeTo40) {
  auto m = loadModel("tiny-v4");
  ASSERT_TRUE(m);
  expectPrefillDecodeConsistent(*m, 3, 41,
                                {2, 3, 4, 7, 8, 15, 16, 17, 19, 31, 32, 33, 35, 40});
}

// 17.2 (2): prefill S = 37 (remainders for ratio 4 and 16, window wrap inside
// prefill, 9 CSA candidates > top-k 4), then 20 decode steps.
TEST(TinyV4, PromptWithRemaindersThen20Steps) {
  auto m = loadModel("tiny-v4");
  ASSERT_TRUE(m);
  expectPrefillDecodeConsistent(*m, 37, 57, {36, 37, 38, 39, 40, 47, 48, 50, 56});
}

// 17.2 (2): top-k truncation is real. With index_topk 4 and 9 candidates,
// positions that see at most 4 entries attend exactly as with an unlimited
// top-k; later positions differ.
TEST(TinyV4, TopKTruncatesOnlyWhenCandidatesExceedK) {
  std::string dir = checkpointFor("tiny-v4");
  auto config = io::loadModelConfig(dir + "/config.json");
  ASSERT_TRUE(config.isOk());
  auto limited = Model::load(*config, dir);
  config->indexTopk = 1000;
  auto unlimited = Model::load(*config, dir);
  ASSERT_TRUE(limited.isOk() && unlimited.isOk());
  auto tokens = tokensFor(37, config->vocabSize);
  Sequence a = (*limited)->newSequence(), b = (*unlimited)->newSequence();
  auto ra = (*limited)->forward(a, tokens.data(), 37);
  auto rb = (*unlimited)->forward(b, tokens.data(), 37);
  ASSERT_TRUE(ra.isOk() && rb.isOk());
  const int64_t hcd = config->hcDim();
  auto rowDiff = [&](int64_t i) {
    double d = 0;
    for (int64_t j = 0; j < hcd; ++j)
      d += std::fabs(ra->hidden[size_t(i * hcd + j)] - rb->hidden[size_t(i * hcd + j)]);
    return d;
  };
  for (int64_t i = 0; i <= 18; ++i) // (i + 1) / 4 <= 4 candidates
    EXPECT_EQ(rowDiff(i), 0.0) << "position " << i;
  EXPECT_GT(rowDiff(36), 0.0);
}

// 17.2 (4): a batch of two different prompts, run interleaved, equals each
// prompt run alone (no state shared between sequences).
TEST(TinyV4, BatchOfTwoEqualsRunningAlone) {
  auto m = loadModel("tiny-v4");
  ASSERT_TRUE(m);
  auto t1 = tokensFor(20, 512, 1), t2 = tokensFor(20, 512, 2);
  Sequence s1 = m->newSequence(), s2 = m->newSequence();
  auto a1 = m->forward(s1, t1.data(), 12);
  auto a2 = m->forward(s2, t2.data(), 12);
  ASSERT_TRUE(a1.isOk() && a2.isOk());
  std::vector<float> last1, last2;
  for (int64_t p = 12; p < 20; ++p) {
    last1 = m->forward(s1, t1.data() + p, 1)->logits;
    last2 = m->forward(s2, t2.data() + p, 1)->logits;
  }
  Sequence alone = m->newSequence();
  ASSERT_TRUE(m->forward(alone, t2.data(), 12).isOk());
  std::vector<float> want2;
  for (int64_t p = 12; p < 20; ++p)
    want2 = m->forward(alone, t2.data() + p, 1)->logits;
  EXPECT_EQ(last2, want2);
  EXPECT_NE(last1, last2);
}

// The reference never resets compressor state between prompts (7.4 quirk);
// Sieve does: a short prompt after a long one equals a fresh model's result.
TEST(TinyV4, CachesResetBetweenSequences) {
  auto m = loadModel("tiny-v4");
  ASSERT_TRUE(m);
  auto longPrompt = tokensFor(40, 512, 3), shortPrompt = tokensFor(3, 512, 4);
  Sequence first = m->newSequence();
  ASSERT_TRUE(m->forward(first, longPrompt.data(), 40).isOk());
  Sequence second = m->newSequence();
  auto after = m->forward(second, shortPrompt.data(), 3);
  auto fresh = loadModel("tiny-v4");
  Sequence third = fresh->newSequence();
  auto want = fresh->forward(third, shortPrompt.data(), 3);
  ASSERT_TRUE(after.isOk() && want.isOk());
  EXPECT_EQ(after->logits, want->logits);
}

// 17.2 (5): the MTP block on the final hyper-streams with the shifted tokens;
// one call over n tokens equals feeding them one at a time.
TEST(TinyV4, MtpPrefillMatchesStepwise) {
  auto m = loadModel("tiny-v4");
  ASSERT_TRUE(m);
  auto tokens = tokensFor(21, 512, 5);
  Sequence s = m->newSequence();
  auto r = m->forward(s, tokens.data(), 20);
  ASSERT_TRUE(r.isOk());
  const int64_t hcd = m->config().hcDim();
  auto all = m->mtp(s, r->hidden.data(), tokens.data() + 1, 20);
  ASSERT_TRUE(all.isOk()) << all.status().message();
  for (float v : *all)
    ASSERT_TRUE(std::isfinite(v));
  Sequence t = m->newSequence();
  ASSERT_TRUE(m->forward(t, tokens.data(), 20).isOk());
  auto first = m->mtp(t, r->hidden.data(), tokens.data() + 1, 10);
  ASSERT_TRUE(first.isOk());
  std::vector<float> last;
  for (int64_t i = 10; i < 20; ++i)
    last = *m->mtp(t, r->hidden.data() + i * hcd, tokens.data() + 1 + i, 1);
  EXPECT_LT(relL2(last, *all), 1e-2);
  EXPECT_EQ(argmax(last), argmax(*all));
  // The MTP logits are a different prediction than the main head's.
  EXPECT_NE(*all, r->logits);
}

TEST(TinyV4, SameInputsSameBitsAcrossLoads) {
  auto a = loadModel("tiny-v4"), b = loadModel("tiny-v4");
  ASSERT_TRUE(a && b);
  auto tokens = tokensFor(30, 512, 6);
  Sequence sa = a->newSequence(), sb = b->newSequence();
  auto ra = a->forward(sa, tokens.data(), 30);
  auto rb = b->forward(sb, tokens.data(), 30);
  ASSERT_TRUE(ra.isOk() && rb.isOk());
  EXPECT_EQ(ra->logits, rb->logits);
  EXPECT_EQ(ra->hidden, rb->hidden);
}

TEST(TinyV4, BadTokensAndOverlongSequencesAreErrors) {
  auto m = loadModel("tiny-v4");
  ASSERT_TRUE(m);
  Sequence s = m->newSequence();
  int32_t bad[2] = {5, 512};
  auto r = m->forward(s, bad, 2);
  ASSERT_FALSE(r.isOk());
  EXPECT_NE(r.status().message().find("512"), std::string::npos);
  auto tooLong = tokensFor(m->maxSeqLen() + 1, 512);
  EXPECT_FALSE(m->forward(s, tooLong.data(), int64_t(tooLong.size())).isOk());
  EXPECT_EQ(s.position(), 0); // nothing consumed on error
  EXPECT_FALSE(Model::load("/nonexistent/checkpoint").isOk());
}

// A hash-routing table naming an expert that does not exist is rejected at
// load, naming the tensor and the token.
TEST(TinyV4, CorruptTid2eidIsALoadError) {
  std::string src = checkpointFor("tiny-v4");
  test::ScopedTempDir tmp("sieve-corrupt");
  const std::string &dir = tmp.path();
  std::ifstream in(src + "/model.safetensors", std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
  std::ofstream(dir + "/config.json") << std::ifstream(src + "/config.json").rdbuf();
  auto reader = io::SafetensorsReader::open(src);
  ASSERT_TRUE(reader.isOk());
  const io::SafetensorsFile &file = *reader->files()[0];
  const io::TensorEntry *entry = file.find("layers.0.ffn.gate.tid2eid");
  ASSERT_NE(entry, nullptr);
  uint64_t headerLen;
  std::memcpy(&headerLen, bytes.data(), 8);
  int64_t bad = 99;
  std::memcpy(bytes.data() + 8 + headerLen + entry->begin + 8 * 6, &bad, 8); // token 3
  std::ofstream(dir + "/model.safetensors", std::ios::binary).write(bytes.data(), bytes.size());
  auto m = Model::load(dir);
  ASSERT_FALSE(m.isOk());
  EXPECT_NE(m.status().message().find("layers.0.ffn.gate.tid2eid[3] holds expert id 99"),
            std::string::npos)
      << m.status().message();

  // The same expert twice in one token's row.
  int64_t five = 5;
  std::memcpy(bytes.data() + 8 + headerLen + entry->begin + 8 * 6, &five, 8);
  std::memcpy(bytes.data() + 8 + headerLen + entry->begin + 8 * 7, &five, 8);
  std::ofstream(dir + "/model.safetensors", std::ios::binary).write(bytes.data(), bytes.size());
  auto dup = Model::load(dir);
  ASSERT_FALSE(dup.isOk());
  EXPECT_NE(dup.status().message().find("tid2eid[3] names expert 5 twice"), std::string::npos)
      << dup.status().message();
}

// Prefill-versus-decode consistency over 300 tokens with ratios 4 and 128 and
// a 128-row window: every 10th position plus every position around the 4- and
// 128-boundaries and the window wrap.
TEST(TinyV4R128, PrefillDecodeConsistencyOver300Tokens) {
  auto m = loadModel("tiny-v4-r128");
  ASSERT_TRUE(m);
  std::vector<int64_t> check;
  for (int64_t p = 10; p < 300; p += 10)
    check.push_back(p);
  for (int64_t p : {2, 3, 4, 5, 6, 7, 8, 126, 127, 128, 129, 130, 131, 254, 255, 256,
                    257, 258, 259, 299})
    check.push_back(p);
  std::sort(check.begin(), check.end());
  check.erase(std::unique(check.begin(), check.end()), check.end());
  expectPrefillDecodeConsistent(*m, 2, 300, check);
}

// A 300-token prompt fed in chunks of 1, 7, 64 and 200 tokens (a conversation
// continued turn by turn) gives at the end of each chunk the logits of one
// prefill of that length, within the prefill/decode tolerance. Every end is
// checked for chunks of 7, 64 and 200; every 25th for single tokens.
TEST(TinyV4R128, ChunkedPromptOf300TokensMatchesOnePrefill) {
  auto m = loadModel("tiny-v4-r128");
  ASSERT_TRUE(m);
  const int64_t total = 300;
  auto tokens = tokensFor(total, m->config().vocabSize, 9);
  std::map<int64_t, std::vector<float>> prefill; // logits after `n` tokens
  auto prefillOf = [&](int64_t n) -> const std::vector<float> & {
    auto it = prefill.find(n);
    if (it == prefill.end()) {
      Sequence s = m->newSequence();
      auto r = m->forward(s, tokens.data(), n);
      EXPECT_TRUE(r.isOk()) << r.status().message();
      it = prefill.emplace(n, r.isOk() ? r->logits : std::vector<float>()).first;
    }
    return it->second;
  };
  for (int64_t chunk : {1, 7, 64, 200}) {
    Sequence s = m->newSequence();
    for (int64_t at = 0; at < total; at += chunk) {
      const int64_t n = std::min(chunk, total - at);
      auto r = m->forward(s, tokens.data() + at, n);
      ASSERT_TRUE(r.isOk()) << r.status().message();
      const int64_t end = at + n;
      if (chunk == 1 && end % 25 != 0)
        continue;
      const std::vector<float> &want = prefillOf(end);
      EXPECT_LT(relL2(r->logits, want), 1e-2) << "chunks of " << chunk << ", " << end << " tokens";
      EXPECT_EQ(argmax(r->logits), argmax(want)) << "chunks of " << chunk << ", " << end << " tokens";
    }
  }
}

// A batch of three sequences of different lengths, advanced interleaved
// (prefills of 5, 23 and 41 tokens, then decode steps in turn), equals each
// sequence run alone, bit for bit.
TEST(TinyV4, BatchOfThreeDifferentLengthsEqualsEachAlone) {
  auto m = loadModel("tiny-v4");
  ASSERT_TRUE(m);
  const int64_t lengths[] = {5, 23, 41};
  const int64_t steps = 12;
  std::vector<std::vector<int32_t>> prompts;
  for (int i = 0; i < 3; ++i)
    prompts.push_back(tokensFor(lengths[i] + steps, 512, 20 + i));
  std::vector<Sequence> batch;
  std::vector<std::vector<float>> batched(3);
  for (int i = 0; i < 3; ++i) {
    batch.push_back(m->newSequence());
    ASSERT_TRUE(m->forward(batch[i], prompts[i].data(), lengths[i]).isOk());
  }
  for (int64_t step = 0; step < steps; ++step)
    for (int i = 0; i < 3; ++i) {
      auto r = m->forward(batch[i], prompts[i].data() + lengths[i] + step, 1);
      ASSERT_TRUE(r.isOk()) << r.status().message();
      batched[i] = r->logits;
    }
  for (int i = 0; i < 3; ++i) {
    Sequence alone = m->newSequence();
    std::vector<float> last = m->forward(alone, prompts[i].data(), lengths[i])->logits;
    for (int64_t step = 0; step < steps; ++step)
      last = m->forward(alone, prompts[i].data() + lengths[i] + step, 1)->logits;
    EXPECT_EQ(batched[i], last) << "sequence " << i;
  }
}

// FP8 cache storage (v4-architecture.md 11.2). The main rows and MXFP4
// indexer keys store exactly the values the reference simulates, so logits
// are bit-identical to bf16 storage over prefill, decode past the window and
// every compressor boundary; FP8 keys with an fp32 scale stay within the
// prefill/decode tolerance (1e-2, the same argmax on 97% of steps).
TEST(TinyV4R128, Fp8CacheStorageIsLosslessWithMxfp4Keys) {
  const std::string dir = checkpointFor("tiny-v4-r128");
  auto tokens = tokensFor(260, 512, 13);
  auto run = [&](io::CacheFormat format) {
    LoadOptions options;
    options.cacheFormat = format;
    auto m = Model::load(dir, options);
    EXPECT_TRUE(m.isOk()) << m.status().message();
    std::vector<std::vector<float>> steps;
    if (!m.isOk())
      return steps;
    Sequence s = (*m)->newSequence();
    steps.push_back((*m)->forward(s, tokens.data(), 100)->logits);
    for (int64_t p = 100; p < 260; ++p)
      steps.push_back((*m)->forward(s, tokens.data() + p, 1)->logits);
    // Cache bytes in use follow the format's row sizes exactly.
    io::CacheSizes sizes = io::computeCacheSizes((*m)->config(), format, /*includeMtp=*/true);
    EXPECT_EQ(s.usedCacheBytes(), sizes.bytesForContext(260));
    return steps;
  };
  auto bf16 = run(io::CacheFormat::kReferenceBf16);
  auto fp8Fp4 = run(io::CacheFormat::kFp8IndexerFp4);
  auto fp8 = run(io::CacheFormat::kFp8IndexerFp8);
  ASSERT_EQ(bf16.size(), 161u);
  ASSERT_EQ(fp8Fp4.size(), bf16.size());
  ASSERT_EQ(fp8.size(), bf16.size());
  size_t sameArgmax = 0;
  for (size_t i = 0; i < bf16.size(); ++i) {
    EXPECT_EQ(fp8Fp4[i], bf16[i]) << "step " << i;
    EXPECT_LT(relL2(fp8[i], bf16[i]), 1e-2) << "step " << i;
    sameArgmax += argmax(fp8[i]) == argmax(bf16[i]);
  }
  // The random model has near ties; the official tolerance asks 97% of rows.
  EXPECT_GE(double(sameArgmax), 0.97 * double(bf16.size())) << sameArgmax;
}

// Cache memory in use equals the bytes per token of 11.1 times the context
// (plus the fixed window rings and compressor states).
TEST(TinyV4R128, CacheBytesFollowTheSizeModel) {
  auto m = loadModel("tiny-v4-r128");
  ASSERT_TRUE(m);
  const io::ModelConfig &c = m->config();
  io::CacheSizes sizes = io::computeCacheSizes(c, io::CacheFormat::kReferenceBf16,
                                               /*includeMtp=*/true);
  auto tokens = tokensFor(300, c.vocabSize, 7);
  Sequence s = m->newSequence();
  EXPECT_EQ(s.usedCacheBytes(), sizes.fixedBytesPerSequence());
  ASSERT_TRUE(m->forward(s, tokens.data(), 256).isOk());
  EXPECT_EQ(s.usedCacheBytes(), sizes.bytesForContext(256));
  EXPECT_EQ(double(s.usedCacheBytes() - sizes.fixedBytesPerSequence()),
            sizes.bytesPerToken() * 256);
  for (int64_t p = 256; p < 300; ++p)
    ASSERT_TRUE(m->forward(s, tokens.data() + p, 1).isOk());
  EXPECT_EQ(s.usedCacheBytes(), sizes.bytesForContext(300));
  EXPECT_GE(s.reservedCacheBytes(), s.usedCacheBytes());
}

} // namespace
} // namespace sieve::ref
