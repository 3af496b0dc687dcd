//===- model_config.h - DeepSeek-V4 config.json: parse, validate -*- C++ -*-===//
//
// One in-memory ModelConfig for both spellings of config.json: the reference
// inference/config.json (ModelArgs names: dim, n_layers, compress_ratios, ...)
// and the Hugging Face config.json (hidden_size, num_hidden_layers,
// rope_scaling, quantization_config, layer_types + compress_rates, ...).
// Field names, defaults and the derived quantities are documented in
// docs/model-io.md; the numbers come from v4-architecture.md 1, 10 and 11.
//
// Validation rejects what the numeric formats or the reference cannot run:
// ratios outside {0, 4, 128} (unless test ratios are allowed), FP8 linears
// whose in-features are not a multiple of 128, FP4 expert K not a multiple of
// 32, nope dims not a multiple of 64, a non-power-of-two indexer head, ...
// Every message names the file and the field.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "sieve/support/status.h"

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace sieve::io {

enum class ScoreFunc : uint8_t { kSoftmax, kSigmoid, kSqrtSoftplus };
/// `dtype`: the stored format of the dense linears.
enum class WeightFormat : uint8_t { kFp8, kBf16 };
/// Routed experts' stored format (`expert_dtype`; null means "as dtype").
enum class ExpertFormat : uint8_t { kFp4, kFp8, kBf16 };
/// `scale_fmt`: how activation quantization rounds its scales.
enum class ScaleFormat : uint8_t { kNone, kUe8m0 };
/// `scale_dtype`: the activation-scale storage of the reference kernels.
enum class ScaleDType : uint8_t { kFp8, kFp32 };

/// What a layer's attention appends to its 128-token window (by ratio).
enum class AttentionKind : uint8_t {
  kSliding,        // ratio 0 (SWA)
  kCompressed,     // ratio 4: overlapping compressor + lightning indexer (CSA)
  kHeavyCompressed // any other positive ratio, 128 in production (HCA)
};

const char *scoreFuncName(ScoreFunc f);       // "sqrtsoftplus", ...
const char *attentionKindName(AttentionKind k); // "sliding", "csa", "hca"

/// The largest values a config may hold (docs/model-io.md, "Limits"): several
/// times DeepSeek-V4-Pro's, and small enough that every size derived from a
/// valid config (parameters, bytes, cache bytes at max_seq_len, RoPE tables)
/// stays far inside int64.
namespace limits {
constexpr int64_t kMaxVocabSize = int64_t(1) << 24; // the tokenizer's id range
constexpr int64_t kMaxWidth = 65536;      // dim, q/o_lora_rank, moe_inter_dim
constexpr int64_t kMaxLayers = 1024;      // n_layers, n_hash_layers
constexpr int64_t kMaxMtpLayers = 16;
constexpr int64_t kMaxHeads = 1024;       // n_heads, o_groups, index_n_heads
constexpr int64_t kMaxHeadDim = 4096;     // head_dim, rope_head_dim, index_head_dim
constexpr int64_t kMaxWindow = 65536;     // window_size (and so compress ratios)
constexpr int64_t kMaxIndexTopk = 65536;
constexpr int64_t kMaxExperts = 4096;     // n_routed_experts, n_activated_experts
/// Routed experts of all blocks together, (n_layers + n_mtp_layers) *
/// n_routed_experts: V4-Pro has 23,808.
constexpr int64_t kMaxRoutedExpertsInAll = int64_t(1) << 17;
constexpr int64_t kMaxHcMult = 64;
constexpr int64_t kMaxSinkhornIters = 1000;
constexpr int64_t kMaxSeqLen = int64_t(1) << 24; // max_seq_len, original_seq_len
constexpr int64_t kMaxBatchSize = 4096;
constexpr uint64_t kMaxConfigFileBytes = uint64_t(16) << 20;
} // namespace limits

struct ModelConfig {
  // Sizes. Field comments give the reference name / Hugging Face name.
  int64_t vocabSize = 0;       // vocab_size
  int64_t dim = 0;             // dim / hidden_size
  int64_t nLayers = 0;         // n_layers / num_hidden_layers
  int64_t nMtpLayers = 1;      // n_mtp_layers / num_nextn_predict_layers
  int64_t nHashLayers = 0;     // n_hash_layers / num_hash_layers
  int64_t nHeads = 0;          // n_heads / num_attention_heads
  int64_t headDim = 0;         // head_dim
  int64_t ropeHeadDim = 0;     // rope_head_dim / qk_rope_head_dim
  int64_t qLoraRank = 0;       // q_lora_rank
  int64_t oGroups = 0;         // o_groups
  int64_t oLoraRank = 0;       // o_lora_rank
  int64_t windowSize = 0;      // window_size / sliding_window
  /// One entry per block: n_layers main layers, then the MTP blocks.
  std::vector<int64_t> compressRatios; // compress_ratios (or layer_types)
  int64_t indexNHeads = 0;     // index_n_heads
  int64_t indexHeadDim = 0;    // index_head_dim
  int64_t indexTopk = 0;       // index_topk

  // MoE.
  int64_t nRoutedExperts = 0;    // n_routed_experts
  int64_t nSharedExperts = 1;    // n_shared_experts (the reference needs 1)
  int64_t nActivatedExperts = 0; // n_activated_experts / num_experts_per_tok
  int64_t moeInterDim = 0;       // moe_inter_dim / moe_intermediate_size
  ScoreFunc scoreFunc = ScoreFunc::kSqrtSoftplus; // score_func / scoring_func
  double routeScale = 1.0;   // route_scale / routed_scaling_factor
  double swigluLimit = 0.0;  // swiglu_limit (0 = no clamp)

  // Norms and hyper-connections.
  double normEps = 1e-6;       // norm_eps / rms_norm_eps
  int64_t hcMult = 4;          // hc_mult
  int64_t hcSinkhornIters = 20; // hc_sinkhorn_iters
  double hcEps = 1e-6;         // hc_eps

  // RoPE / YaRN (YaRN applies to compressed layers only; off when
  // originalSeqLen == 0).
  double ropeTheta = 10000.0;          // rope_theta
  double compressRopeTheta = 160000.0; // compress_rope_theta
  double ropeFactor = 40.0;  // rope_factor / rope_scaling.factor
  int64_t originalSeqLen = 0; // original_seq_len / ..original_max_position_embeddings
  double betaFast = 32.0;    // beta_fast
  double betaSlow = 1.0;     // beta_slow

  // Formats.
  WeightFormat dtype = WeightFormat::kFp8;  // dtype / quantization_config
  ScaleFormat scaleFmt = ScaleFormat::kUe8m0; // scale_fmt
  ScaleDType scaleDtype = ScaleDType::kFp8;   // scale_dtype
  ExpertFormat expertDtype = ExpertFormat::kFp8; // expert_dtype (resolved)

  // Runtime limits (reference ModelArgs defaults; not in the official files).
  int64_t maxSeqLen = 4096;   // max_seq_len
  bool maxSeqLenGiven = false; // the file had max_seq_len (else the default above)
  int64_t maxBatchSize = 4;   // max_batch_size
  /// max_position_embeddings when given (informational; 0 when absent).
  int64_t maxPositionEmbeddings = 0;
  int64_t bosTokenId = 0; // bos_token_id
  int64_t eosTokenId = 1; // eos_token_id

  /// Ratios other than {0, 4, 128} were allowed (sieve_allow_test_ratios).
  bool allowTestRatios = false;
  /// Where the config came from (for messages); not part of the model.
  std::string source;

  //--- Layer schedule -------------------------------------------------------//
  /// Main layers plus MTP blocks; blocks are numbered 0 .. numBlocks()-1 and
  /// block nLayers + i is the MTP block i (tensor prefix "mtp.i.").
  int64_t numBlocks() const { return nLayers + nMtpLayers; }
  bool isMtpBlock(int64_t block) const { return block >= nLayers; }
  int64_t ratio(int64_t block) const { return compressRatios[size_t(block)]; }
  AttentionKind attentionKind(int64_t block) const;
  /// Hash-routed MoE (tid2eid, no bias): blocks below n_hash_layers.
  bool isHashBlock(int64_t block) const { return block < nHashLayers; }
  /// "layers.7." or "mtp.0.".
  std::string blockPrefix(int64_t block) const;

  //--- Derived dimensions ----------------------------------------------------//
  int64_t nopeHeadDim() const { return headDim - ropeHeadDim; }
  /// HC mixes per sub-layer: (2 + hc_mult) * hc_mult (24 for V4).
  int64_t hcMixDim() const { return (2 + hcMult) * hcMult; }
  int64_t hcDim() const { return hcMult * dim; }
  /// Input width of wo_a: (n_heads / o_groups) * head_dim.
  int64_t woAInDim() const { return nHeads / oGroups * headDim; }
  /// Compressor output multiplier: 2 for ratio 4 (overlap), else 1.
  static int64_t compressorCoff(int64_t ratio) { return ratio == 4 ? 2 : 1; }
};

/// Parse-time switches.
/// A consumer's own requirements of a valid config (what a compiler
/// supports): (field, message) pairs, the field by its reference name.
using ConfigRequirements =
    std::function<std::vector<std::pair<std::string, std::string>>(const ModelConfig &)>;

struct ConfigParseOptions {
  /// Accept any positive compress ratio (the tiny test config uses 16). A
  /// config can also ask for this itself with "sieve_allow_test_ratios": true.
  bool allowTestRatios = false;
  /// Checked once the config is valid; each pair becomes a problem located
  /// at the field as the file spells it, like the parser's own.
  ConfigRequirements requirements;
};

/// One problem with a config file: what is wrong, and where.
struct ConfigProblem {
  /// The key it is about as the file spells it, dotted inside objects
  /// ("rope_scaling.factor"); empty when it concerns the file as a whole.
  std::string key;
  /// 1-based position of that key (or of a JSON syntax error) in the file;
  /// 0 when there is none (a missing field, a config built in code).
  int64_t line = 0;
  int64_t column = 0;
  /// A complete sentence, without the file name.
  std::string message;
};

/// Every problem of one config, in the order found (read errors first, then
/// the validation rules).
struct ConfigReport {
  std::string source; // the file, for messages
  std::vector<ConfigProblem> problems;

  bool ok() const { return problems.empty(); }
  /// Ok, or invalid-argument with one "source: message" line per problem.
  Status toStatus() const;
};

struct ParsedModelConfig {
  ModelConfig config; // meaningful only when report.ok()
  ConfigReport report;
};

/// Parses and validates config JSON text; `source` names it. Callers that
/// point at problems (the compiler's diagnostics) read the report.
ParsedModelConfig parseModelConfigWithReport(const std::string &jsonText,
                                             const std::string &source,
                                             const ConfigParseOptions &options = {});

/// Parses and validates config JSON text. `source` names it in messages.
Expected<ModelConfig> parseModelConfig(const std::string &jsonText,
                                       const std::string &source,
                                       const ConfigParseOptions &options = {});
/// Reads and parses a config.json file.
Expected<ModelConfig> loadModelConfig(const std::string &path,
                                      const ConfigParseOptions &options = {});
/// Re-checks a config built or edited in code (all problems in one message).
Status validateModelConfig(const ModelConfig &config);

/// Reference-spelled JSON (ModelArgs names, all fields, stable key order)
/// that parses back to the same config; what sieve-gen writes next to a
/// generated checkpoint.
std::string modelConfigToJson(const ModelConfig &config);

} // namespace sieve::io
