//===- traffic_test.cpp - The bytes a compiled decode step reads ----------===//
//
// decodeTraffic against what the official checkpoint layout says one decode
// step of one token reads, computed here from the tensor names: every main
// model tensor (no MTP) in full, except one row of the embedding, one row
// of each hash-routing table and n_activated of the n_routed experts; and,
// between two depths, the cache rows the attention reads gaining exactly the
// indexer keys and compressed entries that became visible.
//
//===----------------------------------------------------------------------===//

#include "compiled_fixture.h"

#include "sieve/exec/traffic.h"
#include "sieve/io/safetensors.h"

#include <optional>
#include <regex>

namespace sieve {
namespace {

TEST(DecodeTraffic, WeightsAreTheMainModelTensorsAsOneTokenReadsThem) {
  const Compiled &c = compiledModel("tiny-v4", 256);
  auto file = module::ModuleFile::open(c.module);
  ASSERT_TRUE(file) << file.status().message();
  auto checkpoint = io::SafetensorsReader::open(c.checkpoint);
  ASSERT_TRUE(checkpoint) << checkpoint.status().message();

  const io::ModelConfig &config = c.config;
  const std::regex routedExpert(R"(layers\.\d+\.ffn\.experts\.\d+\..*)");
  uint64_t want = 0;
  for (const std::string &name : checkpoint->names()) {
    const uint64_t bytes = checkpoint->find(name)->byteSize;
    if (name.rfind("mtp.", 0) == 0)
      continue; // the MTP block runs in its own entry point
    if (name == "embed.weight" || name.find("ffn.gate.tid2eid") != std::string::npos)
      want += bytes / uint64_t(config.vocabSize); // one row per token
    else if (std::regex_match(name, routedExpert))
      want += bytes * uint64_t(config.nActivatedExperts) / uint64_t(config.nRoutedExperts);
    else
      want += bytes;
  }
  auto traffic = exec::decodeTraffic(**file, config, /*depth=*/40);
  ASSERT_TRUE(traffic) << traffic.status().message();
  EXPECT_EQ(traffic->weightBytes, want);
}

TEST(DecodeTraffic, CacheReadsGrowWithTheVisibleEntries) {
  const Compiled &c = compiledModel("tiny-v4", 256);
  auto file = module::ModuleFile::open(c.module);
  ASSERT_TRUE(file) << file.status().message();
  const io::ModelConfig &config = c.config;
  // Both depths fill the window and give the indexed layer at least
  // index_topk entries, so only indexer keys and unindexed (HCA) entries
  // are added between them.
  const int64_t near = 4 * config.windowSize - 1, far = 8 * config.windowSize - 1;
  ASSERT_GE((near + 1) / 4, config.indexTopk);
  uint64_t want = 0;
  for (size_t layer = 0; layer < size_t(config.nLayers); ++layer) {
    const int64_t ratio = config.compressRatios[layer];
    if (ratio == 0)
      continue;
    const int64_t gained = (far + 1) / ratio - (near + 1) / ratio;
    if (ratio == 4) // indexed: keys of every visible entry, at most top-k entries
      want += uint64_t(gained * config.indexHeadDim * 2);
    else
      want += uint64_t(gained * config.headDim * 2);
  }
  auto nearTraffic = exec::decodeTraffic(**file, config, near);
  auto farTraffic = exec::decodeTraffic(**file, config, far);
  ASSERT_TRUE(nearTraffic && farTraffic);
  EXPECT_EQ(farTraffic->weightBytes, nearTraffic->weightBytes);
  EXPECT_EQ(farTraffic->cacheBytes - nearTraffic->cacheBytes, want);
  // A batch of two reads two sequences' rows.
  auto pair = exec::decodeTraffic(**file, config, far, /*batch=*/2);
  ASSERT_TRUE(pair);
  EXPECT_EQ(pair->cacheBytes, 2 * farTraffic->cacheBytes);
}

// Per kernel: the weights each kernel's dispatches bind, by the same rules.
// In tiny-v4 every weight is read one way, so the kernels' sum is at least
// the step's weights (more where two dispatches bind one weight); the LM
// head's kernel reads every byte it binds, and the routed experts are read
// n_activated of n_routed at a time here too.
TEST(DecodeTraffic, KernelWeightBytesCoverTheStep) {
  const Compiled &c = compiledModel("tiny-v4", 256);
  auto file = module::ModuleFile::open(c.module);
  ASSERT_TRUE(file) << file.status().message();
  auto traffic = exec::decodeTraffic(**file, c.config, /*depth=*/40);
  ASSERT_TRUE(traffic) << traffic.status().message();
  std::vector<uint32_t> dispatches;
  auto perKernel = exec::decodeKernelWeightBytes(**file, c.config, 1, &dispatches);
  ASSERT_TRUE(perKernel) << perKernel.status().message();
  const fb::Module &m = (*file)->module();
  ASSERT_EQ(perKernel->size(), m.kernels()->size());
  ASSERT_EQ(dispatches.size(), m.kernels()->size());

  uint64_t sum = 0, steps = 0;
  for (size_t k = 0; k < perKernel->size(); ++k) {
    sum += (*perKernel)[k];
    steps += dispatches[k];
    if (dispatches[k] == 0) {
      EXPECT_EQ((*perKernel)[k], 0u) << m.kernels()->Get(k)->name()->str();
    }
  }
  EXPECT_GE(sum, traffic->weightBytes);

  // The kernel that binds the LM head reads all of every weight it binds,
  // once per dispatch (it gathers and routes nothing).
  const fb::EntryPoint *decode = (*file)->entryPoint("decode");
  std::optional<uint32_t> head;
  for (uint32_t w = 0; w < m.weights()->size(); ++w)
    if (m.weights()->Get(w)->name()->str() == "head.weight")
      head = w;
  ASSERT_TRUE(head);
  std::optional<uint32_t> headKernel;
  for (uint32_t s = 0; s < decode->steps()->size(); ++s) {
    const auto *dispatch = decode->steps()->GetAs<fb::DispatchStep>(s);
    if (decode->steps_type()->Get(s) != fb::Step::DispatchStep)
      continue;
    for (uint32_t b : *dispatch->bindings()) {
      const fb::Buffer *buffer = decode->buffers()->Get(b);
      if (buffer->storage() == fb::StorageKind::Weight && buffer->index() == *head)
        headKernel = dispatch->kernel();
    }
  }
  ASSERT_TRUE(headKernel);
  uint64_t headKernelBytes = 0;
  for (uint32_t s = 0; s < decode->steps()->size(); ++s) {
    const auto *dispatch = decode->steps()->GetAs<fb::DispatchStep>(s);
    if (decode->steps_type()->Get(s) != fb::Step::DispatchStep || dispatch->kernel() != *headKernel)
      continue;
    for (uint32_t b : *dispatch->bindings()) {
      const fb::Buffer *buffer = decode->buffers()->Get(b);
      if (buffer->storage() == fb::StorageKind::Weight)
        headKernelBytes += m.weights()->Get(buffer->index())->bytes();
    }
  }
  EXPECT_GE(headKernelBytes, m.weights()->Get(*head)->bytes());
  EXPECT_EQ((*perKernel)[*headKernel], headKernelBytes);
  uint64_t programDispatches = 0;
  for (uint32_t s = 0; s < decode->steps()->size(); ++s)
    programDispatches += decode->steps_type()->Get(s) == fb::Step::DispatchStep;
  EXPECT_EQ(steps, programDispatches);

  // A kernel that routes an expert stack reads the experts a token reaches.
  auto twoTokens = exec::decodeKernelWeightBytes(**file, c.config, 2);
  ASSERT_TRUE(twoTokens);
  bool sawRouted = false;
  for (size_t k = 0; k < perKernel->size(); ++k) {
    const fb::Kernel *kernel = m.kernels()->Get(k);
    if (!kernel->routed_bindings() || kernel->routed_bindings()->size() == 0 || !dispatches[k])
      continue;
    sawRouted = true;
    // Two tokens reach twice the experts of the routed bindings, at most all
    // of them; the kernel's other weights are read once either way.
    EXPECT_GT((*twoTokens)[k], (*perKernel)[k]) << kernel->name()->str();
    EXPECT_LE((*twoTokens)[k], 2 * (*perKernel)[k]) << kernel->name()->str();
  }
  EXPECT_TRUE(sawRouted);
}

TEST(DecodeTraffic, BadArgumentsAreErrors) {
  const Compiled &c = compiledModel("tiny-v4", 256);
  auto file = module::ModuleFile::open(c.module);
  ASSERT_TRUE(file) << file.status().message();
  EXPECT_FALSE(exec::decodeTraffic(**file, c.config, -1));
  EXPECT_FALSE(exec::decodeTraffic(**file, c.config, 0, 0));
  EXPECT_FALSE(exec::decodeKernelWeightBytes(**file, c.config, 0));
}

} // namespace
} // namespace sieve
