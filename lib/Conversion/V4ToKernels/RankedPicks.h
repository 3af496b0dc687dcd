//===- RankedPicks.h - The k best candidates without scratch memory -*- C++ -*-===//
//
// Private to SieveV4ToKernels: the selection shared by v4.topk and
// v4.moe_route. Order is descending score, ties to the lower index (what a
// stable sort by score gives, the reference's order). Each pass picks the
// best candidate strictly after the previous pick in that order, so k passes
// over the candidates need no scratch memory and no sort.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_LIB_CONVERSION_V4TOKERNELS_RANKEDPICKS_H
#define SIEVE_LIB_CONVERSION_V4TOKERNELS_RANKEDPICKS_H

#include "mlir/IR/Builders.h"

namespace sieve::detail {

/// Picks the `k` best of `count` candidates. `scoreOf(c)` gives candidate c's
/// f32 score (NaN is never picked); `onPick(j, index, found)` receives pick j,
/// its candidate index and whether one was left (index -1 when not).
void emitRankedPicks(mlir::OpBuilder &b, mlir::Location loc, mlir::Value k, mlir::Value count,
                     llvm::function_ref<mlir::Value(mlir::Value)> scoreOf,
                     llvm::function_ref<void(mlir::Value, mlir::Value, mlir::Value)> onPick);

/// The same picks in the same order for many candidates, in about
/// (key bits + 2) passes over them and k^2 / lanes steps instead of k
/// passes: each score becomes an order-preserving unsigned key (-0 as +0,
/// NaN never picked), the k-th largest key is found bit by bit by counting
/// the keys at or above each candidate threshold, the picks are gathered
/// in index order (ties at the threshold to the lower indices) into stack
/// buffers of `k` entries, and each pick's rank among them gives its
/// place. Every count is a marked sum (the target may run it in vector
/// lanes; counts are exact in f32). `scoreOf(c)` must be loads and
/// elementwise arithmetic; `bf16Scores`: its values are bf16 (16-bit keys,
/// 16 passes).
void emitThresholdPicks(mlir::OpBuilder &b, mlir::Location loc, int64_t k, mlir::Value count,
                        bool bf16Scores, llvm::function_ref<mlir::Value(mlir::Value)> scoreOf,
                        llvm::function_ref<void(mlir::Value, mlir::Value, mlir::Value)> onPick);

} // namespace sieve::detail

#endif // SIEVE_LIB_CONVERSION_V4TOKERNELS_RANKEDPICKS_H
