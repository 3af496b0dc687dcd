//===- model_schema.cpp - The structure of a DeepSeek-V4 model ------------===//
//
// Built from the reference model.py module tree (Block, Attention,
// Compressor, Indexer, Gate, Expert, MTPBlock) and v4-architecture.md 10 and
// 11. For V4-Flash the tensor list holds the 69,187 tensors (1,575 under
// mtp.0) and 159,609,485,896 payload bytes of the released checkpoint.
//
//===----------------------------------------------------------------------===//

#include "sieve/io/model_schema.h"

namespace sieve::io {

const char *tensorKindName(TensorKind kind) {
  switch (kind) {
  case TensorKind::kFp8Weight:
    return "fp8-weight";
  case TensorKind::kFp8Scale:
    return "fp8-scale";
  case TensorKind::kFp4Weight:
    return "fp4-weight";
  case TensorKind::kFp4Scale:
    return "fp4-scale";
  case TensorKind::kBf16Weight:
    return "bf16-weight";
  case TensorKind::kNormWeight:
    return "norm-weight";
  case TensorKind::kF32Weight:
    return "f32-weight";
  case TensorKind::kHcBase:
    return "hc-base";
  case TensorKind::kHcScale:
    return "hc-scale";
  case TensorKind::kAttnSink:
    return "attn-sink";
  case TensorKind::kGateBias:
    return "gate-bias";
  case TensorKind::kTid2eid:
    return "tid2eid";
  }
  return "?";
}

const char *linearFormatName(LinearFormat format) {
  switch (format) {
  case LinearFormat::kFp8:
    return "fp8";
  case LinearFormat::kFp4:
    return "fp4";
  case LinearFormat::kBf16:
    return "bf16";
  }
  return "?";
}

uint64_t ExpectedTensor::numElements() const {
  uint64_t n = 0;
  shapeElements(shape, n);
  return n;
}

uint64_t ExpectedTensor::logicalElements() const {
  if (kind == TensorKind::kFp4Weight)
    return numElements() * 2;
  return numElements();
}

LinearSchema MoeSchema::expert(int64_t e, ExpertMatrix m) const {
  static const char *const kNames[] = {"w1", "w2", "w3"};
  LinearSchema l;
  l.module = expertPrefix + std::to_string(e) + "." + kNames[int(m)];
  l.format = expertFormat;
  bool down = m == ExpertMatrix::kW2;
  l.out = down ? dim : interDim;
  l.in = down ? interDim : dim;
  return l;
}

namespace {

LinearFormat denseFormat(const ModelConfig &c) {
  return c.dtype == WeightFormat::kFp8 ? LinearFormat::kFp8 : LinearFormat::kBf16;
}

LinearFormat expertFormat(const ModelConfig &c) {
  switch (c.expertDtype) {
  case ExpertFormat::kFp4:
    return LinearFormat::kFp4;
  case ExpertFormat::kFp8:
    return LinearFormat::kFp8;
  case ExpertFormat::kBf16:
    return LinearFormat::kBf16;
  }
  return LinearFormat::kBf16;
}

LinearSchema linear(std::string module, int64_t out, int64_t in, LinearFormat format) {
  return LinearSchema{std::move(module), out, in, format};
}

CompressorSchema compressor(const ModelConfig &c, std::string prefix, int64_t ratio,
                            int64_t dim) {
  CompressorSchema s;
  s.prefix = std::move(prefix);
  s.ratio = ratio;
  s.coff = ratio == 4 ? 2 : 1;
  s.dim = dim;
  s.wkv = linear(s.prefix + "wkv", s.coff * dim, c.dim, LinearFormat::kBf16);
  s.wgate = linear(s.prefix + "wgate", s.coff * dim, c.dim, LinearFormat::kBf16);
  return s;
}

BlockSchema buildBlock(const ModelConfig &c, int64_t b, int64_t maxSeqLen) {
  BlockSchema s;
  s.index = b;
  s.mtp = c.isMtpBlock(b);
  s.prefix = c.blockPrefix(b);
  const std::string &p = s.prefix;
  s.hcAttn = {p + "hc_attn", c.hcMixDim(), 3};
  s.hcFfn = {p + "hc_ffn", c.hcMixDim(), 3};
  s.attnNormName = p + "attn_norm.weight";
  s.ffnNormName = p + "ffn_norm.weight";

  // Attention (7.1-7.8). The ratio decides the kind: 0 sliding window,
  // 4 CSA (overlapping compressor + indexer), any other HCA.
  AttentionSchema &a = s.attention;
  const std::string ap = p + "attn.";
  const LinearFormat dense = denseFormat(c);
  a.ratio = c.ratio(b);
  a.kind = a.ratio == 0   ? AttentionKind::kSliding
           : a.ratio == 4 ? AttentionKind::kCompressed
                          : AttentionKind::kHeavyCompressed;
  a.wqA = linear(ap + "wq_a", c.qLoraRank, c.dim, dense);
  a.wqB = linear(ap + "wq_b", c.nHeads * c.headDim, c.qLoraRank, dense);
  a.wkv = linear(ap + "wkv", c.headDim, c.dim, dense);
  a.woA = linear(ap + "wo_a", c.oGroups * c.oLoraRank, c.woAInDim(), dense);
  a.woB = linear(ap + "wo_b", c.dim, c.oGroups * c.oLoraRank, dense);
  a.qNormName = ap + "q_norm.weight";
  a.kvNormName = ap + "kv_norm.weight";
  a.sinkName = ap + "attn_sink";
  if (a.kind != AttentionKind::kSliding)
    a.compressor = compressor(c, ap + "compressor.", a.ratio, c.headDim);
  if (a.kind == AttentionKind::kCompressed) {
    IndexerSchema ix;
    const std::string ip = ap + "indexer.";
    ix.heads = c.indexNHeads;
    ix.headDim = c.indexHeadDim;
    ix.topk = c.indexTopk;
    ix.wqB = linear(ip + "wq_b", c.indexNHeads * c.indexHeadDim, c.qLoraRank, dense);
    ix.weightsProj = linear(ip + "weights_proj", c.indexNHeads, c.dim, LinearFormat::kBf16);
    ix.compressor = compressor(c, ip + "compressor.", 4, c.indexHeadDim);
    a.indexer = std::move(ix);
  }

  // MoE (8).
  MoeSchema &m = s.moe;
  const std::string fp = p + "ffn.";
  m.hashRouted = c.isHashBlock(b);
  m.experts = c.nRoutedExperts;
  m.activated = c.nActivatedExperts;
  m.gate = linear(fp + "gate", c.nRoutedExperts, c.dim, LinearFormat::kBf16);
  if (m.hashRouted)
    m.tid2eidName = fp + "gate.tid2eid";
  else
    m.biasName = fp + "gate.bias";
  m.expertPrefix = fp + "experts.";
  m.interDim = c.moeInterDim;
  m.dim = c.dim;
  m.expertFormat = expertFormat(c);
  m.shared = {linear(fp + "shared_experts.w1", c.moeInterDim, c.dim, dense),
              linear(fp + "shared_experts.w2", c.dim, c.moeInterDim, dense),
              linear(fp + "shared_experts.w3", c.moeInterDim, c.dim, dense)};

  // The cache (11): the window ring, one entry per `ratio` tokens, and for
  // CSA an indexer key per entry.
  BlockCacheSchema &cache = s.cache;
  cache.windowRows = c.windowSize;
  cache.rowDim = c.headDim;
  cache.ratio = a.ratio;
  cache.entryCapacity = a.ratio > 0 ? maxSeqLen / a.ratio : 0;
  cache.indexerKeyDim = a.indexer ? c.indexHeadDim : 0;

  // MTP extras (9); embedding and head are shared with the main model.
  if (s.mtp) {
    s.eProj = linear(p + "e_proj", c.dim, c.dim, dense);
    s.hProj = linear(p + "h_proj", c.dim, c.dim, dense);
    s.enormName = p + "enorm.weight";
    s.hnormName = p + "hnorm.weight";
    s.normName = p + "norm.weight";
    s.hcHead = HyperConnectionSchema{p + "hc_head", c.hcMult, 1};
  }
  return s;
}

/// Appends tensors in section 10 order.
class TensorList {
public:
  TensorList(const ModelConfig &c, std::vector<ExpectedTensor> &out) : c_(c), out_(out) {}

  void add(std::string name, DType dtype, std::vector<int64_t> shape, TensorKind kind,
           std::vector<int64_t> logical = {}) {
    ExpectedTensor t;
    t.name = std::move(name);
    t.dtype = dtype;
    t.logicalShape = logical.empty() ? shape : std::move(logical);
    t.shape = std::move(shape);
    t.kind = kind;
    t.block = block_;
    t.expert = expert_;
    out_.push_back(std::move(t));
  }

  void linear(const LinearSchema &l) {
    std::vector<int64_t> logical{l.out, l.in};
    switch (l.format) {
    case LinearFormat::kFp8:
      add(l.weightName(), DType::kF8E4M3, {l.out, l.in}, TensorKind::kFp8Weight, logical);
      add(l.scaleName(), DType::kF8E8M0,
          {ceilDiv(l.out, kFp8WeightBlock), ceilDiv(l.in, kFp8WeightBlock)},
          TensorKind::kFp8Scale, logical);
      break;
    case LinearFormat::kFp4:
      add(l.weightName(), DType::kI8, {l.out, l.in / 2}, TensorKind::kFp4Weight, logical);
      add(l.scaleName(), DType::kF8E8M0, {l.out, l.in / kFp4WeightBlock},
          TensorKind::kFp4Scale, logical);
      break;
    case LinearFormat::kBf16:
      add(l.weightName(), DType::kBF16, {l.out, l.in}, TensorKind::kBf16Weight);
      break;
    }
  }

  void norm(const std::string &name, int64_t d) {
    add(name, DType::kBF16, {d}, TensorKind::kNormWeight);
  }

  void hyperConnection(const HyperConnectionSchema &hc) {
    add(hc.prefix + "_fn", DType::kF32, {hc.mixDim, c_.hcDim()}, TensorKind::kF32Weight);
    add(hc.prefix + "_base", DType::kF32, {hc.mixDim}, TensorKind::kHcBase);
    add(hc.prefix + "_scale", DType::kF32, {hc.scaleLen}, TensorKind::kHcScale);
  }

  void compressor(const CompressorSchema &s) {
    linear(s.wkv);
    linear(s.wgate);
    add(s.apeName(), DType::kF32, {s.ratio, s.coff * s.dim}, TensorKind::kF32Weight);
    norm(s.normName(), s.dim);
  }

  void block(const BlockSchema &s) {
    block_ = s.index;
    hyperConnection(s.hcAttn);
    hyperConnection(s.hcFfn);
    norm(s.attnNormName, c_.dim);
    norm(s.ffnNormName, c_.dim);

    const AttentionSchema &a = s.attention;
    linear(a.wqA);
    norm(a.qNormName, c_.qLoraRank);
    linear(a.wqB);
    linear(a.wkv);
    norm(a.kvNormName, c_.headDim);
    linear(a.woA);
    linear(a.woB);
    add(a.sinkName, DType::kF32, {c_.nHeads}, TensorKind::kAttnSink);
    if (a.compressor)
      compressor(*a.compressor);
    if (a.indexer) {
      linear(a.indexer->wqB);
      linear(a.indexer->weightsProj);
      compressor(a.indexer->compressor);
    }

    const MoeSchema &m = s.moe;
    linear(m.gate);
    if (m.hashRouted)
      add(m.tid2eidName, DType::kI64, {c_.vocabSize, m.activated}, TensorKind::kTid2eid);
    else
      add(m.biasName, DType::kF32, {m.experts}, TensorKind::kGateBias);
    for (int64_t e = 0; e < m.experts; ++e) {
      expert_ = e;
      for (ExpertMatrix mat : {ExpertMatrix::kW1, ExpertMatrix::kW2, ExpertMatrix::kW3})
        linear(m.expert(e, mat));
    }
    expert_ = -1;
    for (const LinearSchema &l : m.shared)
      linear(l);

    if (s.mtp) {
      linear(*s.eProj);
      linear(*s.hProj);
      norm(s.enormName, c_.dim);
      norm(s.hnormName, c_.dim);
      norm(s.normName, c_.dim);
      hyperConnection(*s.hcHead);
    }
    block_ = -1;
  }

private:
  static int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

  const ModelConfig &c_;
  std::vector<ExpectedTensor> &out_;
  int64_t block_ = -1;
  int64_t expert_ = -1;
};

} // namespace

Expected<ModelSchema> ModelSchema::build(const ModelConfig &config, int64_t maxSeqLen) {
  SIEVE_RETURN_IF_ERROR(validateModelConfig(config));
  if (maxSeqLen < 0 || maxSeqLen > limits::kMaxSeqLen)
    return invalidArgument("max_seq_len " + std::to_string(maxSeqLen) +
                           " is outside [1, " + std::to_string(limits::kMaxSeqLen) + "]");
  ModelSchema s;
  s.config_ = config;
  s.maxSeqLen_ = maxSeqLen > 0 ? maxSeqLen : config.maxSeqLen;
  s.config_.maxSeqLen = s.maxSeqLen_;
  s.head_ = linear("head", config.vocabSize, config.dim, LinearFormat::kBf16);
  s.hcHead_ = {"hc_head", config.hcMult, 1};
  s.blocks_.reserve(size_t(config.numBlocks()));
  for (int64_t b = 0; b < config.numBlocks(); ++b)
    s.blocks_.push_back(buildBlock(s.config_, b, s.maxSeqLen_));
  return s;
}

namespace {
constexpr int64_t kStateElementBytes = 4; // compressor state is fp32

/// Main KV row bytes: bf16 (11.1), or FP8 nope + bf16 rope + one E8M0 byte
/// per 64 nope dims, padded to 8 bytes (11.2: 448 + 128 + 7 + 1 = 584).
int64_t kvRowBytes(const ModelConfig &c, CacheFormat format) {
  if (format == CacheFormat::kReferenceBf16)
    return c.headDim * 2;
  int64_t bytes = c.nopeHeadDim() + c.ropeHeadDim * 2 + c.nopeHeadDim() / 64;
  return (bytes + 7) / 8 * 8;
}

/// Indexer key bytes: bf16, FP8 + one fp32 scale, or MXFP4 + E8M0 per 32.
int64_t indexerRowBytes(int64_t keyDim, CacheFormat format) {
  switch (format) {
  case CacheFormat::kReferenceBf16:
    return keyDim * 2;
  case CacheFormat::kFp8IndexerFp8:
    return keyDim + 4;
  case CacheFormat::kFp8IndexerFp4:
    return keyDim / 2 + keyDim / 32;
  }
  return 0;
}

/// kv and score state of one compressor, fp32.
int64_t stateBytes(const CompressorSchema &s) {
  return 2 * s.stateRows() * s.stateCols() * kStateElementBytes;
}
} // namespace

CacheSizes ModelSchema::cacheSizes(CacheFormat format, bool includeMtp) const {
  CacheSizes sizes;
  for (const BlockSchema &b : blocks_) {
    if (b.mtp && !includeMtp)
      continue;
    const BlockCacheSchema &cache = b.cache;
    LayerCacheSize l;
    l.block = b.index;
    l.mtp = b.mtp;
    l.ratio = cache.ratio;
    l.kind = b.attention.kind;
    l.windowRows = cache.windowRows;
    l.kvRowBytes = kvRowBytes(config_, format);
    if (const auto &compressor = b.attention.compressor) {
      l.entryBytes = l.kvRowBytes;
      l.compressorStateBytes = stateBytes(*compressor);
    }
    if (const auto &indexer = b.attention.indexer) {
      l.indexerRowBytes = indexerRowBytes(cache.indexerKeyDim, format);
      l.entryBytes += l.indexerRowBytes;
      l.indexerStateBytes = stateBytes(indexer->compressor);
    }
    sizes.layers.push_back(l);
  }
  return sizes;
}

CacheSizes computeCacheSizes(const ModelConfig &config, CacheFormat format, bool includeMtp) {
  auto schema = ModelSchema::build(config);
  if (!schema)
    return {};
  return schema->cacheSizes(format, includeMtp);
}

double CacheSizes::bytesPerToken() const {
  double total = 0;
  for (const LayerCacheSize &l : layers)
    total += l.bytesPerToken();
  return total;
}

int64_t CacheSizes::fixedBytesPerSequence() const {
  int64_t total = 0;
  for (const LayerCacheSize &l : layers)
    total += l.fixedBytes();
  return total;
}

int64_t CacheSizes::bytesForContext(int64_t contextLen) const {
  int64_t total = 0;
  for (const LayerCacheSize &l : layers)
    total += l.bytesForContext(contextLen);
  return total;
}

std::vector<ExpectedTensor> ModelSchema::tensors() const {
  std::vector<ExpectedTensor> out;
  TensorList list(config_, out);
  list.add(embedName(), DType::kBF16, {config_.vocabSize, config_.dim},
           TensorKind::kBf16Weight);
  list.linear(head_);
  list.norm(normName(), config_.dim);
  list.hyperConnection(hcHead_);
  for (const BlockSchema &b : blocks_)
    list.block(b);
  return out;
}

const char *cacheFormatName(CacheFormat format) {
  switch (format) {
  case CacheFormat::kReferenceBf16:
    return "bf16";
  case CacheFormat::kFp8IndexerFp8:
    return "fp8";
  case CacheFormat::kFp8IndexerFp4:
    return "fp8-fp4";
  }
  return "bf16";
}

Expected<CacheFormat> parseCacheFormat(const std::string &name) {
  for (CacheFormat format :
       {CacheFormat::kReferenceBf16, CacheFormat::kFp8IndexerFp8, CacheFormat::kFp8IndexerFp4})
    if (name == cacheFormatName(format))
      return format;
  return invalidArgument("cache format '" + name + "' is not bf16, fp8 or fp8-fp4");
}

} // namespace sieve::io
