//===- cpu_device.h - The CPU device ------------------------------*- C++ -*-===//
//
// Compiled CPU kernels (ELF shared objects loaded from memory) run on a
// persistent thread pool; memory is anonymous mappings (zeroed, page
// aligned). An executable is accepted when it is for this architecture and
// this CPU and operating system support every feature its code may use.
// GPU kernels compiled as host code for the SIMT emulator (the SimtHost
// format, sieve-compile --emulate-gpu) run too once the device is given an
// emulator's table: Sieve's tests run whole models through the GPU
// pipelines that way; the runtime itself has no emulator.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_HAL_CPU_CPU_DEVICE_H
#define SIEVE_HAL_CPU_CPU_DEVICE_H

#include "sieve/hal/cpu/thread_pool.h"
#include "sieve/hal/device.h"
#include "sieve/hal/simt_abi.h"

namespace sieve::hal::cpu {

class CpuDevice final : public Device {
public:
  /// `threads` participants (0: one per online CPU).
  explicit CpuDevice(unsigned threads = 0);

  unsigned threads() const { return pool_.participants(); }
  /// Accepts SimtHost executables from now on, pointing each one loaded at
  /// `emulator` (which must outlive the executables).
  void setSimtEmulator(const sieve_simt_runtime_t *emulator) { simtEmulator_ = emulator; }

  std::string description() const override;
  std::string rejectReason(const fb::Executable &executable) const override;
  Expected<std::unique_ptr<LoadedExecutable>> load(const fb::Executable &executable,
                                                   const ModuleKernels *kernels,
                                                   std::string_view image,
                                                   const std::string &name) override;
  Expected<DeviceMemory> allocate(uint64_t bytes, const std::string &what) override;
  Status dispatch(const LoadedExecutable &executable, uint32_t kernel,
                  const sieve_dispatch_state_t &dispatch, const char *name) override;

private:
  ThreadPool pool_;
  const sieve_simt_runtime_t *simtEmulator_ = nullptr;
};

} // namespace sieve::hal::cpu

#endif // SIEVE_HAL_CPU_CPU_DEVICE_H
