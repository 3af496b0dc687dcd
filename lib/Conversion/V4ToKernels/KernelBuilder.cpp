//===- KernelBuilder.cpp - Bindings, push constants and workgroups --------===//

#include "KernelBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace sieve::detail {

KernelBuilder::KernelBuilder(OpBuilder &moduleBuilder, Location loc, llvm::StringRef name,
                             ArrayRef<RankedTensorType> tensorTypes)
    : b(moduleBuilder.getContext()), loc(loc), tensors(tensorTypes) {
  MLIRContext *ctx = moduleBuilder.getContext();
  auto bytes = MemRefType::get({ShapedType::kDynamic}, IntegerType::get(ctx, 8));
  SmallVector<Type> inputs(tensors.size(), bytes);
  for (int64_t d = 0, rank = tensors[0].getRank(); d < rank; ++d)
    if (tensors[0].isDynamicDim(d))
      inputs.push_back(IntegerType::get(ctx, 32));
  kernelOp = func::FuncOp::create(moduleBuilder, loc, name, FunctionType::get(ctx, inputs, {}));
  kernelOp->setAttr("sieve.kernel", UnitAttr::get(ctx));
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

Value KernelBuilder::view(unsigned i, ArrayRef<Value> dynamicSizes) {
  RankedTensorType type = tensors[i];
  auto memref = MemRefType::get(type.getShape(), type.getElementType());
  return memref::ViewOp::create(b, loc, memref, kernelOp.getArgument(i), index(0),
                                dynamicSizes);
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

} // namespace sieve::detail
