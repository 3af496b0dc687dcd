//===- ToolMain.cpp - The outermost frame of every compiler tool ----------===//

#include "sieve/ToolMain.h"
#include "sieve/support/version.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"

#include "llvm/Config/llvm-config.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

#include "llvm/Support/CrashRecoveryContext.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/Signals.h"

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
  // --version: the tool and Sieve's version, as the runtime tools print it,
  // then the LLVM it was built with.
  static const char *versionTool = toolName;
  llvm::cl::SetVersionPrinter([](llvm::raw_ostream &os) {
    os << versionTool << " (Sieve) " << SIEVE_VERSION_STRING << "\nLLVM " << LLVM_VERSION_STRING
       << "\n";
  });
}

int sieve::runContainingCrashes(const char *toolName, llvm::function_ref<int()> body) {
  llvm::CrashRecoveryContext::Enable();
  llvm::CrashRecoveryContext context;
  int status = 1;
  if (context.RunSafely([&] { status = body(); }))
    return status;
  // The crashed work's state is abandoned, not destroyed: exit at once,
  // removing partial outputs (ToolOutputFile registers them for this).
  llvm::sys::RunInterruptHandlers();
  std::fflush(stdout);
  std::fprintf(stderr,
               "%s: error: crashed while processing the input; diagnostics "
               "above name what is wrong with it. LLVM 22's MLIR crashes on "
               "some malformed input (docs/robustness.md, \"Upstream "
               "crashes\"); otherwise this is a Sieve bug: please report it "
               "with the input\n",
               toolName);
  std::_Exit(1);
}

void sieve::showToolOptionsOnly(llvm::ArrayRef<const llvm::cl::OptionCategory *> own) {
  // Categories print in name order: "MLIR options" after the tools' own
  // ("Compile: ...", "Generic Options").
  static llvm::cl::OptionCategory mlirOptions("MLIR options",
                                              "The MLIR infrastructure's (debugging a pipeline)");
  for (auto &entry : llvm::cl::getRegisteredOptions()) {
    llvm::cl::Option *option = entry.second;
    bool shown = llvm::any_of(option->Categories, [&](llvm::cl::OptionCategory *category) {
      return llvm::is_contained(own, category) || category->getName() == "Generic Options";
    });
    if (shown)
      continue;
    if (entry.first.starts_with("mlir-")) {
      option->Categories.assign(1, &mlirOptions);
      continue;
    }
    if (option->getOptionHiddenFlag() == llvm::cl::NotHidden)
      option->setHiddenFlag(llvm::cl::Hidden);
  }
}

namespace {

/// "tool: " or "path: " for a location with no line; empty otherwise.
std::string fileLevelPrefix(mlir::Location loc, const char *toolName) {
  if (llvm::isa<mlir::UnknownLoc>(loc))
    return std::string(toolName) + ": ";
  if (auto file = llvm::dyn_cast<mlir::FileLineColLoc>(loc); file && file.getLine() == 0)
    return file.getFilename().str() + ": ";
  return "";
}

const char *severityName(mlir::DiagnosticSeverity severity) {
  switch (severity) {
  case mlir::DiagnosticSeverity::Error:
    return "error";
  case mlir::DiagnosticSeverity::Warning:
    return "warning";
  case mlir::DiagnosticSeverity::Note:
    return "note";
  case mlir::DiagnosticSeverity::Remark:
    return "remark";
  }
  return "error";
}

} // namespace

void sieve::printFileLevelDiagnostics(mlir::MLIRContext &context, const char *toolName) {
  context.getDiagEngine().registerHandler([toolName](mlir::Diagnostic &diag) {
    const std::string prefix = fileLevelPrefix(diag.getLocation(), toolName);
    if (prefix.empty())
      return mlir::failure(); // a line to show: the source manager's handler
    llvm::raw_ostream &os = llvm::errs();
    os << prefix << severityName(diag.getSeverity()) << ": " << diag << "\n";
    for (mlir::Diagnostic &note : diag.getNotes()) {
      std::string notePrefix = fileLevelPrefix(note.getLocation(), toolName);
      if (notePrefix.empty()) {
        std::string where;
        llvm::raw_string_ostream whereStream(where);
        note.getLocation().print(whereStream);
        notePrefix = where + ": ";
      }
      os << notePrefix << "note: " << note << "\n";
    }
    os.flush();
    return mlir::success();
  });
}
