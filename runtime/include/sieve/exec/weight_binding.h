//===- weight_binding.h - A module's weights from a checkpoint ----*- C++ -*-===//
//
// Binds every weight a module names to the bytes of the mmap'd safetensors
// checkpoint, by official tensor name: zero copy when the stored bytes are
// the weight's layout (one tensor, or a stack whose members lie back to back
// in order), else copied once into device memory (the module's load-time
// layout). Every missing or mis-typed tensor is reported at once. The
// zero-copy weights' pages are mapped in at load when they fit in half the
// available memory, so no decode step faults in an embedding row or a
// newly routed expert (a fault per new page cost 100-200 us on small-v4).
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_EXEC_WEIGHT_BINDING_H
#define SIEVE_EXEC_WEIGHT_BINDING_H

#include "sieve/hal/device.h"
#include "sieve/io/safetensors.h"
#include "sieve/module/sieve_module_generated.h"
#include "sieve/support/status.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace sieve::exec {

struct BoundWeights {
  /// Per module weight, its bytes.
  std::vector<const void *> data;
  /// Copies made at load (stacks whose members are not contiguous).
  std::vector<hal::DeviceMemory> copies;
  uint64_t zeroCopyBytes = 0;
  uint64_t copiedBytes = 0;
  /// Zero-copy bytes whose pages were mapped in at load.
  uint64_t mappedInBytes = 0;
};

/// Called as weights are bound: bytes done of the total.
using LoadProgress = std::function<void(uint64_t done, uint64_t total)>;

/// Binds `module`'s weights from `checkpoint`. Errors list every problem
/// (missing tensor, wrong dtype or shape), one per line.
Expected<BoundWeights> bindWeights(const fb::Module &module, const io::SafetensorsReader &checkpoint,
                                   hal::Device &device, const LoadProgress &progress = {});

} // namespace sieve::exec

#endif // SIEVE_EXEC_WEIGHT_BINDING_H
