//===- ConfigDiagnostics.h - Locate config.json problems ----------*- C++ -*-===//
//
// Private to SieveImport: config problems as errors located in the file (the
// runtime's ConfigReport gives each problem's line and column).
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_LIB_IMPORT_CONFIGDIAGNOSTICS_H
#define SIEVE_LIB_IMPORT_CONFIGDIAGNOSTICS_H

#include "sieve/io/model_config.h"

#include "llvm/ADT/StringRef.h"

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace sieve::detail {

/// One error per problem of the config read from `path`, at its line and
/// column (the start of the file when it has none).
void emitConfigProblems(mlir::MLIRContext *context, llvm::StringRef path,
                        const io::ConfigReport &report);

} // namespace sieve::detail

#endif // SIEVE_LIB_IMPORT_CONFIGDIAGNOSTICS_H
