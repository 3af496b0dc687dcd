// config.json parsing (both spellings), validation messages, defaults, and
// cache sizes against v4-architecture.md 1 and 11.
#include "sieve/io/model_config.h"
#include "sieve/io/model_schema.h"

#include "test_util.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace sieve::io {
namespace {

using nlohmann::json;

ModelConfig loadExample(const std::string &rel, const ConfigParseOptions &opts = {}) {
  auto c = loadModelConfig(test::sourcePath(rel), opts);
  EXPECT_TRUE(c.isOk()) << rel << ": " << c.status().toString();
  return c.isOk() ? *c : ModelConfig();
}

json tinyJson() {
  return json::parse(test::readText(test::sourcePath("examples/tiny-v4/config.json")));
}

/// Parses `j`; the error message (empty when it parsed).
std::string parseError(const json &j, const ConfigParseOptions &opts = {}) {
  auto c = parseModelConfig(j.dump(), "test.json", opts);
  if (c.isOk())
    return "";
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(c.status().message().rfind("test.json: ", 0), 0u) << c.status().message();
  return c.status().message();
}

#define EXPECT_MESSAGE(msg, part)                                                  \
  EXPECT_NE((msg).find(part), std::string::npos) << "message: " << (msg)

//===----------------------------------------------------------------------===//
// The shipped configs
//===----------------------------------------------------------------------===//

void expectFlash(const ModelConfig &c) {
  EXPECT_EQ(c.vocabSize, 129280);
  EXPECT_EQ(c.dim, 4096);
  EXPECT_EQ(c.nLayers, 43);
  EXPECT_EQ(c.nMtpLayers, 1);
  EXPECT_EQ(c.nHashLayers, 3);
  EXPECT_EQ(c.nHeads, 64);
  EXPECT_EQ(c.headDim, 512);
  EXPECT_EQ(c.ropeHeadDim, 64);
  EXPECT_EQ(c.nopeHeadDim(), 448);
  EXPECT_EQ(c.qLoraRank, 1024);
  EXPECT_EQ(c.oGroups, 8);
  EXPECT_EQ(c.oLoraRank, 1024);
  EXPECT_EQ(c.woAInDim(), 4096);
  EXPECT_EQ(c.windowSize, 128);
  EXPECT_EQ(c.indexNHeads, 64);
  EXPECT_EQ(c.indexHeadDim, 128);
  EXPECT_EQ(c.indexTopk, 512);
  EXPECT_EQ(c.nRoutedExperts, 256);
  EXPECT_EQ(c.nSharedExperts, 1);
  EXPECT_EQ(c.nActivatedExperts, 6);
  EXPECT_EQ(c.moeInterDim, 2048);
  EXPECT_EQ(c.scoreFunc, ScoreFunc::kSqrtSoftplus);
  EXPECT_EQ(c.routeScale, 1.5);
  EXPECT_EQ(c.swigluLimit, 10.0);
  EXPECT_EQ(c.normEps, 1e-6);
  EXPECT_EQ(c.hcMult, 4);
  EXPECT_EQ(c.hcMixDim(), 24);
  EXPECT_EQ(c.hcSinkhornIters, 20);
  EXPECT_EQ(c.hcEps, 1e-6);
  EXPECT_EQ(c.ropeTheta, 10000.0);
  EXPECT_EQ(c.compressRopeTheta, 160000.0);
  EXPECT_EQ(c.ropeFactor, 16.0);
  EXPECT_EQ(c.originalSeqLen, 65536);
  EXPECT_EQ(c.betaFast, 32.0);
  EXPECT_EQ(c.betaSlow, 1.0);
  EXPECT_EQ(c.dtype, WeightFormat::kFp8);
  EXPECT_EQ(c.scaleFmt, ScaleFormat::kUe8m0);
  EXPECT_EQ(c.expertDtype, ExpertFormat::kFp4);
  // ModelArgs defaults: not in either file.
  EXPECT_EQ(c.maxSeqLen, 4096);
  EXPECT_EQ(c.maxBatchSize, 4);
  // 1.2: layers 0,1 SWA; even 2..42 CSA; odd 3..41 HCA; MTP SWA.
  ASSERT_EQ(c.compressRatios.size(), 44u);
  int swa = 0, csa = 0, hca = 0;
  for (int64_t b = 0; b < c.nLayers; ++b) {
    AttentionKind k = c.attentionKind(b);
    swa += k == AttentionKind::kSliding;
    csa += k == AttentionKind::kCompressed;
    hca += k == AttentionKind::kHeavyCompressed;
    if (b >= 2) {
      EXPECT_EQ(c.ratio(b), b % 2 == 0 ? 4 : 128) << b;
    }
  }
  EXPECT_EQ(swa, 2);
  EXPECT_EQ(csa, 21);
  EXPECT_EQ(hca, 20);
  EXPECT_EQ(c.attentionKind(43), AttentionKind::kSliding);
  EXPECT_TRUE(c.isMtpBlock(43));
  EXPECT_EQ(c.blockPrefix(43), "mtp.0.");
  EXPECT_EQ(c.blockPrefix(7), "layers.7.");
  EXPECT_TRUE(c.isHashBlock(2));
  EXPECT_FALSE(c.isHashBlock(3));
}

TEST(ModelConfig, FlashHuggingFaceSpelling) {
  ModelConfig c = loadExample("examples/v4-flash/config.json");
  expectFlash(c);
  EXPECT_EQ(c.maxPositionEmbeddings, 1048576);
  EXPECT_EQ(c.bosTokenId, 0);
  EXPECT_EQ(c.eosTokenId, 1);
}

TEST(ModelConfig, FlashReferenceSpelling) {
  // The official inference/config.json: no n_mtp_layers, norm_eps, hc_eps,
  // max_seq_len; those take the ModelArgs defaults.
  ModelConfig c = loadExample("test/unit/io/model/data/v4-flash-inference-config.json");
  expectFlash(c);
}

TEST(ModelConfig, BothFlashSpellingsGiveTheSameModel) {
  ModelConfig hf = loadExample("examples/v4-flash/config.json");
  ModelConfig ref = loadExample("test/unit/io/model/data/v4-flash-inference-config.json");
  hf.maxPositionEmbeddings = 0; // only the HF file states it
  EXPECT_EQ(modelConfigToJson(hf), modelConfigToJson(ref));
}

TEST(ModelConfig, Pro) {
  ModelConfig hf = loadExample("examples/v4-pro/config.json");
  ModelConfig ref = loadExample("test/unit/io/model/data/v4-pro-reference-config.json");
  for (const ModelConfig *c : {&hf, &ref}) {
    EXPECT_EQ(c->dim, 7168);
    EXPECT_EQ(c->nLayers, 61);
    EXPECT_EQ(c->nHeads, 128);
    EXPECT_EQ(c->qLoraRank, 1536);
    EXPECT_EQ(c->oGroups, 16);
    EXPECT_EQ(c->indexTopk, 1024);
    EXPECT_EQ(c->nRoutedExperts, 384);
    EXPECT_EQ(c->moeInterDim, 3072);
    EXPECT_EQ(c->routeScale, 2.5);
    // V4-Pro's config.json has no expert_dtype; its experts are FP4.
    EXPECT_EQ(c->expertDtype, ExpertFormat::kFp4);
    int csa = 0, hca = 0;
    for (int64_t b = 0; b < c->nLayers; ++b) {
      csa += c->attentionKind(b) == AttentionKind::kCompressed;
      hca += c->attentionKind(b) == AttentionKind::kHeavyCompressed;
    }
    EXPECT_EQ(csa, 30);
    EXPECT_EQ(hca, 31);
    EXPECT_EQ(c->ratio(0), 128);
    EXPECT_EQ(c->ratio(61), 0);
  }
  hf.maxPositionEmbeddings = 0;
  EXPECT_EQ(modelConfigToJson(hf), modelConfigToJson(ref));
}

TEST(ModelConfig, TinyNeedsTheTestRatioFlag) {
  // The shipped file carries "sieve_allow_test_ratios": true.
  ModelConfig c = loadExample("examples/tiny-v4/config.json");
  EXPECT_TRUE(c.allowTestRatios);
  EXPECT_EQ(c.compressRatios, (std::vector<int64_t>{0, 4, 16, 0}));
  EXPECT_EQ(c.attentionKind(2), AttentionKind::kHeavyCompressed);
  EXPECT_EQ(c.maxSeqLen, 128);
  EXPECT_EQ(c.maxBatchSize, 2);
  EXPECT_EQ(c.woAInDim(), 256); // 17.1 derived values
  EXPECT_EQ(c.oGroups * c.oLoraRank, 256);
  EXPECT_EQ(c.nopeHeadDim(), 64);

  // Without the field (the exact 17.1 JSON) ratio 16 needs the parse option.
  json j = tinyJson();
  j.erase("sieve_allow_test_ratios");
  std::string m = parseError(j);
  EXPECT_MESSAGE(m, "field 'compress_ratios'[2] = 16 is not 0, 4 or 128");
  EXPECT_MESSAGE(m, "sieve_allow_test_ratios");
  ConfigParseOptions opts;
  opts.allowTestRatios = true;
  EXPECT_EQ(parseError(j, opts), "");
}

TEST(ModelConfig, OtherExamplesParse) {
  ModelConfig r128 = loadExample("examples/tiny-v4-r128/config.json");
  EXPECT_FALSE(r128.allowTestRatios);
  EXPECT_EQ(r128.compressRatios, (std::vector<int64_t>{0, 4, 128, 4, 0}));
  EXPECT_EQ(r128.windowSize, 128);
  EXPECT_GE(r128.maxSeqLen, 512);
  ModelConfig small = loadExample("examples/small-v4/config.json");
  EXPECT_EQ(small.vocabSize, 129280);
  EXPECT_EQ(small.numBlocks(), 13);
}

TEST(ModelConfig, JsonRoundTrip) {
  for (const char *rel : {"examples/tiny-v4/config.json", "examples/v4-flash/config.json",
                          "examples/small-v4/config.json"}) {
    ModelConfig c = loadExample(rel);
    std::string text = modelConfigToJson(c);
    auto again = parseModelConfig(text, "roundtrip");
    ASSERT_TRUE(again.isOk()) << again.status().toString() << "\n" << text;
    EXPECT_EQ(modelConfigToJson(*again), text) << rel;
  }
}

//===----------------------------------------------------------------------===//
// Defaults and the two spellings
//===----------------------------------------------------------------------===//

TEST(ModelConfig, ModelArgsDefaults) {
  json j = tinyJson();
  for (const char *k : {"n_mtp_layers", "norm_eps", "hc_eps", "max_seq_len", "max_batch_size",
                        "rope_factor", "original_seq_len", "beta_fast", "beta_slow", "dtype",
                        "scale_fmt", "expert_dtype"})
    j.erase(k);
  j["compress_ratios"] = {0, 4, 16, 0}; // n_mtp_layers defaults to 1
  auto c = parseModelConfig(j.dump(), "defaults.json");
  ASSERT_TRUE(c.isOk()) << c.status().toString();
  EXPECT_EQ(c->nMtpLayers, 1);
  EXPECT_EQ(c->normEps, 1e-6);
  EXPECT_EQ(c->hcEps, 1e-6);
  EXPECT_EQ(c->maxSeqLen, 4096);
  EXPECT_EQ(c->maxBatchSize, 4);
  EXPECT_EQ(c->ropeFactor, 40.0);
  EXPECT_EQ(c->originalSeqLen, 0); // YaRN off
  EXPECT_EQ(c->dtype, WeightFormat::kFp8);
  EXPECT_EQ(c->scaleFmt, ScaleFormat::kUe8m0);
  EXPECT_EQ(c->scaleDtype, ScaleDType::kFp8);
  EXPECT_EQ(c->expertDtype, ExpertFormat::kFp8); // null: experts follow dtype
}

TEST(ModelConfig, HuggingFaceLayerTypesAndNestedRope) {
  json j = {{"vocab_size", 512},
            {"hidden_size", 256},
            {"num_hidden_layers", 3},
            {"num_nextn_predict_layers", 1},
            {"num_attention_heads", 4},
            {"head_dim", 128},
            {"partial_rotary_factor", 0.5},
            {"q_lora_rank", 128},
            {"o_groups", 2},
            {"o_lora_rank", 128},
            {"sliding_window", 16},
            {"layer_types",
             {"sliding_attention", "compressed_sparse_attention", "heavily_compressed_attention"}},
            {"compress_rates",
             {{"compressed_sparse_attention", 4}, {"heavily_compressed_attention", 16}}},
            {"mlp_layer_types", {"hash_moe", "moe", "moe"}},
            {"index_n_heads", 4},
            {"index_head_dim", 128},
            {"index_topk", 4},
            {"n_routed_experts", 8},
            {"n_shared_experts", 1},
            {"num_experts_per_tok", 2},
            {"moe_intermediate_size", 128},
            {"scoring_func", "sqrtsoftplus"},
            {"routed_scaling_factor", 1.5},
            {"swiglu_limit", 10.0},
            {"hc_mult", 4},
            {"hc_sinkhorn_iters", 20},
            {"rms_norm_eps", 1e-6},
            {"rope_parameters",
             {{"main", {{"rope_type", "default"}, {"rope_theta", 10000}}},
              {"compress",
               {{"rope_type", "yarn"},
                {"rope_theta", 160000},
                {"factor", 16},
                {"original_max_position_embeddings", 65536},
                {"beta_fast", 32},
                {"beta_slow", 1}}}}},
            {"dtype", "bfloat16"},
            {"num_key_value_heads", 1},
            {"sieve_allow_test_ratios", true}};
  auto c = parseModelConfig(j.dump(), "hf.json");
  ASSERT_TRUE(c.isOk()) << c.status().toString();
  EXPECT_EQ(c->compressRatios, (std::vector<int64_t>{0, 4, 16, 0})); // MTP appended as 0
  EXPECT_EQ(c->nHashLayers, 1);
  EXPECT_EQ(c->ropeHeadDim, 64);
  EXPECT_EQ(c->compressRopeTheta, 160000.0);
  EXPECT_EQ(c->originalSeqLen, 65536);
  EXPECT_EQ(c->ropeFactor, 16.0);
  // No quantization_config: an unquantized checkpoint; HF files without
  // expert_dtype mean FP4 experts.
  EXPECT_EQ(c->dtype, WeightFormat::kBf16);
  EXPECT_EQ(c->expertDtype, ExpertFormat::kFp4);

  json bad = j;
  bad["mlp_layer_types"] = {"moe", "hash_moe", "moe"};
  EXPECT_MESSAGE(parseError(bad), "hash layers must come first");
  bad = j;
  bad["layer_types"][1] = "full_attention";
  EXPECT_MESSAGE(parseError(bad), "field 'layer_types'[1]");
  bad = j;
  bad["num_key_value_heads"] = 8;
  EXPECT_MESSAGE(parseError(bad), "'num_key_value_heads' = 8 is not supported");
  bad = j;
  bad["compress_ratios"] = {0, 4, 128, 0};
  EXPECT_MESSAGE(parseError(bad), "'layer_types'[2] (ratio 16) disagrees");
  bad = j;
  bad["quantization_config"] = {{"quant_method", "fp8"}, {"weight_block_size", {32, 32}}};
  EXPECT_MESSAGE(parseError(bad), "weight_block_size' = [32,32] is not supported");
}

TEST(ModelConfig, SpellingsMustAgree) {
  json j = tinyJson();
  j["hidden_size"] = 256; // same value: fine
  EXPECT_EQ(parseError(j), "");
  j["hidden_size"] = 512;
  EXPECT_MESSAGE(parseError(j), "'dim' = 256 and 'hidden_size' = 512 disagree");
}

//===----------------------------------------------------------------------===//
// Validation: each message names the field
//===----------------------------------------------------------------------===//

TEST(ModelConfigErrors, MissingField) {
  json j = tinyJson();
  j.erase("dim");
  EXPECT_MESSAGE(parseError(j), "missing field 'dim' (or 'hidden_size')");
  j = tinyJson();
  j.erase("compress_ratios");
  EXPECT_MESSAGE(parseError(j), "missing field 'compress_ratios' (or 'layer_types')");
  j = tinyJson();
  j.erase("score_func");
  EXPECT_MESSAGE(parseError(j), "missing field 'score_func' (or 'scoring_func')");
}

TEST(ModelConfigErrors, IllTypedField) {
  json j = tinyJson();
  j["n_heads"] = "4";
  EXPECT_MESSAGE(parseError(j), "field 'n_heads': expected an integer, got \"4\"");
  j = tinyJson();
  j["route_scale"] = true;
  EXPECT_MESSAGE(parseError(j), "field 'route_scale': expected a number");
  j = tinyJson();
  j["compress_ratios"] = {0, 4, "16", 0};
  EXPECT_MESSAGE(parseError(j), "field 'compress_ratios'[2]: expected an integer");
  j = tinyJson();
  j["n_layers"] = 3.5;
  EXPECT_MESSAGE(parseError(j), "field 'n_layers': expected an integer, got 3.5");
}

TEST(ModelConfigErrors, RatioListLength) {
  json j = tinyJson();
  j["compress_ratios"] = {0, 4, 16};
  EXPECT_MESSAGE(parseError(j), "'compress_ratios' has 3 entries, expected n_layers + "
                                "n_mtp_layers = 3 + 1 = 4");
}

TEST(ModelConfigErrors, RatioOutsideTheSupportedSet) {
  json j = tinyJson();
  j["compress_ratios"] = {0, 4, 128, 0};
  j["window_size"] = 128;
  j.erase("sieve_allow_test_ratios");
  EXPECT_EQ(parseError(j), "");
  j["compress_ratios"] = {0, 4, 8, 0};
  EXPECT_MESSAGE(parseError(j), "'compress_ratios'[2] = 8 is not 0, 4 or 128");
  j["compress_ratios"] = {0, 4, 128, 2};
  EXPECT_MESSAGE(parseError(j), "'compress_ratios'[3] (MTP block) = 2");
  j["compress_ratios"] = {0, -4, 128, 0};
  EXPECT_MESSAGE(parseError(j), "'compress_ratios'[1] = -4 is negative");
  // Even test ratios must fit in the window.
  j = tinyJson();
  j["compress_ratios"] = {0, 4, 32, 0};
  EXPECT_MESSAGE(parseError(j), "'compress_ratios'[2] = 32 exceeds 'window_size' = 16");
}

TEST(ModelConfigErrors, Fp8InFeaturesMustBeMultiplesOf128) {
  json j = tinyJson();
  j["o_lora_rank"] = 96; // wo_b in-features 2 * 96 = 192
  std::string m = parseError(j);
  EXPECT_MESSAGE(m, "o_groups * o_lora_rank = 192 is not a multiple of 128");
  EXPECT_MESSAGE(m, "attn.wo_b");
  j = tinyJson();
  j["dim"] = 320;
  m = parseError(j);
  EXPECT_MESSAGE(m, "dim = 320 is not a multiple of 128");
  EXPECT_MESSAGE(m, "attn.wq_a, attn.wkv, ffn.shared_experts.w1/w3, mtp.e_proj/h_proj");
  j = tinyJson();
  j["n_heads"] = 6; // wo_a in-features (6 / 3) * 128 = 256: fine
  j["o_groups"] = 3;
  EXPECT_EQ(parseError(j), "");
  // With dtype bf16 the dense linears have no block constraint.
  j = tinyJson();
  j["dtype"] = "bf16";
  j["expert_dtype"] = nullptr;
  j["q_lora_rank"] = 96;
  EXPECT_EQ(parseError(j), "");
}

TEST(ModelConfigErrors, Fp4ExpertK) {
  json j = tinyJson();
  j["moe_inter_dim"] = 48;
  std::string m = parseError(j);
  EXPECT_MESSAGE(m, "moe_inter_dim = 48 is not a multiple of 32: it is the K of the FP4 "
                    "experts ffn.experts.w2");
  j["moe_inter_dim"] = 160; // 32-aligned but activations need 128
  m = parseError(j);
  EXPECT_MESSAGE(m, "moe_inter_dim = 160 is not a multiple of 128: it is the K of the FP4 "
                    "experts ffn.experts.w2");
  EXPECT_MESSAGE(m, "FP8 linears ffn.shared_experts.w2");
}

TEST(ModelConfigErrors, AttentionGeometry) {
  json j = tinyJson();
  j["rope_head_dim"] = 192;
  EXPECT_MESSAGE(parseError(j), "'rope_head_dim' = 192 exceeds 'head_dim' = 128");
  j = tinyJson();
  j["rope_head_dim"] = 63;
  EXPECT_MESSAGE(parseError(j), "'rope_head_dim' = 63 is odd");
  j = tinyJson();
  j["rope_head_dim"] = 32; // nope 96
  EXPECT_MESSAGE(parseError(j), "head_dim - rope_head_dim = 96 is not a multiple of 64");
  j = tinyJson();
  j["o_groups"] = 3;
  EXPECT_MESSAGE(parseError(j), "'n_heads' = 4 is not divisible by 'o_groups' = 3");
  j = tinyJson();
  j["index_head_dim"] = 96;
  EXPECT_MESSAGE(parseError(j), "'index_head_dim' = 96 is not a power of two");
  j = tinyJson();
  j["index_head_dim"] = 16;
  std::string m = parseError(j);
  EXPECT_MESSAGE(m, "'index_head_dim' = 16 is not a multiple of 32");
  EXPECT_MESSAGE(m, "'rope_head_dim' = 64 exceeds 'index_head_dim' = 16");
}

TEST(ModelConfigErrors, UnknownEnumStrings) {
  json j = tinyJson();
  j["score_func"] = "topk";
  EXPECT_MESSAGE(parseError(j), "field 'score_func': unknown score function 'topk'");
  j = tinyJson();
  j["dtype"] = "int4";
  EXPECT_MESSAGE(parseError(j), "field 'dtype': unknown weight format 'int4'");
  j = tinyJson();
  j["expert_dtype"] = "fp6";
  EXPECT_MESSAGE(parseError(j), "field 'expert_dtype': unknown expert format 'fp6'");
  j = tinyJson();
  j["scale_fmt"] = "e4m3";
  EXPECT_MESSAGE(parseError(j), "field 'scale_fmt': unknown scale format 'e4m3'");
  j = tinyJson();
  j["scale_fmt"] = nullptr; // null is allowed: no power-of-two rounding
  auto c = parseModelConfig(j.dump(), "t");
  ASSERT_TRUE(c.isOk());
  EXPECT_EQ(c->scaleFmt, ScaleFormat::kNone);
}

TEST(ModelConfigErrors, NegativeOrZeroSizes) {
  json j = tinyJson();
  j["n_heads"] = 0;
  EXPECT_MESSAGE(parseError(j), "field 'n_heads' must be positive, got 0");
  j = tinyJson();
  j["vocab_size"] = -1;
  EXPECT_MESSAGE(parseError(j), "field 'vocab_size' must be positive, got -1");
  j = tinyJson();
  j["norm_eps"] = 0;
  EXPECT_MESSAGE(parseError(j), "field 'norm_eps' must be positive");
  j = tinyJson();
  j["n_activated_experts"] = 9;
  EXPECT_MESSAGE(parseError(j), "'n_activated_experts' = 9 exceeds 'n_routed_experts' = 8");
  j = tinyJson();
  j["n_shared_experts"] = 2;
  EXPECT_MESSAGE(parseError(j), "'n_shared_experts' must be 1");
}

TEST(ModelConfigErrors, AllProblemsAtOnce) {
  json j = tinyJson();
  j.erase("vocab_size");
  j["n_heads"] = "x";
  j["score_func"] = "nope";
  std::string m = parseError(j);
  EXPECT_MESSAGE(m, "missing field 'vocab_size'");
  EXPECT_MESSAGE(m, "field 'n_heads': expected an integer");
  EXPECT_MESSAGE(m, "unknown score function 'nope'");
}

TEST(ModelConfigErrors, BrokenFiles) {
  auto c = parseModelConfig("{\"dim\": 1,", "cfg.json");
  ASSERT_FALSE(c.isOk());
  EXPECT_MESSAGE(c.status().message(), "cfg.json: invalid JSON");
  c = parseModelConfig("{\"dim\": 1, \"dim\": 2}", "cfg.json");
  ASSERT_FALSE(c.isOk());
  EXPECT_MESSAGE(c.status().message(), "cfg.json: duplicate key 'dim'");
  c = parseModelConfig("[1]", "cfg.json");
  ASSERT_FALSE(c.isOk());
  EXPECT_MESSAGE(c.status().message(), "not a JSON object");
  c = loadModelConfig("/nonexistent/config.json");
  ASSERT_FALSE(c.isOk());
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound);
}

TEST(ModelConfigErrors, ValidateCatchesEditsInCode) {
  ModelConfig c = loadExample("examples/tiny-v4/config.json");
  EXPECT_TRUE(validateModelConfig(c).isOk());
  c.allowTestRatios = false;
  Status s = validateModelConfig(c);
  ASSERT_FALSE(s.isOk());
  EXPECT_MESSAGE(s.message(), "compress_ratios'[2] = 16");
}

//===----------------------------------------------------------------------===//
// KV cache sizes (11.1, 11.2, 13)
//===----------------------------------------------------------------------===//

TEST(CacheSizes, FlashReference) {
  ModelConfig c = loadExample("examples/v4-flash/config.json");
  CacheSizes s = computeCacheSizes(c);
  ASSERT_EQ(s.layers.size(), 43u);
  EXPECT_DOUBLE_EQ(s.bytesPerToken(), 6880.0);
  // 6.72 GiB at 2^20 tokens (plus the fixed part).
  int64_t ctx = int64_t(1) << 20;
  EXPECT_EQ(s.bytesForContext(ctx) - s.fixedBytesPerSequence(), 6880 * ctx);
  EXPECT_NEAR(double(6880 * ctx) / double(1 << 30), 6.72, 0.005);

  const LayerCacheSize &swa = s.layers[0], &csa = s.layers[2], &hca = s.layers[3];
  EXPECT_EQ(swa.kind, AttentionKind::kSliding);
  EXPECT_EQ(swa.fixedBytes(), 128 * 512 * 2); // 128 KiB window
  EXPECT_EQ(swa.bytesPerToken(), 0.0);
  EXPECT_EQ(csa.entryBytes, 512 * 2 + 128 * 2);
  EXPECT_DOUBLE_EQ(csa.bytesPerToken(), 320.0);
  EXPECT_EQ(csa.compressorStateBytes, 2 * 8 * 1024 * 4); // 2 x [8, 1024] fp32
  EXPECT_EQ(csa.indexerStateBytes, 2 * 8 * 256 * 4);     // 2 x [8, 256] fp32
  EXPECT_EQ(hca.entryBytes, 1024);
  EXPECT_DOUBLE_EQ(hca.bytesPerToken(), 8.0);
  EXPECT_EQ(hca.compressorStateBytes, 2 * 128 * 512 * 4); // 2 x [128, 512] fp32
  EXPECT_EQ(hca.indexerStateBytes, 0);
  // Context-exact: no partial groups.
  EXPECT_EQ(csa.entries(7), 1);
  EXPECT_EQ(hca.entries(127), 0);
  EXPECT_EQ(hca.bytesForContext(300), hca.fixedBytes() + 2 * 1024);
  int64_t fixed = 43 * 128 * 1024 + 21 * (65536 + 16384) + 20 * 524288;
  EXPECT_EQ(s.fixedBytesPerSequence(), fixed);
  EXPECT_EQ(fixed, 17842176); // docs/model-io.md

  // MTP adds one more sliding block when asked.
  CacheSizes withMtp = computeCacheSizes(c, CacheFormat::kReferenceBf16, true);
  ASSERT_EQ(withMtp.layers.size(), 44u);
  EXPECT_TRUE(withMtp.layers[43].mtp);
  EXPECT_EQ(withMtp.fixedBytesPerSequence(), fixed + 128 * 1024);
}

TEST(CacheSizes, ProReference) {
  ModelConfig c = loadExample("examples/v4-pro/config.json");
  CacheSizes s = computeCacheSizes(c);
  EXPECT_DOUBLE_EQ(s.bytesPerToken(), 9848.0);
  // 9.62 GiB per 2^20-token sequence.
  EXPECT_NEAR(9848.0 * double(1 << 20) / double(1 << 30), 9.62, 0.005);
}

TEST(CacheSizes, ProductionLayouts) {
  ModelConfig flash = loadExample("examples/v4-flash/config.json");
  CacheSizes fp8 = computeCacheSizes(flash, CacheFormat::kFp8IndexerFp8);
  EXPECT_EQ(fp8.layers[2].kvRowBytes, 584);
  EXPECT_EQ(fp8.layers[2].indexerRowBytes, 132);
  EXPECT_DOUBLE_EQ(fp8.bytesPerToken(), 21 * (146.0 + 33.0) + 20 * 584.0 / 128);
  EXPECT_NEAR(fp8.bytesPerToken(), 3850, 1);
  CacheSizes fp4 = computeCacheSizes(flash, CacheFormat::kFp8IndexerFp4);
  EXPECT_EQ(fp4.layers[2].indexerRowBytes, 68);
  EXPECT_NEAR(fp4.bytesPerToken(), 3514, 1);
  ModelConfig pro = loadExample("examples/v4-pro/config.json");
  EXPECT_NEAR(computeCacheSizes(pro, CacheFormat::kFp8IndexerFp8).bytesPerToken(), 5511, 1);
  EXPECT_NEAR(computeCacheSizes(pro, CacheFormat::kFp8IndexerFp4).bytesPerToken(), 5031, 1);
}

TEST(CacheSizes, TinyUsesItsOwnWindowAndRatios) {
  ModelConfig c = loadExample("examples/tiny-v4/config.json");
  CacheSizes s = computeCacheSizes(c);
  ASSERT_EQ(s.layers.size(), 3u);
  EXPECT_EQ(s.layers[0].fixedBytes(), 16 * 128 * 2);
  EXPECT_EQ(s.layers[1].entryBytes, 128 * 2 + 128 * 2);
  EXPECT_EQ(s.layers[1].compressorStateBytes, 2 * 8 * 256 * 4);
  EXPECT_EQ(s.layers[2].compressorStateBytes, 2 * 16 * 128 * 4);
  EXPECT_DOUBLE_EQ(s.bytesPerToken(), 512.0 / 4 + 256.0 / 16);
}

} // namespace
} // namespace sieve::io

namespace sieve::io {
namespace {

//===----------------------------------------------------------------------===//
// Structured problems (the compiler locates each one in the file)
//===----------------------------------------------------------------------===//

TEST(ConfigReport, ProblemsCarryTheKeyAndItsPosition) {
  // A Hugging Face spelling: the validation rule speaks of 'dim', the
  // problem points at the file's own key, hidden_size, on line 3.
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(
      test::readText(test::sourcePath("examples/tiny-v4/config.json")));
  j.erase("dim");
  std::string text = j.dump(1);
  text.insert(text.find("\n") + 1, " \"vocab_sizeX\": 1,\n \"hidden_size\": 100,\n");
  ParsedModelConfig parsed = parseModelConfigWithReport(text, "hf.json");
  ASSERT_FALSE(parsed.report.ok());
  const ConfigProblem *width = nullptr;
  for (const ConfigProblem &p : parsed.report.problems)
    if (p.key == "hidden_size" && !width)
      width = &p;
  ASSERT_NE(width, nullptr) << parsed.report.toStatus().message();
  EXPECT_EQ(width->line, 3);
  EXPECT_EQ(width->column, 2);
  EXPECT_NE(width->message.find("is not a multiple of 128"), std::string::npos)
      << width->message;
  // The status joins the same problems, each prefixed by the file.
  EXPECT_EQ(parsed.report.toStatus().message().rfind("hf.json: ", 0), 0u);
}

TEST(ConfigReport, SyntaxErrorsDuplicatesAndMissingFields) {
  ParsedModelConfig syntax = parseModelConfigWithReport("{\n  \"dim\": ,\n}", "s.json");
  ASSERT_EQ(syntax.report.problems.size(), 1u);
  EXPECT_EQ(syntax.report.problems[0].key, "");
  EXPECT_EQ(syntax.report.problems[0].line, 2);
  EXPECT_EQ(syntax.report.problems[0].column, 10);
  EXPECT_NE(syntax.report.problems[0].message.find("invalid JSON"), std::string::npos);

  ParsedModelConfig dup =
      parseModelConfigWithReport("{\"a\": {\"b\": 1,\n \"b\": 2}}", "d.json");
  ASSERT_EQ(dup.report.problems.size(), 1u);
  EXPECT_EQ(dup.report.problems[0].key, "a.b");
  EXPECT_EQ(dup.report.problems[0].line, 1);
  EXPECT_EQ(dup.report.problems[0].message, "duplicate key 'b' in 'a'");

  ParsedModelConfig missing = parseModelConfigWithReport("{\"dim\": 256}", "m.json");
  ASSERT_FALSE(missing.report.ok());
  EXPECT_EQ(missing.report.problems[0].key, "");
  EXPECT_EQ(missing.report.problems[0].line, 0);
  EXPECT_NE(missing.report.problems[0].message.find("missing field 'vocab_size'"),
            std::string::npos);
}

} // namespace
} // namespace sieve::io
