//===- OpKernels.h - One v4 op as one kernel of the kernel IR -----*- C++ -*-===//
//
// The per-op kernel emitters dispatch formation builds on, and what the
// conformance suite compiles alone. A kernel (docs/compiler.md, "Kernel IR")
// takes the op's tensor operands and then its results as byte bindings, in
// order, and the dynamic sizes of its first operand as i32 push constants,
// in order. Ops without an emitter yet are a diagnostic at the op.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_CONVERSION_V4TOKERNELS_OPKERNELS_H
#define SIEVE_CONVERSION_V4TOKERNELS_OPKERNELS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/Support/LLVM.h"

namespace sieve {

/// Builds kernel `name` computing `op` at `builder`'s insertion point (in a
/// module). The kernel's workgroups and their count follow the op: one row
/// per workgroup for row-wise ops.
mlir::FailureOr<mlir::func::FuncOp> emitOpKernel(mlir::Operation *op, llvm::StringRef name,
                                                  mlir::OpBuilder &builder);

} // namespace sieve

#endif // SIEVE_CONVERSION_V4TOKERNELS_OPKERNELS_H
