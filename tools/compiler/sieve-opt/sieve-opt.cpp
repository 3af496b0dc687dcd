//===- sieve-opt.cpp - Sieve's mlir-opt -----------------------------------===//
//
// Runs any of Sieve's passes and pipelines on .mlir input; the driver of the
// lit tests. Standard MLIR flags (--mlir-print-ir-after-all, --mlir-timing,
// --verify-diagnostics, --split-input-file, crash reproducers) all apply.
//
//===----------------------------------------------------------------------===//

#include "sieve/InitSieve.h"
#include "sieve/ToolMain.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/InitLLVM.h"

int main(int argc, char **argv) {
  // Before runContainingCrashes, so that a contained crash is not also
  // reported as a tool bug by LLVM's stack-trace handler.
  llvm::InitLLVM initLLVM(argc, argv);
  sieve::installToolErrorHandlers("sieve-opt");
  mlir::DialectRegistry registry;
  sieve::registerSieveDialects(registry);
  sieve::registerSievePasses();
  // MlirOptMain registers its options (and the passes) after this: they
  // stay; LLVM's code generators' flags move behind --help-hidden.
  sieve::showToolOptionsOnly({});
  return sieve::runContainingCrashes("sieve-opt", [&] {
    return mlir::asMainReturnCode(
        mlir::MlirOptMain(argc, argv, "Sieve optimizer driver\n", registry));
  });
}
