//===- KernelBuilder.cpp - Bindings, push constants and workgroups --------===//

#include "KernelBuilder.h"
#include "sieve/Conversion/KernelContract.h"
#include "sieve/Conversion/ReductionLoops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace sieve::detail {

KernelBuilder::KernelBuilder(OpBuilder &moduleBuilder, Location loc, llvm::StringRef name,
                             ArrayRef<RankedTensorType> tensorTypes,
                             ArrayRef<PushConstant> extraConstants)
    : b(moduleBuilder.getContext()), loc(loc), tensors(tensorTypes) {
  MLIRContext *ctx = moduleBuilder.getContext();
  auto bytes = MemRefType::get({ShapedType::kDynamic}, IntegerType::get(ctx, 8));
  SmallVector<Type> inputs(tensors.size(), bytes);
  SmallVector<PushConstant> constants;
  for (int64_t d = 0, rank = tensors[0].getRank(); d < rank; ++d)
    if (tensors[0].isDynamicDim(d))
      constants.push_back(PushConstant::bindingSize(0, d));
  constants.append(extraConstants.begin(), extraConstants.end());
  inputs.append(constants.size(), IntegerType::get(ctx, 32));
  kernelOp = func::FuncOp::create(moduleBuilder, loc, name, FunctionType::get(ctx, inputs, {}));
  kernelOp->setAttr("sieve.kernel", UnitAttr::get(ctx));
  SmallVector<Attribute> records;
  for (const PushConstant &c : constants) {
    SmallVector<NamedAttribute> fields;
    switch (c.kind) {
    case PushConstant::Kind::OperandSize:
      fields = {b.getNamedAttr("operand", b.getI64IntegerAttr(c.index)),
                b.getNamedAttr("dim", b.getI64IntegerAttr(c.dim))};
      break;
    case PushConstant::Kind::ResultSize:
      fields = {b.getNamedAttr("result", b.getI64IntegerAttr(c.index)),
                b.getNamedAttr("dim", b.getI64IntegerAttr(c.dim))};
      break;
    case PushConstant::Kind::BindingSize:
      fields = {b.getNamedAttr("binding", b.getI64IntegerAttr(c.index)),
                b.getNamedAttr("dim", b.getI64IntegerAttr(c.dim))};
      break;
    case PushConstant::Kind::ScalarOperand:
      fields = {b.getNamedAttr("operand", b.getI64IntegerAttr(c.index))};
      break;
    }
    records.push_back(b.getDictionaryAttr(fields));
  }
  kernelOp->setAttr("sieve.push_constants", b.getArrayAttr(records));
  b.setInsertionPointToStart(kernelOp.addEntryBlock());
}

Value KernelBuilder::index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }

Value KernelBuilder::f32(double v) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(static_cast<float>(v)));
}

Value KernelBuilder::dim(int64_t d) {
  RankedTensorType first = tensors[0];
  if (!first.isDynamicDim(d))
    return index(first.getDimSize(d));
  unsigned constant = tensors.size();
  for (int64_t e = 0; e < d; ++e)
    constant += first.isDynamicDim(e);
  Value value = kernelOp.getArgument(constant);
  return arith::IndexCastUIOp::create(b, loc, b.getIndexType(), value);
}

FailureOr<SmallVector<PushConstant>> pushConstantsOf(func::FuncOp kernel) {
  auto records = kernel->getAttrOfType<ArrayAttr>("sieve.push_constants");
  if (!records)
    return failure();
  SmallVector<PushConstant> constants;
  for (Attribute record : records) {
    auto fields = dyn_cast<DictionaryAttr>(record);
    if (!fields)
      return failure();
    auto operand = fields.getAs<IntegerAttr>("operand");
    auto result = fields.getAs<IntegerAttr>("result");
    auto binding = fields.getAs<IntegerAttr>("binding");
    auto dim = fields.getAs<IntegerAttr>("dim");
    if (int(bool(operand)) + int(bool(result)) + int(bool(binding)) != 1 ||
        ((result || binding) && !dim))
      return failure();
    if (binding)
      constants.push_back(PushConstant::bindingSize(binding.getInt(), dim.getInt()));
    else if (result)
      constants.push_back(PushConstant::resultSize(result.getInt(), dim.getInt()));
    else if (dim)
      constants.push_back(PushConstant::operandSize(operand.getInt(), dim.getInt()));
    else
      constants.push_back(PushConstant::scalarOperand(operand.getInt()));
  }
  return constants;
}

Value KernelBuilder::extraConstant(unsigned i) {
  unsigned first = tensors.size() + static_cast<unsigned>(llvm::count_if(
                                        tensors[0].getShape(), ShapedType::isDynamic));
  Value value = kernelOp.getArgument(first + i);
  return arith::IndexCastUIOp::create(b, loc, b.getIndexType(), value);
}

SmallVector<PushConstant> KernelBuilder::wholeBindingSizes(ArrayRef<RankedTensorType> tensors) {
  SmallVector<PushConstant> constants;
  for (size_t i = 1; i < tensors.size(); ++i)
    for (int64_t d = 0; d < tensors[i].getRank(); ++d)
      if (tensors[i].isDynamicDim(d))
        constants.push_back(i + 1 < tensors.size() ? PushConstant::bindingSize(unsigned(i), d)
                                                   : PushConstant::resultSize(0, d));
  return constants;
}

unsigned KernelBuilder::wholeBindingSizeCount() {
  return static_cast<unsigned>(wholeBindingSizes(tensors).size());
}

SmallVector<Value> KernelBuilder::wholeBindingViews() {
  SmallVector<Value> views;
  unsigned next = 0;
  for (unsigned i = 0; i < tensors.size(); ++i) {
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < tensors[i].getRank(); ++d)
      if (tensors[i].isDynamicDim(d))
        sizes.push_back(i == 0 ? dim(d) : extraConstant(next++));
    views.push_back(view(i, sizes));
  }
  return views;
}

Value KernelBuilder::view(unsigned i, ArrayRef<Value> dynamicSizes) {
  RankedTensorType type = tensors[i];
  auto memref = MemRefType::get(type.getShape(), type.getElementType());
  return memref::ViewOp::create(b, loc, memref, kernelOp.getArgument(i), index(0),
                                dynamicSizes);
}

Value KernelBuilder::byteView(unsigned i, int64_t lastDim, ArrayRef<Value> dynamicSizes) {
  SmallVector<int64_t> shape(tensors[i].getShape());
  shape.back() = lastDim;
  auto memref = MemRefType::get(shape, b.getI8Type());
  return memref::ViewOp::create(b, loc, memref, kernelOp.getArgument(i), index(0),
                                dynamicSizes);
}

Value KernelBuilder::flatView(unsigned i, Type element, Value byteOffset, Value count) {
  auto memref = MemRefType::get({ShapedType::kDynamic}, element);
  return memref::ViewOp::create(b, loc, memref, kernelOp.getArgument(i), byteOffset,
                                ValueRange{count});
}

Value KernelBuilder::leadingCount(int64_t trailing) {
  Value count = index(1);
  for (int64_t d = 0, rank = tensors[0].getRank(); d + trailing < rank; ++d)
    count = arith::MulIOp::create(b, loc, count, dim(d));
  return count;
}

SmallVector<Value> KernelBuilder::leadingIndices(Value item, int64_t trailing) {
  int64_t leading = tensors[0].getRank() - trailing;
  SmallVector<Value> indices(static_cast<size_t>(leading));
  Value rest = item;
  for (int64_t d = leading - 1; d >= 0; --d) {
    Value size = dim(d);
    indices[static_cast<size_t>(d)] = arith::RemUIOp::create(b, loc, rest, size);
    rest = arith::DivUIOp::create(b, loc, rest, size);
  }
  return indices;
}

SmallVector<Value> KernelBuilder::dynamicLeadingSizes() {
  SmallVector<Value> sizes;
  for (int64_t d = 0, rank = tensors[0].getRank(); d + 1 < rank; ++d)
    if (tensors[0].isDynamicDim(d))
      sizes.push_back(dim(d));
  return sizes;
}

SmallVector<Value> KernelBuilder::rowElement(Value row, Value column) {
  SmallVector<Value> indices = leadingIndices(row, 1);
  indices.push_back(column);
  return indices;
}

void KernelBuilder::forWorkgroups(Value count, llvm::function_ref<void(Value)> body) {
  auto mapping = b.getArrayAttr({gpu::GPUBlockMappingAttr::get(b.getContext(),
                                                               gpu::MappingId::DimX)});
  // Built without a body builder so it gets its (empty) terminator.
  auto forall = scf::ForallOp::create(b, loc, ArrayRef<OpFoldResult>{count}, ValueRange{},
                                      mapping);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(forall.getBody());
    body(forall.getInductionVar(0));
  }
  func::ReturnOp::create(b, loc);
}

void emitThreadLoop(OpBuilder &b, Location loc, Value lower, Value upper, Value step,
                    llvm::function_ref<void(Value)> body, bool splitReductions, bool elementwise) {
  scf::ForallOp forall =
      kernel_contract::createThreadLoop(b, loc, lower, upper, step, splitReductions);
  if (elementwise)
    reduction_loops::markElementwise(forall);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(forall.getBody());
  body(forall.getInductionVar(0));
}

void KernelBuilder::forThreads(Value lower, Value upper, Value step,
                               llvm::function_ref<void(Value)> body, bool splitReductions,
                               bool elementwise) {
  emitThreadLoop(b, loc, lower, upper, step, body, splitReductions, elementwise);
}

} // namespace sieve::detail
