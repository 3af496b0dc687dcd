//===- FusionTable.h - Which graph ops share one kernel -----------*- C++ -*-===//
//
// Dispatch formation's fusion: a table of per-op patterns (Sieve knows its
// ops), not a generic fusion engine (architecture.md, "The lowering"). Each
// pattern names a consumer and the producers its kernel computes itself;
// the table is in lib/Conversion/V4ToKernels/FusionTable.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_CONVERSION_V4TOKERNELS_FUSIONTABLE_H
#define SIEVE_CONVERSION_V4TOKERNELS_FUSIONTABLE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/Support/LLVM.h"

namespace sieve {

/// The producers `op`'s kernel takes in by the first pattern of the table
/// that applies (none: `op` is a dispatch of its own).
llvm::SmallVector<mlir::Operation *> fusedProducers(mlir::Operation *op);

/// The kernel of `op` with `producers` (as fusedProducers gave them) fused
/// in, and the values it binds, in order (its untied results follow).
mlir::FailureOr<mlir::func::FuncOp> emitFusedKernel(mlir::Operation *op,
                                                     llvm::ArrayRef<mlir::Operation *> producers,
                                                     llvm::StringRef name,
                                                     mlir::OpBuilder &builder);
llvm::SmallVector<mlir::Value> fusedKernelBindings(mlir::Operation *op,
                                                   llvm::ArrayRef<mlir::Operation *> producers);

} // namespace sieve

#endif // SIEVE_CONVERSION_V4TOKERNELS_FUSIONTABLE_H
