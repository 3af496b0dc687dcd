//===- ops.h - Reference kernels, one token row at a time ---------*- C++ -*-===//
//
// Each function computes one op of v4-architecture.md for one token, in the
// spec's precision; values stored as bf16 by the reference are rounded with
// roundToBf16 at the same points. Section numbers refer to that document.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "weights.h"

#include "sieve/io/model_config.h"
#include "sieve/numerics/rope.h"

#include <cstdint>
#include <vector>

namespace sieve::ref {

/// bf16(w * (x * rsqrt(mean(x^2) + eps))) with fp32 internals (2).
void rmsNorm(const float *x, int64_t n, const float *w, float eps, float *out);

/// The per-head weightless q norm computed on bf16 tensors (7.1, 15.13):
/// every op (square, mean, + eps, rsqrt, *) rounds to bf16.
void headNormBf16(float *q, int64_t n, float eps);

/// Clamped SwiGLU (8.2) on `rows` rows of `width`: g = min(gate, limit),
/// u = clamp(up, -limit, limit) (no clamp when limit <= 0), out = bf16(silu(g)
/// * u * routeWeights[row]) (no weight when null). `out` may alias `gate`.
void swiglu(const float *gate, const float *up, int64_t rows, int64_t width, float limit,
            const float *routeWeights, float *out);

/// Rounds every value to bf16 in place.
void roundBf16(float *x, int64_t n);

/// HCPre (5.1): h is [hc, dim]; writes a [dim] (bf16), post [hc], comb [hc, hc].
void hcPre(const io::ModelConfig &c, const HyperConnection &w, const float *h,
           float *a, float *post, float *comb);
/// HCPost (5.3): out[j] = bf16(post_j * x + sum_i comb[i, j] * h[i]).
void hcPost(const io::ModelConfig &c, const float *x, const float *h,
            const float *post, const float *comb, float *out);
/// HCHead (5.4): y [dim] = bf16(sum_i w_i * h_i).
void hcHead(const io::ModelConfig &c, const HyperConnection &w, const float *h,
            float *y);

/// FP8 simulation of a KV row's nope dims, blocks of 64 (3.2).
void fp8Sim64(float *x, int64_t n);
/// Hadamard then FP4 simulation in blocks of 32, rounded to bf16 (7.4, 7.5).
void hadamardFp4Sim(float *x, int64_t n);

/// RoPE tables per block: rope_theta without YaRN for ratio 0, the compressed
/// base with YaRN otherwise (6).
struct RopeTables {
  num::RopeTable plain, compressed;
  const num::RopeTable &forRatio(int64_t ratio) const {
    return ratio == 0 ? plain : compressed;
  }
};
/// Rotates the last rope dims of x (bf16 result).
void applyRope(const num::RopeTable &t, float *x, int64_t dim, int64_t ropeDim,
               int64_t pos, bool inverse);

/// Compressor inputs (7.4) of S consecutive tokens from position p0:
/// kv = wkv x, score = wgate x + ape[pos % ratio], fp32 [S, coff * dim].
void compressorProject(const CompressorWeights &w, const float *x, int64_t S,
                       int64_t p0, float *kv, float *score);
/// The softmax-gated pooling of one compressed entry (7.4), per channel in
/// fp32, unrounded: rows are `(overlap ? 2 : 1) * dim` wide; with overlap the
/// previous group's first halves (nullptr for entry 0: score -inf, kv 0)
/// and the current group's second halves, else the current group's r rows.
void poolEntry(int64_t ratio, int64_t dim, bool overlap, const float *prevKv,
               const float *prevScore, const float *curKv, const float *curScore,
               float *pooled);
/// One compressed entry from its slots (7.4). For overlap (ratio 4), prev*
/// are the previous group's [ratio, 2d] rows (nullptr for entry 0) and cur*
/// the current group's; for ratio r without overlap, cur* are [r, d] rows.
/// Writes the finished key row (norm, RoPE at pos, FP8 or Hadamard+FP4 sim).
void compressEntry(const CompressorWeights &w, const io::ModelConfig &c,
                   const num::RopeTable &rope, bool indexerKey,
                   const float *prevKv, const float *prevScore,
                   const float *curKv, const float *curScore, int64_t pos,
                   float *out);

/// Sparse attention with sink for one head (7.7): online softmax over `keys`
/// (rows of headDim bf16 values, V = K) in blocks of 64, P rounded to bf16
/// for P*V, fp32 denominator plus exp(sink - m). Null rows are skipped (-1).
void sparseAttentionHead(const float *q, const std::vector<const float *> &keys,
                         int64_t headDim, float sink, float scale, float *out);

/// Lightning-indexer score of one query against one compressed key (7.5):
/// sum over heads of bf16(w_h * ReLU(bf16(q_h . key))), accumulated in fp32
/// and rounded to bf16 (the reference's einsum/relu/mul/sum on bf16 tensors).
/// q is [nHeads, dim], w [nHeads].
float indexerScore(const float *q, const float *w, int64_t nHeads, int64_t dim,
                   const float *key);

/// Causal top-k (7.5): the k best of `ranked` candidates, descending, ties
/// to the lower index. Candidates at or past `visible` score -inf (scores
/// holds the first min(visible, ranked)); a chosen one of them becomes -1.
std::vector<int64_t> causalTopk(const std::vector<float> &scores,
                                int64_t ranked, int64_t visible, int64_t k);

/// Routing scores (8.1): sqrt(softplus(logit)), softplus linear above 20.
void routeScores(const float *logits, int64_t n, float *scores);
/// Score routing (8.1): the k experts with the largest score + bias,
/// descending, ties to the lower expert id (the bias only selects).
void topExperts(const float *scores, const float *bias, int64_t nExperts, int64_t k,
                int64_t *experts);
/// Routing weights (8.1): the scores at the experts, divided by their sum
/// when `normalize`, times routeScale.
void routeWeights(const float *scores, const int64_t *experts, int64_t k, bool normalize,
                  float routeScale, float *weights);

/// MoE (8) for S tokens x [S, dim] -> out [S, dim]; token ids feed hash
/// routing. Experts run on the batch of tokens routed to them.
void moe(const io::ModelConfig &c, const MoEWeights &w, const float *x,
         const int32_t *tokenIds, int64_t S, float *out);

} // namespace sieve::ref
