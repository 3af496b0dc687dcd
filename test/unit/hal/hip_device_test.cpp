// The HIP device's choices that need no GPU: the architecture read out of
// a properties structure of unknown layout, which chip's code runs on which
// GPU, and a clear status (never a crash) where there is no runtime.

#include "sieve/hal/hip/hip_device.h"

#include <gtest/gtest.h>

#include <string>

namespace sieve::hal::hip {
namespace {

/// A properties block: the marketing name at the start, the architecture
/// at `offset`, zeros elsewhere (as the runtime fills its structure).
std::string properties(size_t offset, const std::string &architecture) {
  std::string bytes(2048, '\0');
  const std::string name = "AMD Instinct MI300X";
  bytes.replace(0, name.size(), name);
  bytes.replace(offset, architecture.size(), architecture);
  return bytes;
}

TEST(HipArchitecture, FoundWhereverTheLayoutPutsIt) {
  EXPECT_EQ(findArchitecture(properties(396, "gfx942:sramecc+:xnack-")), "gfx942:sramecc+:xnack-");
  EXPECT_EQ(findArchitecture(properties(1160, "gfx90a:sramecc+:xnack-")), "gfx90a:sramecc+:xnack-");
  EXPECT_EQ(findArchitecture(properties(256, "gfx950")), "gfx950");
}

TEST(HipArchitecture, OnlyAStringOfItsOwnCounts) {
  // "gfx" inside a phrase, or without a chip number, is not it.
  std::string bytes = properties(600, "gfx942");
  const std::string inside = "Radeon (gfx1100 class)";
  bytes.replace(300, inside.size(), inside);
  EXPECT_EQ(findArchitecture(bytes), "gfx942");
  EXPECT_EQ(findArchitecture(properties(600, "gfxtest")), "");
  EXPECT_EQ(findArchitecture(std::string(64, '\0')), "");
  // Unterminated at the end of the bytes: nothing, never a read past them.
  std::string unterminated(300, '\0');
  unterminated.replace(296, 4, "gfx9");
  EXPECT_EQ(findArchitecture(unterminated), "");
  // Inside the leading name it is the name, not the architecture.
  EXPECT_EQ(findArchitecture(properties(40, "gfx942")), "");
}

TEST(HipChips, AnHsacoRunsOnlyOnItsOwnProcessor) {
  EXPECT_EQ(chipRejectReason("gfx942", "gfx942:sramecc+:xnack-"), "");
  EXPECT_EQ(chipRejectReason("gfx90a", "gfx90a"), "");
  EXPECT_EQ(chipRejectReason("gfx942", "gfx950:sramecc+:xnack-"),
            "an HSACO for gfx942 runs only on that chip; this GPU is gfx950");
  EXPECT_EQ(chipRejectReason("sm_90", "gfx942"), "an unknown AMD chip 'sm_90'");
}

TEST(HipDevice, OpeningSaysWhatIsMissingOrDescribesTheGpu) {
  auto device = HipDevice::open(0);
  if (device.isOk()) {
    EXPECT_EQ((*device)->description().rfind("hip:0: ", 0), 0u) << (*device)->description();
    EXPECT_EQ((*device)->chip().rfind("gfx", 0), 0u);
    EXPECT_FALSE((*device)->hostVisible());
  } else {
    const std::string &message = device.status().message();
    EXPECT_TRUE(message.find("HIP") != std::string::npos) << message;
  }
  EXPECT_FALSE(HipDevice::open(4096).isOk());
}

} // namespace
} // namespace sieve::hal::hip
