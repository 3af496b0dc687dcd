//===- weights.cpp - Checkpoint tensors bound for the reference -----------===//

#include "weights.h"

#include "sieve/numerics/block_quant.h"
#include "sieve/numerics/float_formats.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace sieve::ref {
namespace {

// E4M3 and E2M1 code -> value tables (decode once, look up per element).
struct DecodeTables {
  float e4m3[256];
  float e2m1[16];
  DecodeTables() {
    for (int c = 0; c < 256; ++c)
      e4m3[c] = num::e4m3ToFloat(uint8_t(c));
    for (int c = 0; c < 16; ++c)
      e2m1[c] = num::e2m1ToFloat(uint8_t(c));
  }
};
const DecodeTables &tables() {
  static const DecodeTables t;
  return t;
}

// The activation as the FP8 GEMM sees it: per 128 values, E4M3 codes times a
// power-of-two scale (exact in fp32, so the GEMM can use the products).
std::vector<float> quantizeActivation(const float *x, int64_t n) {
  std::vector<float> q(static_cast<size_t>(n));
  const num::BlockFormat fp8{num::ElementFormat::kE4M3,
                             num::ScaleRule::kDeepSeekCeil, 128};
  uint8_t codes[128], scale;
  for (int64_t b = 0; b < n; b += 128) {
    (void)num::quantize(x + b, 128, fp8, codes, &scale);
    float s = num::e8m0ToFloat(scale);
    for (int i = 0; i < 128; ++i)
      q[size_t(b + i)] = tables().e4m3[codes[i]] * s;
  }
  return q;
}

} // namespace

Expected<Linear> Linear::bind(const io::SafetensorsReader &reader,
                              const io::LinearSchema &schema) {
  const std::string &base = schema.module;
  const int64_t out = schema.out, in = schema.in;
  auto w = reader.get(base + ".weight");
  if (!w)
    return w.takeStatus();
  Linear l;
  l.out_ = out;
  l.in_ = in;
  l.weight_ = w->data;
  switch (w->dtype) {
  case io::DType::kF8E4M3:
    l.format_ = Format::kFp8;
    break;
  case io::DType::kI8:
    l.format_ = Format::kFp4;
    break;
  case io::DType::kBF16:
    l.format_ = Format::kBf16;
    break;
  case io::DType::kF32:
    l.format_ = Format::kF32;
    break;
  default:
    return invalidArgument(base + ".weight: dtype " + io::dtypeName(w->dtype) +
                           " is not a linear weight format");
  }
  if (l.format_ == Format::kFp8 || l.format_ == Format::kFp4) {
    auto s = reader.get(base + ".scale");
    if (!s)
      return s.takeStatus();
    l.scale_ = s->data;
    if (in % 128 != 0)
      return invalidArgument(base + ": in-features " + std::to_string(in) +
                             " not a multiple of 128 (FP8 activation blocks)");
  }
  return l;
}

void Linear::row(int64_t r, float *out) const {
  const DecodeTables &t = tables();
  switch (format_) {
  case Format::kFp8: {
    const uint8_t *codes = weight_ + r * in_;
    const uint8_t *scales = scale_ + (r / 128) * ((in_ + 127) / 128);
    for (int64_t b = 0; b < in_; b += 128) {
      const float s = num::e8m0ToFloat(scales[b / 128]);
      for (int64_t c = b; c < std::min(in_, b + 128); ++c)
        out[c] = t.e4m3[codes[c]] * s;
    }
    break;
  }
  case Format::kFp4: {
    const uint8_t *packed = weight_ + r * (in_ / 2);
    const uint8_t *scales = scale_ + r * (in_ / 32);
    for (int64_t b = 0; b < in_; b += 32) {
      const float s = num::e8m0ToFloat(scales[b / 32]);
      for (int64_t c = b; c < b + 32; c += 2) {
        uint8_t byte = packed[c / 2];
        out[c] = t.e2m1[byte & 0xF] * s; // low nibble = even element
        out[c + 1] = t.e2m1[byte >> 4] * s;
      }
    }
    break;
  }
  case Format::kBf16: {
    const uint8_t *w = weight_ + r * in_ * 2;
    for (int64_t c = 0; c < in_; ++c) {
      uint16_t bits;
      std::memcpy(&bits, w + 2 * c, 2);
      out[c] = num::bf16ToFloat(bits);
    }
    break;
  }
  case Format::kF32:
    std::memcpy(out, weight_ + r * in_ * 4, size_t(in_) * 4);
    break;
  }
}

// y[s, o] = sum over k of x[s, k] * W[o, k]: per `block` columns an fp32
// partial, each added to a separate fp32 accumulator (one block = a plain
// sum). Each weight row is decoded once for all rows of x.
void Linear::gemm(const float *x, int64_t rows, int64_t block, bool bf16Out,
                  float *y) const {
  std::vector<float> w(static_cast<size_t>(in_));
  for (int64_t o = 0; o < out_; ++o) {
    row(o, w.data());
    for (int64_t s = 0; s < rows; ++s) {
      float acc = blockDot(x + s * in_, w.data(), in_, block);
      y[s * out_ + o] = bf16Out ? num::roundToBf16(acc) : acc;
    }
  }
}

float blockDot(const float *x, const float *w, int64_t n, int64_t block) {
  float acc = 0.0f;
  for (int64_t b = 0; b < n; b += block) {
    float partial = 0.0f;
    for (int64_t k = b; k < std::min(n, b + block); ++k)
      partial += x[k] * w[k];
    acc += partial;
  }
  return acc;
}

void Linear::apply(const float *x, float *y, int64_t rows) const {
  if (format_ == Format::kBf16 || format_ == Format::kF32) {
    gemm(x, rows, in_, /*bf16Out=*/true, y);
    return;
  }
  // Block-scaled GEMM (3.3, 3.4): x quantized to E4M3 per 128, exact
  // products summed per weight block. Scales are powers of two, so folding
  // them into the operands changes no rounding.
  std::vector<float> xq(static_cast<size_t>(rows * in_));
  for (int64_t s = 0; s < rows; ++s) {
    std::vector<float> q = quantizeActivation(x + s * in_, in_);
    std::copy(q.begin(), q.end(), xq.begin() + s * in_);
  }
  gemm(xq.data(), rows, format_ == Format::kFp8 ? 128 : 32, /*bf16Out=*/true, y);
}

void Linear::applyF32(const float *x, float *y, int64_t rows) const {
  gemm(x, rows, in_, /*bf16Out=*/false, y);
}

Expected<std::vector<float>> loadVector(const io::SafetensorsReader &reader,
                                        const std::string &name) {
  auto v = reader.get(name);
  if (!v)
    return v.takeStatus();
  std::vector<float> out(static_cast<size_t>(v->numElements()));
  if (v->dtype == io::DType::kF32) {
    std::memcpy(out.data(), v->data, out.size() * 4);
  } else if (v->dtype == io::DType::kBF16) {
    for (size_t i = 0; i < out.size(); ++i) {
      uint16_t bits;
      std::memcpy(&bits, v->data + 2 * i, 2);
      out[i] = num::bf16ToFloat(bits);
    }
  } else {
    return invalidArgument(name + ": expected BF16 or F32, found " +
                           io::dtypeName(v->dtype));
  }
  return out;
}

namespace {

// Binds into `dst`, returning on the first error (the checkpoint was checked
// already, so an error here means a config/check mismatch, not bad input).
#define SIEVE_BIND(dst, expr)                                                  \
  do {                                                                         \
    auto bound_ = (expr);                                                      \
    if (!bound_)                                                               \
      return bound_.takeStatus();                                              \
    dst = bound_.take();                                                       \
  } while (0)

Status bindHc(const io::SafetensorsReader &r, const io::HyperConnectionSchema &schema,
              HyperConnection &hc) {
  SIEVE_BIND(hc.fn, loadVector(r, schema.prefix + "_fn"));
  SIEVE_BIND(hc.base, loadVector(r, schema.prefix + "_base"));
  SIEVE_BIND(hc.scale, loadVector(r, schema.prefix + "_scale"));
  return Status::ok();
}

Status bindCompressor(const io::SafetensorsReader &r, const io::CompressorSchema &s,
                      CompressorWeights &w) {
  w.ratio = s.ratio;
  w.coff = s.coff;
  w.dim = s.dim;
  SIEVE_BIND(w.wkv, Linear::bind(r, s.wkv));
  SIEVE_BIND(w.wgate, Linear::bind(r, s.wgate));
  SIEVE_BIND(w.ape, loadVector(r, s.apeName()));
  SIEVE_BIND(w.norm, loadVector(r, s.normName()));
  return Status::ok();
}

Status bindExpert(const io::SafetensorsReader &r, const io::LinearSchema &w1,
                  const io::LinearSchema &w2, const io::LinearSchema &w3, ExpertWeights &e) {
  SIEVE_BIND(e.w1, Linear::bind(r, w1));
  SIEVE_BIND(e.w3, Linear::bind(r, w3));
  SIEVE_BIND(e.w2, Linear::bind(r, w2));
  return Status::ok();
}

Status bindBlock(const io::SafetensorsReader &r, const io::BlockSchema &s,
                 BlockWeights &b) {
  SIEVE_RETURN_IF_ERROR(bindHc(r, s.hcAttn, b.hcAttn));
  SIEVE_RETURN_IF_ERROR(bindHc(r, s.hcFfn, b.hcFfn));
  SIEVE_BIND(b.attnNorm, loadVector(r, s.attnNormName));
  SIEVE_BIND(b.ffnNorm, loadVector(r, s.ffnNormName));

  const io::AttentionSchema &as = s.attention;
  AttentionWeights &a = b.attn;
  a.ratio = as.ratio;
  SIEVE_BIND(a.wqA, Linear::bind(r, as.wqA));
  SIEVE_BIND(a.wqB, Linear::bind(r, as.wqB));
  SIEVE_BIND(a.wkv, Linear::bind(r, as.wkv));
  SIEVE_BIND(a.woA, Linear::bind(r, as.woA));
  SIEVE_BIND(a.woB, Linear::bind(r, as.woB));
  SIEVE_BIND(a.qNorm, loadVector(r, as.qNormName));
  SIEVE_BIND(a.kvNorm, loadVector(r, as.kvNormName));
  SIEVE_BIND(a.sink, loadVector(r, as.sinkName));
  if (as.compressor) {
    a.hasCompressor = true;
    SIEVE_RETURN_IF_ERROR(bindCompressor(r, *as.compressor, a.compressor));
  }
  if (as.indexer) {
    a.hasIndexer = true;
    SIEVE_BIND(a.indexerWqB, Linear::bind(r, as.indexer->wqB));
    SIEVE_BIND(a.indexerWeightsProj, Linear::bind(r, as.indexer->weightsProj));
    SIEVE_RETURN_IF_ERROR(bindCompressor(r, as.indexer->compressor, a.indexerCompressor));
  }

  const io::MoeSchema &ms = s.moe;
  MoEWeights &m = b.ffn;
  m.hashRouted = ms.hashRouted;
  SIEVE_BIND(m.gate, Linear::bind(r, ms.gate));
  if (m.hashRouted) {
    auto t = r.get(ms.tid2eidName);
    if (!t)
      return t.takeStatus();
    // Expert ids index the expert table: check them once here so a corrupt
    // table is an error, not an out-of-bounds read at run time. (Copied, as
    // the mapping only promises byte alignment.)
    const uint64_t k = uint64_t(ms.activated);
    m.tid2eid.resize(size_t(t->numElements()));
    std::memcpy(m.tid2eid.data(), t->data, m.tid2eid.size() * 8);
    for (uint64_t i = 0; i < m.tid2eid.size(); ++i) {
      const int64_t id = m.tid2eid[i];
      const std::string where = ms.tid2eidName + "[" + std::to_string(i / k) + "]";
      if (id < 0 || id >= ms.experts)
        return invalidArgument(where + " holds expert id " + std::to_string(id) +
                               ", outside [0, " + std::to_string(ms.experts) + ")");
      for (uint64_t j = i - i % k; j < i; ++j)
        if (m.tid2eid[j] == id)
          return invalidArgument(where + " names expert " + std::to_string(id) + " twice");
    }
  } else {
    SIEVE_BIND(m.bias, loadVector(r, ms.biasName));
  }
  m.experts.resize(static_cast<size_t>(ms.experts));
  for (int64_t e = 0; e < ms.experts; ++e)
    SIEVE_RETURN_IF_ERROR(bindExpert(r, ms.expert(e, io::ExpertMatrix::kW1),
                                     ms.expert(e, io::ExpertMatrix::kW2),
                                     ms.expert(e, io::ExpertMatrix::kW3),
                                     m.experts[size_t(e)]));
  SIEVE_RETURN_IF_ERROR(bindExpert(r, ms.shared[0], ms.shared[1], ms.shared[2], m.shared));

  if (s.mtp) {
    SIEVE_BIND(b.eProj, Linear::bind(r, *s.eProj));
    SIEVE_BIND(b.hProj, Linear::bind(r, *s.hProj));
    SIEVE_BIND(b.enorm, loadVector(r, s.enormName));
    SIEVE_BIND(b.hnorm, loadVector(r, s.hnormName));
    SIEVE_BIND(b.norm, loadVector(r, s.normName));
    SIEVE_RETURN_IF_ERROR(bindHc(r, *s.hcHead, b.hcHead));
  }
  return Status::ok();
}

} // namespace

Expected<ModelWeights> bindWeights(const io::ModelSchema &schema,
                                   const io::SafetensorsReader &r) {
  ModelWeights w;
  auto embed = r.get(schema.embedName());
  if (!embed)
    return embed.takeStatus();
  w.embed = embed->as<uint16_t>();
  SIEVE_BIND(w.head, Linear::bind(r, schema.head()));
  SIEVE_BIND(w.norm, loadVector(r, schema.normName()));
  SIEVE_RETURN_IF_ERROR(bindHc(r, schema.hcHead(), w.hcHead));
  w.blocks.resize(schema.blocks().size());
  for (const io::BlockSchema &b : schema.blocks())
    SIEVE_RETURN_IF_ERROR(
        bindBlock(r, b, w.blocks[size_t(b.index)]).annotate(b.prefix.substr(0, b.prefix.size() - 1)));
  return w;
}

} // namespace sieve::ref
