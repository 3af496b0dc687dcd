//===- graph_fuzzer.cpp - v4 graphs in MLIR text through the graph phase --===//
//
// Any text: parsed with the dialects a v4 graph uses (v4, func, arith, cf,
// linalg, tensor), verified, and, when it verifies, run through the graph
// pipeline (canonicalize and CSE per function, v4-cache-layout). Every
// failure must be a diagnostic; the v4 verifiers, folds and the cache layout
// must never crash, read out of bounds or overflow on a type they accepted.
//
//===----------------------------------------------------------------------===//

#include "sieve/Import/ModelImporter.h"
#include "sieve/Pipeline/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <cstdint>

/// LLVM 22's linalg parsers crash when a `dimensions` / `permutation` array
/// does not parse (they store a null attribute), and linalg.broadcast's
/// verifier crashes on duplicate dimensions (llvm-project#211203). Those are
/// MLIR's bugs, contained by the tools (test/tools/upstream-crashes.test);
/// inputs that could reach them are skipped here so that fuzzing goes on
/// finding Sieve's. Conservative: any such keyword followed by `=` and
/// anything but a list of distinct integers skips the input.
static bool mayReachKnownLinalgCrash(llvm::StringRef text) {
  for (llvm::StringRef keyword : {"dimensions", "permutation"}) {
    for (size_t at = text.find(keyword); at != llvm::StringRef::npos;
         at = text.find(keyword, at + 1)) {
      llvm::StringRef rest = text.drop_front(at + keyword.size()).ltrim();
      if (!rest.consume_front("="))
        continue;
      rest = rest.ltrim();
      if (!rest.consume_front("["))
        return true;
      llvm::SmallVector<int64_t> values;
      for (rest = rest.ltrim(); !rest.consume_front("]"); rest = rest.ltrim()) {
        if (!values.empty() && !rest.consume_front(","))
          return true;
        rest = rest.ltrim();
        int64_t value;
        if (rest.consumeInteger(10, value) || llvm::is_contained(values, value))
          return true;
        values.push_back(value);
      }
    }
  }
  return false;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (mayReachKnownLinalgCrash(
          llvm::StringRef(reinterpret_cast<const char *>(data), size)))
    return 0;
  mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
  sieve::loadImportDialects(&context);
  // Diagnostics are the expected outcome of most inputs; keep them quiet.
  mlir::ScopedDiagnosticHandler quiet(&context, [](mlir::Diagnostic &) {
    return mlir::success();
  });
  // The MLIR lexer stops at a NUL terminator, which parseSourceString does
  // not supply for an arbitrary StringRef; sieve-opt and sieve-compile read
  // files through MemoryBuffer, which always does. Parse the same way.
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(
          llvm::StringRef(reinterpret_cast<const char *>(data), size),
          "fuzz-input.mlir"),
      llvm::SMLoc());
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
  if (!module)
    return 0;
  mlir::PassManager pm(&context, mlir::ModuleOp::getOperationName());
  sieve::buildGraphPipeline(pm, sieve::GraphPipelineOptions());
  (void)pm.run(*module);
  return 0;
}
