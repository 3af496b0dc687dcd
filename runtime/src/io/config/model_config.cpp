//===- model_config.cpp - Parse and validate DeepSeek-V4 config.json ----===//
//
// Each field is looked up under its reference name and its Hugging Face
// aliases (dotted aliases reach into rope_scaling, rope_parameters and
// quantization_config). A field given under two names must agree. Missing
// required fields, ill-typed values, unknown enum strings and impossible
// dimensions are all collected and reported together.
//
//===----------------------------------------------------------------------===//

#include "sieve/io/model_config.h"

#include "json_util.h"
#include "sieve/support/checked_math.h"
#include "sieve/support/system.h"

#include <cmath>
#include <map>
#include <unordered_map>

namespace sieve::io {

using detail::printable;
using nlohmann::json;

const char *scoreFuncName(ScoreFunc f) {
  switch (f) {
  case ScoreFunc::kSoftmax:
    return "softmax";
  case ScoreFunc::kSigmoid:
    return "sigmoid";
  case ScoreFunc::kSqrtSoftplus:
    return "sqrtsoftplus";
  }
  return "?";
}

const char *attentionKindName(AttentionKind k) {
  switch (k) {
  case AttentionKind::kSliding:
    return "sliding";
  case AttentionKind::kCompressed:
    return "csa";
  case AttentionKind::kHeavyCompressed:
    return "hca";
  }
  return "?";
}

AttentionKind ModelConfig::attentionKind(int64_t block) const {
  int64_t r = ratio(block);
  if (r == 0)
    return AttentionKind::kSliding;
  return r == 4 ? AttentionKind::kCompressed : AttentionKind::kHeavyCompressed;
}

std::string ModelConfig::blockPrefix(int64_t block) const {
  if (isMtpBlock(block))
    return "mtp." + std::to_string(block - nLayers) + ".";
  return "layers." + std::to_string(block) + ".";
}

namespace {

/// A problem before it has a place: the key it concerns (as spelled in the
/// file, or the reference name for validation rules) and the message.
struct Problem {
  std::string key;
  std::string message;
};
using Problems = std::vector<Problem>;

//===----------------------------------------------------------------------===//
// Field lookup
//===----------------------------------------------------------------------===//

/// Reads fields under any of their spellings and collects every problem.
/// Remembers which spelling each field had, so that problems the validation
/// reports under reference names can point at the key the file used.
class FieldReader {
public:
  FieldReader(const json &root, Problems &problems,
              std::map<std::string, std::string> &spelling)
      : root_(root), problems_(problems), spelling_(spelling) {}

  /// The value under the first present name of `names`; null when none.
  /// Reports names present with different values.
  const json *lookup(const std::vector<const char *> &names, std::string &used) {
    const json *found = nullptr;
    for (const char *name : names) {
      const json *v = resolve(name);
      if (!v)
        continue;
      if (!found) {
        found = v;
        used = name;
        spelling_.try_emplace(names[0], name);
      } else if (!sameValue(*found, *v)) {
        error(name, "'" + used + "' = " + printable(found->dump()) + " and '" + name +
                        "' = " + printable(v->dump()) + " disagree");
      }
    }
    return found;
  }

  bool has(const std::vector<const char *> &names) {
    std::string used;
    return lookup(names, used) != nullptr;
  }

  /// Integer field; `required` fields report their absence.
  bool getInt(const std::vector<const char *> &names, int64_t &out, bool required) {
    std::string used;
    const json *v = lookup(names, used);
    if (!v || v->is_null()) {
      if (required)
        missing(names);
      return false;
    }
    if (v->is_number_integer()) {
      if (v->is_number_unsigned() && v->get<uint64_t>() > uint64_t(INT64_MAX)) {
        error(used, "field '" + used + "': " + printable(v->dump()) + " is too large");
        return false;
      }
      out = v->get<int64_t>();
      return true;
    }
    error(used, "field '" + used + "': expected an integer, got " + printable(v->dump()));
    return false;
  }

  bool getDouble(const std::vector<const char *> &names, double &out, bool required) {
    std::string used;
    const json *v = lookup(names, used);
    if (!v || v->is_null()) {
      if (required)
        missing(names);
      return false;
    }
    if (v->is_number()) {
      out = v->get<double>();
      if (!std::isfinite(out)) {
        error(used, "field '" + used + "': not a finite number");
        return false;
      }
      return true;
    }
    error(used, "field '" + used + "': expected a number, got " + printable(v->dump()));
    return false;
  }

  /// String field; `isNull` tells an explicit null apart from absence.
  bool getString(const std::vector<const char *> &names, std::string &out,
                 bool &isNull, std::string &used) {
    isNull = false;
    const json *v = lookup(names, used);
    if (!v)
      return false;
    if (v->is_null()) {
      isNull = true;
      return false;
    }
    if (v->is_string()) {
      out = v->get<std::string>();
      return true;
    }
    error(used, "field '" + used + "': expected a string, got " + printable(v->dump()));
    return false;
  }

  void error(const std::string &key, const std::string &msg) {
    // Lookups may run twice for one field; report each problem once.
    for (const Problem &p : problems_)
      if (p.message == msg)
        return;
    problems_.push_back({key, msg});
  }

  /// A required field under none of its names (no place in the file).
  void missing(const std::vector<const char *> &names) {
    std::string alts;
    for (size_t i = 1; i < names.size(); ++i)
      alts += (i > 1 ? "', '" : "") + std::string(names[i]);
    error("", "missing field '" + std::string(names[0]) + "'" +
                  (alts.empty() ? "" : " (or '" + alts + "')"));
  }

private:
  /// "a.b.c" walks nested objects.
  const json *resolve(const std::string &path) const {
    const json *cur = &root_;
    size_t start = 0;
    while (true) {
      size_t dot = path.find('.', start);
      std::string key = path.substr(start, dot == std::string::npos ? std::string::npos
                                                                     : dot - start);
      if (!cur->is_object())
        return nullptr;
      auto it = cur->find(key);
      if (it == cur->end())
        return nullptr;
      cur = &*it;
      if (dot == std::string::npos)
        return cur;
      start = dot + 1;
    }
  }

  static bool sameValue(const json &a, const json &b) {
    if (a.is_number() && b.is_number())
      return a.get<double>() == b.get<double>();
    return a == b;
  }

  const json &root_;
  Problems &problems_;
  std::map<std::string, std::string> &spelling_;
};

int64_t ratioForLayerType(const std::string &type, const json *rates, bool &ok) {
  ok = true;
  if (type == "sliding_attention")
    return 0;
  if (type != "compressed_sparse_attention" && type != "heavily_compressed_attention") {
    ok = false;
    return 0;
  }
  if (rates && rates->is_object()) {
    auto it = rates->find(type);
    if (it != rates->end() && it->is_number_integer())
      return it->get<int64_t>();
  }
  return type == "compressed_sparse_attention" ? 4 : 128;
}

/// compress_ratios, or layer_types (+ compress_rates) with MTP blocks at 0.
void readRatios(const json &root, FieldReader &fields, ModelConfig &c) {
  auto cr = root.find("compress_ratios");
  if (cr != root.end()) {
    if (!cr->is_array()) {
      fields.error("compress_ratios",
                   "field 'compress_ratios': expected an array of integers, got " +
                   printable(cr->dump()));
      return;
    }
    for (size_t i = 0; i < cr->size(); ++i) {
      const json &v = (*cr)[i];
      if (!v.is_number_integer()) {
        fields.error("compress_ratios", "field 'compress_ratios'[" + std::to_string(i) +
                     "]: expected an integer, got " + printable(v.dump()));
        return;
      }
      c.compressRatios.push_back(v.get<int64_t>());
    }
  }
  auto lt = root.find("layer_types");
  if (lt == root.end())
    return;
  if (!lt->is_array()) {
    fields.error("layer_types", "field 'layer_types': expected an array of strings");
    return;
  }
  const json *rates = nullptr;
  auto rt = root.find("compress_rates");
  if (rt != root.end())
    rates = &*rt;
  std::vector<int64_t> fromTypes;
  for (size_t i = 0; i < lt->size(); ++i) {
    const json &v = (*lt)[i];
    bool ok = v.is_string();
    int64_t r = ok ? ratioForLayerType(v.get<std::string>(), rates, ok) : 0;
    if (!ok) {
      fields.error("layer_types", "field 'layer_types'[" + std::to_string(i) + "]: " +
                   printable(v.dump()) +
                   " is not one of sliding_attention, compressed_sparse_attention, "
                   "heavily_compressed_attention");
      return;
    }
    fromTypes.push_back(r);
  }
  if (c.compressRatios.empty()) {
    // layer_types covers the main layers only; MTP blocks are sliding (9).
    c.compressRatios = fromTypes;
    for (int64_t i = 0; i < c.nMtpLayers; ++i)
      c.compressRatios.push_back(0);
    return;
  }
  for (size_t i = 0; i < fromTypes.size() && i < c.compressRatios.size(); ++i)
    if (fromTypes[i] != c.compressRatios[i]) {
      fields.error("layer_types", "'layer_types'[" + std::to_string(i) + "] (ratio " +
                   std::to_string(fromTypes[i]) + ") disagrees with 'compress_ratios'[" +
                   std::to_string(i) + "] = " + std::to_string(c.compressRatios[i]));
      return;
    }
}

/// Hugging Face mlp_layer_types: hash_moe for a prefix of layers, then moe.
void readMlpLayerTypes(const json &root, FieldReader &fields, ModelConfig &c,
                       bool haveHashLayers) {
  auto mt = root.find("mlp_layer_types");
  if (mt == root.end())
    return;
  if (!mt->is_array()) {
    fields.error("mlp_layer_types", "field 'mlp_layer_types': expected an array of strings");
    return;
  }
  int64_t hash = 0;
  bool seenMoe = false;
  for (size_t i = 0; i < mt->size(); ++i) {
    const json &v = (*mt)[i];
    std::string s = v.is_string() ? v.get<std::string>() : "";
    if (s == "hash_moe" && !seenMoe) {
      ++hash;
    } else if (s == "moe") {
      seenMoe = true;
    } else {
      fields.error("mlp_layer_types", "field 'mlp_layer_types'[" + std::to_string(i) + "]: " +
                   printable(v.dump()) +
                   (s == "hash_moe" ? " after a 'moe' layer (hash layers must come first)"
                                    : " is not 'hash_moe' or 'moe'"));
      return;
    }
  }
  if (int64_t(mt->size()) != c.nLayers && c.nLayers > 0)
    fields.error("mlp_layer_types", "field 'mlp_layer_types' has " + std::to_string(mt->size()) +
                 " entries for " + std::to_string(c.nLayers) + " layers");
  if (haveHashLayers && hash != c.nHashLayers)
    fields.error("mlp_layer_types", "'mlp_layer_types' has " + std::to_string(hash) +
                 " hash_moe layers but 'n_hash_layers' is " +
                 std::to_string(c.nHashLayers));
  c.nHashLayers = hash;
}

//===----------------------------------------------------------------------===//
// Validation
//===----------------------------------------------------------------------===//

constexpr int64_t kFp8Block = 128; // FP8 weight tile and activation block
constexpr int64_t kFp4Block = 32;  // FP4 scale block

bool isPowerOfTwo(int64_t v) { return v > 0 && (v & (v - 1)) == 0; }

/// Sizes that grow with products of fields. Each field is in range here; the
/// routed experts of all blocks are the one product that multiplies the
/// checkpoint's tensor count (3 to 6 tensors each), so it has its own limit.
void checkDerivedSizes(const ModelConfig &c, Problems &problems) {
  CheckedSize experts = CheckedSize(c.numBlocks()) * c.nRoutedExperts;
  if (!experts.fitsIn(limits::kMaxRoutedExpertsInAll))
    problems.push_back({"n_routed_experts", "(n_layers + n_mtp_layers) * n_routed_experts = " +
                     std::to_string(c.numBlocks()) + " * " +
                     std::to_string(c.nRoutedExperts) + " routed experts exceed the limit of " +
                     std::to_string(limits::kMaxRoutedExpertsInAll) +
                     " (each is 3 to 6 checkpoint tensors)"});
}

/// Validation rules; each problem is keyed by the reference name of the field
/// it is about (the parser maps that to the file's spelling).
void validateInto(const ModelConfig &c, Problems &problems) {
  auto err = [&](const std::string &key, const std::string &m) {
    problems.push_back({key, m});
  };
  // Every integer field within its documented range (docs/model-io.md,
  // "Limits"). The maxima are generous, and they keep every size derived
  // below far inside int64.
  struct Range {
    const char *name;
    int64_t value, min, max;
  };
  const Range ranges[] = {
      {"vocab_size", c.vocabSize, 1, limits::kMaxVocabSize},
      {"dim", c.dim, 1, limits::kMaxWidth},
      {"n_layers", c.nLayers, 1, limits::kMaxLayers},
      {"n_mtp_layers", c.nMtpLayers, 0, limits::kMaxMtpLayers},
      {"n_hash_layers", c.nHashLayers, 0, limits::kMaxLayers},
      {"n_heads", c.nHeads, 1, limits::kMaxHeads},
      {"head_dim", c.headDim, 1, limits::kMaxHeadDim},
      {"rope_head_dim", c.ropeHeadDim, 1, limits::kMaxHeadDim},
      {"q_lora_rank", c.qLoraRank, 1, limits::kMaxWidth},
      {"o_groups", c.oGroups, 1, limits::kMaxHeads},
      {"o_lora_rank", c.oLoraRank, 1, limits::kMaxWidth},
      {"window_size", c.windowSize, 1, limits::kMaxWindow},
      {"index_n_heads", c.indexNHeads, 1, limits::kMaxHeads},
      {"index_head_dim", c.indexHeadDim, 1, limits::kMaxHeadDim},
      {"index_topk", c.indexTopk, 1, limits::kMaxIndexTopk},
      {"n_routed_experts", c.nRoutedExperts, 1, limits::kMaxExperts},
      {"n_activated_experts", c.nActivatedExperts, 1, limits::kMaxExperts},
      {"moe_inter_dim", c.moeInterDim, 1, limits::kMaxWidth},
      {"hc_mult", c.hcMult, 1, limits::kMaxHcMult},
      {"hc_sinkhorn_iters", c.hcSinkhornIters, 1, limits::kMaxSinkhornIters},
      {"max_seq_len", c.maxSeqLen, 1, limits::kMaxSeqLen},
      {"max_batch_size", c.maxBatchSize, 1, limits::kMaxBatchSize},
      {"original_seq_len", c.originalSeqLen, 0, limits::kMaxSeqLen},
      {"max_position_embeddings", c.maxPositionEmbeddings, 0, INT32_MAX},
  };
  bool sizesOk = true;
  for (const Range &r : ranges) {
    if (r.value >= r.min && r.value <= r.max)
      continue;
    sizesOk = false;
    if (r.value < r.min)
      err(r.name, "field '" + std::string(r.name) +
          (r.min == 1 ? "' must be positive, got " : "' must not be negative, got ") +
          std::to_string(r.value));
    else
      err(r.name, "field '" + std::string(r.name) + "' = " + std::to_string(r.value) +
          " exceeds the limit of " + std::to_string(r.max));
  }
  auto positiveReal = [&](const char *name, double v) {
    if (!(v > 0))
      err(name, "field '" + std::string(name) + "' must be positive, got " + std::to_string(v));
  };
  positiveReal("norm_eps", c.normEps);
  positiveReal("hc_eps", c.hcEps);
  positiveReal("rope_theta", c.ropeTheta);
  positiveReal("compress_rope_theta", c.compressRopeTheta);
  positiveReal("rope_factor", c.ropeFactor);
  positiveReal("route_scale", c.routeScale);
  positiveReal("beta_fast", c.betaFast);
  positiveReal("beta_slow", c.betaSlow);
  if (c.swigluLimit < 0)
    err("swiglu_limit",
        "field 'swiglu_limit' must not be negative, got " + std::to_string(c.swigluLimit));
  if (c.nSharedExperts != 1)
    err("n_shared_experts", "field 'n_shared_experts' must be 1 (the reference has exactly one shared "
        "expert), got " + std::to_string(c.nSharedExperts));
  if (!sizesOk)
    return; // relations between out-of-range fields would only repeat them

  if (c.nActivatedExperts > c.nRoutedExperts)
    err("n_activated_experts", "field 'n_activated_experts' = " + std::to_string(c.nActivatedExperts) +
        " exceeds 'n_routed_experts' = " + std::to_string(c.nRoutedExperts));
  if (c.nHashLayers > c.nLayers)
    err("n_hash_layers", "field 'n_hash_layers' = " + std::to_string(c.nHashLayers) +
        " exceeds 'n_layers' = " + std::to_string(c.nLayers));
  for (auto [name, id] : {std::pair<const char *, int64_t>{"bos_token_id", c.bosTokenId},
                          {"eos_token_id", c.eosTokenId}})
    if (id < 0 || id >= c.vocabSize)
      err(name, "field '" + std::string(name) + "' = " + std::to_string(id) +
          " is not a token id of the vocabulary [0, " + std::to_string(c.vocabSize) + ")");

  // Layer schedule.
  if (int64_t(c.compressRatios.size()) != c.nLayers + c.nMtpLayers) {
    sizesOk = false;
    err("compress_ratios", "field 'compress_ratios' has " + std::to_string(c.compressRatios.size()) +
        " entries, expected n_layers + n_mtp_layers = " + std::to_string(c.nLayers) +
        " + " + std::to_string(c.nMtpLayers) + " = " +
        std::to_string(c.nLayers + c.nMtpLayers));
  } else {
    for (size_t i = 0; i < c.compressRatios.size(); ++i) {
      int64_t r = c.compressRatios[i];
      std::string where = "field 'compress_ratios'[" + std::to_string(i) + "]" +
                          (int64_t(i) >= c.nLayers ? " (MTP block)" : "");
      if (r < 0) {
        sizesOk = false;
        err("compress_ratios", where + " = " + std::to_string(r) + " is negative");
      } else if (r != 0 && r != 4 && r != 128 && !c.allowTestRatios) {
        err("compress_ratios", where + " = " + std::to_string(r) +
            " is not 0, 4 or 128 (other ratios need the testing flag "
            "\"sieve_allow_test_ratios\": true)");
      } else if (r > c.windowSize) {
        // Tokens of an unfinished group are only visible through the window.
        sizesOk = false;
        err("compress_ratios", where + " = " + std::to_string(r) + " exceeds 'window_size' = " +
            std::to_string(c.windowSize) +
            "; the window must cover a group that is not compressed yet");
      }
    }
  }
  if (sizesOk)
    checkDerivedSizes(c, problems);
  if (!sizesOk)
    return; // the format checks below would only repeat the problems

  // Attention geometry.
  if (c.ropeHeadDim > c.headDim)
    err("rope_head_dim", "field 'rope_head_dim' = " + std::to_string(c.ropeHeadDim) +
        " exceeds 'head_dim' = " + std::to_string(c.headDim));
  if (c.ropeHeadDim % 2 != 0)
    err("rope_head_dim", "field 'rope_head_dim' = " + std::to_string(c.ropeHeadDim) +
        " is odd; RoPE rotates pairs of dims");
  if (c.ropeHeadDim <= c.headDim && c.nopeHeadDim() % 64 != 0)
    err("head_dim", "head_dim - rope_head_dim = " + std::to_string(c.nopeHeadDim()) +
        " is not a multiple of 64 (the KV cache simulates FP8 on the nope dims in "
        "blocks of 64)");
  if (c.nHeads % c.oGroups != 0)
    err("n_heads", "field 'n_heads' = " + std::to_string(c.nHeads) +
        " is not divisible by 'o_groups' = " + std::to_string(c.oGroups));
  if (!isPowerOfTwo(c.indexHeadDim))
    err("index_head_dim", "field 'index_head_dim' = " + std::to_string(c.indexHeadDim) +
        " is not a power of two (the indexer applies a Hadamard transform)");
  else if (c.indexHeadDim % 32 != 0)
    err("index_head_dim", "field 'index_head_dim' = " + std::to_string(c.indexHeadDim) +
        " is not a multiple of 32 (indexer keys simulate FP4 in blocks of 32)");
  if (c.ropeHeadDim > c.indexHeadDim)
    err("rope_head_dim", "field 'rope_head_dim' = " + std::to_string(c.ropeHeadDim) +
        " exceeds 'index_head_dim' = " + std::to_string(c.indexHeadDim) +
        " (indexer queries and keys carry RoPE on their last dims)");

  // Quantized linears. Group by the size that fails so one bad field gives
  // one message listing every linear it feeds.
  bool anyCsa = false;
  for (int64_t r : c.compressRatios)
    anyCsa |= r == 4;
  struct InDim {
    std::string expr;
    int64_t value;
    std::vector<std::string> linears;
  };
  std::vector<InDim> fp8Dims, fp4Dims;
  auto addIn = [](std::vector<InDim> &v, const std::string &expr, int64_t value,
                  const std::string &linear) {
    for (InDim &d : v)
      if (d.expr == expr) {
        d.linears.push_back(linear);
        return;
      }
    v.push_back({expr, value, {linear}});
  };
  if (c.dtype == WeightFormat::kFp8) {
    addIn(fp8Dims, "dim", c.dim, "attn.wq_a");
    addIn(fp8Dims, "q_lora_rank", c.qLoraRank, "attn.wq_b");
    addIn(fp8Dims, "dim", c.dim, "attn.wkv");
    addIn(fp8Dims, "n_heads / o_groups * head_dim", c.woAInDim(), "attn.wo_a");
    addIn(fp8Dims, "o_groups * o_lora_rank", c.oGroups * c.oLoraRank, "attn.wo_b");
    if (anyCsa)
      addIn(fp8Dims, "q_lora_rank", c.qLoraRank, "attn.indexer.wq_b");
    addIn(fp8Dims, "dim", c.dim, "ffn.shared_experts.w1/w3");
    addIn(fp8Dims, "moe_inter_dim", c.moeInterDim, "ffn.shared_experts.w2");
    if (c.nMtpLayers > 0)
      addIn(fp8Dims, "dim", c.dim, "mtp.e_proj/h_proj");
  }
  if (c.expertDtype == ExpertFormat::kFp8) {
    addIn(fp8Dims, "dim", c.dim, "ffn.experts.w1/w3");
    addIn(fp8Dims, "moe_inter_dim", c.moeInterDim, "ffn.experts.w2");
  } else if (c.expertDtype == ExpertFormat::kFp4) {
    addIn(fp4Dims, "dim", c.dim, "ffn.experts.w1/w3");
    addIn(fp4Dims, "moe_inter_dim", c.moeInterDim, "ffn.experts.w2");
  }
  // "n_heads / o_groups * head_dim" is about n_heads first.
  auto firstField = [](const std::string &expr) { return expr.substr(0, expr.find(' ')); };
  auto join = [](const std::vector<std::string> &v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i)
      s += (i ? ", " : "") + v[i];
    return s;
  };
  for (const InDim &d : fp8Dims)
    if (d.value % kFp8Block != 0)
      err(firstField(d.expr), d.expr + " = " + std::to_string(d.value) +
          " is not a multiple of 128: it is the in-features of the FP8 linears " +
          join(d.linears) + " (FP8 weights and their activations use 128-wide blocks)");
  for (const InDim &d : fp4Dims) {
    if (d.value % kFp4Block != 0)
      err(firstField(d.expr), d.expr + " = " + std::to_string(d.value) +
          " is not a multiple of 32: it is the K of the FP4 experts " + join(d.linears) +
          " (FP4 scales cover 32 elements)");
    else if (d.value % kFp8Block != 0)
      err(firstField(d.expr), d.expr + " = " + std::to_string(d.value) +
          " is not a multiple of 128: it is the K of the FP4 experts " +
          join(d.linears) + " (their FP8 activations are quantized in 128-wide blocks)");
  }
}

} // namespace

//===----------------------------------------------------------------------===//
// Parsing
//===----------------------------------------------------------------------===//

namespace {

/// Reads every field of a parsed config.json into `c`; problems for the file
/// (read errors, then validation) go to `problems`.
void readConfig(const json &root, const ConfigParseOptions &options, ModelConfig &c,
                Problems &problems, std::map<std::string, std::string> &spelling) {
  FieldReader f(root, problems, spelling);
  // Hugging Face files spell the model width hidden_size; their defaults
  // differ from ModelArgs for expert_dtype (see docs/model-io.md).
  bool hf = root.contains("hidden_size") || root.contains("num_hidden_layers");

  f.getInt({"vocab_size"}, c.vocabSize, true);
  f.getInt({"dim", "hidden_size"}, c.dim, true);
  f.getInt({"n_layers", "num_hidden_layers"}, c.nLayers, true);
  f.getInt({"n_mtp_layers", "num_nextn_predict_layers"}, c.nMtpLayers, false);
  bool haveHash = f.getInt({"n_hash_layers", "num_hash_layers"}, c.nHashLayers,
                           !root.contains("mlp_layer_types"));
  f.getInt({"n_heads", "num_attention_heads"}, c.nHeads, true);
  f.getInt({"head_dim"}, c.headDim, true);
  if (f.has({"rope_head_dim", "qk_rope_head_dim"})) {
    f.getInt({"rope_head_dim", "qk_rope_head_dim"}, c.ropeHeadDim, true);
  } else {
    // Hugging Face may give the RoPE share as a fraction of head_dim.
    double factor = 0;
    if (f.getDouble({"partial_rotary_factor"}, factor, false))
      c.ropeHeadDim = int64_t(std::llround(factor * double(c.headDim)));
    else
      f.missing({"rope_head_dim", "qk_rope_head_dim"});
  }
  f.getInt({"q_lora_rank"}, c.qLoraRank, true);
  f.getInt({"o_groups"}, c.oGroups, true);
  f.getInt({"o_lora_rank"}, c.oLoraRank, true);
  f.getInt({"window_size", "sliding_window"}, c.windowSize, true);
  f.getInt({"index_n_heads"}, c.indexNHeads, true);
  f.getInt({"index_head_dim"}, c.indexHeadDim, true);
  f.getInt({"index_topk"}, c.indexTopk, true);
  f.getInt({"n_routed_experts", "num_local_experts"}, c.nRoutedExperts, true);
  f.getInt({"n_shared_experts"}, c.nSharedExperts, true);
  f.getInt({"n_activated_experts", "num_experts_per_tok"}, c.nActivatedExperts, true);
  f.getInt({"moe_inter_dim", "moe_intermediate_size"}, c.moeInterDim, true);
  f.getDouble({"route_scale", "routed_scaling_factor"}, c.routeScale, true);
  f.getDouble({"swiglu_limit"}, c.swigluLimit, true);
  f.getDouble({"norm_eps", "rms_norm_eps"}, c.normEps, false);
  f.getInt({"hc_mult"}, c.hcMult, true);
  f.getInt({"hc_sinkhorn_iters"}, c.hcSinkhornIters, true);
  f.getDouble({"hc_eps"}, c.hcEps, false);
  f.getDouble({"rope_theta", "rope_parameters.main.rope_theta"}, c.ropeTheta, true);
  f.getDouble({"compress_rope_theta", "rope_parameters.compress.rope_theta"},
              c.compressRopeTheta, true);
  f.getDouble({"rope_factor", "rope_scaling.factor", "rope_parameters.compress.factor"},
              c.ropeFactor, false);
  f.getInt({"original_seq_len", "rope_scaling.original_max_position_embeddings",
            "rope_parameters.compress.original_max_position_embeddings"},
           c.originalSeqLen, false);
  f.getDouble({"beta_fast", "rope_scaling.beta_fast", "rope_parameters.compress.beta_fast"},
              c.betaFast, false);
  f.getDouble({"beta_slow", "rope_scaling.beta_slow", "rope_parameters.compress.beta_slow"},
              c.betaSlow, false);
  c.maxSeqLenGiven = f.getInt({"max_seq_len"}, c.maxSeqLen, false);
  f.getInt({"max_batch_size"}, c.maxBatchSize, false);
  f.getInt({"max_position_embeddings"}, c.maxPositionEmbeddings, false);
  f.getInt({"bos_token_id"}, c.bosTokenId, false);
  if (auto eos = root.find("eos_token_id");
      eos != root.end() && eos->is_array() && !eos->empty() && (*eos)[0].is_number_integer())
    c.eosTokenId = (*eos)[0].get<int64_t>(); // Hugging Face allows a list
  else
    f.getInt({"eos_token_id"}, c.eosTokenId, false);

  // YaRN type, when the Hugging Face spelling states one.
  for (const char *key : {"rope_scaling", "rope_parameters.compress"}) {
    std::string used, type;
    bool isNull = false;
    std::string k1 = std::string(key) + ".type", k2 = std::string(key) + ".rope_type";
    if (f.getString({k1.c_str(), k2.c_str()}, type, isNull, used) && type != "yarn" &&
        !(type == "default" && std::string(key) == "rope_parameters.compress"))
      f.error(used, "field '" + used + "' = '" + printable(type) +
              "' is not supported (V4 compressed layers use YaRN)");
  }

  // Enumerations.
  std::string s, used;
  bool isNull = false;
  if (f.getString({"score_func", "scoring_func"}, s, isNull, used)) {
    if (s == "softmax")
      c.scoreFunc = ScoreFunc::kSoftmax;
    else if (s == "sigmoid")
      c.scoreFunc = ScoreFunc::kSigmoid;
    else if (s == "sqrtsoftplus")
      c.scoreFunc = ScoreFunc::kSqrtSoftplus;
    else
      f.error(used, "field '" + used + "': unknown score function '" + printable(s) +
              "' (expected softmax, sigmoid or sqrtsoftplus)");
  } else if (!isNull && !f.has({"score_func", "scoring_func"})) {
    f.missing({"score_func", "scoring_func"});
  } else if (isNull) {
    f.error(used, "field '" + used + "' must not be null");
  }

  // dtype: the reference spells "fp8"/"bf16"; newer Hugging Face files use
  // "dtype" for the torch dtype ("bfloat16"), which says nothing about the
  // stored format, so those fall through to quantization_config.
  bool dtypeGiven = false;
  if (f.getString({"dtype"}, s, isNull, used)) {
    if (s == "fp8") {
      c.dtype = WeightFormat::kFp8;
      dtypeGiven = true;
    } else if (s == "bf16") {
      c.dtype = WeightFormat::kBf16;
      dtypeGiven = true;
    } else if (!(hf && (s == "bfloat16" || s == "float16" || s == "float32"))) {
      f.error("dtype", "field 'dtype': unknown weight format '" + printable(s) +
              "' (expected fp8 or bf16)");
    }
  }
  auto qc = root.find("quantization_config");
  if (qc != root.end() && qc->is_object()) {
    std::string method;
    if (f.getString({"quantization_config.quant_method"}, method, isNull, used)) {
      if (method != "fp8")
        f.error("quantization_config.quant_method",
                "field 'quantization_config.quant_method' = '" + printable(method) +
                "' is not supported (expected fp8)");
      else if (dtypeGiven && c.dtype != WeightFormat::kFp8)
        f.error("dtype", "field 'dtype' = bf16 disagrees with quantization_config (fp8)");
      c.dtype = WeightFormat::kFp8;
    }
    auto bs = qc->find("weight_block_size");
    if (bs != qc->end() && *bs != json::array({128, 128}))
      f.error("quantization_config.weight_block_size",
              "field 'quantization_config.weight_block_size' = " + printable(bs->dump()) +
              " is not supported (V4 uses 128 x 128 FP8 blocks)");
    if (f.getString({"quantization_config.fmt"}, s, isNull, used) && s != "e4m3")
      f.error("quantization_config.fmt", "field 'quantization_config.fmt' = '" + printable(s) +
              "' is not supported (expected e4m3)");
  } else if (hf && !dtypeGiven) {
    c.dtype = WeightFormat::kBf16; // an unquantized Hugging Face checkpoint
  }
  if (f.getString({"scale_fmt", "quantization_config.scale_fmt"}, s, isNull, used)) {
    if (s == "ue8m0")
      c.scaleFmt = ScaleFormat::kUe8m0;
    else
      f.error(used, "field '" + used + "': unknown scale format '" + printable(s) +
              "' (expected ue8m0 or null)");
  } else if (isNull) {
    c.scaleFmt = ScaleFormat::kNone;
  }
  if (f.getString({"scale_dtype"}, s, isNull, used)) {
    if (s == "fp8")
      c.scaleDtype = ScaleDType::kFp8;
    else if (s == "fp32")
      c.scaleDtype = ScaleDType::kFp32;
    else
      f.error("scale_dtype", "field 'scale_dtype': unknown scale dtype '" + printable(s) +
              "' (expected fp8 or fp32)");
  }
  // expert_dtype: null means "same as dtype" (ModelArgs). Absent means the
  // same in the reference spelling; Hugging Face files of the FP4 releases
  // may omit it (V4-Pro's does), so there absence means fp4.
  bool expertGiven = f.getString({"expert_dtype"}, s, isNull, used);
  if (expertGiven) {
    if (s == "fp4")
      c.expertDtype = ExpertFormat::kFp4;
    else if (s == "fp8")
      c.expertDtype = ExpertFormat::kFp8;
    else if (s == "bf16")
      c.expertDtype = ExpertFormat::kBf16;
    else
      f.error("expert_dtype", "field 'expert_dtype': unknown expert format '" + printable(s) +
              "' (expected fp4, fp8, bf16 or null)");
  } else if (hf && !isNull && !root.contains("expert_dtype")) {
    c.expertDtype = ExpertFormat::kFp4;
  } else {
    c.expertDtype =
        c.dtype == WeightFormat::kFp8 ? ExpertFormat::kFp8 : ExpertFormat::kBf16;
  }

  // Hugging Face fields that must have the one value V4 supports.
  int64_t kvHeads = 1;
  if (f.getInt({"num_key_value_heads"}, kvHeads, false) && kvHeads != 1)
    f.error("num_key_value_heads", "field 'num_key_value_heads' = " + std::to_string(kvHeads) +
            " is not supported (V4 has one shared KV head)");
  if (auto tie = root.find("tie_word_embeddings"); tie != root.end()) {
    if (!tie->is_boolean())
      f.error("tie_word_embeddings", "field 'tie_word_embeddings': expected a boolean");
    else if (tie->get<bool>())
      f.error("tie_word_embeddings",
              "field 'tie_word_embeddings' = true is not supported (V4 has a separate "
              "head.weight)");
  }

  c.allowTestRatios = options.allowTestRatios;
  if (auto t = root.find("sieve_allow_test_ratios"); t != root.end()) {
    if (!t->is_boolean())
      f.error("sieve_allow_test_ratios",
              "field 'sieve_allow_test_ratios': expected a boolean, got " +
              printable(t->dump()));
    else
      c.allowTestRatios |= t->get<bool>();
  }

  readMlpLayerTypes(root, f, c, haveHash);
  if (!root.contains("compress_ratios") && !root.contains("layer_types"))
    f.missing({"compress_ratios", "layer_types"});
  else
    readRatios(root, f, c);

  if (problems.empty())
    validateInto(c, problems);
}

} // namespace

Status ConfigReport::toStatus() const {
  if (ok())
    return Status::ok();
  std::string msg;
  for (size_t i = 0; i < problems.size(); ++i)
    msg += (i ? "\n" : "") + source + ": " + problems[i].message;
  return invalidArgument(msg);
}

ParsedModelConfig parseModelConfigWithReport(const std::string &jsonText,
                                             const std::string &source,
                                             const ConfigParseOptions &options) {
  ParsedModelConfig out;
  out.report.source = source;
  out.config.source = source;
  auto problemAt = [&](size_t offset, std::string key, std::string message) {
    ConfigProblem p{std::move(key), 0, 0, std::move(message)};
    if (offset != std::string::npos)
      detail::lineAndColumn(jsonText, offset, p.line, p.column);
    out.report.problems.push_back(std::move(p));
  };

  detail::JsonErrorPlace place;
  auto parsed = detail::parseJsonStrict(jsonText, source, {}, &place);
  if (!parsed) {
    // The parser's message names the file; the report's problems do not.
    std::string message = parsed.status().message().substr(source.size() + 2);
    size_t offset = place.offset;
    if (offset == std::string::npos && !place.keyPath.empty()) {
      auto keys = detail::indexJsonKeys(jsonText);
      if (auto k = keys.find(place.keyPath); k != keys.end())
        offset = k->second;
    }
    problemAt(offset, place.keyPath, message);
    return out;
  }
  if (!parsed->is_object()) {
    problemAt(0, "", "config is not a JSON object");
    return out;
  }

  Problems problems;
  std::map<std::string, std::string> spelling;
  readConfig(*parsed, options, out.config, problems, spelling);
  if (problems.empty() && options.requirements)
    for (auto &[field, message] : options.requirements(out.config))
      problems.push_back({std::move(field), std::move(message)});
  if (problems.empty())
    return out;
  // Place each problem at the key the file spells (validation names fields
  // by their reference names; a Hugging Face file may say hidden_size).
  std::unordered_map<std::string, size_t> keys = detail::indexJsonKeys(jsonText);
  for (Problem &p : problems) {
    auto s = spelling.find(p.key);
    std::string key = s != spelling.end() ? s->second : p.key;
    auto k = keys.find(key);
    problemAt(k != keys.end() ? k->second : std::string::npos, key, std::move(p.message));
  }
  return out;
}

Expected<ModelConfig> parseModelConfig(const std::string &jsonText,
                                       const std::string &source,
                                       const ConfigParseOptions &options) {
  ParsedModelConfig parsed = parseModelConfigWithReport(jsonText, source, options);
  if (!parsed.report.ok())
    return parsed.report.toStatus();
  return std::move(parsed.config);
}

Expected<ModelConfig> loadModelConfig(const std::string &path,
                                      const ConfigParseOptions &options) {
  auto text = readRegularFile(path, limits::kMaxConfigFileBytes, "config");
  if (!text)
    return text.takeStatus();
  return parseModelConfig(*text, path, options);
}

Status validateModelConfig(const ModelConfig &config) {
  Problems problems;
  validateInto(config, problems);
  ConfigReport report;
  report.source = config.source.empty() ? "config" : config.source;
  for (Problem &p : problems)
    report.problems.push_back({std::move(p.key), 0, 0, std::move(p.message)});
  return report.toStatus();
}

std::string modelConfigToJson(const ModelConfig &c) {
  nlohmann::ordered_json j;
  j["vocab_size"] = c.vocabSize;
  j["dim"] = c.dim;
  j["n_layers"] = c.nLayers;
  j["n_mtp_layers"] = c.nMtpLayers;
  j["n_hash_layers"] = c.nHashLayers;
  j["n_heads"] = c.nHeads;
  j["head_dim"] = c.headDim;
  j["rope_head_dim"] = c.ropeHeadDim;
  j["q_lora_rank"] = c.qLoraRank;
  j["o_groups"] = c.oGroups;
  j["o_lora_rank"] = c.oLoraRank;
  j["window_size"] = c.windowSize;
  j["compress_ratios"] = c.compressRatios;
  j["index_n_heads"] = c.indexNHeads;
  j["index_head_dim"] = c.indexHeadDim;
  j["index_topk"] = c.indexTopk;
  j["n_routed_experts"] = c.nRoutedExperts;
  j["n_shared_experts"] = c.nSharedExperts;
  j["n_activated_experts"] = c.nActivatedExperts;
  j["moe_inter_dim"] = c.moeInterDim;
  j["score_func"] = scoreFuncName(c.scoreFunc);
  j["route_scale"] = c.routeScale;
  j["swiglu_limit"] = c.swigluLimit;
  j["hc_mult"] = c.hcMult;
  j["hc_sinkhorn_iters"] = c.hcSinkhornIters;
  j["hc_eps"] = c.hcEps;
  j["norm_eps"] = c.normEps;
  j["rope_theta"] = c.ropeTheta;
  j["compress_rope_theta"] = c.compressRopeTheta;
  j["rope_factor"] = c.ropeFactor;
  j["original_seq_len"] = c.originalSeqLen;
  j["beta_fast"] = c.betaFast;
  j["beta_slow"] = c.betaSlow;
  j["dtype"] = c.dtype == WeightFormat::kFp8 ? "fp8" : "bf16";
  if (c.scaleFmt == ScaleFormat::kUe8m0)
    j["scale_fmt"] = "ue8m0";
  else
    j["scale_fmt"] = nullptr;
  j["scale_dtype"] = c.scaleDtype == ScaleDType::kFp8 ? "fp8" : "fp32";
  switch (c.expertDtype) {
  case ExpertFormat::kFp4:
    j["expert_dtype"] = "fp4";
    break;
  case ExpertFormat::kFp8:
    j["expert_dtype"] = "fp8";
    break;
  case ExpertFormat::kBf16:
    j["expert_dtype"] = "bf16";
    break;
  }
  j["max_seq_len"] = c.maxSeqLen;
  j["max_batch_size"] = c.maxBatchSize;
  if (c.maxPositionEmbeddings > 0)
    j["max_position_embeddings"] = c.maxPositionEmbeddings;
  j["bos_token_id"] = c.bosTokenId;
  j["eos_token_id"] = c.eosTokenId;
  if (c.allowTestRatios)
    j["sieve_allow_test_ratios"] = true;
  return j.dump(2) + "\n";
}

} // namespace sieve::io
