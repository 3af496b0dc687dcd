//===- serial_dispatch.h - Run a dispatch's workgroups in order ---*- C++ -*-===//
//
// The reference schedule of a dispatch: every workgroup id in order on the
// calling thread. The runtime's pool hands the same ids out concurrently;
// tests and single-threaded embedders use this.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_HAL_SERIAL_DISPATCH_H
#define SIEVE_HAL_SERIAL_DISPATCH_H

#include "sieve/hal/kernel_abi.h"
#include "sieve/support/status.h"

#include <string>

namespace sieve::hal {

/// Calls `kernel` for workgroup ids (x, y, z) in row-major order (x fastest)
/// with no local memory. Stops at the first nonzero return code and reports
/// it with the workgroup id; `name` names the kernel in that message.
Status runWorkgroupsSerially(sieve_kernel_fn kernel, const sieve_dispatch_state_t &dispatch,
                             const std::string &name);

} // namespace sieve::hal

#endif // SIEVE_HAL_SERIAL_DISPATCH_H
