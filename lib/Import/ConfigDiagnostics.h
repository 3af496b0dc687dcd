//===- ConfigDiagnostics.h - Locate config.json problems ----------*- C++ -*-===//
//
// Private to SieveImport: config problems as errors located in the file (the
// runtime's ConfigReport gives each problem's line and column).
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_LIB_IMPORT_CONFIGDIAGNOSTICS_H
#define SIEVE_LIB_IMPORT_CONFIGDIAGNOSTICS_H

#include "sieve/io/model_config.h"

#include "mlir/IR/Location.h"
#include "llvm/ADT/StringRef.h"

namespace sieve::detail {

/// Locations inside one config file.
struct ConfigLocator {
  mlir::MLIRContext *context;
  llvm::StringRef text; // the file contents
  llvm::StringRef path;

  /// Line and column of byte `offset`.
  mlir::Location at(size_t offset) const;
  /// The start of the file (for problems with no better place).
  mlir::Location file() const;
  /// Where key `name` (or, for "a.b", key "b") is defined; file() if absent.
  mlir::Location field(llvm::StringRef name) const;
};

/// One error per problem, at its line and column (the file when it has none).
void emitConfigProblems(const ConfigLocator &locator, const io::ConfigReport &report);

} // namespace sieve::detail

#endif // SIEVE_LIB_IMPORT_CONFIGDIAGNOSTICS_H
