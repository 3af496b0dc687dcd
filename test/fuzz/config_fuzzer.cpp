//===- config_fuzzer.cpp - config.json parsing and validation -------------===//
//
// Any bytes: parseModelConfig never crashes or allocates without bound, and
// a config it accepts is usable: its cache sizes are computed without
// overflow (UBSan aborts on one) and it survives a round trip through the
// reference spelling unchanged.
//
//===----------------------------------------------------------------------===//

#include "fuzz_check.h"

#include "sieve/io/model_config.h"
#include "sieve/io/model_schema.h"

#include <cstdint>
#include <string>

using namespace sieve;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  auto config = io::parseModelConfig(text, "fuzz.json");
  if (!config) {
    FUZZ_CHECK(!config.status().message().empty());
    return 0;
  }
  FUZZ_CHECK(io::validateModelConfig(*config).isOk());
  io::CacheSizes caches = io::computeCacheSizes(*config, io::CacheFormat::kFp8IndexerFp4, true);
  FUZZ_CHECK(caches.bytesForContext(config->maxSeqLen) >= caches.fixedBytesPerSequence());

  std::string json = io::modelConfigToJson(*config);
  auto again = io::parseModelConfig(json, "round-trip.json");
  FUZZ_CHECK(again.isOk());
  FUZZ_CHECK(io::modelConfigToJson(*again) == json);
  return 0;
}
