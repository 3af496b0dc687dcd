//===- model_schema.h - The structure of a DeepSeek-V4 model ------*- C++ -*-===//
//
// One dependency-free description of a V4 model, built once from a validated
// config: its blocks (attention kind, compressor, indexer, MoE routing), every
// linear layer with its checkpoint module name, logical shape and storage
// format, every checkpoint tensor (v4-architecture.md 10), and each block's
// cache geometry (section 11). The checkpoint check, the importer and the
// reference executor read it; none of them re-derives what it holds, so
// "ratio 4 means CSA, with an overlapping compressor and an indexer" is
// decided here and nowhere else.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "sieve/io/model_config.h"
#include "sieve/io/safetensors.h"
#include "sieve/support/status.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sieve::io {

// Storage rules of section 3.5 (also documented at LinearFormat below).
constexpr int64_t kFp8WeightBlock = 128; // FP8 weight scale tile (both dims)
constexpr int64_t kFp4WeightBlock = 32;  // FP4 scale block along in-features

/// What a tensor is, i.e. how a generator fills it and how a loader reads it.
enum class TensorKind : uint8_t {
  kFp8Weight,  // F8_E4M3 [out, in] codes of a block-scaled linear
  kFp8Scale,   // F8_E8M0 [ceil(out/128), ceil(in/128)] scales of that linear
  kFp4Weight,  // I8 [out, in/2] packed E2M1 codes of a routed expert
  kFp4Scale,   // F8_E8M0 [out, in/32] scales of that expert matrix
  kBf16Weight, // plain BF16 matrix: embed, head, gate.weight, compressor
               // wkv/wgate, indexer weights_proj; dense linears when dtype=bf16
  kNormWeight, // BF16 RMSNorm weight (ones at init)
  kF32Weight,  // plain F32 matrix: hc_*_fn, hc_head_fn, compressor ape
  kHcBase,     // F32 hc_*_base / hc_head_base (zeros at init)
  kHcScale,    // F32 hc_*_scale / hc_head_scale (ones at init)
  kAttnSink,   // F32 [n_heads] attention sink logits
  kGateBias,   // F32 [n_routed_experts] score-routing bias
  kTid2eid,    // I64 [vocab, n_activated] expert ids in [0, n_routed_experts)
};
const char *tensorKindName(TensorKind kind); // "fp8-weight", ...

struct ExpectedTensor {
  std::string name;           // official name, e.g. "layers.3.attn.wq_a.scale"
  DType dtype = DType::kF32;  // stored dtype
  std::vector<int64_t> shape; // stored shape
  TensorKind kind = TensorKind::kF32Weight;
  /// [out, in] of the linear for weights and scales of linears (FP8, FP4 and
  /// bf16 ones); equal to `shape` for everything else.
  std::vector<int64_t> logicalShape;
  /// Block (layers.N -> N, mtp.i -> n_layers + i); -1 for embed, head, norm
  /// and the top-level hc_head_*.
  int64_t block = -1;
  /// Routed expert index for ffn.experts.E.*, else -1.
  int64_t expert = -1;

  uint64_t numElements() const;
  uint64_t byteSize() const { return numElements() * dtypeSize(dtype); }
  /// Elements of the logical tensor (a packed FP4 weight counts 2 per byte).
  uint64_t logicalElements() const;
  bool isScale() const {
    return kind == TensorKind::kFp8Scale || kind == TensorKind::kFp4Scale;
  }
};

/// How a linear layer's weight is stored (v4-architecture.md 3.5).
enum class LinearFormat : uint8_t {
  kFp8, // F8_E4M3 [out, in] + F8_E8M0 [ceil(out/128), ceil(in/128)] scales
  kFp4, // I8 [out, in/2] packed E2M1 + F8_E8M0 [out, in/32] scales
  kBf16 // BF16 [out, in], no scales
};
const char *linearFormatName(LinearFormat format); // "fp8", "fp4", "bf16"

/// y = x W^T with W [out, in], stored under `module`.weight (and .scale).
struct LinearSchema {
  std::string module; // "layers.3.attn.wq_a"
  int64_t out = 0;
  int64_t in = 0;
  LinearFormat format = LinearFormat::kBf16;

  std::string weightName() const { return module + ".weight"; }
  std::string scaleName() const { return module + ".scale"; }
  bool hasScale() const { return format != LinearFormat::kBf16; }
};

/// A compressor (7.4): projections wkv, wgate [coff * dim, model dim] bf16,
/// ape [ratio, coff * dim] f32 and norm [dim] bf16 under `prefix`.
struct CompressorSchema {
  std::string prefix; // "layers.2.attn.compressor."
  int64_t ratio = 0;
  /// 2 for the overlapping compressor of CSA (ratio 4): each entry mixes the
  /// previous group's first halves with the current group's second halves.
  int64_t coff = 1;
  int64_t dim = 0; // width of one finished entry
  LinearSchema wkv, wgate;

  bool overlap() const { return coff == 2; }
  std::string apeName() const { return prefix + "ape"; }
  std::string normName() const { return prefix + "norm.weight"; }
  /// Rows of its fp32 kv (and score) state: coff * ratio; columns coff * dim.
  int64_t stateRows() const { return coff * ratio; }
  int64_t stateCols() const { return coff * dim; }
};

/// The lightning indexer of a CSA block (7.5).
struct IndexerSchema {
  int64_t heads = 0;
  int64_t headDim = 0;
  int64_t topk = 0;
  LinearSchema wqB;         // [heads * headDim, q_lora_rank]
  LinearSchema weightsProj; // [heads, dim] bf16
  CompressorSchema compressor; // ratio 4, overlapping, dim = headDim
};

struct AttentionSchema {
  AttentionKind kind = AttentionKind::kSliding;
  int64_t ratio = 0;
  LinearSchema wqA, wqB, wkv, woA, woB;
  std::string qNormName, kvNormName, sinkName;
  std::optional<CompressorSchema> compressor; // CSA and HCA
  std::optional<IndexerSchema> indexer;       // CSA
};

/// Which routed-expert matrix.
enum class ExpertMatrix : uint8_t { kW1, kW2, kW3 };

struct MoeSchema {
  /// Hash routing (tid2eid table, no bias) in the first n_hash_layers.
  bool hashRouted = false;
  int64_t experts = 0;
  int64_t activated = 0;
  LinearSchema gate;        // [experts, dim] bf16
  std::string biasName;     // score routing: F32 [experts]
  std::string tid2eidName;  // hash routing: I64 [vocab, activated]
  std::string expertPrefix; // "layers.3.ffn.experts."
  int64_t interDim = 0;
  int64_t dim = 0;
  LinearFormat expertFormat = LinearFormat::kFp8;
  std::array<LinearSchema, 3> shared; // w1, w2, w3

  /// Routed expert `e`'s matrix (w1, w3: [inter, dim]; w2: [dim, inter]).
  LinearSchema expert(int64_t e, ExpertMatrix m) const;
};

/// The hyper-connection mix of one sub-layer (or the head): fn, base, scale.
struct HyperConnectionSchema {
  std::string prefix; // "layers.3.hc_attn" -> _fn, _base, _scale
  int64_t mixDim = 0; // rows of fn
  int64_t scaleLen = 0;
};

/// One block's cache for one sequence (section 11), in elements.
struct BlockCacheSchema {
  int64_t windowRows = 0; // raw window ring
  int64_t rowDim = 0;     // head_dim
  int64_t ratio = 0;      // 0: no compressed entries
  /// Compressed entries a sequence of max_seq_len tokens produces.
  int64_t entryCapacity = 0;
  /// CSA: indexer keys per entry (index_head_dim); 0 otherwise.
  int64_t indexerKeyDim = 0;
};

struct BlockSchema {
  int64_t index = 0;
  bool mtp = false;
  std::string prefix; // "layers.3." or "mtp.0."
  HyperConnectionSchema hcAttn, hcFfn;
  std::string attnNormName, ffnNormName;
  AttentionSchema attention;
  MoeSchema moe;
  BlockCacheSchema cache;
  /// MTP blocks only (9).
  std::optional<LinearSchema> eProj, hProj;
  std::string enormName, hnormName, normName;
  std::optional<HyperConnectionSchema> hcHead;
};

//===----------------------------------------------------------------------===//
// KV cache / decode state sizes (v4-architecture.md 11)
//===----------------------------------------------------------------------===//

/// How cache rows are stored.
enum class CacheFormat : uint8_t {
  /// 11.1 reference: bf16 rows (head_dim * 2 B, indexer index_head_dim * 2 B).
  kReferenceBf16,
  /// 11.2 production: FP8 nope + bf16 rope + one E8M0 byte per 64 nope dims,
  /// padded to 8 B (584 B for V4), FP8 indexer keys + fp32 scale (132 B).
  kFp8IndexerFp8,
  /// As kFp8IndexerFp8 with MXFP4 indexer keys (index_head_dim / 2 +
  /// index_head_dim / 32 scale bytes = 68 B).
  kFp8IndexerFp4,
};

/// "bf16", "fp8", "fp8-fp4" (sieve-compile's --cache-format spellings).
const char *cacheFormatName(CacheFormat format);
/// The inverse; invalid-argument naming the spellings otherwise.
Expected<CacheFormat> parseCacheFormat(const std::string &name);

/// Cache needs of one attention block for one sequence (batch row).
struct LayerCacheSize {
  int64_t block = 0;
  bool mtp = false;
  int64_t ratio = 0;
  AttentionKind kind = AttentionKind::kSliding;
  /// Raw window ring: window_size rows of kvRowBytes.
  int64_t windowRows = 0;
  int64_t kvRowBytes = 0;
  /// Bytes per compressed entry: main KV row plus, for CSA, an indexer key.
  int64_t indexerRowBytes = 0;
  int64_t entryBytes = 0;
  /// fp32 compressor state (kv + score): 2 * coff*r * coff*head_dim * 4 B,
  /// plus the CSA indexer compressor's 2 * 8 * 2*index_head_dim * 4 B.
  int64_t compressorStateBytes = 0;
  int64_t indexerStateBytes = 0;

  /// Window ring plus compressor states: independent of context length.
  int64_t fixedBytes() const {
    return windowRows * kvRowBytes + compressorStateBytes + indexerStateBytes;
  }
  /// Asymptotic growth: entryBytes / ratio (0 for sliding layers).
  double bytesPerToken() const {
    return ratio > 0 ? double(entryBytes) / double(ratio) : 0.0;
  }
  /// Entries that exist after `contextLen` tokens: floor(contextLen / ratio)
  /// (no partial group is ever emitted).
  int64_t entries(int64_t contextLen) const {
    return ratio > 0 ? contextLen / ratio : 0;
  }
  int64_t bytesForContext(int64_t contextLen) const {
    return fixedBytes() + entries(contextLen) * entryBytes;
  }
};

struct CacheSizes {
  std::vector<LayerCacheSize> layers;
  /// Sum of layers[i].bytesPerToken() (6880 for V4-Flash, 9848 for V4-Pro).
  double bytesPerToken() const;
  /// Sum of the fixed parts: what one sequence needs before any token.
  int64_t fixedBytesPerSequence() const;
  /// Exact bytes for one sequence holding `contextLen` tokens.
  int64_t bytesForContext(int64_t contextLen) const;
};

/// Per-block cache sizes from the ModelSchema's cache geometry (the one
/// place it is derived); MTP blocks are included only when asked (the
/// headline numbers of 11.1 count the main layers). Empty for an invalid
/// config.
CacheSizes computeCacheSizes(const ModelConfig &config,
                             CacheFormat format = CacheFormat::kReferenceBf16,
                             bool includeMtp = false);

class ModelSchema {
public:
  /// The schema of a config (validated here), with caches sized for
  /// `maxSeqLen` tokens (0: the config's max_seq_len).
  static Expected<ModelSchema> build(const ModelConfig &config, int64_t maxSeqLen = 0);

  const ModelConfig &config() const { return config_; }
  int64_t maxSeqLen() const { return maxSeqLen_; }
  /// Main layers, then the MTP blocks.
  const std::vector<BlockSchema> &blocks() const { return blocks_; }
  const BlockSchema &block(int64_t b) const { return blocks_[size_t(b)]; }

  std::string embedName() const { return "embed.weight"; }
  const LinearSchema &head() const { return head_; } // [vocab, dim] bf16
  std::string normName() const { return "norm.weight"; }
  const HyperConnectionSchema &hcHead() const { return hcHead_; }

  /// Every checkpoint tensor in section 10 order: embed, head, norm,
  /// hc_head_*, then each block.
  std::vector<ExpectedTensor> tensors() const;

  /// Cache bytes per block in `format` (MTP blocks when `includeMtp`).
  CacheSizes cacheSizes(CacheFormat format = CacheFormat::kReferenceBf16,
                        bool includeMtp = false) const;

private:
  ModelConfig config_;
  int64_t maxSeqLen_ = 0;
  LinearSchema head_;
  HyperConnectionSchema hcHead_;
  std::vector<BlockSchema> blocks_;
};

} // namespace sieve::io
