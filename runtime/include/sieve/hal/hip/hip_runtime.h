//===- hip_runtime.h - The HIP runtime API, loaded at run time ----*- C++ -*-===//
//
// The HIP entry points Sieve uses, declared here (Sieve builds without
// ROCm's headers) and bound from libamdhip64 with dlopen the first time
// they are asked for: the versioned names ROCm 7, 6 and 5 install, then the
// unversioned one. SIEVE_HIP_RUNTIME names another library file instead
// (a ROCm outside the loader's path).
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_HAL_HIP_HIP_RUNTIME_H
#define SIEVE_HAL_HIP_HIP_RUNTIME_H

#include "sieve/support/status.h"

#include <cstddef>

namespace sieve::hal::hip {

using hipError_t = int;
using hipModule_t = void *;
using hipFunction_t = void *;
using hipStream_t = void *;
inline constexpr hipError_t kHipSuccess = 0;

struct Runtime {
  hipError_t (*hipInit)(unsigned);
  hipError_t (*hipDriverGetVersion)(int *);
  hipError_t (*hipGetDeviceCount)(int *);
  hipError_t (*hipDeviceGetName)(char *, int, int);
  hipError_t (*hipDeviceTotalMem)(size_t *, int);
  // hipGetDeviceProperties under whichever name this runtime exports; the
  // structure's layout changes between ROCm releases, so Sieve reads only
  // the architecture string out of it (HipDevice::open).
  hipError_t (*hipGetDeviceProperties)(void *, int);
  hipError_t (*hipSetDevice)(int);
  hipError_t (*hipDeviceSynchronize)();
  hipError_t (*hipModuleLoadData)(hipModule_t *, const void *);
  hipError_t (*hipModuleUnload)(hipModule_t);
  hipError_t (*hipModuleGetFunction)(hipFunction_t *, hipModule_t, const char *);
  hipError_t (*hipMalloc)(void **, size_t);
  hipError_t (*hipFree)(void *);
  hipError_t (*hipMemset)(void *, int, size_t);
  hipError_t (*hipMemcpyHtoD)(void *, const void *, size_t);
  hipError_t (*hipMemcpyDtoH)(void *, void *, size_t);
  hipError_t (*hipMemcpyDtoD)(void *, void *, size_t);
  hipError_t (*hipModuleLaunchKernel)(hipFunction_t, unsigned, unsigned, unsigned, unsigned,
                                      unsigned, unsigned, unsigned, hipStream_t, void **, void **);
  const char *(*hipGetErrorString)(hipError_t);
};

/// The runtime, loaded and initialized once per process (never unloaded);
/// a status saying what is missing otherwise.
Expected<const Runtime *> loadRuntime();

} // namespace sieve::hal::hip

#endif // SIEVE_HAL_HIP_HIP_RUNTIME_H
