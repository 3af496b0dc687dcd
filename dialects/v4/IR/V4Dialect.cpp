//===- V4Dialect.cpp - v4 dialect registration -----------------------------===//

#include "v4/IR/V4Dialect.h"

#include "v4/IR/V4Attrs.h"
#include "v4/IR/V4Ops.h"
#include "v4/IR/V4Types.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace sieve::v4;

#include "v4/IR/V4Dialect.cpp.inc"

void V4Dialect::initialize() {
  registerAttributes();
  registerTypes();
  addOperations<
#define GET_OP_LIST
#include "v4/IR/V4Ops.cpp.inc"
      >();
  registerTilingModels();
}

// Folds only ever produce tensor constants (cache_read of a fresh cache).
Operation *V4Dialect::materializeConstant(OpBuilder &builder, Attribute value,
                                          Type type, Location loc) {
  return arith::ConstantOp::materialize(builder, value, type, loc);
}
