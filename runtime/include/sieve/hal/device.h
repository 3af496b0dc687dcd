//===- device.h - Where compiled kernels run ----------------------*- C++ -*-===//
//
// The runtime's device abstraction: a device says whether it can run one of
// a module's executables (and why not), loads it, allocates memory and runs
// a kernel over a grid of workgroups. The program executor sees only this
// interface; the CPU device is the first, and the CUDA and HIP devices of the
// GPU targets implement the same one (device memory, a stream per session).
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_HAL_DEVICE_H
#define SIEVE_HAL_DEVICE_H

#include "sieve/hal/kernel_abi.h"
#include "sieve/module/sieve_module_generated.h"
#include "sieve/support/status.h"

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace sieve::hal {

/// A module's kernel table.
using ModuleKernels = flatbuffers::Vector<flatbuffers::Offset<fb::Kernel>>;

/// Memory of a device, released when the object goes.
class DeviceMemory {
public:
  DeviceMemory() = default;
  DeviceMemory(void *data, uint64_t bytes, void (*release)(void *, uint64_t))
      : data_(data), bytes_(bytes), release_(release) {}
  DeviceMemory(DeviceMemory &&other) noexcept { *this = std::move(other); }
  DeviceMemory &operator=(DeviceMemory &&other) noexcept {
    if (this != &other) {
      reset();
      data_ = other.data_;
      bytes_ = other.bytes_;
      release_ = other.release_;
      other.data_ = nullptr;
      other.bytes_ = 0;
    }
    return *this;
  }
  DeviceMemory(const DeviceMemory &) = delete;
  DeviceMemory &operator=(const DeviceMemory &) = delete;
  ~DeviceMemory() { reset(); }

  void *data() const { return data_; }
  uint64_t bytes() const { return bytes_; }

private:
  void reset() {
    if (data_ && release_)
      release_(data_, bytes_);
    data_ = nullptr;
  }
  void *data_ = nullptr;
  uint64_t bytes_ = 0;
  void (*release_)(void *, uint64_t) = nullptr;
};

/// An executable's kernels, loaded on a device, in the module's kernel order.
class LoadedExecutable {
public:
  virtual ~LoadedExecutable() = default;
};

class Device {
public:
  virtual ~Device() = default;

  /// "cpu: 2 threads, x86_64 with avx512f ...".
  virtual std::string description() const = 0;
  /// Empty when this device can run `executable`; else why not ("needs CPU
  /// features avx512bf16 this machine lacks").
  virtual std::string rejectReason(const fb::Executable &executable) const = 0;
  /// Loads `executable` (whose code is `image`) and resolves its exports;
  /// `kernels` (the module's kernel table, or null) says which are library
  /// kernels, whose code the device provides (library_kernels.h).
  virtual Expected<std::unique_ptr<LoadedExecutable>> load(const fb::Executable &executable,
                                                           const ModuleKernels *kernels,
                                                           std::string_view image,
                                                           const std::string &name) = 0;
  /// `bytes` of zeroed memory; `what` names it in an error.
  virtual Expected<DeviceMemory> allocate(uint64_t bytes, const std::string &what) = 0;
  /// Whether the host reads and writes this device's memory in place (the
  /// CPU), and kernels can read host memory such as a mapped checkpoint.
  /// Otherwise (a GPU's own memory) every byte moves through write() and
  /// read(), and the host never dereferences a device pointer.
  virtual bool hostVisible() const { return true; }
  /// Copies `bytes` from host memory to device memory `to` / from device
  /// memory `from` to host memory, in order with the dispatches before.
  virtual Status write(void *to, const void *from, uint64_t bytes);
  virtual Status read(void *to, const void *from, uint64_t bytes);
  /// Copies `bytes` from device memory `from` to device memory `to`, in
  /// order with the dispatches (sieve-bench times it: the device's memory
  /// bandwidth).
  virtual Status copy(void *to, const void *from, uint64_t bytes);
  /// Runs kernel `kernel` of `executable` over `dispatch`'s workgroups.
  /// `name` names the kernel in an error (a nonzero kernel return code).
  virtual Status dispatch(const LoadedExecutable &executable, uint32_t kernel,
                          const sieve_dispatch_state_t &dispatch, const char *name) = 0;
  /// Waits until everything submitted so far has run (a kernel's error
  /// surfaces here). Dispatches on the CPU run before they return.
  virtual Status finish() { return Status::ok(); }
};

inline Status Device::write(void *to, const void *from, uint64_t bytes) {
  if (bytes)
    std::memcpy(to, from, bytes);
  return Status::ok();
}

inline Status Device::copy(void *to, const void *from, uint64_t bytes) {
  if (bytes)
    std::memcpy(to, from, bytes);
  return Status::ok();
}

inline Status Device::read(void *to, const void *from, uint64_t bytes) {
  if (bytes)
    std::memcpy(to, from, bytes);
  return Status::ok();
}

} // namespace sieve::hal

#endif // SIEVE_HAL_DEVICE_H
