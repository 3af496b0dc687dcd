//===- ToolMain.h - The outermost frame of every compiler tool ----*- C++ -*-===//
//
// The compiler tools are built without exceptions, so a failed allocation or
// an LLVM fatal error would end in abort(). A Sieve tool instead prints one
// line naming itself and exits with code 1, like every other failure on bad
// input (docs/cli.md, exit codes).
//
// LLVM 22's MLIR also crashes on some malformed input it does not own the
// fix for (docs/robustness.md, "Upstream crashes"); runContainingCrashes
// turns such a crash into the same one-line error.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_TOOLMAIN_H
#define SIEVE_TOOLMAIN_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/CommandLine.h"

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace sieve {

/// Installs LLVM's out-of-memory and fatal-error handlers for `toolName` (a
/// string literal: it is kept), and a --version line naming the tool and
/// Sieve's version. Call once, first thing in main.
void installToolErrorHandlers(const char *toolName);

/// Runs `body` (the tool's work) so that a crash on this thread ends the
/// process with "<toolName>: error: ..." and exit code 1 instead of a signal
/// and a stack dump, after the diagnostics already printed (which name the
/// bad input when there are any). Library
/// code that may crash in MLIR on bad input (sieve::compile parsing a graph)
/// keeps that work on the calling thread while
/// llvm::CrashRecoveryContext::GetCurrent() is set.
int runContainingCrashes(const char *toolName, llvm::function_ref<int()> body);

/// Keeps --help to what a user of the tool needs: of the options registered
/// so far, those in `own` stay as they are, LLVM's --help/--version too,
/// the MLIR ones (--mlir-*) are listed last under "MLIR options", and the
/// rest (LLVM's code generators' flags: AMDGPU, NVPTX, x86, Polly, ...) are
/// hidden: they still work and --help-hidden lists them. Call after every
/// option the tool shows is registered.
void showToolOptionsOnly(llvm::ArrayRef<const llvm::cl::OptionCategory *> own);

/// Prints the diagnostics that have no line to point at the way the runtime
/// tools print errors: "<toolName>: error: ..." for an unknown location
/// (an option, the command line), "<path>: error: ..." for a file as a
/// whole (line 0: a checkpoint, a report file), each note likewise.
/// Everything else goes on to the handlers registered before (the
/// SourceMgrDiagnosticHandler, which shows the source line), so register
/// this one after them.
void printFileLevelDiagnostics(mlir::MLIRContext &context, const char *toolName);

} // namespace sieve

#endif // SIEVE_TOOLMAIN_H
