//===- program.h - Running one entry point's host program ---------*- C++ -*-===//
//
// The interpreter of a module's host program (docs/module-format.md, "Host
// programs"): registers of 64-bit host arithmetic, buffers in the entry
// point's arena, the caller's inputs, the caches and the weights, and
// dispatches on a device. Everything a run needs is allocated when the
// program is prepared; a run allocates nothing. The module was verified
// when it was opened, so every index here is in range; what a run checks is
// what the caller gives it (sizes, shapes) and what the host arithmetic
// computes from that (the program's own asserts, divisions by zero, values
// too wide for 32 bits, buffers larger than the plan allows).
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_EXEC_PROGRAM_H
#define SIEVE_EXEC_PROGRAM_H

#include "sieve/hal/device.h"
#include "sieve/module/sieve_module_generated.h"
#include "sieve/support/status.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sieve::exec {

/// What the caller gives one input.
struct InputArg {
  const void *data = nullptr; // tensor inputs: the elements
  /// `data` is memory of the program's device (another program's output,
  /// OutputView::deviceData), not host memory to copy there.
  bool onDevice = false;
  uint64_t bytes = 0;
  std::array<int64_t, 8> shape = {};
  uint32_t rank = 0;
  int64_t scalar = 0; // scalar inputs
};

/// Time spent per kernel over the runs that had it attached.
struct KernelProfile {
  std::vector<const char *> names;  // per module kernel
  std::vector<double> seconds;      // per module kernel
  std::vector<uint64_t> dispatches; // per module kernel
  void reset(size_t kernels);
};

/// One output of the last run: a view into the program's arena, valid until
/// the next run.
struct OutputView {
  const void *data = nullptr;       // host-readable (copied back from a GPU)
  const void *deviceData = nullptr; // where it lies on the device
  uint64_t bytes = 0;
  fb::ElementType element = fb::ElementType::F32;
  std::array<int64_t, 8> shape = {};
  uint32_t rank = 0;
};

class Program {
public:
  /// Prepares `entry` of `module` to run on `device` with `executable`.
  /// `caches` holds every module cache's memory (by module cache index),
  /// `weights` every weight's bytes (by module weight index).
  static Expected<std::unique_ptr<Program>>
  prepare(const fb::Module &module, const fb::EntryPoint &entry, hal::Device &device,
          const hal::LoadedExecutable &executable, const std::vector<void *> &caches,
          const std::vector<const void *> &weights);

  const std::string &name() const { return name_; }
  const fb::EntryPoint &entry() const { return entry_; }
  /// The index of input / output `name`, or -1.
  int inputIndex(std::string_view name) const;
  int outputIndex(std::string_view name) const;

  /// Runs the program on `inputs` (one per entry input, in order).
  Status run(const InputArg *inputs, size_t count);
  /// Output `index` of the last successful run, copied to the host first
  /// when the device's memory is its own (valid until the next run).
  OutputView output(size_t index) const;

  /// Dispatches run by one call (for statistics).
  size_t dispatchCount() const { return dispatches_; }
  /// Times every dispatch into `profile` (sized for the module's kernels),
  /// or stops timing when null.
  void setProfile(KernelProfile *profile) { profile_ = profile; }

private:
  Program(const fb::Module &module, const fb::EntryPoint &entry, hal::Device &device,
          const hal::LoadedExecutable &executable)
      : module_(module), entry_(entry), device_(device), executable_(executable) {}
  Status fail(const std::string &why) const;
  /// The bytes buffer `b` spans under the current registers, or an error.
  Status bufferBytes(uint32_t b, uint64_t &bytes) const;
  void *bufferData(uint32_t b) const;

  struct Extent {
    int64_t size;
    int32_t reg;
  };
  struct Buffer {
    fb::StorageKind storage;
    uint32_t index;
    uint64_t offset, maxBytes;
    unsigned bits;
    uint32_t firstExtent, rank;
  };
  struct Step {
    fb::Step kind;
    fb::ScalarOpcode opcode;
    uint32_t result, a, b, c;
    int64_t value;
    const char *message;
    uint32_t kernel, workgroups;
    uint32_t first, count;         // fill registers or dispatch bindings
    uint32_t firstConstant, constants;
  };

  const fb::Module &module_;
  const fb::EntryPoint &entry_;
  hal::Device &device_;
  const hal::LoadedExecutable &executable_;
  std::string name_;

  hal::DeviceMemory arena_;
  std::vector<void *> cacheBases_;      // per cache argument of the entry point
  std::vector<const void *> weights_;   // per module weight
  std::vector<Extent> extents_;
  std::vector<Buffer> buffers_;
  std::vector<Step> steps_;
  std::vector<uint32_t> operands_;      // fill registers, dispatch bindings
  std::vector<uint32_t> constantRegs_;
  std::vector<const char *> kernelNames_;
  // Where a device the host cannot see into takes host inputs and fills,
  // and gives outputs back: grown on demand, reused by every run.
  std::vector<hal::DeviceMemory> inputStaging_;
  std::vector<const void *> inputOnDevice_; // per input: what kernels read
  std::vector<uint8_t> fillStaging_;
  mutable std::vector<std::vector<uint8_t>> outputStaging_;
  // Per run.
  std::vector<int64_t> registers_;
  std::vector<InputArg> inputArgs_;
  const InputArg *inputs_ = nullptr;
  std::vector<void *> bindingPtrs_;
  std::vector<size_t> bindingLengths_;
  std::vector<uint32_t> constantValues_;
  size_t dispatches_ = 0;
  bool ran_ = false;
  KernelProfile *profile_ = nullptr;
};

} // namespace sieve::exec

#endif // SIEVE_EXEC_PROGRAM_H
