//===- cuda_e2e_test.cpp - Whole models on a CUDA GPU (gpu-run) -----------===//
//
// Modules compiled for NVIDIA chips (and the CPU), run on cuda:0 through the
// CUDA device: DeepSeek's known answer for the official tiny checkpoint, and
// the CPU's logits for a model with MTP and a batch. The modules and the
// random checkpoint are made at build time (--modules DIR), so this binary
// needs no compiler: it runs on a GPU machine without LLVM. Without a GPU
// (or its driver) it exits 77 with the reason, which ctest reports as
// skipped: it never passes without running on a GPU.
//
//   sieve-cuda-e2e-tests --modules DIR --official DIR [--device cpu] [gtest flags]
//
// (--device cpu runs the same checks on the CPU: a check of the test itself.)
//
//===----------------------------------------------------------------------===//

#include "../../unit/support/official_logits.h"
#include "batch_agreement.h"
#include "official_sequence.h"

#include "sieve/exec/compiled_model.h"
#include "sieve/hal/cuda/cuda_device.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>

namespace sieve {
namespace {

std::string gModules, gOfficial, gDevice = "cuda:0";

std::unique_ptr<exec::CompiledModel> loadOn(const std::string &module, const std::string &weights,
                                            const std::string &device) {
  exec::CompiledLoadOptions options;
  options.weights = weights;
  options.device = device;
  auto model = exec::CompiledModel::load(module, options);
  EXPECT_TRUE(model.isOk()) << model.status().message();
  return model.isOk() ? model.take() : nullptr;
}

TEST(Cuda, OfficialLogitsPrefill200ThenDecode120) {
  auto model = loadOn(gModules + "/official.sieve", gOfficial, gDevice);
  ASSERT_TRUE(model);
  EXPECT_EQ(model->report().device.rfind(gDevice, 0), 0u) << model->report().device;
  std::printf("official: %s on %s\n", model->report().executable.c_str(),
              model->report().device.c_str());
  auto official = readNpyF32(gOfficial + "/logits-prefill200-decode120.npy");
  ASSERT_TRUE(official.isOk()) << official.status().toString();
  std::vector<std::vector<float>> rows =
      test::prefill200ThenDecode120(*model, test::officialTokens(gOfficial));
  ASSERT_EQ(rows.size(), 121u);
  test::expectWithinTolerance(test::compareWithOfficial(rows, *official),
                              ("compiled, " + gDevice).c_str());
}

TEST(Cuda, MatchesTheCpuWithMtpAndABatch) {
  const std::string module = gModules + "/tiny-v4.sieve", weights = gModules + "/tiny-v4";
  auto gpu = loadOn(module, weights, gDevice);
  auto cpu = loadOn(module, weights, "cpu");
  ASSERT_TRUE(gpu && cpu);
  test::expectAgreementWithMtpAndABatch(*gpu, *cpu, /*seed=*/5, /*prompt=*/30, /*steps=*/16);
}

} // namespace
} // namespace sieve

int main(int argc, char **argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--modules") == 0)
      sieve::gModules = argv[++i];
    else if (std::strcmp(argv[i], "--official") == 0)
      sieve::gOfficial = argv[++i];
    else if (std::strcmp(argv[i], "--device") == 0)
      sieve::gDevice = argv[++i];
  }
  if (sieve::gModules.empty() || sieve::gOfficial.empty()) {
    std::fprintf(stderr, "usage: %s --modules DIR --official DIR [--device cpu] [gtest flags]\n",
                 argv[0]);
    return 2;
  }
  if (sieve::gDevice == "cuda:0") {
    auto device = sieve::hal::cuda::CudaDevice::open(0);
    if (!device.isOk()) {
      std::printf("SKIP: %s\n", device.status().message().c_str());
      return 77;
    }
    std::printf("running on %s\n", (*device)->description().c_str());
  }
  return RUN_ALL_TESTS();
}
