//===- RowNorm.h - The reference's RMS norm of one row ------------*- C++ -*-===//
//
// Private to SieveV4ToKernels: the arithmetic of v4.rms_norm on one row, in
// the reference executor's order (runtime/src/reference/ops.cpp), shared by
// the norm's own kernel and the GEMM kernels that take the norm in (fusion
// table row 3). The same operations in the same order: bit-identical.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_LIB_CONVERSION_V4TOKERNELS_ROWNORM_H
#define SIEVE_LIB_CONVERSION_V4TOKERNELS_ROWNORM_H

#include "mlir/IR/Builders.h"

namespace sieve::detail {

/// How one row is normalized: `width` elements of type `element`, `eps`,
/// and with `roundEachStep` every step rounded to `element` (headNormBf16).
struct RowNormSpec {
  int64_t width;
  double eps;
  mlir::Type element;
  bool roundEachStep = false;
  /// Whether the writes are a thread loop (a norm kernel of its own); the
  /// sum is then computed alike in every thread.
  bool writeOverThreads = false;
};

/// Emits, at `b`'s insertion point, the norm of one row: the sum of squares
/// in fp32 from the first element to the last, r = 1 / sqrt(sum / n + eps),
/// and for each i, `store(i, y)` with y = T(w_i * (x_i * r)) (or T(x_i * r)
/// without `loadWeight`). `loadX` and `loadWeight` return `element` values.
void emitRowRmsNorm(mlir::OpBuilder &b, mlir::Location loc, const RowNormSpec &spec,
                    llvm::function_ref<mlir::Value(mlir::Value)> loadX,
                    llvm::function_ref<mlir::Value(mlir::Value)> loadWeight,
                    llvm::function_ref<void(mlir::Value, mlir::Value)> store);

} // namespace sieve::detail

#endif // SIEVE_LIB_CONVERSION_V4TOKERNELS_ROWNORM_H
