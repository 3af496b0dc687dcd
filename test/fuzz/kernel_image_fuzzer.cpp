//===- kernel_image_fuzzer.cpp - Kernel library images from any bytes -----===//
//
// A kernel library image arrives inside a module file. Its check runs before
// the dynamic loader sees it: any bytes give a verdict, never a crash or a
// read outside the image. (The fuzzer never dlopens: loading runs code.)
// An accepted image has its program headers inside it.
//
//===----------------------------------------------------------------------===//

#include "fuzz_check.h"

#include "sieve/hal/cpu/kernel_library.h"

#include <cstdint>
#include <cstring>
#include <elf.h>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view image(reinterpret_cast<const char *>(data), size);
  if (!sieve::hal::cpu::checkSharedObjectImage(image, "fuzz.so").isOk())
    return 0;
  Elf64_Ehdr header;
  FUZZ_CHECK(size >= sizeof(header));
  std::memcpy(&header, data, sizeof(header));
  FUZZ_CHECK(header.e_type == ET_DYN && header.e_phnum > 0);
  FUZZ_CHECK(header.e_phoff + uint64_t(header.e_phnum) * header.e_phentsize <= size);
  return 0;
}
