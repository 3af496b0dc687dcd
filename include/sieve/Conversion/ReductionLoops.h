//===- ReductionLoops.h - The kernel IR's vectorizable sums ---------*- C++ -*-===//
//
// Part of the kernel IR contract between the op kernels (which know which of
// their loops are sums) and a target's configuration (which decides how to
// vectorize them): the attributes on such an scf.for, written and read only
// through these names.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_CONVERSION_REDUCTIONLOOPS_H
#define SIEVE_CONVERSION_REDUCTIONLOOPS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Operation.h"

namespace sieve::reduction_loops {

/// An fp32 sum or maximum (one iteration value, `acc + term` or
/// `arith.maximumf(acc, term)`) whose body is elementwise arithmetic over
/// loads: the configuration may vectorize it.
constexpr llvm::StringLiteral kReduction = "sieve.reduction";
/// A loop that stores each iteration's value (elementwise arithmetic over
/// loads) at its own element: the configuration may vectorize it too.
constexpr llvm::StringLiteral kElementwise = "sieve.elementwise";
/// An fp32 sum the CPU keeps in its order (the reference's exact rounding,
/// an RMS norm's sum of squares) but a GPU may split over threads
/// (kernel_contract::kSplitReductions) like a kReduction.
constexpr llvm::StringLiteral kSplittableSum = "sieve.splittable_sum";
/// "bf16" when every term is a product of two bf16 values.
constexpr llvm::StringLiteral kDotInputs = "sieve.dot_inputs";
/// Set by the configuration: elements per vector iteration.
constexpr llvm::StringLiteral kVectorWidth = "sieve.vector_width";
/// Set by the configuration: how many vectors of partial sums a vector loop
/// keeps (consecutive chunks go to different ones, so the adds do not wait
/// on each other).
constexpr llvm::StringLiteral kPartialSums = "sieve.partial_sums";
/// Set by the configuration: how many columns of a sum nested in a loop
/// over columns one vector loop may compute at once (a vector of lane sums
/// per column, reduced together).
constexpr llvm::StringLiteral kJamColumns = "sieve.jam_columns";
/// Set by the configuration: "avx512bf16" for the BF16 dot product.
constexpr llvm::StringLiteral kDot = "sieve.dot";
/// Set by the configuration: kLookupPermvar when a lookup in a 16-entry
/// f32 table may be one lane permutation (vpermps) and bf16 tables word
/// permutations (vpermw, vpermi2w); kLookupVbmi when byte permutations
/// (vpermi2b) are there too.
constexpr llvm::StringLiteral kLookup = "sieve.lookup";
constexpr llvm::StringLiteral kLookupPermvar = "avx512.permvar";
constexpr llvm::StringLiteral kLookupVbmi = "avx512.vbmi";

/// Marks `loop` as a vectorizable sum, of bf16 products when `bf16Products`.
inline void mark(mlir::Operation *loop, bool bf16Products) {
  mlir::Builder b(loop->getContext());
  loop->setAttr(kReduction, b.getUnitAttr());
  if (bf16Products)
    loop->setAttr(kDotInputs, b.getStringAttr("bf16"));
}

/// Marks `loop` as elementwise (kElementwise).
inline void markElementwise(mlir::Operation *loop) {
  loop->setAttr(kElementwise, mlir::Builder(loop->getContext()).getUnitAttr());
}

/// Whether `loop` is marked as a sum of bf16 products.
inline bool hasBf16Products(mlir::Operation *loop) {
  auto inputs = loop->getAttrOfType<mlir::StringAttr>(kDotInputs);
  return inputs && inputs.getValue() == "bf16";
}

} // namespace sieve::reduction_loops

#endif // SIEVE_CONVERSION_REDUCTIONLOOPS_H
