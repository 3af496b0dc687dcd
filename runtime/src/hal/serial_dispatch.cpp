//===- serial_dispatch.cpp - Run a dispatch's workgroups in order ---------===//

#include "sieve/hal/serial_dispatch.h"

namespace sieve::hal {

Status runWorkgroupsSerially(sieve_kernel_fn kernel, const sieve_dispatch_state_t &dispatch,
                             const std::string &name, WorkgroupOrder order) {
  if (!kernel)
    return invalidArgument("kernel " + name + ": no function to call");
  const uint32_t *count = dispatch.workgroup_count;
  const uint64_t total = uint64_t(count[0]) * count[1] * count[2];
  for (uint64_t i = 0; i < total; ++i) {
    const uint64_t linear = order == WorkgroupOrder::Ascending ? i : total - 1 - i;
    const uint32_t x = uint32_t(linear % count[0]);
    const uint32_t y = uint32_t(linear / count[0] % count[1]);
    const uint32_t z = uint32_t(linear / count[0] / count[1]);
    sieve_workgroup_state_t workgroup{{x, y, z}, 0, nullptr, 0};
    if (int32_t code = kernel(&dispatch, &workgroup); code != 0)
      return invalidArgument("kernel " + name + " failed with code " + std::to_string(code) +
                             " in workgroup (" + std::to_string(x) + ", " + std::to_string(y) +
                             ", " + std::to_string(z) + ")");
  }
  return Status::ok();
}

} // namespace sieve::hal
