//===- compiled_model_test.cpp - Compiled CPU code vs the reference -------===//
//
// End to end: sieve-compile writes a module for a bundled config, the
// runtime loads it with a random checkpoint and runs prefill, decode and
// MTP on compiled CPU code; the reference executor runs the same tokens on
// the same checkpoint. Logits must agree at every step within the stated
// tolerance (docs/numerics.md: relative L2 <= 1e-2) and greedy tokens must
// be identical.
//
//===----------------------------------------------------------------------===//

#include "sieve/exec/compiled_model.h"
#include "sieve/hal/cpu/library_kernels.h"
#include "sieve/io/random_checkpoint.h"
#include "sieve/reference/model.h"
#include "sieve/support/npy.h"

#include "compiled_fixture.h"
#include "official_sequence.h"
#include "../../unit/support/official_logits.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace sieve {
namespace {

struct RunCase {
  const char *model;
  int64_t prefillLen; // of the 300 prompt tokens; the rest are decode steps
  const char *flags = ""; // sieve-compile flags
};

/// Whether this runtime has the oneDNN library kernels `--cpu-gemm=onednn`
/// modules call; a test of such a module skips without them.
bool haveOnednn() { return hal::cpu::findLibraryKernel("onednn.matmul_fp8w_bf16") != nullptr; }

bool needsOnednn(const std::string &flags) {
  return flags.find("--cpu-gemm=onednn") != std::string::npos;
}

class CompiledVsReference : public ::testing::TestWithParam<RunCase> {};

// A 300-token prompt, prefilled in part (the rest fed one decode step each,
// teacher forcing) or whole, then 64 greedy tokens: logits compared at every
// step, greedy tokens identical.
TEST_P(CompiledVsReference, PrefillThenDecodeEveryStep) {
  if (needsOnednn(GetParam().flags) && !haveOnednn())
    GTEST_SKIP() << "this runtime is built without oneDNN";
  const Compiled &c = compiledModel(GetParam().model, 512, GetParam().flags);
  exec::CompiledLoadOptions options;
  options.weights = c.checkpoint;
  auto compiled = exec::CompiledModel::load(c.module, options);
  ASSERT_TRUE(compiled.isOk()) << compiled.status().message();
  ref::LoadOptions refOptions;
  refOptions.maxSeqLen = 512;
  auto reference = ref::Model::load(c.checkpoint, refOptions);
  ASSERT_TRUE(reference.isOk()) << reference.status().message();

  const int64_t vocab = (*compiled)->vocabSize();
  std::vector<int32_t> tokens = tokenIds(300, vocab, 11);
  const int64_t prefillLen = GetParam().prefillLen;
  auto seq = (*compiled)->newSequence();
  ASSERT_TRUE(seq.isOk()) << seq.status().message();
  ref::Sequence refSeq = (*reference)->newSequence();

  auto got = (*compiled)->forward(*seq, tokens.data(), prefillLen);
  ASSERT_TRUE(got.isOk()) << got.status().message();
  auto want = (*reference)->forward(refSeq, tokens.data(), prefillLen);
  ASSERT_TRUE(want.isOk()) << want.status().message();
  double worst = relativeL2(got->data, want->logits.data(), vocab);
  EXPECT_LE(worst, kTolerance) << "prefill";

  // The prompt's last logits give the first generated token.
  int32_t next = int32_t(argmaxOf(got->data, vocab));
  if (prefillLen == 300) {
    ASSERT_EQ(next, argmaxOf(want->logits.data(), vocab)) << "greedy token after the prefill";
  }
  for (int64_t step = prefillLen; step < 300 + 64; ++step) {
    int32_t token = step < 300 ? tokens[size_t(step)] : next;
    got = (*compiled)->forward(*seq, &token, 1);
    ASSERT_TRUE(got.isOk()) << "step " << step << ": " << got.status().message();
    want = (*reference)->forward(refSeq, &token, 1);
    ASSERT_TRUE(want.isOk()) << want.status().message();
    double error = relativeL2(got->data, want->logits.data(), vocab);
    worst = std::max(worst, error);
    ASSERT_LE(error, kTolerance) << "step " << step;
    if (step >= 299) {
      int64_t greedy = argmaxOf(got->data, vocab);
      ASSERT_EQ(greedy, argmaxOf(want->logits.data(), vocab)) << "greedy token at step " << step;
      next = int32_t(greedy);
    }
  }
  std::printf("%s, prefill %lld: worst relative L2 over %d steps: %.3g\n", GetParam().model,
              (long long)prefillLen, 300 + 64 - int(prefillLen) + 1, worst);
}

INSTANTIATE_TEST_SUITE_P(Models, CompiledVsReference,
                         ::testing::Values(RunCase{"tiny-v4", 37}, RunCase{"tiny-v4", 300},
                                           RunCase{"tiny-v4-r128", 37},
                                           RunCase{"tiny-v4-r128", 300},
                                           // The prefill's GEMMs in oneDNN (the
                                           // default where the runtime has it) and
                                           // generated.
                                           RunCase{"tiny-v4", 37, "--cpu-gemm=onednn"},
                                           RunCase{"tiny-v4", 300, "--cpu-gemm=generated"},
                                           RunCase{"tiny-v4-r128", 300, "--cpu-gemm=generated"}),
                         [](const ::testing::TestParamInfo<RunCase> &info) {
                           std::string name = info.param.model;
                           for (char &ch : name)
                             if (!std::isalnum(static_cast<unsigned char>(ch)))
                               ch = '_';
                           std::string flags = info.param.flags;
                           return name + "_prefill" + std::to_string(info.param.prefillLen) +
                                  (needsOnednn(flags)                             ? "_onednn"
                                   : flags.find("generated") != std::string::npos ? "_generated"
                                                                                  : "");
                         });

// Three sequences of different lengths decoded as one batch give the logits
// each gives alone: the rows of a batch do not interact.
TEST(CompiledModel, BatchOfThreeEqualsEachAlone) {
  const Compiled &c = compiledModel("tiny-v4", 256, "--max-batch=3");
  auto model = loadCompiled(c);
  ASSERT_TRUE(model);
  const int64_t vocab = model->vocabSize();
  const int64_t lengths[3] = {5, 23, 61};
  const int steps = 12;
  std::vector<std::vector<int32_t>> prompts;
  for (int i = 0; i < 3; ++i)
    prompts.push_back(tokenIds(lengths[i] + steps, vocab, 100 + i));

  // Alone: one sequence at a time.
  std::vector<std::vector<float>> alone(3);
  for (int i = 0; i < 3; ++i) {
    auto seq = model->newSequence();
    ASSERT_TRUE(seq.isOk()) << seq.status().message();
    ASSERT_TRUE(model->prefill(*seq, prompts[i].data(), lengths[i]).isOk());
    for (int k = 0; k < steps; ++k) {
      auto logits = model->forward(*seq, &prompts[i][size_t(lengths[i] + k)], 1);
      ASSERT_TRUE(logits.isOk()) << logits.status().message();
      alone[i].insert(alone[i].end(), logits->data, logits->data + vocab);
    }
  }
  // Together: three slots, one decode call per step.
  std::vector<exec::CompiledSequence> seqs;
  for (int i = 0; i < 3; ++i) {
    auto seq = model->newSequence();
    ASSERT_TRUE(seq.isOk()) << seq.status().message();
    seqs.push_back(seq.take());
    ASSERT_TRUE(model->prefill(seqs.back(), prompts[i].data(), lengths[i]).isOk());
  }
  EXPECT_FALSE(model->newSequence().isOk()) << "a fourth slot in a max_batch=3 module";
  exec::CompiledSequence *batch[3] = {&seqs[0], &seqs[1], &seqs[2]};
  for (int k = 0; k < steps; ++k) {
    int32_t tokens[3];
    for (int i = 0; i < 3; ++i)
      tokens[i] = prompts[i][size_t(lengths[i] + k)];
    auto logits = model->decode(batch, tokens, 3);
    ASSERT_TRUE(logits.isOk()) << logits.status().message();
    ASSERT_EQ(logits->rows, 3);
    for (int i = 0; i < 3; ++i)
      for (int64_t v = 0; v < vocab; ++v)
        ASSERT_EQ(logits->data[i * vocab + v], alone[i][size_t(k * vocab + v)])
            << "sequence " << i << ", step " << k << ", logit " << v;
  }
}

// A prompt fed in chunks of 16 tokens (the module's max_chunk) gives the
// logits one 100-token prefill gives, and the decode steps after it agree.
TEST(CompiledModel, ChunkedPrefillEqualsOnePrefill) {
  const Compiled &whole = compiledModel("tiny-v4-r128", 256);
  const Compiled &chunked = compiledModel("tiny-v4-r128", 256, "--max-chunk=16");
  auto one = loadCompiled(whole);
  auto many = loadCompiled(chunked);
  ASSERT_TRUE(one && many);
  ASSERT_EQ(many->maxChunk(), 16);
  const int64_t vocab = one->vocabSize();
  std::vector<int32_t> tokens = tokenIds(120, vocab, 5);
  auto a = one->newSequence();
  auto b = many->newSequence();
  ASSERT_TRUE(a.isOk() && b.isOk());
  auto la = one->prefill(*a, tokens.data(), 100);
  ASSERT_TRUE(la.isOk()) << la.status().message();
  std::vector<float> first(la->data, la->data + vocab);
  auto lb = many->prefill(*b, tokens.data(), 100);
  ASSERT_TRUE(lb.isOk()) << lb.status().message();
  EXPECT_LE(relativeL2(lb->data, first.data(), vocab), kTolerance);
  EXPECT_EQ(argmaxOf(lb->data, vocab), argmaxOf(first.data(), vocab));
  for (int64_t p = 100; p < 120; ++p) {
    la = one->forward(*a, &tokens[size_t(p)], 1);
    ASSERT_TRUE(la.isOk());
    first.assign(la->data, la->data + vocab);
    lb = many->forward(*b, &tokens[size_t(p)], 1);
    ASSERT_TRUE(lb.isOk());
    EXPECT_LE(relativeL2(lb->data, first.data(), vocab), kTolerance) << "position " << p;
  }
}

// The MTP block after a prefill and after each decode step, against the
// reference's mtp() on the same hidden states.
TEST(CompiledModel, MtpLogitsMatchTheReference) {
  const Compiled &c = compiledModel("tiny-v4", 256);
  auto model = loadCompiled(c);
  ASSERT_TRUE(model);
  ASSERT_TRUE(model->hasMtp());
  ref::LoadOptions refOptions;
  refOptions.maxSeqLen = 256;
  auto reference = ref::Model::load(c.checkpoint, refOptions);
  ASSERT_TRUE(reference.isOk()) << reference.status().message();
  const int64_t vocab = model->vocabSize();
  std::vector<int32_t> tokens = tokenIds(60, vocab, 3);
  const int64_t n = 40;
  auto seq = model->newSequence();
  ASSERT_TRUE(seq.isOk());
  ref::Sequence refSeq = (*reference)->newSequence();
  ASSERT_TRUE(model->prefill(*seq, tokens.data(), n).isOk());
  auto want = (*reference)->forward(refSeq, tokens.data(), n);
  ASSERT_TRUE(want.isOk());
  // MTP over the prompt: hidden of token i with token i + 1.
  auto got = model->mtp(*seq, tokens.data() + 1, n);
  ASSERT_TRUE(got.isOk()) << got.status().message();
  auto wantMtp = (*reference)->mtp(refSeq, want->hidden.data(), tokens.data() + 1, n);
  ASSERT_TRUE(wantMtp.isOk()) << wantMtp.status().message();
  EXPECT_LE(relativeL2(got->data, wantMtp->data(), vocab), kTolerance) << "mtp after prefill";
  for (int64_t p = n; p < 59; ++p) {
    ASSERT_TRUE(model->forward(*seq, &tokens[size_t(p)], 1).isOk());
    want = (*reference)->forward(refSeq, &tokens[size_t(p)], 1);
    ASSERT_TRUE(want.isOk());
    got = model->mtp(*seq, &tokens[size_t(p + 1)], 1);
    ASSERT_TRUE(got.isOk()) << got.status().message();
    wantMtp = (*reference)->mtp(refSeq, want->hidden.data(), &tokens[size_t(p + 1)], 1);
    ASSERT_TRUE(wantMtp.isOk()) << wantMtp.status().message();
    EXPECT_LE(relativeL2(got->data, wantMtp->data(), vocab), kTolerance) << "mtp at " << p;
  }
}

// reset() returns a sequence to a fresh one's state: the same prompt gives
// the same logits, bit for bit.
TEST(CompiledModel, ResetEqualsANewSequence) {
  const Compiled &c = compiledModel("tiny-v4", 256);
  auto model = loadCompiled(c);
  ASSERT_TRUE(model);
  const int64_t vocab = model->vocabSize();
  std::vector<int32_t> tokens = tokenIds(50, vocab, 9);
  auto seq = model->newSequence();
  ASSERT_TRUE(seq.isOk());
  auto first = model->prefill(*seq, tokens.data(), 40);
  ASSERT_TRUE(first.isOk());
  std::vector<float> want(first->data, first->data + vocab);
  for (int64_t p = 40; p < 50; ++p)
    ASSERT_TRUE(model->forward(*seq, &tokens[size_t(p)], 1).isOk());
  ASSERT_TRUE(model->reset(*seq).isOk());
  EXPECT_EQ(seq->position(), 0);
  auto again = model->prefill(*seq, tokens.data(), 40);
  ASSERT_TRUE(again.isOk());
  for (int64_t v = 0; v < vocab; ++v)
    ASSERT_EQ(again->data[v], want[size_t(v)]) << "logit " << v;
}

//===--- DeepSeek's known answer ------------------------------------------===//

const std::string &kOfficialDir = test::kOfficialLogitsDir;
using test::officialTokens;

/// The official checkpoint compiled with each cache format (and the default
/// GEMMs: oneDNN's where the runtime has it), and with the prefill's GEMMs
/// generated and in oneDNN explicitly.
class OfficialLogitsCompiled : public ::testing::TestWithParam<const char *> {
protected:
  void SetUp() override {
    if (needsOnednn(GetParam()) && !haveOnednn())
      GTEST_SKIP() << "this runtime is built without oneDNN";
  }
  std::unique_ptr<exec::CompiledModel> load() {
    return loadCompiled(compiledModel(kOfficialDir, 1024, GetParam()));
  }
  static void expectOfficial(const std::vector<std::vector<float>> &rows,
                             const NpyArrayF32 &official) {
    test::expectWithinTolerance(test::compareWithOfficial(rows, official), "compiled CPU");
  }
};

TEST_P(OfficialLogitsCompiled, Prefill200ThenTeacherForcedDecode120) {
  auto model = load();
  ASSERT_TRUE(model);
  auto official = readNpyF32(kOfficialDir + "/logits-prefill200-decode120.npy");
  ASSERT_TRUE(official.isOk()) << official.status().toString();
  std::vector<std::vector<float>> rows = test::prefill200ThenDecode120(*model, officialTokens());
  ASSERT_EQ(rows.size(), 121u);
  expectOfficial(rows, *official);
}

TEST_P(OfficialLogitsCompiled, Prefill320) {
  auto model = load();
  ASSERT_TRUE(model);
  auto official = readNpyF32(kOfficialDir + "/logits-prefill320.npy");
  ASSERT_TRUE(official.isOk()) << official.status().toString();
  std::vector<int32_t> tokens = officialTokens();
  auto seq = model->newSequence();
  ASSERT_TRUE(seq.isOk());
  auto logits = model->prefill(*seq, tokens.data(), 320);
  ASSERT_TRUE(logits.isOk()) << logits.status().message();
  expectOfficial({std::vector<float>(logits->data, logits->data + logits->vocab)}, *official);
}

INSTANTIATE_TEST_SUITE_P(CacheFormats, OfficialLogitsCompiled,
                         ::testing::Values("--cache-format=bf16", "--cache-format=fp8",
                                           "--cache-format=fp8-fp4", "--cpu-gemm=generated",
                                           "--cpu-gemm=onednn"),
                         [](const ::testing::TestParamInfo<const char *> &info) {
                           std::string flags = info.param;
                           return flags == "--cache-format=bf16"      ? std::string("Bf16")
                                  : flags == "--cache-format=fp8"     ? std::string("Fp8")
                                  : flags == "--cache-format=fp8-fp4" ? std::string("Fp8Fp4Keys")
                                  : flags == "--cpu-gemm=generated"   ? std::string("GeneratedGemm")
                                                                      : std::string("OnednnGemm");
                         });

} // namespace
} // namespace sieve
