//===- case_recorder.h - The conformance suite's dispatches, written down -*- C++ -*-===//
//
// With SIEVE_CONFORMANCE_RECORD=DIR and the suite on the SIMT emulator
// (SIEVE_CONFORMANCE_SIMT_CHIP), every kernel the suite compiles is also
// serialized for the chip itself (PTX and a cubin where ptxas is, or an
// HSACO), and every dispatch it runs is written to DIR as a case
// (case_file.h): those codes and the emulator's host code, the grid, the
// push constants, and each binding's bytes before and after the emulator
// ran it. The suite then checks the outputs against the reference as
// always; sieve-conformance-replay runs the cases on a GPU.
// SIEVE_CONFORMANCE_RECORD_CODES=gpu leaves the emulator's host code out
// (a GPU machine has no use for it; the files are a third the size).
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_TEST_CONFORMANCE_REPLAY_CASE_RECORDER_H
#define SIEVE_TEST_CONFORMANCE_REPLAY_CASE_RECORDER_H

#include "case_file.h"

#include "sieve/hal/kernel_abi.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/FunctionExtras.h"

#include <map>
#include <string>

namespace sieve::replay {

class CaseRecorder {
public:
  /// The recorder SIEVE_CONFORMANCE_RECORD asks for, or null.
  static CaseRecorder *active();

  /// Kernel `symbol` of `module`, in the kernel IR: how each binding's
  /// bytes compare (the type its views read, where they agree).
  void noteKernelIR(mlir::ModuleOp module, llvm::StringRef symbol);
  /// `lowered` after `chip`'s GPU pipeline: its kernel serialized for the
  /// chip. Failures are diagnostics on the module's context.
  mlir::LogicalResult noteGpuCode(mlir::ModuleOp lowered, llvm::StringRef chip);
  /// The emulator's host code for the kernel noted last, loaded as `fn`.
  void noteHostCode(sieve_kernel_fn fn, std::string image);
  /// `fn` is a kernel not to record. A library loaded at an earlier
  /// recorded kernel's address must not be written with that kernel's code.
  void forget(sieve_kernel_fn fn) { kernels_.erase(fn); }

  /// Runs `run` (a dispatch of `fn` over `dispatch`) and, when `fn` was
  /// noted, writes the case. A case that cannot be written is an error.
  Status record(sieve_kernel_fn fn, const sieve_dispatch_state_t &dispatch,
                llvm::function_ref<Status()> run);

private:
  explicit CaseRecorder(std::string directory) : directory_(std::move(directory)) {}

  std::string directory_;
  bool recordHostCode_ = true;
  std::string symbol_;
  std::vector<fb::replay::Element> elements_;
  std::vector<RecordedCode> gpuCodes_;
  struct Kernel {
    std::vector<RecordedCode> codes;
    std::vector<fb::replay::Element> elements;
  };
  std::map<sieve_kernel_fn, Kernel> kernels_;
  std::map<std::string, int> dispatchesPerTest_;
};

} // namespace sieve::replay

#endif // SIEVE_TEST_CONFORMANCE_REPLAY_CASE_RECORDER_H
