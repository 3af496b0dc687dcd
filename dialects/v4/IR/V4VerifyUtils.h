//===- V4VerifyUtils.h - Shared diagnostics of v4 verifiers -------*- C++ -*-===//
//
// Shape checks that tolerate dynamic dimensions and report both the expected
// and the actual shape, so every op verifier words its errors the same way.
// Private to the v4 IR library.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_V4_IR_V4VERIFYUTILS_H
#define SIEVE_V4_IR_V4VERIFYUTILS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Operation.h"
#include "mlir/IR/TypeRange.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <string>

namespace sieve::v4::detail {

/// `4x?x128`; `scalar` for rank 0.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// Equal, or at least one side dynamic.
bool dimsMatch(int64_t a, int64_t b);
bool shapesMatch(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b);

/// Dimension arithmetic that propagates dynamic dimensions.
int64_t divDim(int64_t a, int64_t b);
int64_t ceilDivDim(int64_t a, int64_t b);
int64_t mulDim(int64_t a, int64_t b);

/// `prefix ++ suffix`.
llvm::SmallVector<int64_t> concatShape(llvm::ArrayRef<int64_t> prefix,
                                       llvm::ArrayRef<int64_t> suffix);

/// "expects <what> of shape <expected>[ (<why>)], got <actual>".
mlir::LogicalResult expectShape(mlir::Operation *op, const llvm::Twine &what,
                                mlir::ShapedType type,
                                llvm::ArrayRef<int64_t> expected,
                                const llvm::Twine &why = {});

/// "expects <what> of rank <rank>[ (<layout>)], got rank <actual>".
mlir::LogicalResult expectRank(mlir::Operation *op, const llvm::Twine &what,
                               mlir::ShapedType type, int64_t rank,
                               const llvm::Twine &layout = {});

/// "expects <what> of rank >= <rank>[ (<layout>)], got rank <actual>".
mlir::LogicalResult expectMinRank(mlir::Operation *op, const llvm::Twine &what,
                                  mlir::ShapedType type, int64_t rank,
                                  const llvm::Twine &layout = {});

/// "expects a static <what>" unless `dim` is static.
mlir::LogicalResult expectStatic(mlir::Operation *op, const llvm::Twine &what,
                                 int64_t dim);

/// Quantization blocks: 32, 64 or 128 (MX uses 32, DeepSeek 64 and 128).
mlir::LogicalResult verifyBlockSize(mlir::Operation *op, llvm::StringRef name,
                                    int64_t block);

/// "expects <name> > 0, got <value>" (integer and floating attributes).
mlir::LogicalResult verifyPositive(mlir::Operation *op, llvm::StringRef name,
                                   int64_t value);
mlir::LogicalResult verifyPositive(mlir::Operation *op, llvm::StringRef name,
                                   double value);

/// Compression ratio attribute: 4 or a power of two in [8, 128].
mlir::LogicalResult verifyRatio(mlir::Operation *op, int64_t ratio);

/// "expects <what> of shape [B]": one i32 per batch row (positions, slots).
/// Null `value`s pass.
mlir::LogicalResult verifyPerRow(mlir::Operation *op, llvm::StringRef what,
                                 mlir::Value value, int64_t rowBatch);

/// The per-batch-row operands of an op that reads or writes cache rows:
/// `positions [B]` and `slots [B]` i32 (either may be null) for an op whose
/// tensors have `rowBatch` batch rows, over a cache of `cacheBatch` rows.
/// Without slots, batch row b is cache row b (callers check that the
/// batches agree); with slots, at most `cacheBatch` distinct rows can be
/// addressed.
mlir::LogicalResult verifyRowAddressing(mlir::Operation *op, int64_t rowBatch,
                                        mlir::Value positions, mlir::Value slots,
                                        int64_t cacheBatch);

/// The batch an op's tensors have over a cache of `cacheBatch` rows: the
/// cache's without `slots`, any (dynamic) with them.
int64_t rowBatchOf(mlir::Value slots, int64_t cacheBatch);

//===----------------------------------------------------------------------===//
// Result type inference
//===----------------------------------------------------------------------===//

/// The name and layout a result is reported by ("result", "[B, S, k]").
struct ResultDescription {
  llvm::StringRef name;
  llvm::StringRef layout;
};

/// One "expects <name> ..." diagnostic for the first result that disagrees
/// with `inferred` (element type, then shape, as `expectShape`).
mlir::LogicalResult
expectInferredResults(mlir::Operation *op, mlir::TypeRange inferred,
                      llvm::ArrayRef<ResultDescription> results);

/// Checks `op`'s results against its own `inferReturnTypes`. Run from
/// `verify()` once the operands are known to be well formed, so a wrong
/// result type is reported by name and layout; the interface's own check
/// (which runs later) then always agrees.
template <typename OpTy>
mlir::LogicalResult
verifyInferredResults(OpTy op, llvm::ArrayRef<ResultDescription> results) {
  llvm::SmallVector<mlir::Type> inferred;
  if (failed(OpTy::inferReturnTypes(op.getContext(), op.getLoc(),
                                    typename OpTy::Adaptor(op), inferred)))
    return mlir::failure();
  return expectInferredResults(op, inferred, results);
}

/// The error of a failed inference, worded as `emitOpError` would.
template <typename OpTy>
mlir::LogicalResult inferenceError(std::optional<mlir::Location> location,
                                   const llvm::Twine &message) {
  return mlir::emitOptionalError(location, "'", OpTy::getOperationName(),
                                 "' op ", message);
}

} // namespace sieve::v4::detail

#endif // SIEVE_V4_IR_V4VERIFYUTILS_H
