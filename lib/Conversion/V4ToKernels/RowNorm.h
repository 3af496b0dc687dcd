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
};

/// The row's r = 1 / sqrt(sum / n + eps) (in fp32, rounded as the spec
/// says), its sum of squares from the first element to the last in a loop
/// marked kSplittableSum (a GPU may split it over a thread loop's group).
mlir::Value emitRowRmsScale(mlir::OpBuilder &b, mlir::Location loc, const RowNormSpec &spec,
                            llvm::function_ref<mlir::Value(mlir::Value)> loadX);
/// Element i of the normalized row, T(w_i * (x_i * r)) (or T(x_i * r)
/// without `loadWeight`).
mlir::Value emitRowRmsElement(mlir::OpBuilder &b, mlir::Location loc, const RowNormSpec &spec,
                              llvm::function_ref<mlir::Value(mlir::Value)> loadX,
                              llvm::function_ref<mlir::Value(mlir::Value)> loadWeight,
                              mlir::Value i, mlir::Value r);

} // namespace sieve::detail

#endif // SIEVE_LIB_CONVERSION_V4TOKERNELS_ROWNORM_H
