//===- kernel_library.h - Compiled CPU kernels loaded from memory -*- C++ -*-===//
//
// A shared object of kernels (what the compiler's CPU target links) loaded
// from an in-memory image: memfd_create + dlopen, so no file is written and
// nothing is left behind. The image is checked to be an ELF shared object
// for this machine before the dynamic loader sees it. Loading runs the
// image's code, so only load images Sieve compiled (the module format of a
// later stage records where they come from).
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_HAL_CPU_KERNEL_LIBRARY_H
#define SIEVE_HAL_CPU_KERNEL_LIBRARY_H

#include "sieve/hal/kernel_abi.h"
#include "sieve/support/status.h"

#include <string>
#include <string_view>

namespace sieve::hal::cpu {

/// Checks that `image` is a 64-bit little-endian ELF shared object for this
/// machine whose program headers lie inside it. `name` prefixes messages.
Status checkSharedObjectImage(std::string_view image, const std::string &name);

class KernelLibrary {
public:
  /// Loads `image`; `name` names it in messages ("module.sieve:cpu").
  static Expected<KernelLibrary> load(std::string_view image, const std::string &name);

  KernelLibrary(KernelLibrary &&other) noexcept;
  KernelLibrary &operator=(KernelLibrary &&other) noexcept;
  KernelLibrary(const KernelLibrary &) = delete;
  KernelLibrary &operator=(const KernelLibrary &) = delete;
  ~KernelLibrary();

  /// The kernel exported as `symbol`.
  Expected<sieve_kernel_fn> kernel(const std::string &symbol) const;
  /// The address of the data object exported as `symbol`.
  Expected<void *> data(const std::string &symbol) const;

private:
  KernelLibrary(void *handle, int file, std::string name)
      : handle_(handle), file_(file), name_(std::move(name)) {}
  void release();
  /// The address `symbol` names; `what` names it in the error.
  Expected<void *> lookup(const std::string &symbol, const char *what) const;

  void *handle_ = nullptr;
  // The in-memory file the library was loaded from, open while it is
  // loaded: the loader knows a library by its path (/proc/self/fd/N), and a
  // reused descriptor number would make it hand back a library still loaded
  // instead of loading the new image.
  int file_ = -1;
  std::string name_;
};

} // namespace sieve::hal::cpu

#endif // SIEVE_HAL_CPU_KERNEL_LIBRARY_H
