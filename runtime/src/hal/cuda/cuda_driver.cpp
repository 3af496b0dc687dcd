//===- cuda_driver.cpp - The CUDA driver API, loaded at run time ----------===//

#include "sieve/hal/cuda/cuda_driver.h"

#include <dlfcn.h>

#include <mutex>
#include <string>

namespace sieve::hal::cuda {

namespace {

template <typename F> bool bind(void *library, const char *name, F &fn) {
  fn = reinterpret_cast<F>(::dlsym(library, name));
  return fn != nullptr;
}

} // namespace

Expected<const Driver *> loadDriver() {
  static std::once_flag once;
  static Driver driver;
  static std::string error;
  std::call_once(once, [] {
    void *library = ::dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
      error = "no CUDA driver (libcuda.so.1 cannot be loaded: " + std::string(::dlerror()) + ")";
      return;
    }
    // cuMemAlloc and friends are the _v2 entry points since CUDA 3.2.
    bool ok = bind(library, "cuInit", driver.cuInit) &&
              bind(library, "cuDriverGetVersion", driver.cuDriverGetVersion) &&
              bind(library, "cuDeviceGetCount", driver.cuDeviceGetCount) &&
              bind(library, "cuDeviceGet", driver.cuDeviceGet) &&
              bind(library, "cuDeviceGetName", driver.cuDeviceGetName) &&
              bind(library, "cuDeviceGetAttribute", driver.cuDeviceGetAttribute) &&
              bind(library, "cuDeviceTotalMem_v2", driver.cuDeviceTotalMem) &&
              bind(library, "cuDevicePrimaryCtxRetain", driver.cuDevicePrimaryCtxRetain) &&
              bind(library, "cuDevicePrimaryCtxRelease_v2", driver.cuDevicePrimaryCtxRelease) &&
              bind(library, "cuCtxSetCurrent", driver.cuCtxSetCurrent) &&
              bind(library, "cuCtxSynchronize", driver.cuCtxSynchronize) &&
              bind(library, "cuModuleLoadData", driver.cuModuleLoadData) &&
              bind(library, "cuModuleUnload", driver.cuModuleUnload) &&
              bind(library, "cuModuleGetFunction", driver.cuModuleGetFunction) &&
              bind(library, "cuMemAlloc_v2", driver.cuMemAlloc) &&
              bind(library, "cuMemFree_v2", driver.cuMemFree) &&
              bind(library, "cuMemsetD8_v2", driver.cuMemsetD8) &&
              bind(library, "cuMemcpyHtoD_v2", driver.cuMemcpyHtoD) &&
              bind(library, "cuMemcpyDtoH_v2", driver.cuMemcpyDtoH) &&
              bind(library, "cuMemcpyDtoD_v2", driver.cuMemcpyDtoD) &&
              bind(library, "cuLaunchKernel", driver.cuLaunchKernel) &&
              bind(library, "cuGetErrorString", driver.cuGetErrorString);
    if (!ok) {
      error = "the CUDA driver lacks an entry point Sieve needs: " + std::string(::dlerror());
      return;
    }
    if (CUresult r = driver.cuInit(0); r != kCudaSuccess)
      error = "the CUDA driver did not initialize (CUresult " + std::to_string(r) + ")";
  });
  if (!error.empty())
    return Status(StatusCode::kUnavailable, error);
  return &driver;
}

} // namespace sieve::hal::cuda
