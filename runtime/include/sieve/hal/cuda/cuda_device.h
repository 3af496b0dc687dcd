//===- cuda_device.h - NVIDIA GPUs through the CUDA driver API ----*- C++ -*-===//
//
// The CUDA device runs a module's NVIDIA executables (PTX, which the driver
// compiles for the GPU when it loads it, or a cubin for exactly this chip).
// The driver (libcuda.so.1) is loaded with dlopen when a device is opened:
// Sieve has no link-time dependency on CUDA, and a machine without it gets
// a status saying so while the CPU path keeps working. Memory is the GPU's
// own (hostVisible() is false): the runtime writes inputs and weights and
// reads outputs through the device. Kernels and copies run in order on the
// context's default stream; a copy back to the host waits for them.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_HAL_CUDA_CUDA_DEVICE_H
#define SIEVE_HAL_CUDA_CUDA_DEVICE_H

#include "sieve/hal/device.h"

#include <memory>
#include <string>

namespace sieve::hal::cuda {

struct Driver;

class CudaDevice final : public Device {
public:
  /// GPU `ordinal` ("cuda:N"); an error naming what is missing otherwise
  /// (no driver library, no device, an ordinal past the last device).
  static Expected<std::unique_ptr<CudaDevice>> open(int ordinal);
  ~CudaDevice() override;

  /// The chip's name in the compiler's spelling: "sm_90".
  const std::string &chip() const { return chip_; }

  std::string description() const override;
  std::string rejectReason(const fb::Executable &executable) const override;
  Expected<std::unique_ptr<LoadedExecutable>> load(const fb::Executable &executable,
                                                   const ModuleKernels *kernels,
                                                   std::string_view image,
                                                   const std::string &name) override;
  Expected<DeviceMemory> allocate(uint64_t bytes, const std::string &what) override;
  bool hostVisible() const override { return false; }
  Status write(void *to, const void *from, uint64_t bytes) override;
  Status read(void *to, const void *from, uint64_t bytes) override;
  Status copy(void *to, const void *from, uint64_t bytes) override;
  Status dispatch(const LoadedExecutable &executable, uint32_t kernel,
                  const sieve_dispatch_state_t &dispatch, const char *name) override;
  Status finish() override;

private:
  CudaDevice() = default;
  Status check(int result, const std::string &what) const;

  const Driver *driver_ = nullptr;
  int ordinal_ = 0;
  int device_ = 0;
  void *context_ = nullptr;
  int major_ = 0, minor_ = 0;
  std::string name_, chip_;
  uint64_t memoryBytes_ = 0;
  int driverVersion_ = 0;
};

/// Whether a chip's code ("sm_90a", from a module) runs on a GPU of compute
/// capability major.minor, and why not: a cubin only on its own chip, PTX on
/// its chip and later ones (its "a" variants only on their own chip).
std::string chipRejectReason(const std::string &chip, bool isCubin, int major, int minor);

} // namespace sieve::hal::cuda

#endif // SIEVE_HAL_CUDA_CUDA_DEVICE_H
