//===- hip_runtime.cpp - The HIP runtime API, loaded at run time ----------===//

#include "sieve/hal/hip/hip_runtime.h"

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>
#include <string>

namespace sieve::hal::hip {

namespace {

template <typename F> bool bind(void *library, const char *name, F &fn) {
  fn = reinterpret_cast<F>(::dlsym(library, name));
  return fn != nullptr;
}

} // namespace

Expected<const Runtime *> loadRuntime() {
  static std::once_flag once;
  static Runtime runtime;
  static std::string error;
  std::call_once(once, [] {
    void *library = nullptr;
    std::string tried;
    const char *override = std::getenv("SIEVE_HIP_RUNTIME");
    for (const char *name :
         {override, "libamdhip64.so.7", "libamdhip64.so.6", "libamdhip64.so.5", "libamdhip64.so"}) {
      if (!name || !*name)
        continue;
      library = ::dlopen(name, RTLD_NOW | RTLD_LOCAL);
      if (library)
        break;
      tried += (tried.empty() ? "" : ", ") + std::string(name);
      if (name == override)
        break; // a library named explicitly is the only one tried
    }
    if (!library) {
      error = "no HIP runtime (" + tried + " cannot be loaded: " + std::string(::dlerror()) + ")";
      return;
    }
    // ROCm 6 renamed the properties call with its new structure; either
    // layout holds the architecture string the device reads.
    if (!bind(library, "hipGetDevicePropertiesR0600", runtime.hipGetDeviceProperties))
      bind(library, "hipGetDeviceProperties", runtime.hipGetDeviceProperties);
    bool ok = runtime.hipGetDeviceProperties && bind(library, "hipInit", runtime.hipInit) &&
              bind(library, "hipDriverGetVersion", runtime.hipDriverGetVersion) &&
              bind(library, "hipGetDeviceCount", runtime.hipGetDeviceCount) &&
              bind(library, "hipDeviceGetName", runtime.hipDeviceGetName) &&
              bind(library, "hipDeviceTotalMem", runtime.hipDeviceTotalMem) &&
              bind(library, "hipSetDevice", runtime.hipSetDevice) &&
              bind(library, "hipDeviceSynchronize", runtime.hipDeviceSynchronize) &&
              bind(library, "hipModuleLoadData", runtime.hipModuleLoadData) &&
              bind(library, "hipModuleUnload", runtime.hipModuleUnload) &&
              bind(library, "hipModuleGetFunction", runtime.hipModuleGetFunction) &&
              bind(library, "hipMalloc", runtime.hipMalloc) &&
              bind(library, "hipFree", runtime.hipFree) &&
              bind(library, "hipMemset", runtime.hipMemset) &&
              bind(library, "hipMemcpyHtoD", runtime.hipMemcpyHtoD) &&
              bind(library, "hipMemcpyDtoH", runtime.hipMemcpyDtoH) &&
              bind(library, "hipMemcpyDtoD", runtime.hipMemcpyDtoD) &&
              bind(library, "hipModuleLaunchKernel", runtime.hipModuleLaunchKernel) &&
              bind(library, "hipGetErrorString", runtime.hipGetErrorString);
    if (!ok) {
      error = "the HIP runtime lacks an entry point Sieve needs";
      if (const char *why = ::dlerror())
        error += std::string(": ") + why;
      return;
    }
    if (hipError_t r = runtime.hipInit(0); r != kHipSuccess) {
      const char *why = runtime.hipGetErrorString(r);
      error = "the HIP runtime did not initialize: " +
              (why ? std::string(why) : "hipError_t " + std::to_string(r)) +
              " (a machine without an AMD GPU, or without access to /dev/kfd, says so here)";
    }
  });
  if (!error.empty())
    return Status(StatusCode::kUnavailable, error);
  return &runtime;
}

} // namespace sieve::hal::hip
