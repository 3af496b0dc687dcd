//===- ConfigDiagnostics.cpp - config.json problems as located errors -----===//
//
// The runtime's config parser reports each problem with the key it concerns
// and that key's line and column (or a JSON syntax error's); the compiler
// turns each into an MLIR error located there, so editors can jump to it.
//
//===----------------------------------------------------------------------===//

#include "ConfigDiagnostics.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"

using namespace mlir;

namespace sieve::detail {

void emitConfigProblems(MLIRContext *context, llvm::StringRef path,
                        const io::ConfigReport &report) {
  for (const io::ConfigProblem &problem : report.problems) {
    unsigned line = problem.line > 0 ? unsigned(problem.line) : 1;
    unsigned column = problem.line > 0 ? unsigned(problem.column) : 1;
    emitError(FileLineColLoc::get(context, path, line, column)) << problem.message;
  }
}

} // namespace sieve::detail
