//===- ModuleWriter.h - The .sieve module writer ------------------*- C++ -*-===//
//
// The last phase of a compilation: the planned host programs (program
// dispatches with their buffer plan), the caches they update, the weights
// they bind and each target's linked kernels become one .sieve file
// (docs/module-format.md). The bytes written are read back with the
// runtime's own verifier before they are returned, so a module the compiler
// emits is one the runtime accepts.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_TARGET_MODULE_MODULEWRITER_H
#define SIEVE_TARGET_MODULE_MODULEWRITER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sieve {

/// One target's compiled kernels.
struct ExecutableImage {
  enum class Format { ElfSharedObject, Ptx, Cubin, Hsaco, SimtHost };
  /// How a GPU format launches one kernel.
  struct Launch {
    std::string kernel;
    std::array<uint32_t, 3> blockSize = {1, 1, 1};
    uint64_t workgroupMemoryBytes = 0;
  };
  std::string target;            // "cpu:x86-64-v4", "nvidia:sm_90a"
  Format format = Format::ElfSharedObject;
  std::string architecture;      // "x86_64", "sm_90a", "gfx942"
  std::string cpu;               // LLVM CPU name
  std::vector<std::string> features; // CPU features the code may use
  std::string image;             // an ELF shared object, PTX, a cubin or an HSACO
  std::vector<Launch> launches;  // GPU formats and SimtHost: one per kernel, any order
};

/// What the module says about its making.
struct ModuleProvenance {
  std::string producerVersion;
  /// Compile options that shape the module, as key/value text.
  std::vector<std::pair<std::string, std::string>> options;
  /// The config as compiled (max_seq_len = the cache capacity); empty for a
  /// graph compiled without one.
  std::string configJson;
  std::string cacheFormat;
};

/// Serializes `module` (after the target phase: one program.executable, its
/// entry points planned by sieve-plan-buffers) with `executables`. Every
/// host op the runtime cannot interpret is an error at its location.
mlir::FailureOr<std::string> writeSieveModule(mlir::ModuleOp module,
                                              const ModuleProvenance &provenance,
                                              llvm::ArrayRef<ExecutableImage> executables);

} // namespace sieve

#endif // SIEVE_TARGET_MODULE_MODULEWRITER_H
