//===- npy_fuzzer.cpp - .npy arrays from any bytes ------------------------===//
//
// Known answers from other implementations arrive as .npy files. Any bytes:
// the reader never crashes, and an array it accepts holds exactly
// product(shape) values.
//
//===----------------------------------------------------------------------===//

#include "fuzz_check.h"

#include "sieve/support/npy.h"

#include <cstdint>
#include <string_view>

using namespace sieve;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char *>(data), size);
  auto array = parseNpyF32(bytes, "fuzz.npy");
  if (!array)
    return 0;
  uint64_t count = 1;
  for (int64_t d : array->shape) {
    FUZZ_CHECK(d >= 0);
    FUZZ_CHECK(!__builtin_mul_overflow(count, uint64_t(d), &count));
  }
  FUZZ_CHECK(count == array->data.size());
  return 0;
}
