//===- library_kernels.h - CPU kernels the runtime provides -------*- C++ -*-===//
//
// A module kernel with `Kernel.library` set has no code in the executable:
// the runtime provides it under the kernel ABI (kernel_abi.h), one call per
// workgroup like compiled code. The CPU's are oneDNN's GEMMs for the
// prefill's FP8 projections (`sieve-compile --cpu-gemm=onednn`), present
// when the runtime is built with oneDNN.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_HAL_CPU_LIBRARY_KERNELS_H
#define SIEVE_HAL_CPU_LIBRARY_KERNELS_H

#include "sieve/hal/kernel_abi.h"

#include <string>
#include <string_view>

namespace sieve::hal::cpu {

/// The library kernel `name`, or null when this runtime lacks it.
sieve_kernel_fn findLibraryKernel(std::string_view name);

/// The library kernels this runtime provides, comma-separated, or why none
/// ("none: built without oneDNN"), for the message refusing a module.
std::string libraryKernelsProvided();

/// Codes a library kernel returns (the device reports them with the kernel's
/// name and workgroup).
enum LibraryKernelError : int32_t {
  /// A binding, constant or workgroup the kernel cannot use as given.
  kLibraryKernelBadArguments = 1,
  /// The library failed (an error it raised, memory it could not get).
  kLibraryKernelFailed = 2,
};

} // namespace sieve::hal::cpu

#endif // SIEVE_HAL_CPU_LIBRARY_KERNELS_H
