//===- rope.h - Rotary position embedding with YaRN --------------*- C++ -*-===//
//
// DeepSeek-V4 rotates the last ropeDim (64) dims of a vector as interleaved
// complex pairs (x[2p], x[2p+1]) by angle pos * w_p, in fp32
// (v4-architecture.md 6). Base frequencies w_p = base^(-2p/ropeDim). With YaRN,
// pairs between the correction range [low, high] blend toward w_p / factor:
//   d(r)   = ropeDim * ln(originalSeqLen / (2 pi r)) / (2 ln base)
//   low    = max(floor(d(betaFast)), 0),  high = min(ceil(d(betaSlow)), ropeDim-1)
//   ramp_p = clamp((p - low) / (high - low), 0, 1)
//   w'_p   = w_p / factor * ramp_p + w_p * (1 - ramp_p)
// (for base 160000, ropeDim 64, originalSeqLen 65536, betas 32/1: low 15, high 25).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "sieve/support/status.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sieve::num {

struct RopeParams {
  int ropeDim = 64;
  double base = 10000.0;
  bool yarn = false;
  double factor = 1.0;
  int64_t originalSeqLen = 0;
  double betaFast = 32.0;
  double betaSlow = 1.0;
};

struct YarnRange {
  int low = 0;
  int high = 0;
};

/// The YaRN correction range [low, high] in pair indices.
YarnRange yarnCorrectionRange(const RopeParams &params);

/// The ropeDim/2 fp32 angular frequencies, with YaRN applied if enabled.
Expected<std::vector<float>> ropeFrequencies(const RopeParams &params);

/// cos and sin of theta_p = fp32(pos) * freqs[p] (an fp32 product) for every
/// pair p, as libm computes them: the reference's angles, one position.
void ropeCosSin(const std::vector<float> &freqs, int64_t pos, float *cos, float *sin);

/// Rotates the pairs (x[2p], x[2p+1]) of x[0 .. 2*pairs) by the angles whose
/// cos and sin are given, or by their negatives if inverse, in fp32.
void ropeRotate(const float *cos, const float *sin, int pairs, float *x, bool inverse);

/// cos/sin of pos * w_p for every position below maxPositions.
class RopeTable {
public:
  static Expected<RopeTable> create(const RopeParams &params,
                                    int64_t maxPositions);

  int pairs() const { return pairs_; }
  int64_t maxPositions() const { return maxPositions_; }
  const float *cos(int64_t pos) const { return cos_.data() + pos * pairs_; }
  const float *sin(int64_t pos) const { return sin_.data() + pos * pairs_; }

  /// Rotates x[0 .. 2*pairs) in place by +theta(pos), or -theta if inverse.
  /// pos must be below maxPositions().
  void apply(float *x, int64_t pos, bool inverse = false) const;

private:
  int pairs_ = 0;
  int64_t maxPositions_ = 0;
  std::vector<float> cos_;
  std::vector<float> sin_;
};

} // namespace sieve::num
