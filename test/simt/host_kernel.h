//===- host_kernel.h - A test's kernel compiled for this CPU and loaded -*- C++ -*-===//
//
// The tail every kernel test shares: LLVM-dialect kernels in the CPU kernel
// ABI (the CPU pipeline's, or sieve-gpu-emulate's GPU kernels) become an
// object for a CPU target, a shared library, and a loaded kernel. A library
// of emulated GPU kernels is pointed at the SIMT emulator.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_TEST_SIMT_HOST_KERNEL_H
#define SIEVE_TEST_SIMT_HOST_KERNEL_H

#include "sieve/hal/cpu/kernel_library.h"

#include "mlir/IR/BuiltinOps.h"

#include <optional>
#include <string>

namespace sieve::test {

struct HostKernel {
  hal::cpu::KernelLibrary library;
  sieve_kernel_fn fn;
};

/// Compiles `module` for `target` ("cpu:host", "cpu:x86-64-v3", ...), links
/// and loads it, and returns kernel `symbol`. Compiler diagnostics go to the
/// module's context; the loader's failures are appended to `errors`. With
/// `image`, the linked shared object is kept there too.
std::optional<HostKernel> loadHostKernel(mlir::ModuleOp module, const std::string &target,
                                         const std::string &symbol, std::string &errors,
                                         std::string *image = nullptr);

} // namespace sieve::test

#endif // SIEVE_TEST_SIMT_HOST_KERNEL_H
