//===- weights.h - Checkpoint tensors bound for the reference -----*- C++ -*-===//
//
// Large matrices stay in the mapped checkpoint and are decoded row by row as
// linear layers use them; small vectors (norms, hyper-connection parameters,
// biases, sinks, ape) are copied to fp32 once.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "sieve/io/model_config.h"
#include "sieve/io/model_schema.h"
#include "sieve/io/safetensors.h"
#include "sieve/support/status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sieve::ref {

/// The reference linear()'s dot product: x[k] * w[k] summed in ascending k,
/// each `block` of k in its own fp32 partial sum, the partial sums added to
/// one fp32 accumulator (v4-architecture.md 3.3).
float blockDot(const float *x, const float *w, int64_t n, int64_t block);

/// y = x W^T for one row x. The stored format picks the arithmetic of the
/// reference's linear() (v4-architecture.md 2, 3.3, 3.4).
class Linear {
public:
  enum class Format { kFp8, kFp4, kBf16, kF32 };

  static Expected<Linear> bind(const io::SafetensorsReader &reader,
                               const io::LinearSchema &schema);

  int64_t out() const { return out_; }
  int64_t in() const { return in_; }
  Format format() const { return format_; }

  /// The reference linear() on `rows` activation rows x [rows, in] -> y
  /// [rows, out]: FP8/FP4 weights quantize x to FP8 E4M3 per 128 (ceil rule)
  /// and sum per weight block (128 for FP8, 32 for FP4) into a separate fp32
  /// accumulator; bf16 weights accumulate in fp32. y is bf16. Each weight row
  /// is decoded once per call, so batching rows is what makes prefill cheap.
  void apply(const float *x, float *y, int64_t rows = 1) const;
  /// fp32(x) @ fp32(W)^T with fp32 output and no activation quantization
  /// (compressor projections, router, head).
  void applyF32(const float *x, float *y, int64_t rows = 1) const;
  /// The exact fp32 values of row r.
  void row(int64_t r, float *out) const;

private:
  void gemm(const float *x, int64_t rows, int64_t block, bool bf16Out,
            float *y) const;

  Format format_ = Format::kBf16;
  int64_t out_ = 0, in_ = 0;
  const uint8_t *weight_ = nullptr;
  const uint8_t *scale_ = nullptr;
};

/// Copies a small BF16 or F32 tensor to fp32.
Expected<std::vector<float>> loadVector(const io::SafetensorsReader &reader,
                                        const std::string &name);

struct HyperConnection {
  std::vector<float> fn;    // [mix, hc_mult * dim]
  std::vector<float> base;  // [mix]
  std::vector<float> scale; // [3] (HCPre) or [1] (HCHead)
};

struct CompressorWeights {
  int64_t ratio = 0, coff = 1, dim = 0;
  Linear wkv, wgate;         // [coff * dim, model dim], used as fp32
  std::vector<float> ape;    // [ratio, coff * dim]
  std::vector<float> norm;   // [dim]
};

struct AttentionWeights {
  int64_t ratio = 0;
  Linear wqA, wqB, wkv, woA, woB;
  std::vector<float> qNorm, kvNorm, sink;
  bool hasCompressor = false, hasIndexer = false;
  CompressorWeights compressor;
  Linear indexerWqB, indexerWeightsProj;
  CompressorWeights indexerCompressor;
};

struct ExpertWeights {
  Linear w1, w2, w3;
};

struct MoEWeights {
  bool hashRouted = false;
  Linear gate;               // [n_routed, dim] bf16, used as fp32
  std::vector<float> bias;   // score routing only
  std::vector<int64_t> tid2eid; // hash routing only: [vocab, n_activated]
  std::vector<ExpertWeights> experts;
  ExpertWeights shared;
};

struct BlockWeights {
  HyperConnection hcAttn, hcFfn;
  std::vector<float> attnNorm, ffnNorm;
  AttentionWeights attn;
  MoEWeights ffn;
  // MTP blocks only.
  Linear eProj, hProj;
  std::vector<float> enorm, hnorm, norm;
  HyperConnection hcHead;
};

struct ModelWeights {
  const uint16_t *embed = nullptr; // [vocab, dim] bf16
  Linear head;                     // [vocab, dim] bf16, used as fp32
  std::vector<float> norm;
  HyperConnection hcHead;
  std::vector<BlockWeights> blocks; // main layers, then MTP blocks
};

/// Binds every tensor the schema names, of an already checked checkpoint.
Expected<ModelWeights> bindWeights(const io::ModelSchema &schema,
                                   const io::SafetensorsReader &reader);

} // namespace sieve::ref
