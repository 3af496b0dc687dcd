//===- gpu_launch.h - A kernel launch's arguments on a GPU --------*- C++ -*-===//
//
// What the CUDA and HIP devices share: which GPU an ordinal names, the GPU
// kernel ABI's argument list
// (each binding's device address, then each i32 push constant; the
// compiler's sieve-gpu-kernel-abi) in the form cuLaunchKernel and
// hipModuleLaunchKernel take it, and the launch shapes a module records per
// kernel.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_HAL_GPU_LAUNCH_H
#define SIEVE_HAL_GPU_LAUNCH_H

#include "sieve/hal/device.h"
#include "sieve/hal/kernel_abi.h"
#include "sieve/module/sieve_module_generated.h"
#include "sieve/support/status.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace sieve::hal {

/// Whether GPU `ordinal` exists among the `count` that `runtime` ("the CUDA
/// driver") reports: an error for "cuda:N" / "hip:N" (`kind`) otherwise.
Status checkGpuOrdinal(const std::string &kind, const std::string &runtime, int count,
                       int ordinal);

/// The argument array of one launch: pointers to each binding's 64-bit
/// address, then to each constant. Holds what the pointers point at.
class LaunchArguments {
public:
  explicit LaunchArguments(const sieve_dispatch_state_t &dispatch);
  void **data() { return arguments_.data(); }

private:
  std::vector<uint64_t> addresses_;
  std::vector<void *> arguments_;
};

/// An error naming kernel `name` and the binding when one of `dispatch`'s
/// bindings does not start at a multiple of SIEVE_GPU_BINDING_ALIGNMENT
/// (the compiled kernels assume it; a misaligned vector load would stop the
/// GPU with a less helpful error).
Status checkBindingAlignment(const sieve_dispatch_state_t &dispatch, const char *name);

/// Why a GPU device cannot load kernel `k`, which its executable exports as
/// "" (a library kernel: the CPU's oneDNN GEMMs have no GPU implementation),
/// completing "kernel ": its name and library from `kernels` when given,
/// else its index.
std::string libraryKernelRefusal(const ModuleKernels *kernels, uint32_t k);

/// Each exported kernel's block size, from the executable's launches; an
/// error naming `name` when they do not cover every kernel.
Expected<std::vector<std::array<uint32_t, 3>>> blockSizes(const fb::Executable &executable,
                                                           const std::string &name);

} // namespace sieve::hal

#endif // SIEVE_HAL_GPU_LAUNCH_H
