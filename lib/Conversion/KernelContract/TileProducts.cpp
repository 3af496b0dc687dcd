//===- TileProducts.cpp - Tile products in the kernel IR ------------------===//

#include "sieve/Conversion/TileProducts.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"

#include "llvm/ADT/SmallPtrSet.h"

using namespace mlir;

namespace sieve::tile_products {
namespace {

SmallVector<AffineMap> productMaps(MLIRContext *context) {
  AffineExpr m, n, k;
  bindDims(context, m, n, k);
  return {AffineMap::get(3, 0, {m, k}, context), AffineMap::get(3, 0, {n, k}, context),
          AffineMap::get(3, 0, {m, n}, context)};
}

/// The block-scaled product's maps: a packed operand's byte is its code's
/// K / 2, a scale its block's K / block.
SmallVector<AffineMap> scaledMaps(MLIRContext *context, const ScaledTile &rows,
                                  const ScaledTile &columns) {
  AffineExpr m, n, k;
  bindDims(context, m, n, k);
  auto codes = [&](AffineExpr r, bool fp4) {
    return AffineMap::get(3, 0, {r, fp4 ? k.floorDiv(2) : k}, context);
  };
  auto scales = [&](AffineExpr r, int64_t block) {
    return AffineMap::get(3, 0, {r, k.floorDiv(block)}, context);
  };
  return {codes(m, rows.fp4), scales(m, rows.block), codes(n, columns.fp4),
          scales(n, columns.block), AffineMap::get(3, 0, {m, n}, context)};
}

SmallVector<utils::IteratorType> productIterators() {
  return {utils::IteratorType::parallel, utils::IteratorType::parallel,
          utils::IteratorType::reduction};
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
  linalg::GenericOp::create(
      b, loc, ValueRange{rows, columns}, ValueRange{acc}, productMaps(b.getContext()),
      productIterators(), [](OpBuilder &nested, Location nestedLoc, ValueRange args) {
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
  if (iterators != productIterators())
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

void emitScaled(OpBuilder &b, Location loc, const ScaledTile &rows, const ScaledTile &columns,
                Value acc, TermBuilder term) {
  auto product = linalg::GenericOp::create(
      b, loc, ValueRange{rows.codes, rows.scales, columns.codes, columns.scales}, ValueRange{acc},
      scaledMaps(b.getContext(), rows, columns), productIterators(),
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Type i32 = nested.getI32Type();
        auto widen = [&](Value byte) {
          return arith::ExtUIOp::create(nested, nestedLoc, i32, byte);
        };
        auto value = [&](Value byte, Value scale, bool fp4) {
          // One statement per op: the IR's order is the same with every
          // compiler.
          Value code = widen(byte);
          if (fp4) { // element k's nibble: the high one for odd k
            Value k = linalg::IndexOp::create(nested, nestedLoc, 2);
            Value two = arith::ConstantIndexOp::create(nested, nestedLoc, 2);
            Value parity = arith::RemUIOp::create(nested, nestedLoc, k, two);
            Value odd = arith::IndexCastOp::create(nested, nestedLoc, i32, parity);
            Value four = arith::ConstantIntOp::create(nested, nestedLoc, i32, 4);
            Value shift = arith::MulIOp::create(nested, nestedLoc, odd, four);
            Value shifted = arith::ShRUIOp::create(nested, nestedLoc, code, shift);
            Value mask = arith::ConstantIntOp::create(nested, nestedLoc, i32, 0xF);
            code = arith::AndIOp::create(nested, nestedLoc, shifted, mask);
          }
          Value scaleBits = widen(scale);
          return term(nested, nestedLoc, code, scaleBits, fp4);
        };
        Value x = value(args[0], args[1], rows.fp4);
        Value y = value(args[2], args[3], columns.fp4);
        Value sum = arith::AddFOp::create(nested, nestedLoc, args[4],
                                          arith::MulFOp::create(nested, nestedLoc, x, y));
        linalg::YieldOp::create(nested, nestedLoc, sum);
      });
  product->setAttr(kScaledProduct,
                   b.getDenseI64ArrayAttr({rows.fp4, rows.block, columns.fp4, columns.block}));
}

namespace {

/// The value the body of a product emitScaled made multiplies for operand
/// `second` (0: rows, 1: columns): `acc + x * y`'s x or y.
Value termOf(linalg::GenericOp op, bool second) {
  Block &body = op.getRegion().front();
  auto sum = body.getTerminator()->getOperand(0).getDefiningOp<arith::AddFOp>();
  auto product = sum ? sum.getRhs().getDefiningOp<arith::MulFOp>() : nullptr;
  if (!product || sum.getLhs() != body.getArgument(4))
    return Value();
  return second ? product.getRhs() : product.getLhs();
}

} // namespace

void decodeScaled(OpBuilder &b, linalg::GenericOp op, const ScaledTileProduct &product) {
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(op);
  Location loc = op.getLoc();
  MLIRContext *context = b.getContext();
  Block &body = op.getRegion().front();
  auto decoded = [&](const ScaledTile &tile, int64_t rows, bool second) -> Value {
    Value out =
        memref::AllocaOp::create(b, loc, MemRefType::get({rows, product.k}, b.getBF16Type()));
    AffineExpr r, k;
    bindDims(context, r, k);
    SmallVector<AffineMap> maps = {AffineMap::get(2, 0, {r, tile.fp4 ? k.floorDiv(2) : k}, context),
                                   AffineMap::get(2, 0, {r, k.floorDiv(tile.block)}, context),
                                   AffineMap::get(2, 0, {r, k}, context)};
    Value term = termOf(op, second);
    // The ops the term depends on, in the body's order (matchScaled's body
    // has no regions, so they are its top-level ops).
    llvm::SmallPtrSet<Operation *, 16> needed;
    SmallVector<Value> worklist = {term};
    while (!worklist.empty()) {
      Operation *def = worklist.pop_back_val().getDefiningOp();
      if (!def || def->getBlock() != &body || !needed.insert(def).second)
        continue;
      llvm::append_range(worklist, def->getOperands());
    }
    const unsigned first = second ? 2 : 0;
    linalg::GenericOp::create(
        b, loc, ValueRange{tile.codes, tile.scales}, ValueRange{out}, maps,
        {utils::IteratorType::parallel, utils::IteratorType::parallel},
        [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
          IRMapping mapping;
          mapping.map(body.getArgument(first), args[0]);
          mapping.map(body.getArgument(first + 1), args[1]);
          for (Operation &inner : body.without_terminator()) {
            if (!needed.contains(&inner))
              continue;
            if (auto index = dyn_cast<linalg::IndexOp>(inner)) // K is dimension 1 here
              mapping.map(index.getResult(), linalg::IndexOp::create(nested, nestedLoc, 1));
            else
              nested.clone(inner, mapping);
          }
          Value value = arith::TruncFOp::create(nested, nestedLoc, nested.getBF16Type(),
                                                mapping.lookupOrDefault(term));
          linalg::YieldOp::create(nested, nestedLoc, value);
        });
    return out;
  };
  Value rows = decoded(product.rows, product.m, /*second=*/false);
  Value columns = decoded(product.columns, product.n, /*second=*/true);
  emit(b, loc, rows, columns, product.acc);
  op.erase();
}

std::optional<ScaledTileProduct> matchScaled(linalg::GenericOp op) {
  auto formats = op->getAttrOfType<DenseI64ArrayAttr>(kScaledProduct);
  if (!formats || formats.size() != 4 || !op.hasPureBufferSemantics() ||
      op.getNumDpsInputs() != 4 || op.getNumDpsInits() != 1 ||
      op.getIteratorTypesArray() != productIterators())
    return std::nullopt;
  ArrayRef<int64_t> f = formats.asArrayRef();
  if (f[1] <= 0 || f[3] <= 0)
    return std::nullopt;
  Builder b(op.getContext());
  ValueRange inputs = op.getDpsInputs();
  ScaledTile rows{inputs[0], inputs[1], f[0] != 0, f[1]};
  ScaledTile columns{inputs[2], inputs[3], f[2] != 0, f[3]};
  Value acc = op.getDpsInits()[0];
  if (op.getIndexingMapsArray() != scaledMaps(op.getContext(), rows, columns))
    return std::nullopt;
  // emitScaled's body: flat, `acc + x * y`.
  Block &body = op.getRegion().front();
  if (!termOf(op, false) ||
      llvm::any_of(body, [](Operation &inner) { return inner.getNumRegions() != 0; }))
    return std::nullopt;
  auto accShape = matrixOf(acc, b.getF32Type());
  if (!accShape)
    return std::nullopt;
  const int64_t m = accShape->first, n = accShape->second;
  std::optional<int64_t> k;
  // Codes [R, K] (or K / 2 packed) and scales [R, K / block] of R rows.
  auto operandFits = [&](const ScaledTile &tile, int64_t r) {
    auto codes = matrixOf(tile.codes, b.getI8Type());
    auto scales = matrixOf(tile.scales, b.getI8Type());
    if (!codes || !scales || codes->first != r || scales->first != r)
      return false;
    const int64_t size = tile.fp4 ? codes->second * 2 : codes->second;
    if (k && *k != size)
      return false;
    k = size;
    return size % tile.block == 0 && scales->second == size / tile.block;
  };
  if (!operandFits(rows, m) || !operandFits(columns, n))
    return std::nullopt;
  return ScaledTileProduct{rows, columns, acc, m, n, *k};
}

} // namespace sieve::tile_products
