//===- model.cpp - The reference executor: layers, caches, forward -------===//

#include "sieve/reference/model.h"

#include "cache_rows.h"
#include "ops.h"
#include "weights.h"

#include "sieve/io/checkpoint.h"
#include "sieve/numerics/float_formats.h"
#include "sieve/support/checked_math.h"
#include "sieve/support/system.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace sieve::ref {

namespace {
constexpr float kNegInf = -std::numeric_limits<float>::infinity();

void loadBf16Row(const uint16_t *src, int64_t n, float *dst) {
  for (int64_t i = 0; i < n; ++i) {
    uint16_t bits;
    std::memcpy(&bits, src + i, 2);
    dst[i] = num::bf16ToFloat(bits);
  }
}
} // namespace

//===----------------------------------------------------------------------===//
// Sequence
//===----------------------------------------------------------------------===//

void Sequence::CompressorState::reset() {
  std::fill(kv.begin(), kv.end(), 0.0f);
  std::fill(score.begin(), score.end(), kNegInf);
}

int64_t Sequence::usedCacheBytes() const {
  int64_t bytes = 0;
  for (const BlockCache &b : blocks_) {
    bytes += int64_t(b.window.size());
    bytes += b.numEntries * (b.rowBytes + (b.indexDim > 0 ? b.keyBytes : 0));
    bytes += int64_t(b.compressor.kv.size() + b.compressor.score.size()) * 4;
    bytes += int64_t(b.indexerCompressor.kv.size() + b.indexerCompressor.score.size()) * 4;
  }
  return bytes;
}

int64_t Sequence::reservedCacheBytes() const {
  int64_t bytes = 0;
  for (const BlockCache &b : blocks_)
    bytes += int64_t(b.window.size() + b.entries.size() + b.indexKeys.size()) +
             int64_t(b.compressor.kv.size() + b.compressor.score.size() +
                     b.indexerCompressor.kv.size() + b.indexerCompressor.score.size()) * 4;
  return bytes;
}

//===----------------------------------------------------------------------===//
// Model
//===----------------------------------------------------------------------===//

struct ModelImpl {
  const io::ModelConfig &c;
  const ModelWeights &w;
  const RopeTables &rope;
  const RowCodec &kvCodec;  // main KV rows as stored
  const RowCodec &keyCodec; // indexer keys as stored

  // One attention sub-layer over S tokens at positions p0 .. p0 + S - 1.
  // x: [S, dim] (after attn_norm); out: [S, dim].
  void attention(Sequence::BlockCache &cache, const AttentionWeights &a,
                 const float *x, int64_t S, int64_t p0, float *out) const;
  // One block (attention + MoE with their hyper-connections) in place on
  // h [S, hc, dim].
  void block(Sequence::BlockCache &cache, const BlockWeights &b, float *h,
             const int32_t *tokens, int64_t S, int64_t p0) const;
  // logits = head(norm(HCHead(h))) for one token's streams.
  std::vector<float> logits(const HyperConnection &hc, const std::vector<float> &norm,
                            const float *h) const;
};

namespace {

// The compressor of one sub-layer: prefill computes complete groups' entries
// and seeds the state; decode writes the slot and emits an entry when a group
// completes (7.4). Returns via `emit(entryIndex, row)`.
template <typename Emit>
void runCompressor(const io::ModelConfig &c, const num::RopeTable &rope,
                   const CompressorWeights &w, Sequence::CompressorState &st,
                   bool indexerKey, const float *x, int64_t S, int64_t p0,
                   Emit emit) {
  const int64_t r = w.ratio, d = w.dim, width = w.coff * d;
  const bool overlap = w.coff == 2;
  const int64_t off = overlap ? r : 0;
  std::vector<float> row(static_cast<size_t>(d));
  if (p0 == 0) {
    std::vector<float> kv(static_cast<size_t>(S * width)), sc(static_cast<size_t>(S * width));
    compressorProject(w, x, S, 0, kv.data(), sc.data());
    const int64_t groups = S / r, cutoff = groups * r;
    for (int64_t g = 0; g < groups; ++g) {
      const float *prevKv = overlap && g > 0 ? kv.data() + (g - 1) * r * width : nullptr;
      const float *prevSc = overlap && g > 0 ? sc.data() + (g - 1) * r * width : nullptr;
      compressEntry(w, c, rope, indexerKey, prevKv, prevSc, kv.data() + g * r * width,
                    sc.data() + g * r * width, g * r, row.data());
      emit(g, row.data());
    }
    st.reset();
    if (overlap && cutoff >= r) {
      std::copy_n(kv.data() + (cutoff - r) * width, r * width, st.kv.data());
      std::copy_n(sc.data() + (cutoff - r) * width, r * width, st.score.data());
    }
    for (int64_t t = cutoff; t < S; ++t) {
      int64_t slot = off + t % r;
      std::copy_n(kv.data() + t * width, width, st.kv.data() + slot * width);
      std::copy_n(sc.data() + t * width, width, st.score.data() + slot * width);
    }
    return;
  }
  // Decode: one token.
  const int64_t p = p0, slot = off + p % r;
  compressorProject(w, x, 1, p, st.kv.data() + slot * width, st.score.data() + slot * width);
  if ((p + 1) % r != 0)
    return;
  const float *prevKv = overlap ? st.kv.data() : nullptr;
  const float *prevSc = overlap ? st.score.data() : nullptr;
  compressEntry(w, c, rope, indexerKey, prevKv, prevSc, st.kv.data() + off * width,
                st.score.data() + off * width, (p / r) * r, row.data());
  emit(p / r, row.data());
  if (overlap) {
    std::copy_n(st.kv.data() + r * width, r * width, st.kv.data());
    std::copy_n(st.score.data() + r * width, r * width, st.score.data());
  }
}

} // namespace

void ModelImpl::attention(Sequence::BlockCache &cache, const AttentionWeights &a,
                          const float *x, int64_t S, int64_t p0, float *out) const {
  const int64_t H = c.nHeads, hd = c.headDim, rd = c.ropeHeadDim, win = c.windowSize;
  const int64_t r = a.ratio;
  const num::RopeTable &table = rope.forRatio(r);
  const float eps = float(c.normEps);

  // Query path (7.1).
  std::vector<float> qa(static_cast<size_t>(S * c.qLoraRank)), qr(qa.size());
  std::vector<float> q(static_cast<size_t>(S * H * hd));
  a.wqA.apply(x, qa.data(), S);
  for (int64_t s = 0; s < S; ++s)
    rmsNorm(qa.data() + s * c.qLoraRank, c.qLoraRank, a.qNorm.data(), eps,
            qr.data() + s * c.qLoraRank);
  a.wqB.apply(qr.data(), q.data(), S);
  for (int64_t s = 0; s < S; ++s)
    for (int64_t h = 0; h < H; ++h) {
      float *qh = q.data() + (s * H + h) * hd;
      headNormBf16(qh, hd, eps);
      applyRope(table, qh, hd, rd, p0 + s, false);
    }
  // KV path (7.2).
  std::vector<float> kvRaw(static_cast<size_t>(S * hd)), kv(kvRaw.size());
  a.wkv.apply(x, kvRaw.data(), S);
  for (int64_t s = 0; s < S; ++s) {
    float *k = kv.data() + s * hd;
    rmsNorm(kvRaw.data() + s * hd, hd, a.kvNorm.data(), eps, k);
    applyRope(table, k, hd, rd, p0 + s, false);
    fp8Sim64(k, hd - rd);
  }

  // Lightning indexer (7.5): per query, the selected compressed entries.
  std::vector<std::vector<int64_t>> selected(static_cast<size_t>(S));
  if (a.hasIndexer) {
    const int64_t nIH = c.indexNHeads, id = c.indexHeadDim;
    std::vector<float> qI(static_cast<size_t>(S * nIH * id)), wI(static_cast<size_t>(S * nIH));
    const float wScale = float(1.0 / std::sqrt(double(id)) / std::sqrt(double(nIH)));
    a.indexerWqB.apply(qr.data(), qI.data(), S);
    a.indexerWeightsProj.apply(x, wI.data(), S);
    for (int64_t s = 0; s < S; ++s)
      for (int64_t h = 0; h < nIH; ++h) {
        float *qh = qI.data() + (s * nIH + h) * id;
        applyRope(table, qh, id, rd, p0 + s, false);
        hadamardFp4Sim(qh, id);
        wI[size_t(s * nIH + h)] = num::roundToBf16(wI[size_t(s * nIH + h)] * wScale);
      }
    runCompressor(c, table, a.indexerCompressor, cache.indexerCompressor, true, x, S, p0,
                  [&](int64_t e, const float *row) {
                    keyCodec.encode(row, cache.indexKeys.data() + e * cache.keyBytes);
                  });
    const int64_t nEntries = (p0 + S) / 4;
    std::vector<float> key(static_cast<size_t>(id)), scores;
    for (int64_t s = 0; s < S; ++s) {
      const int64_t i = p0 + s, visible = (i + 1) / 4;
      // Prefill ranks all S/4 entries with future ones at -inf; decode ranks
      // the (p+1)/4 that exist (7.5).
      const int64_t ranked = p0 == 0 ? S / 4 : nEntries;
      scores.clear();
      for (int64_t e = 0; e < std::min(visible, ranked); ++e) {
        keyCodec.decode(cache.indexKeys.data() + e * cache.keyBytes, key.data());
        scores.push_back(indexerScore(qI.data() + s * nIH * id, wI.data() + s * nIH, nIH,
                                      id, key.data()));
      }
      selected[size_t(s)] = causalTopk(scores, ranked, visible, std::min(c.indexTopk, ranked));
    }
  }

  // Raw window ring: decode writes its row before attending; prefill attends
  // to the fresh rows and keeps the last `win` of them (7.3, 7.10).
  for (int64_t s = std::max<int64_t>(0, S - win); s < S; ++s)
    kvCodec.encode(kv.data() + s * hd, cache.window.data() + ((p0 + s) % win) * cache.rowBytes);

  // Main compressor: entries become visible to this call's queries.
  if (a.hasCompressor)
    runCompressor(c, table, a.compressor, cache.compressor, false, x, S, p0,
                  [&](int64_t e, const float *row) {
                    kvCodec.encode(row, cache.entries.data() + e * cache.rowBytes);
                    cache.numEntries = std::max(cache.numEntries, e + 1);
                  });

  // Sparse attention with sink over window + compressed entries (7.7).
  const int64_t maxRows = win + (r > 0 ? c.maxSeqLen / r + 1 : 0);
  std::vector<float> rows;
  rows.reserve(static_cast<size_t>(maxRows * hd));
  std::vector<float> o(static_cast<size_t>(S * H * hd));
  const float scale = float(1.0 / std::sqrt(double(hd)));
  std::vector<float> buf(static_cast<size_t>(hd));
  for (int64_t s = 0; s < S; ++s) {
    const int64_t i = p0 + s;
    rows.clear();
    std::vector<int64_t> rowOf; // -1 marks a skipped (padded) index
    auto addRow = [&](const float *src) {
      rowOf.push_back(int64_t(rows.size() / size_t(hd)));
      rows.insert(rows.end(), src, src + hd);
    };
    // Window rows in chronological order, padded with -1 to the window
    // list's fixed width (min(S, win) in prefill, win in decode, 7.3), then
    // the compressed entries: the padding decides where the 64-key blocks of
    // the online softmax fall, so it is kept.
    const int64_t first = std::max<int64_t>(0, i - win + 1);
    const int64_t windowWidth = p0 == 0 ? std::min(S, win) : win;
    for (int64_t pos = first; pos <= i; ++pos) {
      if (p0 == 0) {
        addRow(kv.data() + pos * hd);
      } else {
        kvCodec.decode(cache.window.data() + (pos % win) * cache.rowBytes, buf.data());
        addRow(buf.data());
      }
    }
    for (int64_t pad = i - first + 1; pad < windowWidth; ++pad)
      rowOf.push_back(-1);
    std::vector<int64_t> comp;
    if (a.hasIndexer)
      comp = selected[size_t(s)];
    else if (r > 0)
      for (int64_t e = 0; e < (i + 1) / r; ++e)
        comp.push_back(e);
    for (int64_t e : comp) {
      if (e < 0) {
        rowOf.push_back(-1);
        continue;
      }
      kvCodec.decode(cache.entries.data() + e * cache.rowBytes, buf.data());
      addRow(buf.data());
    }
    std::vector<const float *> keys;
    for (int64_t ro : rowOf)
      keys.push_back(ro < 0 ? nullptr : rows.data() + ro * hd);
    for (int64_t h = 0; h < H; ++h) {
      float *oh = o.data() + (s * H + h) * hd;
      sparseAttentionHead(q.data() + (s * H + h) * hd, keys, hd, a.sink[size_t(h)], scale, oh);
      applyRope(table, oh, hd, rd, i, /*inverse=*/true);
    }
  }
  // Grouped low-rank output projection (7.8): wo_a rows of group g map the
  // concatenated heads of group g to o_lora_rank values (bf16 einsum).
  const int64_t groupIn = c.woAInDim(), zDim = c.oGroups * c.oLoraRank;
  std::vector<float> z(static_cast<size_t>(S * zDim)), waRow(static_cast<size_t>(groupIn));
  for (int64_t g = 0; g < c.oGroups; ++g)
    for (int64_t j = 0; j < c.oLoraRank; ++j) {
      a.woA.row(g * c.oLoraRank + j, waRow.data());
      for (int64_t s = 0; s < S; ++s) {
        const float *og = o.data() + s * H * hd + g * groupIn;
        float acc = 0.0f;
        for (int64_t u = 0; u < groupIn; ++u)
          acc += og[u] * waRow[size_t(u)];
        z[size_t(s * zDim + g * c.oLoraRank + j)] = num::roundToBf16(acc);
      }
    }
  a.woB.apply(z.data(), out, S);
}

void ModelImpl::block(Sequence::BlockCache &cache, const BlockWeights &b, float *h,
                      const int32_t *tokens, int64_t S, int64_t p0) const {
  const int64_t d = c.dim, hc = c.hcMult, hcd = c.hcDim();
  std::vector<float> a(static_cast<size_t>(S * d)), x(static_cast<size_t>(S * d)), y(static_cast<size_t>(S * d));
  std::vector<float> post(static_cast<size_t>(S * hc)), comb(static_cast<size_t>(S * hc * hc));
  auto subLayer = [&](const HyperConnection &hcw, const std::vector<float> &norm, auto body) {
    for (int64_t s = 0; s < S; ++s) {
      hcPre(c, hcw, h + s * hcd, a.data() + s * d, post.data() + s * hc,
            comb.data() + s * hc * hc);
      rmsNorm(a.data() + s * d, d, norm.data(), float(c.normEps), x.data() + s * d);
    }
    body();
    std::vector<float> next(static_cast<size_t>(hcd));
    for (int64_t s = 0; s < S; ++s) {
      hcPost(c, y.data() + s * d, h + s * hcd, post.data() + s * hc,
             comb.data() + s * hc * hc, next.data());
      std::copy(next.begin(), next.end(), h + s * hcd);
    }
  };
  subLayer(b.hcAttn, b.attnNorm, [&] { attention(cache, b.attn, x.data(), S, p0, y.data()); });
  subLayer(b.hcFfn, b.ffnNorm, [&] { moe(c, b.ffn, x.data(), tokens, S, y.data()); });
}

std::vector<float> ModelImpl::logits(const HyperConnection &hcw, const std::vector<float> &norm,
                                     const float *h) const {
  std::vector<float> y(static_cast<size_t>(c.dim)), yn(static_cast<size_t>(c.dim)), out(static_cast<size_t>(c.vocabSize));
  hcHead(c, hcw, h, y.data());
  rmsNorm(y.data(), c.dim, norm.data(), float(c.normEps), yn.data());
  w.head.applyF32(yn.data(), out.data());
  return out;
}

Model::Model() = default;
Model::~Model() = default;

Expected<std::unique_ptr<Model>> Model::load(const std::string &checkpoint,
                                             const LoadOptions &options) {
  std::string dir = checkpoint;
  if (dir.size() > 12 && (dir.rfind(".safetensors") == dir.size() - 12 ||
                          dir.rfind(".json") == dir.size() - 5))
    dir = dir.substr(0, dir.find_last_of('/') == std::string::npos ? 0 : dir.find_last_of('/'));
  if (dir.empty())
    dir = ".";
  auto config = io::loadModelConfig(dir + "/config.json");
  if (!config)
    return config.takeStatus();
  return load(*config, checkpoint, options);
}

Expected<std::unique_ptr<Model>> Model::load(const io::ModelConfig &config,
                                             const std::string &checkpoint,
                                             const LoadOptions &options) {
  SIEVE_RETURN_IF_ERROR(io::validateModelConfig(config));
  if (config.nSharedExperts != 1)
    return invalidArgument(config.source + ": the reference runs exactly one shared expert");
  // What one sequence holds at the chosen length, checked before the first
  // allocation: the RoPE tables (plain and compressed: cos and sin per
  // position and pair) and the caches of every block, MTP included.
  const int64_t maxSeqLen = options.maxSeqLen > 0 ? options.maxSeqLen : config.maxSeqLen;
  if (maxSeqLen > io::limits::kMaxSeqLen)
    return invalidArgument("max_seq_len " + std::to_string(maxSeqLen) +
                           " exceeds the limit of " + std::to_string(io::limits::kMaxSeqLen));
  auto schema = io::ModelSchema::build(config, maxSeqLen);
  if (!schema)
    return schema.takeStatus();
  CheckedSize ropeBytes =
      CheckedSize::product({2, maxSeqLen, config.ropeHeadDim / 2, 2, int64_t(sizeof(float))});
  CheckedSize cacheBytes = schema->cacheSizes(options.cacheFormat, /*includeMtp=*/true)
                               .bytesForContext(maxSeqLen);
  CheckedSize needed = ropeBytes + cacheBytes;
  if (!options.ignoreMemoryLimit)
    SIEVE_RETURN_IF_ERROR(checkMemoryAvailable(
        uint64_t(needed.valueOr(INT64_MAX)),
        "the reference executor's RoPE tables and one sequence's caches at max_seq_len " +
            std::to_string(maxSeqLen)));

  auto reader = io::SafetensorsReader::open(checkpoint);
  if (!reader)
    return reader.takeStatus();
  io::CheckpointReport report = io::checkCheckpoint(config, *reader);
  SIEVE_RETURN_IF_ERROR(report.toStatus());

  std::unique_ptr<Model> m(new Model());
  m->schema_ = std::make_unique<io::ModelSchema>(schema.take());
  m->kvCodec_ = std::make_unique<RowCodec>(RowCodec::kvRows(m->schema_->config(), options.cacheFormat));
  m->keyCodec_ = std::make_unique<RowCodec>(
      RowCodec::indexerKeys(m->schema_->config().indexHeadDim, options.cacheFormat));
  m->cacheFormat_ = options.cacheFormat;
  m->config_ = m->schema_->config();
  m->maxSeqLen_ = maxSeqLen;
  m->reader_ = std::make_unique<io::SafetensorsReader>(reader.take());
  auto weights = bindWeights(*m->schema_, *m->reader_);
  if (!weights)
    return weights.takeStatus();
  m->weights_ = std::make_unique<ModelWeights>(weights.take());

  num::RopeParams plain;
  plain.ropeDim = int(config.ropeHeadDim);
  plain.base = config.ropeTheta;
  num::RopeParams compressed = plain;
  compressed.base = config.compressRopeTheta;
  compressed.yarn = config.originalSeqLen > 0;
  compressed.factor = config.ropeFactor;
  compressed.originalSeqLen = config.originalSeqLen;
  compressed.betaFast = config.betaFast;
  compressed.betaSlow = config.betaSlow;
  auto p = num::RopeTable::create(plain, m->maxSeqLen_);
  if (!p)
    return p.takeStatus();
  auto q = num::RopeTable::create(compressed, m->maxSeqLen_);
  if (!q)
    return q.takeStatus();
  m->rope_ = std::make_unique<RopeTables>(RopeTables{p.take(), q.take()});
  return m;
}

namespace {
Sequence::CompressorState freshState(const io::CompressorSchema &s) {
  Sequence::CompressorState state{s.ratio, s.coff, s.dim, {}, {}};
  state.kv.resize(static_cast<size_t>(s.stateRows() * s.stateCols()));
  state.score.resize(state.kv.size());
  state.reset();
  return state;
}
} // namespace

uint64_t Model::sequenceCacheBytes() const {
  return uint64_t(
      schema_->cacheSizes(cacheFormat_, /*includeMtp=*/true).bytesForContext(maxSeqLen_));
}

Sequence Model::newSequence() const {
  // Every size comes from the schema's cache geometry (section 11).
  Sequence seq;
  seq.maxSeqLen_ = maxSeqLen_;
  seq.blocks_.resize(schema_->blocks().size());
  for (const io::BlockSchema &b : schema_->blocks()) {
    const io::BlockCacheSchema &cs = b.cache;
    Sequence::BlockCache &bc = seq.blocks_[size_t(b.index)];
    bc.ratio = cs.ratio;
    bc.windowRows = cs.windowRows;
    bc.headDim = cs.rowDim;
    bc.indexDim = cs.indexerKeyDim;
    bc.rowBytes = kvCodec_->bytes();
    bc.keyBytes = keyCodec_->bytes();
    bc.window.assign(static_cast<size_t>(cs.windowRows * bc.rowBytes), 0);
    if (const auto &compressor = b.attention.compressor) {
      bc.entries.assign(static_cast<size_t>(cs.entryCapacity * bc.rowBytes), 0);
      bc.compressor = freshState(*compressor);
    }
    if (const auto &indexer = b.attention.indexer) {
      bc.indexKeys.assign(static_cast<size_t>(cs.entryCapacity * bc.keyBytes), 0);
      bc.indexerCompressor = freshState(indexer->compressor);
    }
  }
  return seq;
}

namespace {
Status checkTokens(const io::ModelConfig &c, const int32_t *tokens, int64_t n,
                   int64_t position, int64_t maxSeqLen) {
  if (n <= 0)
    return invalidArgument("no tokens to run");
  if (position + n > maxSeqLen)
    return outOfRange("sequence would reach " + std::to_string(position + n) +
                      " tokens, past the cache's " + std::to_string(maxSeqLen));
  for (int64_t i = 0; i < n; ++i)
    if (tokens[i] < 0 || tokens[i] >= c.vocabSize)
      return invalidArgument("token " + std::to_string(tokens[i]) + " at index " +
                             std::to_string(i) + " is outside the vocabulary [0, " +
                             std::to_string(c.vocabSize) + ")");
  return Status::ok();
}
} // namespace

Expected<ForwardResult> Model::forward(Sequence &seq, const int32_t *tokens,
                                       int64_t n) const {
  const io::ModelConfig &c = config_;
  if (int64_t(seq.blocks_.size()) != c.numBlocks() || seq.maxSeqLen_ > maxSeqLen_)
    return invalidArgument("sequence was not created by this model");
  SIEVE_RETURN_IF_ERROR(checkTokens(c, tokens, n, seq.position_, seq.maxSeqLen_));
  ModelImpl impl{c, *weights_, *rope_, *kvCodec_, *keyCodec_};
  const int64_t d = c.dim, hcd = c.hcDim();
  ForwardResult result;
  result.hidden.resize(static_cast<size_t>(n * hcd));

  // Prefill from position 0 in one call; later tokens one decode step each.
  const bool prefill = seq.position_ == 0;
  const int64_t step = prefill ? n : 1;
  for (int64_t begin = 0; begin < n; begin += step) {
    const int64_t S = std::min(step, n - begin), p0 = seq.position_;
    float *h = result.hidden.data() + begin * hcd;
    for (int64_t s = 0; s < S; ++s) {
      std::vector<float> e(static_cast<size_t>(d));
      loadBf16Row(weights_->embed + int64_t(tokens[begin + s]) * d, d, e.data());
      for (int64_t k = 0; k < c.hcMult; ++k)
        std::copy(e.begin(), e.end(), h + s * hcd + k * d);
    }
    for (int64_t b = 0; b < c.nLayers; ++b)
      impl.block(seq.blocks_[size_t(b)], weights_->blocks[size_t(b)], h, tokens + begin, S, p0);
    seq.position_ += S;
  }
  result.logits = impl.logits(weights_->hcHead, weights_->norm,
                              result.hidden.data() + (n - 1) * hcd);
  return result;
}

Expected<std::vector<float>> Model::mtp(Sequence &seq, const float *hidden,
                                        const int32_t *nextTokens, int64_t n) const {
  const io::ModelConfig &c = config_;
  if (c.nMtpLayers < 1)
    return invalidArgument(c.source + ": the model has no MTP block");
  if (int64_t(seq.blocks_.size()) != c.numBlocks() || seq.maxSeqLen_ > maxSeqLen_)
    return invalidArgument("sequence was not created by this model");
  SIEVE_RETURN_IF_ERROR(checkTokens(c, nextTokens, n, seq.mtpPosition_, seq.maxSeqLen_));
  ModelImpl impl{c, *weights_, *rope_, *kvCodec_, *keyCodec_};
  const int64_t d = c.dim, hc = c.hcMult, hcd = c.hcDim(), blk = c.nLayers;
  const BlockWeights &b = weights_->blocks[size_t(blk)];
  std::vector<float> x(static_cast<size_t>(n * hcd));
  std::vector<float> e(static_cast<size_t>(d)), en(static_cast<size_t>(d)), ep(static_cast<size_t>(d)), g(static_cast<size_t>(d)), gp(static_cast<size_t>(d));
  for (int64_t s = 0; s < n; ++s) {
    loadBf16Row(weights_->embed + int64_t(nextTokens[s]) * d, d, e.data());
    rmsNorm(e.data(), d, b.enorm.data(), float(c.normEps), en.data());
    b.eProj.apply(en.data(), ep.data());
    for (int64_t k = 0; k < hc; ++k) {
      rmsNorm(hidden + s * hcd + k * d, d, b.hnorm.data(), float(c.normEps), g.data());
      b.hProj.apply(g.data(), gp.data());
      for (int64_t j = 0; j < d; ++j)
        x[size_t(s * hcd + k * d + j)] = num::roundToBf16(ep[size_t(j)] + gp[size_t(j)]);
    }
  }
  const bool prefill = seq.mtpPosition_ == 0;
  const int64_t step = prefill ? n : 1;
  for (int64_t begin = 0; begin < n; begin += step) {
    const int64_t S = std::min(step, n - begin);
    impl.block(seq.blocks_[size_t(blk)], b, x.data() + begin * hcd, nextTokens + begin, S,
               seq.mtpPosition_);
    seq.mtpPosition_ += S;
  }
  return impl.logits(b.hcHead, b.norm, x.data() + (n - 1) * hcd);
}

} // namespace sieve::ref
