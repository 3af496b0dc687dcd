//===- import_fuzzer.cpp - config.json through the importer and verifier --===//
//
// Any bytes: a config the compiler's reader rejects gets located diagnostics;
// one it accepts imports into a graph that verifies (an importer that builds
// IR its own dialect rejects is a bug, caught here as an abort).
//
//===----------------------------------------------------------------------===//

#include "fuzz_check.h"

#include "sieve/Import/ModelImporter.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
  sieve::loadImportDialects(&context);
  mlir::ScopedDiagnosticHandler quiet(&context, [](mlir::Diagnostic &) {
    return mlir::success();
  });
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  sieve::ImportOptions options;
  // Keep each run small: the graph's size grows with layers, not context.
  options.maxSeqLen = 256;
  mlir::FailureOr<sieve::io::ModelConfig> config =
      sieve::parseModelConfig(&context, text, "fuzz.json", options);
  if (mlir::failed(config))
    return 0;
  // Import time grows linearly with the blocks (one function each); past a
  // few dozen a run only measures that, and libFuzzer would call it a hang.
  if (config->numBlocks() > 64)
    return 0;
  mlir::OwningOpRef<mlir::ModuleOp> module = sieve::importModel(
      &context, *config, options, mlir::FileLineColLoc::get(&context, "fuzz.json", 1, 1));
  // The importer may decline a valid config it cannot build (with a
  // diagnostic); what it builds must verify.
  if (module)
    FUZZ_CHECK(mlir::succeeded(mlir::verify(*module)));
  return 0;
}
