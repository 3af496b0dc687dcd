//===- cuda_driver.h - The CUDA driver API, loaded at run time ---*- C++ -*-===//
//
// The driver entry points Sieve uses, declared here (Sieve builds without
// cuda.h) and bound from libcuda.so.1 with dlopen the first time they are
// asked for. Only the versioned library name is tried: the unversioned one
// may be the toolkit's link stub. The CUDA device and the gpu-run smoke test
// share this one table.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_HAL_CUDA_CUDA_DRIVER_H
#define SIEVE_HAL_CUDA_CUDA_DRIVER_H

#include "sieve/support/status.h"

#include <cstddef>

namespace sieve::hal::cuda {

using CUresult = int;
using CUdevice = int;
using CUcontext = void *;
using CUmodule = void *;
using CUfunction = void *;
using CUdeviceptr = unsigned long long;
inline constexpr CUresult kCudaSuccess = 0;

struct Driver {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDriverGetVersion)(int *);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDeviceGetName)(char *, int, CUdevice);
  CUresult (*cuDeviceGetAttribute)(int *, int, CUdevice);
  CUresult (*cuDeviceTotalMem)(size_t *, CUdevice);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuDevicePrimaryCtxRelease)(CUdevice);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuCtxSynchronize)();
  CUresult (*cuModuleLoadData)(CUmodule *, const void *);
  CUresult (*cuModuleUnload)(CUmodule);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
  CUresult (*cuMemFree)(CUdeviceptr);
  CUresult (*cuMemsetD8)(CUdeviceptr, unsigned char, size_t);
  CUresult (*cuMemcpyHtoD)(CUdeviceptr, const void *, size_t);
  CUresult (*cuMemcpyDtoH)(void *, CUdeviceptr, size_t);
  CUresult (*cuMemcpyDtoD)(CUdeviceptr, CUdeviceptr, size_t);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned,
                             unsigned, unsigned, void *, void **, void **);
  CUresult (*cuGetErrorString)(CUresult, const char **);
};

/// The driver, loaded and initialized once per process (never unloaded:
/// the CUDA driver does not support dlclose while contexts may exist); a
/// status saying what is missing otherwise.
Expected<const Driver *> loadDriver();

} // namespace sieve::hal::cuda

#endif // SIEVE_HAL_CUDA_CUDA_DRIVER_H
