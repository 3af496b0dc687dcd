//===- ToolMain.h - The outermost frame of every compiler tool ----*- C++ -*-===//
//
// The compiler tools are built without exceptions, so a failed allocation or
// an LLVM fatal error would end in abort(). A Sieve tool instead prints one
// line naming itself and exits with code 1, like every other failure on bad
// input (docs/cli.md, exit codes).
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_TOOLMAIN_H
#define SIEVE_TOOLMAIN_H

namespace sieve {

/// Installs LLVM's out-of-memory and fatal-error handlers for `toolName` (a
/// string literal: it is kept). Call once, first thing in main.
void installToolErrorHandlers(const char *toolName);

} // namespace sieve

#endif // SIEVE_TOOLMAIN_H
