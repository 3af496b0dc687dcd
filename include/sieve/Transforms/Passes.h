//===- Passes.h - Sieve graph passes ------------------------------*- C++ -*-===//
//
// Declarations and registration of the passes in Passes.td
// (create*Pass(), *PassOptions, registerSieveTransformsPasses()).
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_TRANSFORMS_PASSES_H
#define SIEVE_TRANSFORMS_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include <memory>
#include <string>

namespace sieve {

#define GEN_PASS_DECL
#include "sieve/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "sieve/Transforms/Passes.h.inc"

/// v4-cache-layout printing its table (when `options.print`) to `stream`.
std::unique_ptr<mlir::Pass> createCacheLayoutPass(const CacheLayoutPassOptions &options,
                                                  llvm::raw_ostream &stream);

} // namespace sieve

#endif // SIEVE_TRANSFORMS_PASSES_H
