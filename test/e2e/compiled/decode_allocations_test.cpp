//===- decode_allocations_test.cpp - Nothing allocated per decode step ----===//
//
// The runtime allocates everything at load: after the first steps, a decode
// step must not call operator new or malloc, nor must a prefill chunk with the
// generated GEMMs. (A prefill chunk whose GEMMs are oneDNN's, the default
// where the runtime has oneDNN, allocates inside the library: oneDNN builds
// an execution context per call, and a primitive per new row count.) This
// binary replaces the global operator new to count calls while a flag is up.
// Nor may a step fault in a page: the weights read in place from the mapped
// checkpoint are mapped in at load (an embedding row or an expert first
// routed to costs a fault per page otherwise).
//
//===----------------------------------------------------------------------===//

#include "compiled_fixture.h"

#include <atomic>
#include <cstdlib>
#include <new>

#include <sys/resource.h>

namespace {
std::atomic<bool> counting{false};
std::atomic<uint64_t> allocations{0};
} // namespace

void *operator new(std::size_t size) {
  if (counting.load(std::memory_order_relaxed))
    allocations.fetch_add(1, std::memory_order_relaxed);
  if (void *p = std::malloc(size ? size : 1))
    return p;
  throw std::bad_alloc();
}
void operator delete(void *p) noexcept { std::free(p); }
void operator delete(void *p, std::size_t) noexcept { std::free(p); }

namespace sieve {
namespace {

TEST(CompiledModel, DecodeStepsAllocateNothing) {
  // The counter counts (so a zero below means something).
  counting = true;
  std::vector<int> *probe = new std::vector<int>(3);
  counting = false;
  delete probe;
  ASSERT_EQ(allocations.exchange(0), 2u);

  const Compiled &c = compiledModel("tiny-v4", 256);
  auto model = loadCompiled(c);
  ASSERT_TRUE(model);
  const int64_t vocab = model->vocabSize();
  std::vector<int32_t> tokens = tokenIds(80, vocab, 4);
  auto a = model->newSequence();
  auto b = model->newSequence();
  ASSERT_TRUE(a.isOk() && b.isOk());
  ASSERT_TRUE(model->prefill(*a, tokens.data(), 20).isOk());
  ASSERT_TRUE(model->prefill(*b, tokens.data(), 30).isOk());
  exec::CompiledSequence *batch[2] = {&*a, &*b};
  int32_t pair[2] = {tokens[20], tokens[30]};
  ASSERT_TRUE(model->decode(batch, pair, 2).isOk()); // warm: first touches
  counting = true;
  for (int step = 1; step < 20; ++step) {
    pair[0] = tokens[size_t(20 + step)];
    pair[1] = tokens[size_t(30 + step)];
    auto logits = model->decode(batch, pair, 2);
    if (!logits.isOk()) {
      counting = false;
      FAIL() << logits.status().message();
    }
  }
  counting = false;
  EXPECT_EQ(allocations.load(), 0u) << "allocations during 19 batched decode steps";
}

TEST(CompiledModel, APrefillChunkWithTheGeneratedGemmsAllocatesNothing) {
  const Compiled &c = compiledModel("tiny-v4", 256, "--cpu-gemm=generated");
  auto model = loadCompiled(c);
  ASSERT_TRUE(model);
  std::vector<int32_t> tokens = tokenIds(80, model->vocabSize(), 4);
  auto a = model->newSequence();
  ASSERT_TRUE(a.isOk());
  ASSERT_TRUE(model->prefill(*a, tokens.data(), 20).isOk()); // warm: first touches
  allocations.store(0);
  counting = true;
  auto chunk = model->prefill(*a, tokens.data() + 20, 8);
  counting = false;
  ASSERT_TRUE(chunk.isOk()) << chunk.status().message();
  EXPECT_EQ(allocations.load(), 0u) << "allocations during a prefill chunk";
}

long minorFaults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

TEST(CompiledModel, DecodeStepsFaultInNoPages) {
#if defined(__SANITIZE_ADDRESS__) || defined(__has_feature)
#if defined(__SANITIZE_ADDRESS__) || __has_feature(address_sanitizer)
  // ASan maps its shadow memory in on first use: its faults, not Sieve's.
  GTEST_SKIP() << "under AddressSanitizer the shadow memory faults in pages of its own";
#endif
#endif
  const Compiled &c = compiledModel("tiny-v4", 256);
  auto model = loadCompiled(c);
  ASSERT_TRUE(model);
  ASSERT_GT(model->report().weightBytesMappedIn, 0u) << "the checkpoint was not mapped in";
  const int64_t vocab = model->vocabSize();
  // The prompt and the warm step read the first embedding rows; the steps
  // measured read rows from the far end of the table, on pages (and
  // fault-around windows of 16 pages) nothing has touched yet.
  std::vector<int32_t> tokens;
  for (int32_t t = 2; t < 11; ++t)
    tokens.push_back(t);
  for (int64_t t = vocab - 1; t > vocab / 2 && tokens.size() < 40; t -= 7)
    tokens.push_back(int32_t(t));
  auto a = model->newSequence();
  ASSERT_TRUE(a.isOk());
  ASSERT_TRUE(model->prefill(*a, tokens.data(), 8).isOk());
  exec::CompiledSequence *batch[1] = {&*a};
  ASSERT_TRUE(model->decode(batch, &tokens[8], 1).isOk()); // warm: first touches
  const long before = minorFaults();
  for (size_t step = 9; step < tokens.size(); ++step) {
    auto logits = model->decode(batch, &tokens[step], 1);
    ASSERT_TRUE(logits.isOk()) << logits.status().message();
  }
  EXPECT_EQ(minorFaults() - before, 0)
      << "page faults during " << tokens.size() - 9 << " decode steps";
}

} // namespace
} // namespace sieve
