//===- TensorKernels.cpp - The graph's tensor-dialect ops as kernels -------===//
//
// The copies and lookups the graph spells with the tensor dialect: the
// embedding lookup (tensor.gather), the window ring joined with a chunk
// (tensor.concat), slices (extract_slice / insert_slice) and the position
// tensors (tensor.generate). One row of the result (all dimensions but the
// last) per workgroup, plain loads and stores. Reshapes need no kernel:
// expand_shape and collapse_shape of a contiguous buffer are views of it.
//
// Indices read from memory (a gathered token id) are clamped into range, so
// a bad id reads a wrong row, never out of bounds.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "OpKernelEmitters.h"
#include "sieve/Conversion/V4ToKernels/OpKernels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"

#include <memory>

using namespace mlir;

namespace sieve::detail {

namespace {

/// A kernel whose bindings are `inputs` (operands of the op, or static
/// tensors it captures) and its result. Push constants: every dynamic size
/// of the inputs in order, the result's, then `scalars` (index operands of
/// the op, such as dynamic slice offsets). The views are typed.
struct RowKernel {
  std::unique_ptr<KernelBuilder> kb;
  SmallVector<Value> inputs; // views
  Value result;              // view
  SmallVector<Value> resultSizes;
  SmallVector<Value> scalars; // index values

  static FailureOr<RowKernel> build(Operation *op, llvm::StringRef name, OpBuilder &moduleBuilder,
                                    ArrayRef<Value> inputValues, ArrayRef<unsigned> scalarOperands) {
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    // The inputs are the op's bindings in order (kernelBindings).
    SmallVector<RankedTensorType> tensors;
    for (Value value : inputValues)
      tensors.push_back(cast<RankedTensorType>(value.getType()));
    tensors.push_back(resultType);
    SmallVector<PushConstant> extras = KernelBuilder::wholeBindingSizes(tensors);
    for (unsigned operand : scalarOperands)
      extras.push_back(PushConstant::scalarOperand(operand));

    RowKernel k;
    k.kb = std::make_unique<KernelBuilder>(moduleBuilder, op->getLoc(), name, tensors, extras);
    k.inputs = k.kb->wholeBindingViews();
    k.result = k.inputs.pop_back_val();
    unsigned next = k.kb->wholeBindingSizeCount();
    for (int64_t d = 0; d < resultType.getRank(); ++d)
      k.resultSizes.push_back(resultType.isDynamicDim(d)
                                  ? k.kb->builder().createOrFold<memref::DimOp>(
                                        k.kb->location(), k.result, d)
                                  : k.kb->index(resultType.getDimSize(d)));
    for (size_t s = 0; s < scalarOperands.size(); ++s)
      k.scalars.push_back(k.kb->extraConstant(next++));
    return k;
  }

  /// One workgroup per row of the result: `body(indices)` gets the indices of
  /// the row's leading dimensions, and is run for each last-dimension index
  /// `x` appended, one iteration of a thread loop each (`perElement`), or
  /// once (otherwise).
  void forEachRow(llvm::function_ref<void(SmallVector<Value>)> body, bool perElement = true) {
    OpBuilder &b = kb->builder();
    Location loc = kb->location();
    Value rows = kb->index(1);
    for (size_t d = 0; d + 1 < resultSizes.size(); ++d)
      rows = arith::MulIOp::create(b, loc, rows, resultSizes[d]);
    kb->forWorkgroups(rows, [&](Value row) {
      SmallVector<Value> leading(resultSizes.size() - 1);
      Value rest = row;
      for (int64_t d = static_cast<int64_t>(resultSizes.size()) - 2; d >= 0; --d) {
        leading[size_t(d)] = arith::RemUIOp::create(b, loc, rest, resultSizes[size_t(d)]);
        rest = arith::DivUIOp::create(b, loc, rest, resultSizes[size_t(d)]);
      }
      if (!perElement)
        return body(leading);
      kb->forThreads(kb->index(0), resultSizes.back(), kb->index(1), [&](Value x) {
        SmallVector<Value> at(leading);
        at.push_back(x);
        body(at);
      });
    });
  }
};

/// The value of a mixed offset or size: its constant, or the next scalar.
Value mixedValue(RowKernel &k, OpFoldResult value, unsigned &nextScalar) {
  if (auto attr = dyn_cast<Attribute>(value))
    return k.kb->index(cast<IntegerAttr>(attr).getInt());
  return k.scalars[nextScalar++];
}

/// The index operands of a slice op's dynamic offsets and sizes, in order.
template <typename SliceOp> SmallVector<unsigned> sliceScalars(SliceOp op) {
  SmallVector<unsigned> operands;
  for (OpOperand &offset : op.getOffsetsMutable())
    operands.push_back(offset.getOperandNumber());
  for (OpOperand &size : op.getSizesMutable())
    operands.push_back(size.getOperandNumber());
  return operands;
}

template <typename SliceOp> LogicalResult checkUnitStrides(SliceOp op) {
  for (OpFoldResult stride : op.getMixedStrides())
    if (getConstantIntValue(stride) != 1)
      return op.emitOpError() << "has a stride other than 1, which has no kernel yet";
  return success();
}

} // namespace

FailureOr<func::FuncOp> emitGatherKernel(tensor::GatherOp op, llvm::StringRef name,
                                         OpBuilder &moduleBuilder) {
  RankedTensorType source = op.getSourceType(), indices = op.getIndicesType();
  if (op.getGatherDims() != ArrayRef<int64_t>{0} || source.getRank() != 2 ||
      indices.getRank() != 2 || indices.getDimSize(1) != 1 || !source.hasStaticShape() ||
      op.getResult().getType().getRank() != 2)
    return op.emitOpError() << "is not a row lookup (a static [V, D] table by [N, 1] ids), the "
                               "one gather with a kernel";
  FailureOr<RowKernel> k =
      RowKernel::build(op, name, moduleBuilder, {op.getSource(), op.getIndices()}, {});
  if (failed(k))
    return failure();
  OpBuilder &b = k->kb->builder();
  Location loc = k->kb->location();
  Value last = k->kb->index(source.getDimSize(0) - 1);
  k->forEachRow([&](SmallVector<Value> at) {
    Value zero = k->kb->index(0);
    Value id = memref::LoadOp::create(b, loc, k->inputs[1], ValueRange{at[0], zero});
    Value row = arith::MinUIOp::create(
        b, loc, arith::IndexCastUIOp::create(b, loc, b.getIndexType(), id), last);
    Value v = memref::LoadOp::create(b, loc, k->inputs[0], ValueRange{row, at[1]});
    memref::StoreOp::create(b, loc, v, k->result, at);
  });
  // The table is read one row per id.
  k->kb->kernel()->setAttr(kGatheredBindingsAttr, b.getDenseI64ArrayAttr({0}));
  return k->kb->kernel();
}

FailureOr<func::FuncOp> emitConcatKernel(tensor::ConcatOp op, llvm::StringRef name,
                                         OpBuilder &moduleBuilder) {
  int64_t dim = static_cast<int64_t>(op.getDim());
  if (dim == op.getResultType().getRank() - 1)
    return op.emitOpError() << "joins along the last dimension, which has no kernel yet";
  SmallVector<Value> inputs(op.getInputs());
  FailureOr<RowKernel> k = RowKernel::build(op, name, moduleBuilder, inputs, {});
  if (failed(k))
    return failure();
  OpBuilder &b = k->kb->builder();
  Location loc = k->kb->location();
  k->forEachRow([&](SmallVector<Value> at) {
    // Input j holds positions [start_j, start_j + size_j) along `dim`.
    std::function<void(size_t, Value)> copyFrom = [&](size_t j, Value start) {
      Value size = b.createOrFold<memref::DimOp>(loc, k->inputs[j], dim);
      Value end = arith::AddIOp::create(b, loc, start, size);
      auto copy = [&] {
        SmallVector<Value> from(at);
        from[size_t(dim)] = arith::SubIOp::create(b, loc, at[size_t(dim)], start);
        Value v = memref::LoadOp::create(b, loc, k->inputs[j], from);
        memref::StoreOp::create(b, loc, v, k->result, at);
      };
      if (j + 1 == k->inputs.size())
        return copy();
      Value inside = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, at[size_t(dim)], end);
      scf::IfOp::create(
          b, loc, inside,
          [&](OpBuilder &, Location) {
            copy();
            scf::YieldOp::create(b, loc);
          },
          [&](OpBuilder &, Location) {
            copyFrom(j + 1, end);
            scf::YieldOp::create(b, loc);
          });
    };
    copyFrom(0, k->kb->index(0));
  });
  return k->kb->kernel();
}

FailureOr<func::FuncOp> emitExtractSliceKernel(tensor::ExtractSliceOp op, llvm::StringRef name,
                                               OpBuilder &moduleBuilder) {
  if (failed(checkUnitStrides(op)))
    return failure();
  FailureOr<RowKernel> k =
      RowKernel::build(op, name, moduleBuilder, {op.getSource()}, sliceScalars(op));
  if (failed(k))
    return failure();
  unsigned nextScalar = 0;
  SmallVector<Value> offsets;
  for (OpFoldResult offset : op.getMixedOffsets())
    offsets.push_back(mixedValue(*k, offset, nextScalar));
  llvm::SmallBitVector dropped = op.getDroppedDims();
  OpBuilder &b = k->kb->builder();
  Location loc = k->kb->location();
  k->forEachRow([&](SmallVector<Value> at) {
    // Source index d: its offset, plus the next result index unless d is a
    // dropped unit dimension.
    SmallVector<Value> from;
    size_t next = 0;
    for (size_t d = 0; d < offsets.size(); ++d)
      from.push_back(dropped.test(d) ? offsets[d]
                                     : arith::AddIOp::create(b, loc, offsets[d], at[next++]));
    Value v = memref::LoadOp::create(b, loc, k->inputs[0], from);
    memref::StoreOp::create(b, loc, v, k->result, at);
  });
  return k->kb->kernel();
}

FailureOr<func::FuncOp> emitInsertSliceKernel(tensor::InsertSliceOp op, llvm::StringRef name,
                                              OpBuilder &moduleBuilder) {
  if (failed(checkUnitStrides(op)))
    return failure();
  // An empty destination is not read: only the slice is defined.
  const bool readsDest = !op.getDest().getDefiningOp<tensor::EmptyOp>();
  SmallVector<Value> inputs = {op.getSource()};
  if (readsDest)
    inputs.push_back(op.getDest());
  FailureOr<RowKernel> k = RowKernel::build(op, name, moduleBuilder, inputs, sliceScalars(op));
  if (failed(k))
    return failure();
  unsigned nextScalar = 0;
  SmallVector<Value> offsets, sizes;
  for (OpFoldResult offset : op.getMixedOffsets())
    offsets.push_back(mixedValue(*k, offset, nextScalar));
  for (OpFoldResult size : op.getMixedSizes())
    sizes.push_back(mixedValue(*k, size, nextScalar));
  llvm::SmallBitVector dropped = op.getDroppedDims();
  OpBuilder &b = k->kb->builder();
  Location loc = k->kb->location();
  k->forEachRow([&](SmallVector<Value> at) {
    Value inside = arith::ConstantIntOp::create(b, loc, b.getI1Type(), 1);
    SmallVector<Value> from;
    for (size_t d = 0; d < at.size(); ++d) {
      Value relative = arith::SubIOp::create(b, loc, at[d], offsets[d]);
      // Unsigned: below the offset wraps to a huge value.
      inside = arith::AndIOp::create(
          b, loc, inside,
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, relative, sizes[d]));
      if (!dropped.test(d))
        from.push_back(relative);
    }
    auto branch = scf::IfOp::create(
        b, loc, inside,
        [&](OpBuilder &, Location) {
          Value v = memref::LoadOp::create(b, loc, k->inputs[0], from);
          memref::StoreOp::create(b, loc, v, k->result, at);
          scf::YieldOp::create(b, loc);
        },
        [&](OpBuilder &, Location) {
          if (readsDest) {
            Value v = memref::LoadOp::create(b, loc, k->inputs[1], at);
            memref::StoreOp::create(b, loc, v, k->result, at);
          }
          scf::YieldOp::create(b, loc);
        });
    (void)branch;
  });
  return k->kb->kernel();
}

FailureOr<func::FuncOp> emitGenerateKernel(tensor::GenerateOp op, llvm::StringRef name,
                                           OpBuilder &moduleBuilder) {
  // The body's captured tensors are bindings; captured scalars must be
  // constants (cloned into the kernel).
  SetVector<Value> captured;
  getUsedValuesDefinedAbove(op.getBody(), captured);
  SmallVector<Value> tensors;
  for (Value value : captured) {
    if (isa<RankedTensorType>(value.getType()))
      tensors.push_back(value);
    else if (!matchPattern(value, m_Constant()))
      return op.emitOpError() << "uses a scalar from outside that is not a constant";
  }
  if (tensors.empty())
    return op.emitOpError() << "reads no tensor, which has no kernel yet";
  WalkResult otherUse = op.getBody().walk([&](Operation *inner) {
    if (isa<tensor::ExtractOp>(inner))
      return WalkResult::advance();
    for (Value operand : inner->getOperands())
      if (llvm::is_contained(tensors, operand))
        return WalkResult::interrupt();
    return WalkResult::advance();
  });
  if (otherUse.wasInterrupted())
    return op.emitOpError() << "uses a tensor from outside other than by tensor.extract";
  FailureOr<RowKernel> k = RowKernel::build(op, name, moduleBuilder, tensors, {});
  if (failed(k))
    return failure();
  OpBuilder &b = k->kb->builder();
  Location loc = k->kb->location();
  k->forEachRow([&](SmallVector<Value> at) {
    IRMapping mapping;
    Block &body = op.getBody().front();
    for (auto [arg, index] : llvm::zip(body.getArguments(), at))
      mapping.map(arg, index);
    for (Value value : captured)
      if (!isa<RankedTensorType>(value.getType()))
        mapping.map(value, b.clone(*value.getDefiningOp())->getResult(0));
    for (Operation &inner : body.without_terminator()) {
      if (auto extract = dyn_cast<tensor::ExtractOp>(inner)) {
        auto it = llvm::find(tensors, extract.getTensor());
        if (it != tensors.end()) {
          SmallVector<Value> indices;
          for (Value index : extract.getIndices())
            indices.push_back(mapping.lookupOrDefault(index));
          mapping.map(extract.getResult(),
                      memref::LoadOp::create(b, loc, k->inputs[size_t(it - tensors.begin())],
                                             indices));
          continue;
        }
      }
      b.clone(inner, mapping);
    }
    auto yield = cast<tensor::YieldOp>(body.getTerminator());
    memref::StoreOp::create(b, loc, mapping.lookupOrDefault(yield.getValue()), k->result, at);
  });
  return k->kb->kernel();
}

} // namespace sieve::detail
