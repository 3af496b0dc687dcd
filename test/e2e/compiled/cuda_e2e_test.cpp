//===- cuda_e2e_test.cpp - Whole models on a CUDA GPU (gpu-run) -----------===//
//
// Modules compiled for NVIDIA chips, run on cuda:0 through the CUDA device:
// DeepSeek's known answer for the official tiny checkpoint, and the CPU's
// logits for a model with MTP. Without a GPU (or its driver) the binary
// exits 77 with the reason, which ctest reports as skipped: it never passes
// without running on a GPU.
//
//===----------------------------------------------------------------------===//

#include "compiled_fixture.h"
#include "../../unit/support/official_logits.h"

#include "sieve/hal/cuda/cuda_device.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

namespace sieve {
namespace {

// PTX for sm_80 runs on every GPU since Ampere; the sm_90 cubin is chosen
// on Hopper.
const char *kGpuTargets = "--target=nvidia:sm_80 --target=nvidia:sm_90 --target=cpu";

std::unique_ptr<exec::CompiledModel> loadOn(const Compiled &c, const std::string &device) {
  exec::CompiledLoadOptions options;
  options.weights = c.checkpoint;
  options.device = device;
  auto model = exec::CompiledModel::load(c.module, options);
  EXPECT_TRUE(model.isOk()) << model.status().message();
  return model.isOk() ? model.take() : nullptr;
}

TEST(Cuda, OfficialLogitsPrefill200ThenDecode120) {
  const Compiled &c = compiledModel(test::kOfficialLogitsDir, 1024, kGpuTargets);
  auto model = loadOn(c, "cuda:0");
  ASSERT_TRUE(model);
  EXPECT_EQ(model->report().device.rfind("cuda:0", 0), 0u) << model->report().device;
  EXPECT_EQ(model->report().executable.rfind("nvidia:", 0), 0u) << model->report().executable;
  auto official =
      readNpyF32(test::kOfficialLogitsDir + "/logits-prefill200-decode120.npy");
  ASSERT_TRUE(official.isOk()) << official.status().toString();
  std::vector<int32_t> tokens = test::officialTokens();
  auto seq = model->newSequence();
  ASSERT_TRUE(seq.isOk());
  std::vector<std::vector<float>> rows;
  auto logits = model->prefill(*seq, tokens.data(), 200);
  ASSERT_TRUE(logits.isOk()) << logits.status().message();
  rows.emplace_back(logits->data, logits->data + logits->vocab);
  for (int64_t p = 200; p < 320; ++p) {
    logits = model->forward(*seq, tokens.data() + p, 1);
    ASSERT_TRUE(logits.isOk()) << logits.status().message();
    rows.emplace_back(logits->data, logits->data + logits->vocab);
  }
  test::expectWithinTolerance(test::compareWithOfficial(rows, *official), "compiled CUDA");
}

TEST(Cuda, MatchesTheCpuWithMtpAndABatch) {
  const Compiled &c = compiledModel("tiny-v4", 256, std::string(kGpuTargets) + " --max-batch=2");
  auto gpu = loadOn(c, "cuda:0");
  auto cpu = loadOn(c, "cpu");
  ASSERT_TRUE(gpu && cpu);
  const int64_t vocab = cpu->vocabSize();
  std::vector<int32_t> tokens = tokenIds(80, vocab, 5);
  auto relL2 = [&](const float *a, const float *b, int64_t n) {
    double num = 0, den = 0;
    for (int64_t i = 0; i < n; ++i) {
      num += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
      den += double(b[i]) * b[i];
    }
    return std::sqrt(num / std::max(den, 1e-30));
  };
  auto gs = gpu->newSequence();
  auto cs = cpu->newSequence();
  ASSERT_TRUE(gs.isOk() && cs.isOk());
  auto g = gpu->prefill(*gs, tokens.data(), 40);
  auto w = cpu->prefill(*cs, tokens.data(), 40);
  ASSERT_TRUE(g.isOk() && w.isOk()) << g.status().message();
  EXPECT_LE(relL2(g->data, w->data, vocab), 1e-3) << "prefill";
  g = gpu->mtp(*gs, tokens.data() + 1, 40);
  w = cpu->mtp(*cs, tokens.data() + 1, 40);
  ASSERT_TRUE(g.isOk() && w.isOk()) << g.status().message();
  EXPECT_LE(relL2(g->data, w->data, vocab), 1e-3) << "mtp";
  for (int64_t p = 40; p < 60; ++p) {
    g = gpu->forward(*gs, &tokens[size_t(p)], 1);
    w = cpu->forward(*cs, &tokens[size_t(p)], 1);
    ASSERT_TRUE(g.isOk() && w.isOk()) << g.status().message();
    EXPECT_LE(relL2(g->data, w->data, vocab), 1e-3) << "decode at " << p;
  }
}

} // namespace
} // namespace sieve

int main(int argc, char **argv) {
  auto device = sieve::hal::cuda::CudaDevice::open(0);
  if (!device.isOk()) {
    std::printf("SKIP: %s\n", device.status().message().c_str());
    return 77;
  }
  std::printf("running on %s\n", (*device)->description().c_str());
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
