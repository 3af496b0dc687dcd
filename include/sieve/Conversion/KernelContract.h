//===- KernelContract.h - What every target's lowering expects ---*- C++ -*-===//
//
// The kernel IR's function contract, shared by the CPU and GPU lowerings: a
// kernel takes its bindings as raw bytes (memref<?xi8>), then its push
// constants (i32), returns nothing, and holds one top-level scf.forall of
// workgroups mapped to #gpu.block dimensions.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_CONVERSION_KERNELCONTRACT_H
#define SIEVE_CONVERSION_KERNELCONTRACT_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace sieve::kernel_contract {

/// The unit attribute that marks a function as a kernel.
constexpr llvm::StringLiteral kKernel = "sieve.kernel";
/// Set by the lowerings: the kernel's binding and push-constant counts.
constexpr llvm::StringLiteral kBindingCount = "sieve.bindings";
constexpr llvm::StringLiteral kConstantCount = "sieve.constants";
/// Set by the GPU lowering on a kernel: bytes of workgroup memory it uses.
constexpr llvm::StringLiteral kWorkgroupMemory = "sieve.workgroup_memory";
/// On a thread loop whose iterations are mostly sums (a GEMV's columns): a
/// GPU may give each iteration a group of threads that split its marked
/// sums (ReductionLoops.h) and add their parts; the CPU ignores it.
constexpr llvm::StringLiteral kSplitReductions = "sieve.split_reductions";

/// On the arith.mulf that ends a rounding to an FP8 or FP4 element grid
/// ("e4m3" or "e2m1"): `mulf(math.roundeven(mulf(v, 2^-step)), 2^step)` of
/// a value v already clamped to the format's range. A chip that rounds to
/// the format in one instruction may compute the grid value from v so
/// (sieve-gpu-native-small-floats); the CPU ignores it.
constexpr llvm::StringLiteral kGridRounding = "sieve.grid_rounding";

/// A binding: raw bytes, viewed as typed memrefs by the kernel body.
bool isBindingType(mlir::Type type);

struct ArgumentCounts {
  int64_t bindings = 0;
  int64_t constants = 0;
};

/// Checks the argument and result contract of `kernel`, with a diagnostic
/// naming the first argument that breaks it.
mlir::FailureOr<ArgumentCounts> countArguments(mlir::func::FuncOp kernel);

/// The one top-level workgroup forall of `kernel` (distinct #gpu.block
/// mappings, no results).
mlir::FailureOr<mlir::scf::ForallOp> workgroupForall(mlir::func::FuncOp kernel);

/// Whether `op` is a thread loop: an scf.forall mapped to #gpu.thread
/// dimensions (its iterations independent, shared by a block's threads).
bool isThreadForall(mlir::Operation *op);

/// A thread loop over [lower, upper) by `step` (#gpu.thread<x>, its body
/// empty); with `splitReductions`, marked kSplitReductions.
mlir::scf::ForallOp createThreadLoop(mlir::OpBuilder &b, mlir::Location loc,
                                     mlir::OpFoldResult lower, mlir::OpFoldResult upper,
                                     mlir::OpFoldResult step, bool splitReductions = false);

/// A thread loop's lower bound, upper bound and step as index values built
/// before it; an error at the loop unless it has one dimension,
/// #gpu.thread<x>, and no results.
struct ThreadLoopBounds {
  mlir::Value lower, upper, step;
};
mlir::FailureOr<ThreadLoopBounds> threadLoopBounds(mlir::scf::ForallOp loop,
                                                   mlir::OpBuilder &b);

} // namespace sieve::kernel_contract

#endif // SIEVE_CONVERSION_KERNELCONTRACT_H
