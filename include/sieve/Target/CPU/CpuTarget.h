//===- CpuTarget.h - CPU code generation: target, object, library -*- C++ -*-===//
//
// The CPU artifact path of docs/architecture.md ("The lowering"): an
// LLVM-dialect module of kernels is translated to LLVM IR, optimized and
// compiled for one CPU target into an ELF object in memory, and objects are
// linked into a shared object in process with lld as a library (no
// subprocess). The runtime loads that image with sieve::hal::cpu::KernelLibrary.
// Every failure is a diagnostic at the given location; nothing aborts.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_TARGET_CPU_CPUTARGET_H
#define SIEVE_TARGET_CPU_CPUTARGET_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Location.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/ArrayRef.h"

#include <memory>
#include <string>
#include <vector>

namespace llvm {
class TargetMachine;
} // namespace llvm

namespace sieve::cpu {

/// A CPU to generate code for, from a target string:
///   cpu:host       this machine's CPU and features (the default)
///   cpu:x86-64-v3  AVX2 and FMA (x86-64 microarchitecture level 3)
///   cpu:x86-64-v4  AVX-512 F/BW/CD/DQ/VL (level 4)
/// each optionally with `+feature` suffixes in LLVM's names:
/// `cpu:x86-64-v4+avx512bf16+avx512vnni` (Zen 4, Sapphire Rapids: level 4
/// does not include the BF16 dot product).
struct CpuTarget {
  std::string spec;     // as written: "cpu:x86-64-v4"
  std::string triple;   // "x86_64-unknown-linux-gnu"
  std::string cpu;      // LLVM CPU name: "x86-64-v4", or the host's
  std::string features; // LLVM feature string; empty keeps the CPU's own
};

/// The target `spec` names; an unknown or malformed spec is an error at
/// `loc` listing the known ones.
mlir::FailureOr<CpuTarget> parseCpuTarget(llvm::StringRef spec, mlir::Location loc);

/// Whether `target` has CPU feature `feature` (LLVM's name, "avx512bf16").
bool hasFeature(const CpuTarget &target, llvm::StringRef feature);

/// The names of `candidates` (LLVM feature names) that `target` enables:
/// what code compiled for it may use, recorded in the module for the
/// runtime's check against the machine it runs on.
std::vector<std::string> enabledFeatures(const CpuTarget &target,
                                         llvm::ArrayRef<std::string> candidates);

/// An LLVM TargetMachine for `target` (position-independent, -O3).
mlir::FailureOr<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const CpuTarget &target, mlir::Location loc);

/// Translates `module` (LLVM dialect only) to LLVM IR, runs the -O3
/// pipeline for `target` and returns an ELF relocatable object. With
/// `optimizedIR`, also the optimized LLVM IR as text (what was compiled).
mlir::FailureOr<std::string> emitObject(mlir::ModuleOp module, const CpuTarget &target,
                                        std::string *optimizedIR = nullptr);

/// Links ELF `objects` into a shared object image with lld, in process. An
/// undefined symbol is an error: kernels call nothing outside themselves.
/// Scratch files live in a private temporary directory removed before
/// returning. lld resets LLVM's command-line options when it runs
/// (cl::ResetAllOptionOccurrences): a caller whose settings live in cl::opt
/// storage must read them before linking (sieve::compile copies its options).
mlir::FailureOr<std::string> linkSharedObject(llvm::ArrayRef<std::string> objects,
                                              mlir::Location loc);

} // namespace sieve::cpu

#endif // SIEVE_TARGET_CPU_CPUTARGET_H
