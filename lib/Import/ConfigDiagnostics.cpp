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

Location ConfigLocator::at(size_t offset) const {
  unsigned line = 1, column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return FileLineColLoc::get(context, path, line, column);
}

Location ConfigLocator::file() const {
  return FileLineColLoc::get(context, path, 1, 1);
}

Location ConfigLocator::field(llvm::StringRef name) const {
  // Dotted names (quantization_config.fmt) are found by their last key.
  llvm::StringRef key = name.rsplit('.').second;
  if (key.empty())
    key = name;
  std::string quoted = ("\"" + key + "\"").str();
  size_t pos = text.find(quoted);
  // Prefer an occurrence used as a key (followed by ':').
  while (pos != llvm::StringRef::npos) {
    llvm::StringRef rest = text.drop_front(pos + quoted.size()).ltrim();
    if (rest.starts_with(":"))
      return at(pos);
    pos = text.find(quoted, pos + 1);
  }
  return file();
}

void emitConfigProblems(const ConfigLocator &locator, const io::ConfigReport &report) {
  for (const io::ConfigProblem &problem : report.problems) {
    Location loc = problem.line > 0
                       ? FileLineColLoc::get(locator.context, locator.path,
                                             unsigned(problem.line), unsigned(problem.column))
                       : locator.file();
    emitError(loc) << problem.message;
  }
}

} // namespace sieve::detail
