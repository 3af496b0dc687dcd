//===- ToolMain.cpp - The outermost frame of every compiler tool ----------===//

#include "sieve/ToolMain.h"

#include "llvm/Support/ErrorHandling.h"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

void reportOutOfMemory(void *toolName, const char *, bool) {
  // No allocation here: the heap is what failed.
  std::fprintf(stderr, "%s: error: out of memory\n", static_cast<const char *>(toolName));
  std::fflush(stdout);
  std::_Exit(1);
}

void reportFatalError(void *toolName, const char *reason, bool) {
  std::fprintf(stderr, "%s: error: %s\n", static_cast<const char *>(toolName), reason);
  std::fflush(stdout);
  std::_Exit(1);
}

} // namespace

void sieve::installToolErrorHandlers(const char *toolName) {
  void *name = const_cast<char *>(toolName);
  llvm::install_bad_alloc_error_handler(reportOutOfMemory, name);
  llvm::install_fatal_error_handler(reportFatalError, name);
}
