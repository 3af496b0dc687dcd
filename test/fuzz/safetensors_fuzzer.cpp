//===- safetensors_fuzzer.cpp - safetensors files from any bytes ----------===//
//
// The reader validates the header before any tensor is touched: every entry
// of a file it accepts lies inside the data section, so reading the first
// and last byte of each view must stay in bounds (ASan checks it).
//
//===----------------------------------------------------------------------===//

#include "fuzz_check.h"

#include "sieve/io/safetensors.h"

#include <cstdint>
#include <vector>

using namespace sieve;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::vector<uint8_t> bytes(data, data + size);
  auto file = io::SafetensorsFile::fromBytes(std::move(bytes), "fuzz.safetensors");
  if (!file)
    return 0;
  unsigned sum = 0;
  for (const io::TensorEntry &e : (*file)->entries()) {
    io::TensorView v = (*file)->view(e);
    uint64_t elements = 0;
    FUZZ_CHECK(io::shapeElements(v.shape, elements));
    FUZZ_CHECK(elements * io::dtypeSize(v.dtype) == v.byteSize);
    if (v.byteSize > 0)
      sum += v.data[0] + v.data[v.byteSize - 1];
  }
  FUZZ_CHECK(sum < 1u << 31);
  return 0;
}
