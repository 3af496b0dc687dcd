//===- serial_dispatch.cpp - Run a dispatch's workgroups in order ---------===//

#include "sieve/hal/serial_dispatch.h"

namespace sieve::hal {

Status runWorkgroupsSerially(sieve_kernel_fn kernel, const sieve_dispatch_state_t &dispatch,
                             const std::string &name) {
  if (!kernel)
    return invalidArgument("kernel " + name + ": no function to call");
  const uint32_t *count = dispatch.workgroup_count;
  for (uint32_t z = 0; z < count[2]; ++z)
    for (uint32_t y = 0; y < count[1]; ++y)
      for (uint32_t x = 0; x < count[0]; ++x) {
        sieve_workgroup_state_t workgroup{{x, y, z}, 0, nullptr, 0};
        if (int32_t code = kernel(&dispatch, &workgroup); code != 0)
          return invalidArgument("kernel " + name + " failed with code " +
                                 std::to_string(code) + " in workgroup (" +
                                 std::to_string(x) + ", " + std::to_string(y) + ", " +
                                 std::to_string(z) + ")");
      }
  return Status::ok();
}

} // namespace sieve::hal
