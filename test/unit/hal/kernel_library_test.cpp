//===- kernel_library_test.cpp - Kernel images the loader must refuse -----===//
//
// The loader checks an image before the dynamic loader sees it; each
// malformed image gets its own message. (Compiled images are loaded and run
// in sieve-compiler-tests, which can produce them.)
//
//===----------------------------------------------------------------------===//

#include "sieve/hal/cpu/kernel_library.h"
#include "sieve/hal/serial_dispatch.h"

#include <gtest/gtest.h>

#include <cstring>
#include <elf.h>
#include <string>
#include <vector>

namespace sieve::hal {
namespace {
using cpu::KernelLibrary;
using cpu::checkSharedObjectImage;

/// A minimal header of a 64-bit little-endian ELF shared object for this
/// machine with one program header right after it.
std::string elfImage() {
  std::string image(sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr), '\0');
  Elf64_Ehdr header{};
  std::memcpy(header.e_ident, ELFMAG, SELFMAG);
  header.e_ident[EI_CLASS] = ELFCLASS64;
  header.e_ident[EI_DATA] = ELFDATA2LSB;
  header.e_ident[EI_VERSION] = EV_CURRENT;
  header.e_type = ET_DYN;
#if defined(__x86_64__)
  header.e_machine = EM_X86_64;
#elif defined(__aarch64__)
  header.e_machine = EM_AARCH64;
#endif
  header.e_phoff = sizeof(Elf64_Ehdr);
  header.e_phentsize = sizeof(Elf64_Phdr);
  header.e_phnum = 1;
  std::memcpy(image.data(), &header, sizeof(header));
  return image;
}

std::string messageOf(std::string_view image) {
  Status status = checkSharedObjectImage(image, "k.so");
  return status.isOk() ? "" : status.message();
}

TEST(KernelImage, AWellFormedHeaderPassesTheCheck) {
  EXPECT_EQ(messageOf(elfImage()), "");
}

TEST(KernelImage, EachMalformedHeaderIsNamed) {
  const std::string prefix = "k.so: not a kernel library for this machine: ";
  EXPECT_EQ(messageOf(""), prefix + "only 0 bytes (an ELF header has 64)");
  EXPECT_EQ(messageOf("#!/bin/sh\n" + std::string(60, ' ')), prefix + "no ELF magic");

  std::string image = elfImage();
  image[EI_CLASS] = ELFCLASS32;
  EXPECT_EQ(messageOf(image), prefix + "not a 64-bit ELF file");

  image = elfImage();
  image[EI_DATA] = ELFDATA2MSB;
  EXPECT_EQ(messageOf(image), prefix + "not little-endian");

  image = elfImage();
  uint16_t relocatable = ET_REL;
  std::memcpy(&image[offsetof(Elf64_Ehdr, e_type)], &relocatable, 2);
  EXPECT_EQ(messageOf(image), prefix + "not a shared object (e_type 1)");

  image = elfImage();
  uint16_t otherMachine = EM_RISCV;
  std::memcpy(&image[offsetof(Elf64_Ehdr, e_machine)], &otherMachine, 2);
  EXPECT_NE(messageOf(image).find("built for ELF machine 243"), std::string::npos);

  image = elfImage();
  uint16_t none = 0;
  std::memcpy(&image[offsetof(Elf64_Ehdr, e_phnum)], &none, 2);
  EXPECT_EQ(messageOf(image), prefix + "no program headers of the 64-bit size");

  // Program headers that would be read past the image.
  image = elfImage();
  uint64_t farAway = uint64_t(1) << 62;
  std::memcpy(&image[offsetof(Elf64_Ehdr, e_phoff)], &farAway, 8);
  EXPECT_EQ(messageOf(image), prefix + "program headers past the end of the image");
  image = elfImage();
  image.resize(sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr) - 1);
  EXPECT_EQ(messageOf(image), prefix + "program headers past the end of the image");
}

TEST(KernelImage, TheDynamicLoaderRefusalIsReported) {
  // A header that passes the check but maps nothing loadable.
  Expected<KernelLibrary> library = KernelLibrary::load(elfImage(), "k.so");
  ASSERT_FALSE(library.isOk());
  EXPECT_NE(library.status().message().find("k.so: the dynamic loader refused"),
            std::string::npos)
      << library.status().message();
}

int32_t countWorkgroups(const sieve_dispatch_state_t *dispatch,
                        const sieve_workgroup_state_t *workgroup) {
  auto *seen = static_cast<std::vector<uint32_t> *>(dispatch->binding_ptrs[0]);
  const uint32_t *count = dispatch->workgroup_count;
  seen->push_back(workgroup->workgroup_id[0] +
                  count[0] * (workgroup->workgroup_id[1] + count[1] * workgroup->workgroup_id[2]));
  // The last workgroup of a 0-th constant "fail" reports code 9.
  return dispatch->constants[0] != 0 && workgroup->workgroup_id[0] == 1 ? 9 : 0;
}

TEST(SerialDispatch, EveryWorkgroupInRowMajorOrderAndTheFirstFailureStops) {
  std::vector<uint32_t> seen;
  void *bindings[] = {&seen};
  uint32_t constants[] = {0};
  sieve_dispatch_state_t dispatch{{2, 3, 2}, 1, constants, 1, bindings, nullptr};
  ASSERT_TRUE(runWorkgroupsSerially(countWorkgroups, dispatch, "count").isOk());
  std::vector<uint32_t> expected(12);
  for (uint32_t i = 0; i < 12; ++i)
    expected[i] = i;
  EXPECT_EQ(seen, expected);

  seen.clear();
  constants[0] = 1;
  Status failed = runWorkgroupsSerially(countWorkgroups, dispatch, "count");
  EXPECT_EQ(failed.message(), "kernel count failed with code 9 in workgroup (1, 0, 0)");
  EXPECT_EQ(seen, (std::vector<uint32_t>{0, 1}));
}

TEST(SerialDispatch, DescendingOrderVisitsEveryWorkgroupInReverse) {
  std::vector<uint32_t> seen;
  void *bindings[] = {&seen};
  uint32_t constants[] = {0};
  sieve_dispatch_state_t dispatch{{2, 3, 2}, 1, constants, 1, bindings, nullptr};
  ASSERT_TRUE(
      runWorkgroupsSerially(countWorkgroups, dispatch, "count", WorkgroupOrder::Descending)
          .isOk());
  std::vector<uint32_t> expected(12);
  for (uint32_t i = 0; i < 12; ++i)
    expected[i] = 11 - i;
  EXPECT_EQ(seen, expected);
}

} // namespace
} // namespace sieve::hal
