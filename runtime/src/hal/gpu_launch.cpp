//===- gpu_launch.cpp - A kernel launch's arguments on a GPU --------------===//

#include "sieve/hal/gpu_launch.h"

#include <cctype>

namespace sieve::hal {

Status checkGpuOrdinal(const std::string &kind, const std::string &runtime, int count,
                       int ordinal) {
  if (count <= 0)
    return Status(StatusCode::kUnavailable, runtime + " reports no GPU");
  if (ordinal < 0 || ordinal >= count) {
    std::string upper = kind;
    for (char &c : upper)
      c = char(std::toupper(static_cast<unsigned char>(c)));
    return invalidArgument(kind + ":" + std::to_string(ordinal) + ": this machine has " +
                           std::to_string(count) + " " + upper + " GPU" + (count == 1 ? "" : "s"));
  }
  return Status::ok();
}

LaunchArguments::LaunchArguments(const sieve_dispatch_state_t &dispatch)
    : addresses_(dispatch.binding_count) {
  arguments_.reserve(dispatch.binding_count + dispatch.constant_count);
  for (uint32_t b = 0; b < dispatch.binding_count; ++b) {
    addresses_[b] = uint64_t(reinterpret_cast<uintptr_t>(dispatch.binding_ptrs[b]));
    arguments_.push_back(&addresses_[b]);
  }
  for (uint32_t c = 0; c < dispatch.constant_count; ++c)
    arguments_.push_back(const_cast<uint32_t *>(&dispatch.constants[c]));
}

Status checkBindingAlignment(const sieve_dispatch_state_t &dispatch, const char *name) {
  for (uint32_t b = 0; b < dispatch.binding_count; ++b) {
    auto address = reinterpret_cast<uintptr_t>(dispatch.binding_ptrs[b]);
    if (address % SIEVE_GPU_BINDING_ALIGNMENT != 0)
      return Status(StatusCode::kInternal, std::string("launching ") + name + ": binding " +
                                               std::to_string(b) +
                                               " starts at an address that is not a multiple of " +
                                               std::to_string(SIEVE_GPU_BINDING_ALIGNMENT) +
                                               " (GPU kernels load bindings as aligned vectors)");
  }
  return Status::ok();
}

std::string libraryKernelRefusal(const ModuleKernels *kernels, uint32_t k) {
  const fb::Kernel *kernel = kernels && k < kernels->size() ? kernels->Get(k) : nullptr;
  std::string what = kernel && kernel->library()
                         ? "'" + kernel->name()->str() + "' is the library kernel '" +
                               kernel->library()->str() + "'"
                         : std::to_string(k) + " is a library kernel";
  return what + ", which GPU devices do not provide; compile GPU targets without --cpu-gemm";
}

Expected<std::vector<std::array<uint32_t, 3>>> blockSizes(const fb::Executable &executable,
                                                           const std::string &name) {
  const auto *launches = executable.launches();
  if (!launches || !executable.exports() || launches->size() != executable.exports()->size())
    return invalidArgument(name + ": no launch shape for every kernel");
  std::vector<std::array<uint32_t, 3>> blocks;
  for (const fb::KernelLaunch *launch : *launches) {
    const auto *block = launch->block_size();
    blocks.push_back({block->Get(0), block->Get(1), block->Get(2)});
  }
  return blocks;
}

} // namespace sieve::hal
