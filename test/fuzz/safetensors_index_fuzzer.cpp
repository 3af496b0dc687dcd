//===- safetensors_index_fuzzer.cpp - model.safetensors.index.json --------===//
//
// Any bytes: the index parser never crashes, and every shard it accepts is
// a plain file name next to the index (no path can escape the checkpoint).
//
//===----------------------------------------------------------------------===//

#include "fuzz_check.h"

#include "sieve/io/safetensors.h"

#include <cstdint>
#include <string_view>

using namespace sieve;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  auto entries = io::parseSafetensorsIndex(text, "fuzz.index.json");
  if (!entries)
    return 0;
  for (const auto &[tensor, shard] : *entries) {
    FUZZ_CHECK(!shard.empty());
    FUZZ_CHECK(shard.find('/') == std::string::npos);
    FUZZ_CHECK(shard != "." && shard != "..");
  }
  return 0;
}
