//===- ops.cpp - Reference kernels, one token row at a time ---------------===//

#include "ops.h"

#include "sieve/numerics/block_quant.h"
#include "sieve/numerics/float_formats.h"
#include "sieve/numerics/hadamard.h"
#include "sieve/numerics/sinkhorn.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace sieve::ref {

using num::roundToBf16;

void roundBf16(float *x, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    x[i] = roundToBf16(x[i]);
}

void rmsNorm(const float *x, int64_t n, const float *w, float eps, float *out) {
  float sum = 0.0f;
  for (int64_t i = 0; i < n; ++i)
    sum += x[i] * x[i];
  float r = 1.0f / std::sqrt(sum / float(n) + eps);
  for (int64_t i = 0; i < n; ++i)
    out[i] = roundToBf16(w[i] * (x[i] * r));
}

void headNormBf16(float *q, int64_t n, float eps) {
  float sum = 0.0f;
  for (int64_t i = 0; i < n; ++i)
    sum += roundToBf16(q[i] * q[i]);
  float mean = roundToBf16(sum / float(n));
  float rs = roundToBf16(1.0f / std::sqrt(roundToBf16(mean + eps)));
  for (int64_t i = 0; i < n; ++i)
    q[i] = roundToBf16(q[i] * rs);
}

namespace {

float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

// m = (X fn^T) * rsqrt(mean(X^2) + eps) for the flattened streams (5.1, 5.4).
std::vector<float> hcMixes(const io::ModelConfig &c, const HyperConnection &w,
                           const float *h) {
  const int64_t n = c.hcDim();
  const int64_t mix = int64_t(w.base.size());
  float sum = 0.0f;
  for (int64_t i = 0; i < n; ++i)
    sum += h[i] * h[i];
  float r = 1.0f / std::sqrt(sum / float(n) + float(c.normEps));
  std::vector<float> m(static_cast<size_t>(mix));
  for (int64_t j = 0; j < mix; ++j) {
    float acc = 0.0f;
    const float *row = w.fn.data() + j * n;
    for (int64_t i = 0; i < n; ++i)
      acc += h[i] * row[i];
    m[size_t(j)] = acc * r;
  }
  return m;
}

} // namespace

void hcPre(const io::ModelConfig &c, const HyperConnection &w, const float *h,
           float *a, float *post, float *comb) {
  const int64_t hc = c.hcMult, d = c.dim;
  std::vector<float> m = hcMixes(c, w, h);
  std::vector<float> pre(static_cast<size_t>(hc));
  for (int64_t i = 0; i < hc; ++i) {
    pre[size_t(i)] = sigmoid(m[size_t(i)] * w.scale[0] + w.base[size_t(i)]) + float(c.hcEps);
    post[i] = 2.0f * sigmoid(m[size_t(hc + i)] * w.scale[1] + w.base[size_t(hc + i)]);
  }
  for (int64_t k = 0; k < hc * hc; ++k)
    comb[k] = m[size_t(2 * hc + k)] * w.scale[2] + w.base[size_t(2 * hc + k)];
  (void)num::sinkhornKnopp(comb, size_t(hc), int(c.hcSinkhornIters), float(c.hcEps));
  for (int64_t x = 0; x < d; ++x) {
    float acc = 0.0f;
    for (int64_t i = 0; i < hc; ++i)
      acc += pre[size_t(i)] * h[i * d + x];
    a[x] = roundToBf16(acc);
  }
}

void hcPost(const io::ModelConfig &c, const float *x, const float *h,
            const float *post, const float *comb, float *out) {
  const int64_t hc = c.hcMult, d = c.dim;
  for (int64_t j = 0; j < hc; ++j)
    for (int64_t e = 0; e < d; ++e) {
      float mixed = 0.0f; // the stream mix first, then post * x, as the reference
      for (int64_t i = 0; i < hc; ++i)
        mixed += comb[i * hc + j] * h[i * d + e];
      out[j * d + e] = roundToBf16(post[j] * x[e] + mixed);
    }
}

void hcHead(const io::ModelConfig &c, const HyperConnection &w, const float *h,
            float *y) {
  const int64_t hc = c.hcMult, d = c.dim;
  std::vector<float> m = hcMixes(c, w, h);
  std::vector<float> wt(static_cast<size_t>(hc));
  for (int64_t i = 0; i < hc; ++i)
    wt[size_t(i)] = sigmoid(m[size_t(i)] * w.scale[0] + w.base[size_t(i)]) + float(c.hcEps);
  for (int64_t e = 0; e < d; ++e) {
    float acc = 0.0f;
    for (int64_t i = 0; i < hc; ++i)
      acc += wt[size_t(i)] * h[i * d + e];
    y[e] = roundToBf16(acc);
  }
}

float indexerScore(const float *q, const float *w, int64_t nHeads, int64_t dim,
                   const float *key) {
  float total = 0.0f;
  for (int64_t h = 0; h < nHeads; ++h) {
    const float *qh = q + h * dim;
    float dot = 0.0f;
    for (int64_t u = 0; u < dim; ++u)
      dot += qh[u] * key[u];
    dot = std::max(roundToBf16(dot), 0.0f);
    total += roundToBf16(w[h] * dot);
  }
  return roundToBf16(total);
}

std::vector<int64_t> causalTopk(const std::vector<float> &scores, int64_t ranked,
                                int64_t visible, int64_t k) {
  auto scoreOf = [&](int64_t e) {
    return e < visible && e < int64_t(scores.size())
               ? scores[size_t(e)]
               : -std::numeric_limits<float>::infinity();
  };
  std::vector<int64_t> order(static_cast<size_t>(ranked));
  std::iota(order.begin(), order.end(), 0);
  // Descending score, ties to the lower index (torch.topk leaves ties open).
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t l, int64_t r) { return scoreOf(l) > scoreOf(r); });
  std::vector<int64_t> chosen;
  for (int64_t j = 0; j < std::min(k, ranked); ++j)
    chosen.push_back(order[size_t(j)] < visible ? order[size_t(j)] : -1);
  return chosen;
}

void fp8Sim64(float *x, int64_t n) {
  (void)num::simulate(x, size_t(n),
                      {num::ElementFormat::kE4M3, num::ScaleRule::kDeepSeekCeil, 64}, x);
}

void hadamardFp4Sim(float *x, int64_t n) {
  (void)num::hadamardTransform(x, size_t(n));
  roundBf16(x, n);
  (void)num::simulate(x, size_t(n),
                      {num::ElementFormat::kE2M1, num::ScaleRule::kDeepSeekCeil, 32}, x);
}

void applyRope(const num::RopeTable &t, float *x, int64_t dim, int64_t ropeDim,
               int64_t pos, bool inverse) {
  float *r = x + (dim - ropeDim);
  t.apply(r, pos, inverse);
  roundBf16(r, ropeDim);
}

void compressorProject(const CompressorWeights &w, const float *x, int64_t S,
                       int64_t p0, float *kv, float *score) {
  w.wkv.applyF32(x, kv, S);
  w.wgate.applyF32(x, score, S);
  const int64_t width = w.coff * w.dim;
  for (int64_t s = 0; s < S; ++s) {
    const float *ape = w.ape.data() + ((p0 + s) % w.ratio) * width;
    for (int64_t u = 0; u < width; ++u)
      score[s * width + u] += ape[u];
  }
}

void poolEntry(int64_t ratio, int64_t dim, bool overlap, const float *prevKv,
               const float *prevScore, const float *curKv, const float *curScore,
               float *pooled) {
  const int64_t r = ratio, d = dim, width = (overlap ? 2 : 1) * d;
  // Per channel: softmax over the slots (previous group's first halves, then
  // the current group's second halves; all r slots without overlap).
  std::vector<float> s, v;
  for (int64_t u = 0; u < d; ++u) {
    s.clear();
    v.clear();
    if (overlap) {
      for (int64_t t = 0; t < r; ++t) {
        s.push_back(prevScore ? prevScore[t * width + u]
                              : -std::numeric_limits<float>::infinity());
        v.push_back(prevKv ? prevKv[t * width + u] : 0.0f);
      }
      for (int64_t t = 0; t < r; ++t) {
        s.push_back(curScore[t * width + d + u]);
        v.push_back(curKv[t * width + d + u]);
      }
    } else {
      for (int64_t t = 0; t < r; ++t) {
        s.push_back(curScore[t * width + u]);
        v.push_back(curKv[t * width + u]);
      }
    }
    float mx = *std::max_element(s.begin(), s.end());
    float denom = 0.0f;
    for (float &x : s) {
      x = std::exp(x - mx);
      denom += x;
    }
    float acc = 0.0f;
    for (size_t t = 0; t < s.size(); ++t)
      acc += (s[t] / denom) * v[t];
    pooled[u] = acc;
  }
}

void compressEntry(const CompressorWeights &w, const io::ModelConfig &c,
                   const num::RopeTable &rope, bool indexerKey,
                   const float *prevKv, const float *prevScore,
                   const float *curKv, const float *curScore, int64_t pos,
                   float *out) {
  const int64_t d = w.dim;
  std::vector<float> pooled(static_cast<size_t>(d));
  poolEntry(w.ratio, d, w.coff == 2, prevKv, prevScore, curKv, curScore, pooled.data());
  roundBf16(pooled.data(), d);
  rmsNorm(pooled.data(), d, w.norm.data(), float(c.normEps), out);
  applyRope(rope, out, d, c.ropeHeadDim, pos, /*inverse=*/false);
  if (indexerKey)
    hadamardFp4Sim(out, d);
  else
    fp8Sim64(out, d - c.ropeHeadDim);
}

void sparseAttentionHead(const float *q, const std::vector<const float *> &keys,
                         int64_t headDim, float sink, float scale, float *out) {
  const float ninf = -std::numeric_limits<float>::infinity();
  float m = ninf, l = 0.0f;
  std::vector<float> acc(static_cast<size_t>(headDim), 0.0f), s;
  for (size_t b = 0; b < keys.size(); b += 64) {
    size_t e = std::min(keys.size(), b + 64);
    s.assign(e - b, ninf);
    float blockMax = ninf;
    for (size_t j = b; j < e; ++j) {
      if (!keys[j])
        continue;
      float dot = 0.0f;
      for (int64_t x = 0; x < headDim; ++x)
        dot += q[x] * keys[j][x];
      s[j - b] = dot * scale;
      blockMax = std::max(blockMax, s[j - b]);
    }
    if (blockMax == ninf)
      continue; // nothing valid in this block
    float mNew = std::max(m, blockMax);
    float alpha = m == ninf ? 0.0f : std::exp(m - mNew);
    for (float &a : acc)
      a *= alpha;
    // The block's P sums on its own, then joins the running denominator
    // (l = l * alpha + sum(P)), as the reference kernel does.
    float blockSum = 0.0f;
    for (size_t j = b; j < e; ++j) {
      if (!keys[j])
        continue;
      float p = std::exp(s[j - b] - mNew);
      blockSum += p;
      float pb = roundToBf16(p); // P is bf16 in the P*V GEMM
      for (int64_t x = 0; x < headDim; ++x)
        acc[size_t(x)] += pb * keys[j][x];
    }
    l = l * alpha + blockSum;
    m = mNew;
  }
  l += std::exp(sink - m);
  for (int64_t x = 0; x < headDim; ++x)
    out[x] = roundToBf16(acc[size_t(x)] / l);
}

namespace {

float softplus(float x) { return x > 20.0f ? x : std::log1p(std::exp(x)); }

// SwiGLU experts with the clamp (8.2) on `rows` tokens; routed experts scale
// each token's hidden by its routing weight before w2.
void expert(const io::ModelConfig &c, const ExpertWeights &e, const float *x,
            int64_t rows, const float *routeWeights, float *out) {
  const int64_t inter = c.moeInterDim;
  std::vector<float> g(static_cast<size_t>(rows * inter)), u(g.size());
  e.w1.apply(x, g.data(), rows); // bf16 outputs, used as fp32
  e.w3.apply(x, u.data(), rows);
  swiglu(g.data(), u.data(), rows, inter, float(c.swigluLimit), routeWeights, g.data());
  e.w2.apply(g.data(), out, rows);
}

} // namespace

void swiglu(const float *gate, const float *up, int64_t rows, int64_t width, float limit,
            const float *routeWeights, float *out) {
  for (int64_t s = 0; s < rows; ++s)
    for (int64_t i = 0; i < width; ++i) {
      float gi = gate[size_t(s * width + i)], ui = up[size_t(s * width + i)];
      if (limit > 0.0f) {
        ui = std::clamp(ui, -limit, limit);
        gi = std::min(gi, limit);
      }
      float h = gi / (1.0f + std::exp(-gi)) * ui;
      if (routeWeights)
        h *= routeWeights[s];
      out[size_t(s * width + i)] = roundToBf16(h);
    }
}

void routeScores(const float *logits, int64_t n, float *scores) {
  for (int64_t i = 0; i < n; ++i)
    scores[i] = std::sqrt(softplus(logits[i]));
}

void topExperts(const float *scores, const float *bias, int64_t nExperts, int64_t k,
                int64_t *experts) {
  std::vector<int64_t> order(static_cast<size_t>(nExperts));
  std::vector<float> biased(static_cast<size_t>(nExperts));
  std::iota(order.begin(), order.end(), 0);
  for (int64_t e = 0; e < nExperts; ++e)
    biased[size_t(e)] = scores[e] + bias[e];
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return biased[size_t(a)] > biased[size_t(b)];
  });
  std::copy(order.begin(), order.begin() + k, experts);
}

void routeWeights(const float *scores, const int64_t *experts, int64_t k, bool normalize,
                  float routeScale, float *weights) {
  float sum = 0.0f;
  for (int64_t i = 0; i < k; ++i)
    sum += scores[experts[i]];
  for (int64_t i = 0; i < k; ++i)
    weights[i] = normalize ? scores[experts[i]] / sum * routeScale
                           : scores[experts[i]] * routeScale;
}

void moe(const io::ModelConfig &c, const MoEWeights &w, const float *x,
         const int32_t *tokenIds, int64_t S, float *out) {
  const int64_t nE = c.nRoutedExperts, k = c.nActivatedExperts, d = c.dim;
  std::vector<float> logits(static_cast<size_t>(S * nE)), s(logits.size());
  w.gate.applyF32(x, logits.data(), S);
  routeScores(logits.data(), int64_t(logits.size()), s.data());

  std::vector<int64_t> idx(static_cast<size_t>(S * k));
  std::vector<float> wt(idx.size());
  for (int64_t t = 0; t < S; ++t) {
    const float *st = s.data() + t * nE;
    int64_t *it = idx.data() + t * k;
    if (w.hashRouted) {
      for (int64_t i = 0; i < k; ++i)
        it[i] = w.tid2eid[size_t(int64_t(tokenIds[t]) * k + i)];
    } else {
      topExperts(st, w.bias.data(), nE, k, it);
    }
    routeWeights(st, it, k, /*normalize=*/true, float(c.routeScale), wt.data() + t * k);
  }

  // Combine in fp32: routed experts by ascending id, then the shared one.
  std::vector<float> y(static_cast<size_t>(S * d), 0.0f);
  std::vector<float> xe, rw, eo;
  std::vector<int64_t> tokensOf;
  for (int64_t e = 0; e < nE; ++e) {
    tokensOf.clear();
    rw.clear();
    for (int64_t t = 0; t < S; ++t)
      for (int64_t i = 0; i < k; ++i)
        if (idx[size_t(t * k + i)] == e) {
          tokensOf.push_back(t);
          rw.push_back(wt[size_t(t * k + i)]);
        }
    if (tokensOf.empty())
      continue;
    const int64_t n = int64_t(tokensOf.size());
    xe.resize(static_cast<size_t>(n * d));
    eo.resize(xe.size());
    for (int64_t j = 0; j < n; ++j)
      std::copy_n(x + tokensOf[size_t(j)] * d, d, xe.begin() + j * d);
    expert(c, w.experts[size_t(e)], xe.data(), n, rw.data(), eo.data());
    for (int64_t j = 0; j < n; ++j)
      for (int64_t u = 0; u < d; ++u)
        y[size_t(tokensOf[size_t(j)] * d + u)] += eo[size_t(j * d + u)];
  }
  eo.resize(static_cast<size_t>(S * d));
  expert(c, w.shared, x, S, nullptr, eo.data());
  for (int64_t i = 0; i < S * d; ++i)
    out[i] = roundToBf16(y[size_t(i)] + eo[size_t(i)]);
}

} // namespace sieve::ref
