//===- host_kernel.cpp - A test's kernel compiled for this CPU and loaded -===//

#include "host_kernel.h"
#include "simt_emulator.h"

#include "sieve/Target/CPU/CpuTarget.h"
#include "sieve/hal/simt_abi.h"

namespace sieve::test {

std::optional<HostKernel> loadHostKernel(mlir::ModuleOp module, const std::string &target,
                                         const std::string &symbol, std::string &errors,
                                         std::string *imageOut) {
  mlir::Location loc = module.getLoc();
  mlir::FailureOr<cpu::CpuTarget> cpuTarget = cpu::parseCpuTarget(target, loc);
  if (mlir::failed(cpuTarget))
    return std::nullopt;
  mlir::FailureOr<std::string> object = cpu::emitObject(module, *cpuTarget);
  if (mlir::failed(object))
    return std::nullopt;
  mlir::FailureOr<std::string> image = cpu::linkSharedObject({*object}, loc);
  if (mlir::failed(image))
    return std::nullopt;
  Expected<hal::cpu::KernelLibrary> library = hal::cpu::KernelLibrary::load(*image, symbol);
  if (!library.isOk()) {
    errors += library.status().message();
    return std::nullopt;
  }
  Expected<sieve_kernel_fn> fn = library->kernel(symbol);
  if (!fn.isOk()) {
    errors += fn.status().message();
    return std::nullopt;
  }
  // Emulated GPU kernels call the emulator through this table.
  if (Expected<void *> table = library->data(SIEVE_SIMT_RUNTIME_SYMBOL); table.isOk())
    *static_cast<const sieve_simt_runtime_t **>(*table) = simt::runtime();
  if (imageOut)
    *imageOut = std::move(*image);
  return HostKernel{library.take(), *fn};
}

} // namespace sieve::test
