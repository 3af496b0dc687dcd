//===- simt_e2e_test.cpp - Whole models through the GPU pipelines, emulated -===//
//
// Modules compiled with --emulate-gpu: every kernel through an NVIDIA or AMD
// chip's whole NVVM or ROCDL pipeline, then run as host code on the SIMT
// emulator (test/simt), each block's threads as fibers. The device keeps its
// memory from the host as a GPU's is (discrete_device.h), so the GPU's
// host-side path runs as well: the host program's GPU grids, the fused
// kernels at a model's sizes, staged inputs and outputs. What gpu-run checks
// on a GPU, checked on every machine: DeepSeek's known answer, and the CPU's
// logits with MTP and a batch.
//
//===----------------------------------------------------------------------===//

#include "../../unit/support/official_logits.h"
#include "batch_agreement.h"
#include "discrete_device.h"
#include "official_sequence.h"
#include "simt_emulator.h"

#include "sieve/exec/compiled_model.h"
#include "test_paths.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

namespace sieve {
namespace {

const std::string kModules = sieve::test_paths::simtModulesDir();

/// The chips of a comma-separated list.
std::vector<std::string> chipsOf(const std::string &list) {
  std::vector<std::string> chips;
  for (size_t start = 0; start <= list.size();) {
    size_t comma = std::min(list.find(',', start), list.size());
    if (comma > start)
      chips.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return chips;
}

/// The chips the build compiled modules for (SIEVE_SIMT_E2E_TARGETS).
std::vector<std::string> emulatedChips() { return chipsOf(SIEVE_SIMT_CHIPS); }
/// Those of them that run DeepSeek's known answer
/// (SIEVE_SIMT_E2E_OFFICIAL_TARGETS).
std::vector<std::string> knownAnswerChips() { return chipsOf(SIEVE_SIMT_OFFICIAL_CHIPS); }

/// The emulated GPU, its memory out of the host's reach as a GPU's is. A
/// host-visible device would bind weights where they lie in the mapped
/// checkpoint, which GPU kernels may not assume (their bindings are
/// 16-byte aligned; the emulator refuses others).
exec::CompiledLoadOptions emulatedGpu(const std::string &weights) {
  exec::CompiledLoadOptions options;
  options.weights = weights;
  options.makeDevice = [] {
    auto device = std::make_unique<test::DiscreteCpuDevice>(0);
    device->cpu().setSimtEmulator(simt::runtime());
    return device;
  };
  return options;
}

std::unique_ptr<exec::CompiledModel> load(const std::string &module,
                                          const exec::CompiledLoadOptions &options) {
  auto model = exec::CompiledModel::load(module, options);
  EXPECT_TRUE(model.isOk()) << model.status().message();
  return model.isOk() ? model.take() : nullptr;
}

class EmulatedGpu : public ::testing::TestWithParam<std::string> {};
class EmulatedGpuKnownAnswer : public ::testing::TestWithParam<std::string> {};

TEST_P(EmulatedGpuKnownAnswer, OfficialLogitsPrefill200ThenDecode120) {
  const std::string chip = GetParam();
  auto model =
      load(kModules + "/official-" + chip + ".sieve", emulatedGpu(test::kOfficialLogitsDir));
  ASSERT_TRUE(model);
  // The chip's kernels ran, not a CPU executable beside them.
  EXPECT_NE(model->report().executable.find(chip), std::string::npos) << model->report().executable;
  auto official = readNpyF32(test::kOfficialLogitsDir + "/logits-prefill200-decode120.npy");
  ASSERT_TRUE(official.isOk()) << official.status().toString();
  std::vector<std::vector<float>> rows =
      test::prefill200ThenDecode120(*model, test::officialTokens());
  ASSERT_EQ(rows.size(), 121u);
  test::expectWithinTolerance(test::compareWithOfficial(rows, *official),
                              ("compiled, emulated " + chip).c_str());
}

/// The module holds the chip's emulated kernels and CPU code: the CPU runs
/// its own, the emulated GPU the chip's, and both agree through a batch
/// of two sequences and the MTP head.
TEST_P(EmulatedGpu, MatchesTheCpuWithMtpAndABatch) {
  const std::string chip = GetParam();
  const std::string module = kModules + "/tiny-v4-" + chip + ".sieve";
  const std::string weights = kModules + "/tiny-v4";
  auto gpu = load(module, emulatedGpu(weights));
  exec::CompiledLoadOptions onCpu;
  onCpu.weights = weights;
  onCpu.device = "cpu";
  auto cpu = load(module, onCpu);
  ASSERT_TRUE(gpu && cpu);
  EXPECT_NE(gpu->report().executable.find(chip), std::string::npos) << gpu->report().executable;
  EXPECT_EQ(cpu->report().executable.rfind("cpu", 0), 0u) << cpu->report().executable;
  test::expectAgreementWithMtpAndABatch(*gpu, *cpu, /*seed=*/11, /*prompt=*/20, /*steps=*/6);
}

/// A block's threads run in another order each time: the logits of a
/// prefill and decode steps must not change by a bit. A kernel whose
/// threads race (a read of shared memory another thread writes without a
/// barrier between, a lane relying on another having run) gives other
/// values in the other order, at a whole model's sizes and grids.
TEST_P(EmulatedGpu, LogitsDoNotDependOnTheOrderThreadsRun) {
  const std::string chip = GetParam();
  auto gpu = load(kModules + "/tiny-v4-" + chip + ".sieve", emulatedGpu(kModules + "/tiny-v4"));
  ASSERT_TRUE(gpu);
  const int64_t vocab = gpu->vocabSize();
  std::mt19937 rng(23);
  std::vector<int32_t> tokens(24);
  for (int32_t &t : tokens)
    t = int32_t(rng() % uint32_t(vocab));
  auto run = [&](simt::ScheduleOrder order) {
    simt::setScheduleOrder(order);
    std::vector<float> out;
    auto seq = gpu->newSequence();
    EXPECT_TRUE(seq.isOk()) << seq.status().message();
    if (!seq.isOk())
      return out;
    auto logits = gpu->prefill(*seq, tokens.data(), 20);
    for (size_t p = 20;; ++p) {
      EXPECT_TRUE(logits.isOk()) << logits.status().message();
      if (!logits.isOk())
        return std::vector<float>();
      out.insert(out.end(), logits->data, logits->data + vocab);
      if (p == tokens.size())
        return out;
      logits = gpu->forward(*seq, tokens.data() + p, 1);
    }
  };
  std::vector<float> descending = run(simt::ScheduleOrder::Descending);
  std::vector<float> ascending = run(simt::ScheduleOrder::Ascending);
  simt::setScheduleOrder(simt::ScheduleOrder::Descending);
  ASSERT_EQ(descending.size(), size_t(5 * vocab));
  ASSERT_EQ(ascending.size(), descending.size());
  size_t differing = 0;
  for (size_t i = 0; i < descending.size(); ++i)
    differing += std::memcmp(&descending[i], &ascending[i], sizeof(float)) != 0;
  EXPECT_EQ(differing, 0u) << "of " << descending.size() << " logits (5 steps)";
}

INSTANTIATE_TEST_SUITE_P(Chips, EmulatedGpu, ::testing::ValuesIn(emulatedChips()),
                         [](const auto &info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Chips, EmulatedGpuKnownAnswer, ::testing::ValuesIn(knownAnswerChips()),
                         [](const auto &info) { return info.param; });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(EmulatedGpuKnownAnswer);

/// Without an emulator the CPU device refuses the emulated kernels, saying
/// why, and runs the module's CPU code.
TEST(EmulatedGpuModule, APlainCpuDeviceRefusesTheEmulatedKernels) {
  exec::CompiledLoadOptions options;
  options.weights = kModules + "/tiny-v4";
  options.device = "cpu";
  auto model = load(kModules + "/tiny-v4-" + emulatedChips().front() + ".sieve", options);
  ASSERT_TRUE(model);
  ASSERT_FALSE(model->report().rejected.empty());
  EXPECT_NE(model->report().rejected[0].find("SIMT emulator"), std::string::npos)
      << model->report().rejected[0];
}

TEST(EmulatedGpuModule, AModuleOfOnlyEmulatedKernelsIsRefusedOnACpu) {
  exec::CompiledLoadOptions options;
  options.weights = test::kOfficialLogitsDir;
  options.device = "cpu";
  auto model = exec::CompiledModel::load(
      kModules + "/official-" + emulatedChips().front() + ".sieve", options);
  ASSERT_FALSE(model.isOk());
  EXPECT_NE(model.status().message().find("SIMT emulator"), std::string::npos)
      << model.status().message();
}

} // namespace
} // namespace sieve
