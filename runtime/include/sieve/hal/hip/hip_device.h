//===- hip_device.h - AMD GPUs through the HIP runtime ------------*- C++ -*-===//
//
// The HIP device runs a module's AMD executables (HSACO code objects, each
// for exactly one chip). The runtime (libamdhip64) is loaded with dlopen when
// a device is opened: Sieve has no link-time dependency on ROCm, and a
// machine without it gets a status saying so while the CPU path keeps
// working. Memory is the GPU's own (hostVisible() is false); kernels and
// copies run in order on the device's null stream, a copy back to the host
// waiting for them.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_HAL_HIP_HIP_DEVICE_H
#define SIEVE_HAL_HIP_HIP_DEVICE_H

#include "sieve/hal/device.h"

#include <memory>
#include <string>
#include <string_view>

namespace sieve::hal::hip {

struct Runtime;

class HipDevice final : public Device {
public:
  /// GPU `ordinal` ("hip:N"); an error naming what is missing otherwise
  /// (no runtime library, no device, an ordinal past the last device, a GPU
  /// whose architecture the runtime does not report).
  static Expected<std::unique_ptr<HipDevice>> open(int ordinal);
  ~HipDevice() override = default;

  /// The chip's name in the compiler's spelling: "gfx942".
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
  HipDevice() = default;
  Status check(int result, const std::string &what) const;
  Status makeCurrent() const;

  const Runtime *runtime_ = nullptr;
  int ordinal_ = 0;
  std::string name_, chip_, target_; // target_: "gfx942:sramecc+:xnack-"
  uint64_t memoryBytes_ = 0;
  int runtimeVersion_ = 0;
};

/// The architecture string in a hipDeviceProp_t of any ROCm release: past
/// the 256-byte name every release puts first, the first NUL-terminated
/// "gfx" + hex digit string of architecture characters (letters, digits,
/// ':', '+', '-'); empty when there is none.
std::string findArchitecture(std::string_view properties);

/// Whether an HSACO for `chip` ("gfx942") runs on a GPU whose architecture
/// is `target` ("gfx942:sramecc+:xnack-"), and why not: a code object runs
/// only on its own processor.
std::string chipRejectReason(const std::string &chip, const std::string &target);

} // namespace sieve::hal::hip

#endif // SIEVE_HAL_HIP_HIP_DEVICE_H
