//===- discrete_device.h - The CPU, with memory the host may not touch ---*- C++ -*-===//
//
// A test device that runs the CPU's kernels but, like a GPU, keeps its
// memory to itself: every allocation is mapped PROT_NONE and opened only
// inside this device's own write(), read() and dispatch(). Any place the
// runtime dereferences device memory directly (instead of moving bytes
// through the device) faults, so a model that runs on it runs the GPU's
// host-side path (staged inputs, fills, outputs, weight uploads) correctly.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_TEST_E2E_COMPILED_DISCRETE_DEVICE_H
#define SIEVE_TEST_E2E_COMPILED_DISCRETE_DEVICE_H

#include "sieve/hal/cpu/cpu_device.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <mutex>

namespace sieve::test {

class DiscreteCpuDevice : public hal::Device {
public:
  explicit DiscreteCpuDevice(unsigned threads) : cpu_(threads) {}

  std::string description() const override { return "discrete " + cpu_.description(); }
  std::string rejectReason(const fb::Executable &executable) const override {
    return cpu_.rejectReason(executable);
  }
  Expected<std::unique_ptr<hal::LoadedExecutable>> load(const fb::Executable &executable,
                                                        const hal::ModuleKernels *kernels,
                                                        std::string_view image,
                                                        const std::string &name) override {
    return cpu_.load(executable, kernels, image, name);
  }
  bool hostVisible() const override { return false; }
  /// The CPU device underneath (to give it the SIMT emulator).
  hal::cpu::CpuDevice &cpu() { return cpu_; }

  Expected<hal::DeviceMemory> allocate(uint64_t bytes, const std::string &what) override {
    if (bytes == 0)
      return hal::DeviceMemory();
    const uint64_t page = uint64_t(::sysconf(_SC_PAGESIZE));
    const uint64_t mapped = (bytes + page - 1) / page * page;
    void *data = ::mmap(nullptr, mapped, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (data == MAP_FAILED)
      return Status(StatusCode::kFailedPrecondition, "cannot map " + what);
    std::lock_guard<std::mutex> lock(mutex());
    regions()[data] = mapped;
    return hal::DeviceMemory(data, mapped, release);
  }

  Status write(void *to, const void *from, uint64_t bytes) override {
    Open open;
    std::memcpy(to, from, bytes);
    return Status::ok();
  }
  Status read(void *to, const void *from, uint64_t bytes) override {
    Open open;
    std::memcpy(to, from, bytes);
    return Status::ok();
  }
  Status dispatch(const hal::LoadedExecutable &executable, uint32_t kernel,
                  const sieve_dispatch_state_t &dispatch, const char *name) override {
    Open open;
    return cpu_.dispatch(executable, kernel, dispatch, name);
  }

private:
  /// Every region readable and writable while it lives.
  struct Open {
    Open() { protect(PROT_READ | PROT_WRITE); }
    ~Open() { protect(PROT_NONE); }
  };
  static void protect(int access) {
    std::lock_guard<std::mutex> lock(mutex());
    for (const auto &[data, bytes] : regions())
      ::mprotect(data, bytes, access);
  }
  static void release(void *data, uint64_t bytes) {
    {
      std::lock_guard<std::mutex> lock(mutex());
      regions().erase(data);
    }
    ::munmap(data, bytes);
  }
  static std::map<void *, uint64_t> &regions() {
    static std::map<void *, uint64_t> live;
    return live;
  }
  static std::mutex &mutex() {
    static std::mutex m;
    return m;
  }

  hal::cpu::CpuDevice cpu_;
};

} // namespace sieve::test

#endif // SIEVE_TEST_E2E_COMPILED_DISCRETE_DEVICE_H
