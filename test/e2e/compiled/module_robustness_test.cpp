//===- module_robustness_test.cpp - Damaged modules, wrong weights --------===//
//
// A real module (tiny-v4) damaged in the ways files get damaged, and loaded
// against checkpoints that do not fit it: each is a clear error naming the
// problem, never a crash (these also run under ASan and UBSan).
//
//===----------------------------------------------------------------------===//

#include "compiled_fixture.h"

#include "sieve/hal/cpu/cpu_features.h"
#include "sieve/io/safetensors.h"
#include "sieve/module/module_file.h"

#include <fstream>
#include <sstream>

namespace sieve {
namespace {

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void writeFile(const std::string &path, const std::string &bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

uint64_t headerBytes(const std::string &bytes) {
  uint32_t prefix = 0;
  std::memcpy(&prefix, bytes.data(), 4);
  return uint64_t(prefix) + 4;
}

/// The error of opening `bytes` as a module file (empty if it opens).
std::string openError(const std::string &bytes, const std::string &name) {
  std::string path = test::sharedTempDir("robustness") + "/" + name + ".sieve";
  writeFile(path, bytes);
  auto file = module::ModuleFile::open(path);
  return file.isOk() ? "" : file.status().message();
}

class DamagedModule : public ::testing::Test {
protected:
  void SetUp() override {
    const Compiled &c = compiledModel("tiny-v4", 128);
    module = readFile(c.module);
    ASSERT_GT(module.size(), 4096u);
    ASSERT_TRUE(openError(module, "intact").empty()) << openError(module, "intact");
  }
  std::string module;
};

TEST_F(DamagedModule, TruncatedFilesAreRefused) {
  const uint64_t header = headerBytes(module);
  for (uint64_t size : {uint64_t(0), uint64_t(3), uint64_t(11), uint64_t(100), header / 2,
                        header - 1, header + 10, uint64_t(module.size() - 1)}) {
    std::string error = openError(module.substr(0, size), "truncated");
    EXPECT_FALSE(error.empty()) << "cut at " << size;
    const bool named = error.find("truncated") != std::string::npos ||
                       error.find("too short") != std::string::npos ||
                       error.find("outside the file") != std::string::npos;
    EXPECT_TRUE(named) << "cut at " << size << ": " << error;
  }
}

TEST_F(DamagedModule, AFlippedHeaderByteIsRefused) {
  // Every 97th byte of the header, each flipped alone: the FlatBuffers
  // verifier or the header checksum refuses every one.
  const uint64_t header = headerBytes(module);
  size_t flips = 0;
  for (uint64_t at = 12; at < header; at += 97, ++flips) {
    std::string damaged = module;
    damaged[at] = char(damaged[at] ^ 0x20);
    std::string error = openError(damaged, "flipped");
    ASSERT_FALSE(error.empty()) << "flip at " << at << " was accepted";
    EXPECT_TRUE(error.find("damaged") != std::string::npos ||
                error.find("format version") != std::string::npos ||
                error.find("truncated") != std::string::npos)
        << "flip at " << at << ": " << error;
  }
  EXPECT_GT(flips, 100u);
}

TEST_F(DamagedModule, AFlippedExecutableByteIsRefusedBeforeLoading) {
  std::string damaged = module;
  damaged[module.size() - 100] = char(damaged[module.size() - 100] ^ 1);
  EXPECT_NE(openError(damaged, "segment").find("segment checksum mismatch; the file is damaged"),
            std::string::npos);
}

TEST_F(DamagedModule, AWrongIdentifierIsRefused) {
  std::string damaged = module;
  std::memcpy(&damaged[8], "GGUF", 4);
  EXPECT_NE(openError(damaged, "identifier")
                .find("not a .sieve module (the file identifier is "
                      "not 'SIEV')"),
            std::string::npos);
  EXPECT_NE(openError("{\"dim\": 4096}", "json").find("not a .sieve module"), std::string::npos);
}

TEST_F(DamagedModule, ANewerMajorVersionIsRefused) {
  const fb::Module *root = fb::GetSizePrefixedModule(module.data());
  size_t at = size_t(reinterpret_cast<const char *>(root->version()) - module.data());
  std::string damaged = module;
  uint16_t major = 2;
  std::memcpy(&damaged[at], &major, 2);
  EXPECT_NE(openError(damaged, "version")
                .find("format version 2." + std::to_string(module::kFormatMinor) +
                      " cannot be read by this runtime, which reads 1.x"),
            std::string::npos)
      << openError(damaged, "version");
}

TEST(ModuleExecutables, AnExecutableForAnotherCpuIsRefusedWithTheReason) {
  // A feature this machine lacks; AVX512-FP16 is absent on AMD through Zen 5.
  std::string missing;
  for (const char *feature : {"avx512fp16", "avxvnni", "avx512vbmi2", "avx512bf16"})
    if (!hal::cpu::hostHasCpuFeature(feature)) {
      missing = feature;
      break;
    }
  if (missing.empty())
    GTEST_SKIP() << "this CPU has every feature the test could ask for";
  const Compiled &c = compiledModel("tiny-v4", 128, "--target=cpu:x86-64-v4+" + missing);
  exec::CompiledLoadOptions options;
  options.weights = c.checkpoint;
  auto model = exec::CompiledModel::load(c.module, options);
  ASSERT_FALSE(model.isOk());
  EXPECT_NE(model.status().message().find("no executable this machine can run:\n  cpu:x86-64-v4+" +
                                          missing + ": needs CPU feature " + missing +
                                          " this machine lacks"),
            std::string::npos)
      << model.status().message();
}

TEST(ModuleExecutables, GpuCodeAloneIsRefusedOnTheCpuWithTheReason) {
  // PTX only (no toolkit): the fastest GPU module to build.
  const Compiled &c =
      compiledModel("tiny-v4", 128, "--target=nvidia:sm_90 --cuda-toolkit=/nonexistent");
  exec::CompiledLoadOptions options;
  options.weights = c.checkpoint;
  auto model = exec::CompiledModel::load(c.module, options);
  ASSERT_FALSE(model.isOk());
  EXPECT_NE(model.status().message().find("no executable this machine can run:\n  nvidia:sm_90: "
                                          "not CPU code"),
            std::string::npos)
      << model.status().message();
}

TEST(ModuleExecutables, TheCpuExecutableOfAMixedModuleRuns) {
  const Compiled &c = compiledModel(
      "tiny-v4", 128, "--target=nvidia:sm_80 --target=cpu --cuda-toolkit=/nonexistent");
  std::unique_ptr<exec::CompiledModel> model = loadCompiled(c);
  ASSERT_TRUE(model);
}

TEST(ModuleExecutables, AGpuKernelWithoutALaunchShapeIsRefused) {
  const Compiled &c = compiledModel("tiny-v4", 128, "--target=amd:gfx942");
  std::string bytes = readFile(c.module);
  const fb::Module *root = fb::GetSizePrefixedModule(bytes.data());
  ASSERT_EQ(root->executables()->size(), 1u);
  const fb::KernelLaunch *launch = root->executables()->Get(0)->launches()->Get(3);
  size_t at = size_t(reinterpret_cast<const char *>(launch->block_size()->data()) - bytes.data());
  std::memset(&bytes[at], 0, 4); // block x = 0
  module::VerifyOptions unchecked;
  unchecked.checksums = false; // reach the content check behind the checksum
  auto file = module::ModuleFile::fromBytes(bytes, "zero-block", unchecked);
  ASSERT_FALSE(file.isOk());
  EXPECT_NE(file.status().message().find("zero-block: executable 'amd:gfx942': a kernel's block of "
                                         "0 threads is not in [1, 1024]"),
            std::string::npos)
      << file.status().message();
}

// A module naming a library kernel this runtime does not have (a newer
// library, or a runtime built without oneDNN) is refused at load, naming the
// kernel and what the runtime does provide.
TEST(ModuleExecutables, ALibraryKernelThisRuntimeLacksIsRefusedNamingIt) {
  const Compiled &c = compiledModel("tiny-v4", 128, "--cpu-gemm=onednn");
  std::string bytes = readFile(c.module);
  const fb::Module *root = fb::GetSizePrefixedModule(bytes.data());
  const fb::Kernel *library = nullptr;
  for (const fb::Kernel *kernel : *root->kernels())
    if (kernel->library() && kernel->library()->str() == "onednn.matmul_fp8w_bf16")
      library = kernel;
  ASSERT_NE(library, nullptr) << "--cpu-gemm=onednn made no onednn.matmul_fp8w_bf16 kernel";
  // Rename it "onednn.matmul_fp8w_bf17" and sign the header again.
  size_t at = size_t(library->library()->c_str() - bytes.data());
  bytes[at + library->library()->size() - 1] = '7';
  size_t checksumAt =
      size_t(reinterpret_cast<const char *>(root->header_checksum()) - bytes.data());
  uint64_t checksum = module::headerChecksum(reinterpret_cast<const uint8_t *>(bytes.data()),
                                             headerBytes(bytes), checksumAt);
  std::memcpy(&bytes[checksumAt], &checksum, 8);
  std::string path = test::sharedTempDir("robustness") + "/bf17.sieve";
  writeFile(path, bytes);
  exec::CompiledLoadOptions options;
  options.weights = c.checkpoint;
  auto model = exec::CompiledModel::load(path, options);
  ASSERT_FALSE(model.isOk());
  EXPECT_NE(model.status().message().find("kernel '" + library->name()->str() +
                                          "' is the library kernel 'onednn.matmul_fp8w_bf17', "
                                          "which this runtime does not provide (it provides "),
            std::string::npos)
      << model.status().message();
}

// The content check: an executable exports "" exactly for library kernels.
TEST(ModuleExecutables, AnEmptyExportOfACompiledKernelIsRefused) {
  const Compiled &c = compiledModel("tiny-v4", 128);
  std::string bytes = readFile(c.module);
  const fb::Module *root = fb::GetSizePrefixedModule(bytes.data());
  uint32_t compiled = 0; // the first kernel with code in the executable
  while (compiled < root->kernels()->size() && root->kernels()->Get(compiled)->library())
    ++compiled;
  ASSERT_LT(compiled, root->kernels()->size());
  const flatbuffers::String *symbol = root->executables()->Get(0)->exports()->Get(compiled);
  size_t at = size_t(reinterpret_cast<const char *>(symbol) - bytes.data());
  std::memset(&bytes[at], 0, 5); // the string's length, and its first byte a terminator
  module::VerifyOptions unchecked;
  unchecked.checksums = false;
  auto file = module::ModuleFile::fromBytes(bytes, "empty-export", unchecked);
  ASSERT_FALSE(file.isOk());
  EXPECT_NE(file.status().message().find("exports no symbol for kernel '" +
                                         root->kernels()->Get(compiled)->name()->str() +
                                         "', which is not a library kernel"),
            std::string::npos)
      << file.status().message();
}

TEST(ModuleWeights, EveryMissingOrMisShapedWeightIsReportedAtOnce) {
  const Compiled &c = compiledModel("tiny-v4", 128);
  auto original = io::SafetensorsReader::open(c.checkpoint);
  ASSERT_TRUE(original.isOk()) << original.status().message();
  // Drop one tensor, give another the wrong shape, keep the rest.
  io::SafetensorsWriter writer;
  for (const std::string &name : original->names()) {
    if (name == "layers.1.attn.wkv.weight")
      continue;
    io::TensorView view = *original->find(name);
    std::vector<int64_t> shape = view.shape;
    if (name == "layers.0.attn_norm.weight") {
      ASSERT_EQ(shape.size(), 1u);
      shape = {shape[0] / 2, 2};
    }
    ASSERT_TRUE(writer.addTensorRef(name, view.dtype, shape, view.data, view.byteSize).isOk());
  }
  std::string bad = test::sharedTempDir("robustness") + "/bad-checkpoint";
  std::filesystem::create_directories(bad);
  ASSERT_TRUE(writer.write(bad + "/model.safetensors").isOk());
  exec::CompiledLoadOptions options;
  options.weights = bad;
  auto model = exec::CompiledModel::load(c.module, options);
  ASSERT_FALSE(model.isOk());
  const std::string &message = model.status().message();
  EXPECT_NE(message.find("2 problems binding the module's weights:"), std::string::npos) << message;
  EXPECT_NE(message.find("missing tensor 'layers.1.attn.wkv.weight'"), std::string::npos);
  EXPECT_NE(message.find("tensor 'layers.0.attn_norm.weight' is BF16 [128, 2] in the checkpoint; "
                         "the module binds BF16 [256]"),
            std::string::npos)
      << message;
}

TEST(ModuleWeights, AConfigGivenAsTheCheckpointIsAnError) {
  const Compiled &c = compiledModel("tiny-v4", 128);
  exec::CompiledLoadOptions options;
  options.weights = c.checkpoint + "/config.json";
  auto model = exec::CompiledModel::load(c.module, options);
  ASSERT_FALSE(model.isOk());
  EXPECT_NE(model.status().message().find("config.json: a JSON file, not a safetensors checkpoint"),
            std::string::npos)
      << model.status().message();
}

// Token ids index the embedding table inside a kernel: every entry point
// refuses one outside the vocabulary before running, whoever calls it.
TEST(ModuleInputs, TokenIdsOutsideTheVocabularyAreRefused) {
  const Compiled &c = compiledModel("tiny-v4", 128);
  std::unique_ptr<exec::CompiledModel> model = loadCompiled(c);
  ASSERT_NE(model, nullptr);
  const int32_t vocab = int32_t(model->vocabSize());
  auto seq = model->newSequence();
  ASSERT_TRUE(seq.isOk()) << seq.status().message();
  const int32_t past[] = {0, vocab};
  auto prefill = model->prefill(*seq, past, 2);
  ASSERT_FALSE(prefill.isOk());
  EXPECT_NE(prefill.status().message().find("prefill: token " + std::to_string(vocab) +
                                            " at index 1 is outside the model's vocabulary"),
            std::string::npos)
      << prefill.status().message();
  EXPECT_EQ(seq->position(), 0);
  const int32_t ok[] = {0, 5};
  ASSERT_TRUE(model->prefill(*seq, ok, 2).isOk());
  exec::CompiledSequence *one = &*seq;
  const int32_t negative = -1;
  auto decode = model->decode(&one, &negative, 1);
  ASSERT_FALSE(decode.isOk());
  EXPECT_NE(decode.status().message().find("decode: token -1"), std::string::npos)
      << decode.status().message();
  EXPECT_EQ(seq->position(), 2);
  if (model->hasMtp()) {
    auto mtp = model->mtp(*seq, past + 1, 1);
    EXPECT_FALSE(mtp.isOk());
  }
}

} // namespace
} // namespace sieve
