//===- KernelBuilder.h - Bindings, push constants and workgroups --*- C++ -*-===//
//
// Private to SieveV4ToKernels: the parts every op kernel shares. A kernel
// function with byte bindings and i32 push constants, typed views of the
// bindings, and the workgroup loop.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_LIB_CONVERSION_V4TOKERNELS_KERNELBUILDER_H
#define SIEVE_LIB_CONVERSION_V4TOKERNELS_KERNELBUILDER_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

#include <functional>

namespace sieve::detail {

/// Where the host finds a push constant's value: a size of one of the op's
/// operands, results or bindings (kernelBindings(), which may be values an
/// op reads without taking them as operands), or one of its scalar (index)
/// operands.
struct PushConstant {
  enum class Kind { OperandSize, ResultSize, BindingSize, ScalarOperand };
  Kind kind;
  unsigned index; // operand, result or binding number
  int64_t dim = 0; // for sizes

  static PushConstant operandSize(unsigned operand, int64_t dim) {
    return {Kind::OperandSize, operand, dim};
  }
  static PushConstant resultSize(unsigned result, int64_t dim) {
    return {Kind::ResultSize, result, dim};
  }
  static PushConstant bindingSize(unsigned binding, int64_t dim) {
    return {Kind::BindingSize, binding, dim};
  }
  static PushConstant scalarOperand(unsigned operand) {
    return {Kind::ScalarOperand, operand, 0};
  }
};

/// The push constants of a kernel KernelBuilder made, in order, as recorded
/// in its `sieve.push_constants` attribute; failure when it is malformed.
mlir::FailureOr<llvm::SmallVector<PushConstant>> pushConstantsOf(mlir::func::FuncOp kernel);

/// KernelBuilder::forThreads at `b`'s insertion point, which it leaves
/// after the loop.
void emitThreadLoop(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lower, mlir::Value upper,
                    mlir::Value step, llvm::function_ref<void(mlir::Value)> body,
                    bool splitReductions = false, bool elementwise = false);

class KernelBuilder {
public:
  /// A kernel `name` with one binding per type in `tensors` (the op's
  /// bindings, kernelBindings(), then its untied results), one push constant
  /// per dynamic size of `tensors[0]`, then `extraConstants` (a size of another operand
  /// or result, a scalar operand). The kernel records where each constant
  /// comes from as `sieve.push_constants` for dispatch formation.
  KernelBuilder(mlir::OpBuilder &moduleBuilder, mlir::Location loc, llvm::StringRef name,
                llvm::ArrayRef<mlir::RankedTensorType> tensors,
                llvm::ArrayRef<PushConstant> extraConstants = {});

  /// For kernels over whole bindings (the upstream ops'): `tensors` are the
  /// bindings then the result; every dynamic size of the bindings after the
  /// first, then of the result, as extra push constants in that order (the
  /// first binding's are KernelBuilder's own). Further constants follow.
  static llvm::SmallVector<PushConstant>
  wholeBindingSizes(llvm::ArrayRef<mlir::RankedTensorType> tensors);
  /// The views of all bindings of such a kernel, sized by those constants.
  llvm::SmallVector<mlir::Value> wholeBindingViews();
  /// The number of extra constants wholeBindingSizes describes.
  unsigned wholeBindingSizeCount();

  mlir::func::FuncOp kernel() const { return kernelOp; }
  mlir::OpBuilder &builder() { return b; }
  mlir::Location location() const { return loc; }

  /// Size `d` of `tensors[0]`: a constant, or its push constant.
  mlir::Value dim(int64_t d);
  /// Extra push constant `i`, as an index.
  mlir::Value extraConstant(unsigned i);
  /// Binding `i` viewed as `tensors[i]`'s shape and element type, dynamic
  /// sizes as those of `tensors[0]` (the tensors of one op share them).
  mlir::Value view(unsigned i, llvm::ArrayRef<mlir::Value> dynamicSizes);

  /// Binding `i` as bytes shaped like `tensors[i]` but with `lastDim` bytes
  /// in its last dimension: FP8 codes and E8M0 scales (one byte each), FP4
  /// codes (two per byte, the even element in the low nibble).
  mlir::Value byteView(unsigned i, int64_t lastDim, llvm::ArrayRef<mlir::Value> dynamicSizes);

  /// Binding `i` as `count` elements of `element` from byte `byteOffset`:
  /// a kernel's own staging in an output it overwrites later (the caller
  /// checks that the binding holds them).
  mlir::Value flatView(unsigned i, mlir::Type element, mlir::Value byteOffset, mlir::Value count);

  /// `tensors[0]` as items of its last `trailing` dimensions (a row of its
  /// last dimension, a token's heads or streams): the number of items (the
  /// product of the other sizes) and the leading indices of item `item`.
  mlir::Value leadingCount(int64_t trailing);
  llvm::SmallVector<mlir::Value> leadingIndices(mlir::Value item, int64_t trailing);
  /// The dynamic sizes of all but the last dimension of `tensors[0]` (for
  /// `view`; kernels need the trailing dimensions static).
  llvm::SmallVector<mlir::Value> dynamicLeadingSizes();
  /// Row-wise ops: the number of rows of the last dimension, and the indices
  /// of element `column` of row `row`.
  mlir::Value rowCount() { return leadingCount(1); }
  llvm::SmallVector<mlir::Value> rowElement(mlir::Value row, mlir::Value column);

  /// The workgroup loop over `count` (one dimension, #gpu.block<x>); `body`
  /// is given the workgroup id. Closes the kernel with a return.
  void forWorkgroups(mlir::Value count, llvm::function_ref<void(mlir::Value)> body);

  /// A loop whose iterations are independent (each writes its own
  /// elements), mapped to the workgroup's threads (#gpu.thread<x>): a GPU
  /// block's threads share its iterations, the CPU runs them in order. What
  /// a workgroup writes must be written in such loops (docs/compiler.md).
  /// `splitReductions`: each iteration is mostly marked sums, which a GPU
  /// may split over a group of threads (kernel_contract::kSplitReductions).
  /// `elementwise`: each iteration stores one element's arithmetic over
  /// loads (reduction_loops::kElementwise; the CPU may vectorize its loop).
  /// (emitThreadLoop for code that builds with its own builder.)
  void forThreads(mlir::Value lower, mlir::Value upper, mlir::Value step,
                  llvm::function_ref<void(mlir::Value)> body, bool splitReductions = false,
                  bool elementwise = false);

  mlir::Value index(int64_t v);
  mlir::Value f32(double v);

private:
  mlir::OpBuilder b;
  mlir::Location loc;
  mlir::func::FuncOp kernelOp;
  llvm::SmallVector<mlir::RankedTensorType> tensors;
};

} // namespace sieve::detail

#endif // SIEVE_LIB_CONVERSION_V4TOKERNELS_KERNELBUILDER_H
