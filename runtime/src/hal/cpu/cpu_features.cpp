//===- cpu_features.cpp - Instruction-set features of this CPU ------------===//

#include "sieve/hal/cpu/cpu_features.h"

#include <algorithm>
#include <cstdint>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace sieve::hal::cpu {
namespace {

enum Register : uint8_t { kEax, kEbx, kEcx, kEdx };
/// Register state the operating system must save for a feature to be usable.
enum OsState : uint8_t { kNone, kAvxState, kAvx512State };

struct FeatureBit {
  const char *name; // LLVM's name
  uint32_t leaf, subleaf;
  Register reg;
  uint8_t bit;
  OsState state;
};

// CPUID bits from the Intel SDM vol. 2A, CPUID (and AMD's APM vol. 3).
constexpr FeatureBit kFeatures[] = {
    {"sse", 1, 0, kEdx, 25, kNone},
    {"sse2", 1, 0, kEdx, 26, kNone},
    {"sse3", 1, 0, kEcx, 0, kNone},
    {"ssse3", 1, 0, kEcx, 9, kNone},
    {"fma", 1, 0, kEcx, 12, kAvxState},
    {"cx16", 1, 0, kEcx, 13, kNone},
    {"sse4.1", 1, 0, kEcx, 19, kNone},
    {"sse4.2", 1, 0, kEcx, 20, kNone},
    {"movbe", 1, 0, kEcx, 22, kNone},
    {"popcnt", 1, 0, kEcx, 23, kNone},
    {"avx", 1, 0, kEcx, 28, kAvxState},
    {"f16c", 1, 0, kEcx, 29, kAvxState},
    {"bmi", 7, 0, kEbx, 3, kNone},
    {"avx2", 7, 0, kEbx, 5, kAvxState},
    {"bmi2", 7, 0, kEbx, 8, kNone},
    {"avx512f", 7, 0, kEbx, 16, kAvx512State},
    {"avx512dq", 7, 0, kEbx, 17, kAvx512State},
    {"avx512ifma", 7, 0, kEbx, 21, kAvx512State},
    {"avx512cd", 7, 0, kEbx, 28, kAvx512State},
    {"avx512bw", 7, 0, kEbx, 30, kAvx512State},
    {"avx512vl", 7, 0, kEbx, 31, kAvx512State},
    {"avx512vbmi", 7, 0, kEcx, 1, kAvx512State},
    {"avx512vbmi2", 7, 0, kEcx, 6, kAvx512State},
    {"gfni", 7, 0, kEcx, 8, kNone},
    {"vaes", 7, 0, kEcx, 9, kAvxState},
    {"vpclmulqdq", 7, 0, kEcx, 10, kAvxState},
    {"avx512vnni", 7, 0, kEcx, 11, kAvx512State},
    {"avx512bitalg", 7, 0, kEcx, 12, kAvx512State},
    {"avx512vpopcntdq", 7, 0, kEcx, 14, kAvx512State},
    {"avx512fp16", 7, 0, kEdx, 23, kAvx512State},
    {"avxvnni", 7, 1, kEax, 4, kAvxState},
    {"avx512bf16", 7, 1, kEax, 5, kAvx512State},
    {"lzcnt", 0x80000001, 0, kEcx, 5, kNone},
};

#if defined(__x86_64__)
bool cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4]) {
  if (__get_cpuid_max(leaf & 0x80000000u, nullptr) < leaf)
    return false;
  __cpuid_count(leaf, subleaf, out[0], out[1], out[2], out[3]);
  return true;
}

/// XCR0: which register state the OS saves on a context switch.
uint64_t osSavedState() {
  uint32_t regs[4];
  if (!cpuid(1, 0, regs) || !(regs[kEcx] & (1u << 27))) // OSXSAVE
    return 0;
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (uint64_t(hi) << 32) | lo;
}

bool osSaves(OsState state) {
  static const uint64_t xcr0 = osSavedState();
  constexpr uint64_t kAvx = 0x6;          // XMM and YMM
  constexpr uint64_t kAvx512 = 0xe6;      // plus opmask, ZMM0-15 high, ZMM16-31
  switch (state) {
  case kNone:
    return true;
  case kAvxState:
    return (xcr0 & kAvx) == kAvx;
  case kAvx512State:
    return (xcr0 & kAvx512) == kAvx512;
  }
  return false;
}

bool detect(const FeatureBit &f) {
  uint32_t regs[4];
  return cpuid(f.leaf, f.subleaf, regs) && (regs[f.reg] >> f.bit & 1u) && osSaves(f.state);
}
#else
bool detect(const FeatureBit &) { return false; }
#endif

} // namespace

const char *hostArchitecture() {
#if defined(__x86_64__)
  return "x86_64";
#elif defined(__aarch64__)
  return "aarch64";
#else
  return "unknown";
#endif
}

const std::vector<std::string> &knownCpuFeatures() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const FeatureBit &f : kFeatures)
      out.emplace_back(f.name);
    return out;
  }();
  return names;
}

bool hostHasCpuFeature(std::string_view feature) {
  static const std::vector<bool> present = [] {
    std::vector<bool> out;
    for (const FeatureBit &f : kFeatures)
      out.push_back(detect(f));
    return out;
  }();
  for (size_t i = 0; i < std::size(kFeatures); ++i)
    if (feature == kFeatures[i].name)
      return present[i];
  return false;
}

std::vector<std::string> missingCpuFeatures(const std::vector<std::string> &required) {
  std::vector<std::string> missing;
  for (const std::string &name : required)
    if (!hostHasCpuFeature(name))
      missing.push_back(name);
  return missing;
}

} // namespace sieve::hal::cpu
