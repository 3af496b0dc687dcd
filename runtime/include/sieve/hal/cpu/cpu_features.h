//===- cpu_features.h - Instruction-set features of this CPU ------*- C++ -*-===//
//
// The CPU features a compiled kernel library may rely on, by LLVM's names
// ("avx2", "avx512bf16"). The compiler records in each CPU executable which
// of these its code may use; the runtime refuses an executable that needs one
// this machine (CPU and operating system) lacks, before loading any code.
// One table serves both sides, so a name means the same thing to each.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_HAL_CPU_CPU_FEATURES_H
#define SIEVE_HAL_CPU_CPU_FEATURES_H

#include <string>
#include <string_view>
#include <vector>

namespace sieve::hal::cpu {

/// The architecture name executables record ("x86_64"), as the module
/// writer spells it.
const char *hostArchitecture();

/// Every feature name the table knows, in a fixed order.
const std::vector<std::string> &knownCpuFeatures();

/// Whether this machine has `feature` (a known name) and the operating system
/// saves the registers it uses. Unknown names are never present.
bool hostHasCpuFeature(std::string_view feature);

/// The features of `required` this machine lacks, in order; a name the table
/// does not know counts as missing (a module from a newer compiler).
std::vector<std::string> missingCpuFeatures(const std::vector<std::string> &required);

} // namespace sieve::hal::cpu

#endif // SIEVE_HAL_CPU_CPU_FEATURES_H
