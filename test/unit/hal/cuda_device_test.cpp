// The CUDA device's choices that need no GPU: which chip's code runs on
// which GPU, and a clear status (never a crash) where there is no driver.

#include "sieve/hal/cuda/cuda_device.h"

#include <gtest/gtest.h>

namespace sieve::hal::cuda {
namespace {

TEST(CudaChips, PtxRunsOnItsChipAndLaterOnes) {
  EXPECT_EQ(chipRejectReason("sm_80", false, 8, 0), "");
  EXPECT_EQ(chipRejectReason("sm_80", false, 9, 0), "");
  EXPECT_EQ(chipRejectReason("sm_90", false, 10, 0), "");
  EXPECT_EQ(chipRejectReason("sm_90", false, 8, 9),
            "PTX for sm_90 needs a GPU at least that new; this GPU is sm_89");
}

TEST(CudaChips, ArchitectureSpecificCodeRunsOnlyOnItsChip) {
  EXPECT_EQ(chipRejectReason("sm_90a", false, 9, 0), "");
  EXPECT_EQ(chipRejectReason("sm_90a", false, 10, 0),
            "PTX for sm_90a runs only on that chip; this GPU is sm_100");
  EXPECT_EQ(chipRejectReason("sm_100a", true, 10, 0), "");
  EXPECT_EQ(chipRejectReason("sm_80", true, 9, 0),
            "a cubin for sm_80 runs only on that chip; this GPU is sm_90");
}

TEST(CudaChips, MalformedChipsAreNamed) {
  EXPECT_EQ(chipRejectReason("gfx942", false, 9, 0), "an unknown NVIDIA chip 'gfx942'");
  EXPECT_EQ(chipRejectReason("sm_9", false, 9, 0), "an unknown NVIDIA chip 'sm_9'");
  EXPECT_EQ(chipRejectReason("sm_90b", false, 9, 0), "an unknown NVIDIA chip 'sm_90b'");
}

TEST(CudaDevice, OpeningSaysWhatIsMissingOrDescribesTheGpu) {
  auto device = CudaDevice::open(0);
  if (device.isOk()) {
    EXPECT_EQ((*device)->description().rfind("cuda:0: ", 0), 0u) << (*device)->description();
    EXPECT_EQ((*device)->chip().rfind("sm_", 0), 0u);
    EXPECT_FALSE((*device)->hostVisible());
  } else {
    const std::string &message = device.status().message();
    EXPECT_TRUE(message.find("CUDA") != std::string::npos) << message;
  }
  auto past = CudaDevice::open(4096);
  EXPECT_FALSE(past.isOk());
}

} // namespace
} // namespace sieve::hal::cuda
