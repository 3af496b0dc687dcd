// The HIP device's host side against a stand-in runtime (fake_hip_runtime.cpp,
// loaded through SIEVE_HIP_RUNTIME): opening reads the architecture out of
// the properties, an HSACO for another chip is refused by name, memory
// round-trips, a code object loads and a dispatch passes each binding's
// address and then the constants, with the module's block size. No AMD GPU
// is needed (or used): the stand-in records the launch instead of running it.

#include "sieve/hal/hip/hip_device.h"
#include "test_paths.h"

#include <gtest/gtest.h>

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <vector>

namespace sieve::hal::hip {
namespace {

/// An executable table as a module holds it: an HSACO for `chip` with two
/// kernels of the given block sizes.
std::vector<uint8_t> executableFor(const std::string &chip, const std::string &first = "first") {
  flatbuffers::FlatBufferBuilder b;
  std::vector<flatbuffers::Offset<flatbuffers::String>> exports = {b.CreateString(first),
                                                                  b.CreateString("second")};
  std::vector<flatbuffers::Offset<fb::KernelLaunch>> launches = {
      fb::CreateKernelLaunch(b, b.CreateVector(std::vector<uint32_t>{256, 1, 1}), 0),
      fb::CreateKernelLaunch(b, b.CreateVector(std::vector<uint32_t>{64, 2, 1}), 1024)};
  fb::Segment segment(0, 0, 0);
  auto executable = fb::CreateExecutable(
      b, b.CreateString("amd:" + chip), fb::ExecutableFormat::Hsaco, b.CreateString(chip), 0, 0,
      b.CreateVector(exports), &segment, b.CreateVector(launches));
  b.Finish(executable);
  return std::vector<uint8_t>(b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize());
}

class HipHost : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    ::setenv("SIEVE_HIP_RUNTIME", sieve::test_paths::fakeHipRuntime(), 1);
  }
  // The same library the device loaded (dlopen hands back the loaded one).
  void *fake() {
    void *library = ::dlopen(sieve::test_paths::fakeHipRuntime(), RTLD_NOW | RTLD_NOLOAD);
    EXPECT_NE(library, nullptr);
    return library;
  }
  template <typename F> F symbol(const char *name) {
    return reinterpret_cast<F>(::dlsym(fake(), name));
  }
};

TEST_F(HipHost, OpensAndReadsTheArchitectureFromTheProperties) {
  auto device = HipDevice::open(0);
  ASSERT_TRUE(device.isOk()) << device.status().message();
  EXPECT_EQ((*device)->chip(), "gfx942");
  EXPECT_EQ((*device)->description(),
            "hip:0: Sieve test GPU (gfx942:sramecc+:xnack-, 64 GiB), HIP 60342");
  auto past = HipDevice::open(1);
  ASSERT_FALSE(past.isOk());
  EXPECT_EQ(past.status().message(), "hip:1: this machine has 1 HIP GPU");
}

TEST_F(HipHost, RefusesAnotherChipsCodeByName) {
  auto device = HipDevice::open(0);
  ASSERT_TRUE(device.isOk()) << device.status().message();
  std::vector<uint8_t> bytes = executableFor("gfx90a");
  const auto *executable = flatbuffers::GetRoot<fb::Executable>(bytes.data());
  EXPECT_EQ((*device)->rejectReason(*executable),
            "an HSACO for gfx90a runs only on that chip; this GPU is gfx942");
  auto loaded = (*device)->load(*executable, nullptr, "\177ELF", "amd:gfx90a");
  ASSERT_FALSE(loaded.isOk());
  EXPECT_EQ(loaded.status().message(),
            "amd:gfx90a: an HSACO for gfx90a runs only on that chip; this GPU is gfx942");
}

// An empty export is a library kernel (the CPU's oneDNN GEMMs): no GPU
// device has one, and loading says so instead of looking up a symbol "".
TEST_F(HipHost, ALibraryKernelIsRefusedNamingIt) {
  auto device = HipDevice::open(0);
  ASSERT_TRUE(device.isOk()) << device.status().message();
  std::vector<uint8_t> bytes = executableFor("gfx942", "");
  const auto *executable = flatbuffers::GetRoot<fb::Executable>(bytes.data());
  auto loaded = (*device)->load(*executable, nullptr, "\177ELF", "amd:gfx942");
  ASSERT_FALSE(loaded.isOk());
  EXPECT_EQ(loaded.status().message(),
            "amd:gfx942: kernel 0 is a library kernel, which GPU devices do not provide; compile "
            "GPU targets without --cpu-gemm");
}

TEST_F(HipHost, MemoryRoundTripsAndStartsZeroed) {
  auto device = HipDevice::open(0);
  ASSERT_TRUE(device.isOk()) << device.status().message();
  const int before = symbol<int (*)()>("sieveTestHipLiveAllocations")();
  {
    auto memory = (*device)->allocate(64, "a test buffer");
    ASSERT_TRUE(memory.isOk()) << memory.status().message();
    std::vector<uint8_t> back(64, 0xFF);
    ASSERT_TRUE((*device)->read(back.data(), memory->data(), 64).isOk());
    EXPECT_EQ(back, std::vector<uint8_t>(64, 0));
    std::vector<uint8_t> data(64);
    for (size_t i = 0; i < data.size(); ++i)
      data[i] = uint8_t(i * 7);
    ASSERT_TRUE((*device)->write(memory->data(), data.data(), 64).isOk());
    ASSERT_TRUE((*device)->read(back.data(), memory->data(), 64).isOk());
    EXPECT_EQ(back, data);
    EXPECT_EQ(symbol<int (*)()>("sieveTestHipLiveAllocations")(), before + 1);
  }
  EXPECT_EQ(symbol<int (*)()>("sieveTestHipLiveAllocations")(), before) << "memory not freed";
}

TEST_F(HipHost, CopiesWithinTheGpuAndWaits) {
  auto device = HipDevice::open(0);
  ASSERT_TRUE(device.isOk()) << device.status().message();
  auto from = (*device)->allocate(32, "a source");
  auto to = (*device)->allocate(32, "a destination");
  ASSERT_TRUE(from.isOk() && to.isOk());
  std::vector<uint8_t> data(32);
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = uint8_t(200 - i);
  ASSERT_TRUE((*device)->write(from->data(), data.data(), 32).isOk());
  ASSERT_TRUE((*device)->copy(to->data(), from->data(), 32).isOk());
  ASSERT_TRUE((*device)->finish().isOk());
  std::vector<uint8_t> back(32);
  ASSERT_TRUE((*device)->read(back.data(), to->data(), 32).isOk());
  EXPECT_EQ(back, data);
}

TEST_F(HipHost, LaunchesWithTheBindingsThenTheConstantsAndTheModulesBlockSize) {
  auto device = HipDevice::open(0);
  ASSERT_TRUE(device.isOk()) << device.status().message();
  std::vector<uint8_t> bytes = executableFor("gfx942");
  const auto *executable = flatbuffers::GetRoot<fb::Executable>(bytes.data());
  EXPECT_EQ((*device)->rejectReason(*executable), "");
  auto refused = (*device)->load(*executable, nullptr, "not an ELF", "amd:gfx942");
  ASSERT_FALSE(refused.isOk());
  EXPECT_EQ(refused.status().message(),
            "hip:0: loading amd:gfx942 failed: hipErrorInvalidImage");
  auto loaded = (*device)->load(*executable, nullptr, "\177ELF", "amd:gfx942");
  ASSERT_TRUE(loaded.isOk()) << loaded.status().message();

  auto a = (*device)->allocate(16, "a"), b = (*device)->allocate(16, "b");
  ASSERT_TRUE(a.isOk() && b.isOk());
  void *bindings[2] = {a->data(), b->data()};
  const uint32_t constants[3] = {7, 0xFFFFFFFFu, 42};
  sieve_dispatch_state_t dispatch{};
  dispatch.workgroup_count[0] = 5;
  dispatch.workgroup_count[1] = 1;
  dispatch.workgroup_count[2] = 1;
  dispatch.binding_count = 2;
  dispatch.binding_ptrs = bindings;
  dispatch.constant_count = 3;
  dispatch.constants = constants;
  symbol<void (*)(int, int)>("sieveTestHipExpectArguments")(2, 3);
  ASSERT_TRUE((*device)->dispatch(**loaded, 1, dispatch, "second").isOk());
  unsigned grid[3], block[3];
  uint64_t arguments[5];
  std::string kernel = symbol<const char *(*)(unsigned *, unsigned *, uint64_t *)>(
      "sieveTestHipLastLaunch")(grid, block, arguments);
  EXPECT_EQ(kernel, "second");
  EXPECT_EQ(std::vector<unsigned>(grid, grid + 3), (std::vector<unsigned>{5, 1, 1}));
  EXPECT_EQ(std::vector<unsigned>(block, block + 3), (std::vector<unsigned>{64, 2, 1}));
  EXPECT_EQ(arguments[0], uint64_t(reinterpret_cast<uintptr_t>(a->data())));
  EXPECT_EQ(arguments[1], uint64_t(reinterpret_cast<uintptr_t>(b->data())));
  EXPECT_EQ(arguments[2], 7u);
  EXPECT_EQ(arguments[3], 0xFFFFFFFFu);
  EXPECT_EQ(arguments[4], 42u);

  // A binding off the 16-byte grid the kernels' vector loads assume is
  // refused before the launch, naming it.
  bindings[1] = static_cast<uint8_t *>(b->data()) + 4;
  Status misaligned = (*device)->dispatch(**loaded, 1, dispatch, "second");
  ASSERT_FALSE(misaligned.isOk());
  EXPECT_EQ(misaligned.message(), "launching second: binding 1 starts at an address that is not "
                                  "a multiple of 16 (GPU kernels load bindings as aligned "
                                  "vectors)");
}

} // namespace
} // namespace sieve::hal::hip
