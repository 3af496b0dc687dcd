//===- discrete_device_test.cpp - The GPU's host-side path, on the CPU ----===//
//
// A GPU's memory is its own: the runtime stages inputs and fills into it,
// uploads every weight, resets caches by writing them, and copies outputs
// back. DiscreteCpuDevice runs the CPU's kernels behind exactly that
// contract (its memory faults on any other access), so the same module must
// give the CPU device's logits bit for bit.
//
//===----------------------------------------------------------------------===//

#include "compiled_fixture.h"
#include "discrete_device.h"

#include <gtest/gtest.h>

namespace sieve {
namespace {

struct Generated {
  std::vector<float> logits; // every call's, in order
};

Generated generate(exec::CompiledModel &model) {
  Generated run;
  const int64_t vocab = model.vocabSize();
  auto keep = [&](const Expected<exec::LogitsView> &view) {
    EXPECT_TRUE(view.isOk()) << view.status().message();
    if (view.isOk())
      run.logits.insert(run.logits.end(), view->data, view->data + view->rows * vocab);
  };
  std::vector<int32_t> tokens = tokenIds(64, vocab, 11);
  {
    // A short prompt first, then a longer one: the staged inputs grow.
    auto seq = model.newSequence();
    EXPECT_TRUE(seq.isOk());
    keep(model.prefill(*seq, tokens.data(), 5));
  }
  auto seq = model.newSequence();
  EXPECT_TRUE(seq.isOk());
  keep(model.prefill(*seq, tokens.data(), 40));
  // MTP reads the hidden states where the last call left them.
  keep(model.mtp(*seq, tokens.data() + 1, 40));
  for (int64_t p = 40; p < 50; ++p) {
    keep(model.forward(*seq, &tokens[size_t(p)], 1));
    keep(model.mtp(*seq, &tokens[size_t(p + 1)], 1));
  }
  // A reset writes the caches from the host.
  EXPECT_TRUE(model.reset(*seq).isOk());
  keep(model.prefill(*seq, tokens.data(), 40));
  return run;
}

TEST(DiscreteDevice, GivesTheCpuDevicesLogitsBitForBit) {
  const Compiled &c = compiledModel("tiny-v4", 256);
  auto cpu = loadCompiled(c);
  ASSERT_TRUE(cpu);
  ASSERT_TRUE(cpu->hasMtp());
  exec::CompiledLoadOptions options;
  options.weights = c.checkpoint;
  options.makeDevice = [] { return std::make_unique<test::DiscreteCpuDevice>(2); };
  auto discrete = exec::CompiledModel::load(c.module, options);
  ASSERT_TRUE(discrete.isOk()) << discrete.status().message();
  EXPECT_NE((*discrete)->report().device.find("discrete"), std::string::npos);
  // Every weight is uploaded: none is read in place from the checkpoint.
  EXPECT_EQ((*discrete)->report().weightBytesCopied, (*discrete)->report().weightBytes);

  Generated want = generate(*cpu);
  Generated got = generate(**discrete);
  ASSERT_EQ(got.logits.size(), want.logits.size());
  for (size_t i = 0; i < want.logits.size(); ++i)
    ASSERT_EQ(got.logits[i], want.logits[i]) << "logit " << i;
}

/// The device's memory is the host's only inside the device's own calls:
/// a direct write faults, one through write() lands, and released memory
/// comes back zeroed.
TEST(DiscreteDevice, ItsMemoryFaultsOutsideItsOwnCalls) {
  test::DiscreteCpuDevice device(1);
  auto memory = device.allocate(100, "a test buffer");
  ASSERT_TRUE(memory.isOk()) << memory.status().message();
  volatile char *bytes = static_cast<char *>(memory->data());
  EXPECT_DEATH(bytes[7] = 1, "");
  const char value = 42;
  ASSERT_TRUE(device.write(memory->data(), &value, 1).isOk());
  char back = 0;
  ASSERT_TRUE(device.read(&back, memory->data(), 1).isOk());
  EXPECT_EQ(back, 42);
  void *where = memory->data();
  *memory = hal::DeviceMemory();
  auto again = device.allocate(100, "a test buffer");
  ASSERT_TRUE(again.isOk());
  EXPECT_EQ(again->data(), where); // everything was released: the range starts over
  ASSERT_TRUE(device.read(&back, again->data(), 1).isOk());
  EXPECT_EQ(back, 0);
}

} // namespace
} // namespace sieve
