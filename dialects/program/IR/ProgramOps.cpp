//===- ProgramOps.cpp - program.executable and program.dispatch ------------===//

#include "program/IR/ProgramOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace sieve::program;

#define GET_OP_CLASSES
#include "program/IR/ProgramOps.cpp.inc"

void ExecutableOp::build(OpBuilder &builder, OperationState &state, llvm::StringRef name) {
  state.addAttribute(mlir::SymbolTable::getSymbolAttrName(), builder.getStringAttr(name));
  state.addRegion()->emplaceBlock();
}

LogicalResult DispatchOp::verify() {
  ArrayRef<int64_t> tied = getTied();
  if (tied.size() != getNumResults())
    return emitOpError() << "has " << tied.size() << " tied entries for " << getNumResults()
                         << " results";
  int64_t bindings = static_cast<int64_t>(getBindings().size());
  for (auto [i, operand] : llvm::enumerate(tied)) {
    if (operand == -1)
      continue;
    if (operand < 0 || operand >= bindings)
      return emitOpError() << "result " << i << " is tied to binding " << operand
                           << ", which does not exist";
    if (getBindings()[operand].getType() != getResult(i).getType())
      return emitOpError() << "result " << i << " has type " << getResult(i).getType()
                           << " but is tied to a binding of type "
                           << getBindings()[operand].getType();
  }
  int64_t dynamic = 0;
  for (Type type : getResultTypes())
    if (auto shaped = dyn_cast<ShapedType>(type))
      dynamic += shaped.getNumDynamicDims();
  if (dynamic != static_cast<int64_t>(getResultDims().size()))
    return emitOpError() << "has " << getResultDims().size() << " result dims for " << dynamic
                         << " dynamic result sizes";
  return success();
}

LogicalResult DispatchOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto kernel = symbolTable.lookupNearestSymbolFrom<func::FuncOp>(*this, getKernel());
  if (!kernel)
    return emitOpError() << "names " << getKernel() << ", which is not a kernel function";
  if (!kernel->hasAttr("sieve.kernel"))
    return emitOpError() << "names " << getKernel() << ", which lacks the sieve.kernel attribute";
  size_t untied = llvm::count(getTied(), -1);
  size_t expected = getBindings().size() + untied + getConstants().size();
  if (kernel.getNumArguments() != expected)
    return emitOpError() << "passes " << getBindings().size() << " bindings, " << untied
                         << " result bindings and " << getConstants().size()
                         << " constants, but " << getKernel() << " takes "
                         << kernel.getNumArguments() << " arguments";
  return success();
}

LogicalResult
DispatchOp::reifyResultShapes(OpBuilder &builder, ReifiedRankedShapedTypeDims &shapes) {
  ValueRange dims = getResultDims();
  for (Type type : getResultTypes()) {
    auto shaped = dyn_cast<RankedTensorType>(type);
    if (!shaped)
      return failure();
    SmallVector<OpFoldResult> sizes;
    for (int64_t d = 0; d < shaped.getRank(); ++d) {
      if (shaped.isDynamicDim(d)) {
        sizes.push_back(dims.front());
        dims = dims.drop_front();
      } else {
        sizes.push_back(builder.getIndexAttr(shaped.getDimSize(d)));
      }
    }
    shapes.push_back(std::move(sizes));
  }
  return success();
}
