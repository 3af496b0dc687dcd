//===- discrete_device.h - The CPU, with memory the host may not touch ---*- C++ -*-===//
//
// A test device that runs the CPU's kernels but, like a GPU, keeps its
// memory to itself: all of it is mapped PROT_NONE and opened only inside
// this device's own write(), read(), copy() and dispatch(). Any place the
// runtime dereferences device memory directly (instead of moving bytes
// through the device) faults, so a model that runs on it runs the GPU's
// host-side path (staged inputs, fills, outputs, weight uploads) correctly.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_TEST_SIMT_DISCRETE_DEVICE_H
#define SIEVE_TEST_SIMT_DISCRETE_DEVICE_H

#include "sieve/hal/cpu/cpu_device.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
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
    if (bytes > Arena::kReserved)
      return Status(StatusCode::kFailedPrecondition, "cannot map " + what);
    const uint64_t mapped = (bytes + page - 1) / page * page;
    Arena &memory = arena();
    std::lock_guard<std::mutex> lock(memory.mutex);
    if (!memory.base) {
      void *base = ::mmap(nullptr, Arena::kReserved, PROT_NONE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      if (base == MAP_FAILED)
        return Status(StatusCode::kFailedPrecondition, "cannot reserve device memory");
      memory.base = static_cast<char *>(base);
    }
    if (memory.used + mapped > Arena::kReserved)
      return Status(StatusCode::kFailedPrecondition,
                    "cannot map " + what + ": the test device's range is used up");
    void *data = memory.base + memory.used;
    memory.used += mapped;
    ++memory.live;
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
  Status copy(void *to, const void *from, uint64_t bytes) override {
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
  /// All device memory of the process: one reserved range handed out in
  /// order (from the start again once everything is released), so opening
  /// and closing it around a dispatch is one mprotect each, where a mapping
  /// per allocation took one per weight (a fifth of an emulated model's
  /// time went to them and the TLB shootdowns they cause).
  struct Arena {
    static constexpr uint64_t kReserved = uint64_t(64) << 30;
    std::mutex mutex;
    char *base = nullptr;
    uint64_t used = 0; // bytes handed out, whole pages
    uint64_t live = 0; // allocations not yet released
  };
  static Arena &arena() {
    static Arena memory;
    return memory;
  }
  /// All device memory readable and writable while it lives.
  struct Open {
    Open() { protect(PROT_READ | PROT_WRITE); }
    ~Open() { protect(PROT_NONE); }
  };
  static void protect(int access) {
    Arena &memory = arena();
    std::lock_guard<std::mutex> lock(memory.mutex);
    if (memory.used)
      ::mprotect(memory.base, memory.used, access);
  }
  /// Released memory reads as zeros when it is handed out again.
  static void release(void *data, uint64_t bytes) {
    Arena &memory = arena();
    std::lock_guard<std::mutex> lock(memory.mutex);
    ::madvise(data, bytes, MADV_DONTNEED);
    if (--memory.live == 0)
      memory.used = 0;
  }

  hal::cpu::CpuDevice cpu_;
};

} // namespace sieve::test

#endif // SIEVE_TEST_SIMT_DISCRETE_DEVICE_H
