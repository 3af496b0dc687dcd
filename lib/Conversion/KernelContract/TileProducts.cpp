//===- TileProducts.cpp - A bf16 tile product in the kernel IR ------------===//

#include "sieve/Conversion/TileProducts.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;

namespace sieve::tile_products {
namespace {

SmallVector<AffineMap> productMaps(MLIRContext *context) {
  AffineExpr m, n, k;
  bindDims(context, m, n, k);
  return {AffineMap::get(3, 0, {m, k}, context), AffineMap::get(3, 0, {n, k}, context),
          AffineMap::get(3, 0, {m, n}, context)};
}

/// A static-shaped 2-D memref of `element`.
std::optional<std::pair<int64_t, int64_t>> matrixOf(Value v, Type element) {
  auto type = dyn_cast<MemRefType>(v.getType());
  if (!type || type.getRank() != 2 || !type.hasStaticShape() || type.getElementType() != element ||
      !type.getLayout().isIdentity())
    return std::nullopt;
  return std::make_pair(type.getDimSize(0), type.getDimSize(1));
}

} // namespace

void emit(OpBuilder &b, Location loc, Value rows, Value columns, Value acc) {
  SmallVector<utils::IteratorType> iterators = {
      utils::IteratorType::parallel, utils::IteratorType::parallel, utils::IteratorType::reduction};
  linalg::GenericOp::create(
      b, loc, ValueRange{rows, columns}, ValueRange{acc}, productMaps(b.getContext()), iterators,
      [](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Type f32 = nested.getF32Type();
        Value x = arith::ExtFOp::create(nested, nestedLoc, f32, args[0]);
        Value y = arith::ExtFOp::create(nested, nestedLoc, f32, args[1]);
        Value product = arith::MulFOp::create(nested, nestedLoc, x, y);
        Value sum = arith::AddFOp::create(nested, nestedLoc, args[2], product);
        linalg::YieldOp::create(nested, nestedLoc, sum);
      });
}

std::optional<TileProduct> match(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      op.getIndexingMapsArray() != productMaps(op.getContext()))
    return std::nullopt;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  if (iterators != SmallVector<utils::IteratorType>{utils::IteratorType::parallel,
                                                    utils::IteratorType::parallel,
                                                    utils::IteratorType::reduction})
    return std::nullopt;
  Builder b(op.getContext());
  Value rows = op.getDpsInputs()[0], columns = op.getDpsInputs()[1], acc = op.getDpsInits()[0];
  auto rowShape = matrixOf(rows, b.getBF16Type()), columnShape = matrixOf(columns, b.getBF16Type()),
       accShape = matrixOf(acc, b.getF32Type());
  if (!rowShape || !columnShape || !accShape || rowShape->second != columnShape->second ||
      accShape->first != rowShape->first || accShape->second != columnShape->first)
    return std::nullopt;
  // The body: out + extf(a) * extf(b), the sum's operands in either order.
  Block &body = op.getRegion().front();
  auto sum = body.getTerminator()->getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!sum || body.getOperations().size() != 5)
    return std::nullopt;
  Value out = body.getArgument(2);
  Value term = sum.getLhs() == out ? sum.getRhs() : sum.getRhs() == out ? sum.getLhs() : Value();
  auto product = term ? term.getDefiningOp<arith::MulFOp>() : nullptr;
  if (!product)
    return std::nullopt;
  auto widened = [&](Value v, unsigned arg) {
    auto ext = v.getDefiningOp<arith::ExtFOp>();
    return ext && ext.getIn() == body.getArgument(arg);
  };
  if (!(widened(product.getLhs(), 0) && widened(product.getRhs(), 1)) &&
      !(widened(product.getLhs(), 1) && widened(product.getRhs(), 0)))
    return std::nullopt;
  return TileProduct{rows, columns, acc, rowShape->first, columnShape->first, rowShape->second};
}

} // namespace sieve::tile_products
