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

/// The order workgroups run in. Workgroups of a dispatch are independent;
/// a kernel whose result depends on the order is wrong, and running it in
/// descending order (tests do) shows that without threads.
enum class WorkgroupOrder { Ascending, Descending };

/// Calls `kernel` for every workgroup id (x, y, z) in row-major order (x
/// fastest), or its reverse, with no local memory. Stops at the first
/// nonzero return code and reports it with the workgroup id; `name` names
/// the kernel in that message.
Status runWorkgroupsSerially(sieve_kernel_fn kernel, const sieve_dispatch_state_t &dispatch,
                             const std::string &name,
                             WorkgroupOrder order = WorkgroupOrder::Ascending);

} // namespace sieve::hal

#endif // SIEVE_HAL_SERIAL_DISPATCH_H
