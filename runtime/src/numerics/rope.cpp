//===- rope.cpp - Rotary position embedding with YaRN ---------------------===//

#include "sieve/numerics/rope.h"

#include "sieve/support/checked_math.h"
#include "sieve/support/system.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace sieve::num {
namespace {

double correctionDim(double rotations, const RopeParams &p) {
  return p.ropeDim * std::log(double(p.originalSeqLen) / (rotations * 2 * M_PI)) /
         (2 * std::log(p.base));
}

Status checkParams(const RopeParams &p) {
  if (p.ropeDim <= 0 || p.ropeDim % 2 != 0)
    return invalidArgument("rope dim " + std::to_string(p.ropeDim) +
                           " must be positive and even");
  if (!(p.base > 1.0))
    return invalidArgument("rope base must be > 1");
  if (p.yarn && (!(p.factor > 0.0) || p.originalSeqLen <= 0 ||
                 !(p.betaFast > 0.0) || !(p.betaSlow > 0.0)))
    return invalidArgument("YaRN needs factor > 0, original_seq_len > 0 and "
                           "positive beta_fast, beta_slow");
  return Status::ok();
}

} // namespace

YarnRange yarnCorrectionRange(const RopeParams &p) {
  int low = int(std::floor(correctionDim(p.betaFast, p)));
  int high = int(std::ceil(correctionDim(p.betaSlow, p)));
  return {std::max(low, 0), std::min(high, p.ropeDim - 1)};
}

Expected<std::vector<float>> ropeFrequencies(const RopeParams &p) {
  SIEVE_RETURN_IF_ERROR(checkParams(p));
  int pairs = p.ropeDim / 2;
  std::vector<float> freqs(pairs);
  // fp32 as the reference: 1 / base^(fp32(2p) / dim).
  for (int i = 0; i < pairs; ++i)
    freqs[i] = 1.0f / std::pow(float(p.base), float(2 * i) / float(p.ropeDim));
  if (!p.yarn)
    return freqs;
  YarnRange r = yarnCorrectionRange(p);
  float low = float(r.low), high = float(r.high);
  if (r.low == r.high)
    high += 0.001f; // avoid a zero-width ramp
  for (int i = 0; i < pairs; ++i) {
    float ramp = std::clamp((float(i) - low) / (high - low), 0.0f, 1.0f);
    float smooth = 1.0f - ramp;
    freqs[i] = freqs[i] / float(p.factor) * (1.0f - smooth) + freqs[i] * smooth;
  }
  return freqs;
}

Expected<RopeTable> RopeTable::create(const RopeParams &params,
                                      int64_t maxPositions) {
  if (maxPositions <= 0)
    return invalidArgument("RoPE table needs at least one position");
  auto freqs = ropeFrequencies(params);
  if (!freqs)
    return freqs.takeStatus();
  // cos and sin, one float per position and pair.
  CheckedSize entries = CheckedSize(maxPositions) * (params.ropeDim / 2);
  CheckedSize bytes = entries * 2 * int64_t(sizeof(float));
  std::string what = "a RoPE table of " + std::to_string(maxPositions) + " positions";
  if (!bytes.valid())
    return outOfRange(what + " is too large to address");
  SIEVE_RETURN_IF_ERROR(checkMemoryAvailable(uint64_t(bytes.valueOr(0)), what));
  RopeTable table;
  table.pairs_ = params.ropeDim / 2;
  table.maxPositions_ = maxPositions;
  table.cos_.resize(size_t(entries.valueOr(0)));
  table.sin_.resize(size_t(entries.valueOr(0)));
  for (int64_t pos = 0; pos < maxPositions; ++pos)
    ropeCosSin(*freqs, pos, table.cos_.data() + pos * table.pairs_,
               table.sin_.data() + pos * table.pairs_);
  return table;
}

void ropeCosSin(const std::vector<float> &freqs, int64_t pos, float *cos, float *sin) {
  for (size_t p = 0; p < freqs.size(); ++p) {
    float theta = float(pos) * freqs[p]; // fp32 product, as the reference
    cos[p] = std::cos(theta);
    sin[p] = std::sin(theta);
  }
}

void RopeTable::apply(float *x, int64_t pos, bool inverse) const {
  ropeRotate(cos(pos), sin(pos), pairs_, x, inverse);
}

void ropeRotate(const float *c, const float *s, int pairs, float *x, bool inverse) {
  for (int p = 0; p < pairs; ++p) {
    float re = x[2 * p], im = x[2 * p + 1];
    float sn = inverse ? -s[p] : s[p];
    x[2 * p] = re * c[p] - im * sn;
    x[2 * p + 1] = re * sn + im * c[p];
  }
}

} // namespace sieve::num
