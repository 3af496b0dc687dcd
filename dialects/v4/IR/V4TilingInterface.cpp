//===- V4TilingInterface.cpp - Row tiling of the row-wise v4 ops -----------===//
//
// TilingInterface for the ops that transform each row of their last
// dimension on its own: rms_norm (a reduction over the row), rope, hadamard,
// simulate_quant, quantize and dequantize (blocks along the row) and swiglu.
// The iteration domain is the leading dimensions (tokens, heads), all
// parallel; a tile is a set of whole rows, so tiling never splits a
// reduction, a Hadamard transform or a quantization block, and a tiled op is
// the same op on `tensor.extract_slice`s of its operands. This is what lets
// the next stage tile and fuse them like linalg ops (as IREE's LinalgExt ops
// do) without decomposing them first.
//
//===----------------------------------------------------------------------===//

#include "v4/IR/V4Dialect.h"
#include "v4/IR/V4Ops.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/Interfaces/TilingInterface.h"

using namespace mlir;
using namespace sieve::v4;

namespace {

/// How many leading dimensions of operand `index` follow the rows: all of
/// them for operands shaped like the result (every operand of hadamard,
/// simulate_quant, quantize, dequantize, and swiglu, whose routing weights
/// are one per row), the operand's own rank for RoPE positions (one per
/// token, shared by the heads), 0 for an operand every row reads whole (the
/// rms_norm weight).
template <typename OpTy>
int64_t rowDimsOfOperand(OpTy, unsigned, int64_t rows) {
  return rows;
}

template <>
int64_t rowDimsOfOperand(RmsNormOp, unsigned index, int64_t rows) {
  return index == 0 ? rows : 0;
}

template <>
int64_t rowDimsOfOperand(RopeOp op, unsigned index, int64_t rows) {
  return index == 0 ? rows
                    : cast<RankedTensorType>(op.getPositions().getType()).getRank();
}

/// The slice of `value` whose first `rowDims` dimensions are the tile's rows
/// and whose other dimensions are whole.
Value sliceRows(OpBuilder &b, Location loc, Value value, int64_t rowDims,
                ArrayRef<OpFoldResult> offsets, ArrayRef<OpFoldResult> sizes) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<OpFoldResult> sliceOffsets(offsets.take_front(rowDims));
  SmallVector<OpFoldResult> sliceSizes(sizes.take_front(rowDims));
  for (int64_t d = rowDims; d < type.getRank(); ++d) {
    sliceOffsets.push_back(b.getIndexAttr(0));
    sliceSizes.push_back(tensor::getMixedSize(b, loc, value, d));
  }
  SmallVector<OpFoldResult> strides(type.getRank(), b.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(b, loc, value, sliceOffsets, sliceSizes,
                                        strides);
}

/// `type` with its leading dimensions replaced by the tile's row sizes.
RankedTensorType tiledType(RankedTensorType type, ArrayRef<OpFoldResult> sizes) {
  SmallVector<int64_t> shape(type.getShape());
  for (auto [d, size] : llvm::enumerate(sizes))
    shape[d] = getConstantIntValue(size).value_or(ShapedType::kDynamic);
  return RankedTensorType::get(shape, type.getElementType());
}

template <typename OpTy>
struct RowTilingModel
    : public TilingInterface::ExternalModel<RowTilingModel<OpTy>, OpTy> {
  /// The rows: every dimension of the first result but the last.
  static int64_t numRowDims(Operation *op) {
    return cast<RankedTensorType>(op->getResult(0).getType()).getRank() - 1;
  }

  SmallVector<utils::IteratorType> getLoopIteratorTypes(Operation *op) const {
    return SmallVector<utils::IteratorType>(numRowDims(op),
                                            utils::IteratorType::parallel);
  }

  /// The sizes of result `index` in terms of the operands (never `tensor.dim`
  /// of the result itself, which would keep the untiled op alive).
  static SmallVector<OpFoldResult> resultSizes(Operation *op, OpBuilder &b,
                                               unsigned index) {
    ReifiedRankedShapedTypeDims shapes;
    LogicalResult reified = reifyResultShapes(b, op, shapes);
    assert(succeeded(reified) && "row-wise ops reify all their results");
    (void)reified;
    return shapes[index];
  }

  SmallVector<Range> getIterationDomain(Operation *op, OpBuilder &b) const {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(op);
    SmallVector<OpFoldResult> sizes = resultSizes(op, b, 0);
    SmallVector<Range> domain;
    for (int64_t d = 0, rows = numRowDims(op); d < rows; ++d)
      domain.push_back(Range{b.getIndexAttr(0), sizes[d], b.getIndexAttr(1)});
    return domain;
  }

  FailureOr<TilingResult> getTiledImplementation(Operation *op, OpBuilder &b,
                                                 ArrayRef<OpFoldResult> offsets,
                                                 ArrayRef<OpFoldResult> sizes) const {
    Location loc = op->getLoc();
    auto concrete = cast<OpTy>(op);
    int64_t rows = numRowDims(op);
    SmallVector<Value> operands;
    SmallVector<Operation *> slices;
    for (OpOperand &operand : op->getOpOperands()) {
      if (!isa<RankedTensorType>(operand.get().getType())) {
        operands.push_back(operand.get());
        continue;
      }
      int64_t rowDims = rowDimsOfOperand(concrete, operand.getOperandNumber(), rows);
      if (rowDims == 0) {
        operands.push_back(operand.get());
        continue;
      }
      Value slice = sliceRows(b, loc, operand.get(), rowDims, offsets, sizes);
      operands.push_back(slice);
      slices.push_back(slice.getDefiningOp());
    }
    SmallVector<Type> resultTypes;
    for (Type type : op->getResultTypes())
      resultTypes.push_back(tiledType(cast<RankedTensorType>(type), sizes));
    Operation *tiled = clone(b, op, resultTypes, operands);
    return TilingResult{{tiled}, SmallVector<Value>(tiled->getResults()), slices};
  }

  LogicalResult getResultTilePosition(Operation *op, OpBuilder &b,
                                      unsigned resultNumber,
                                      ArrayRef<OpFoldResult> offsets,
                                      ArrayRef<OpFoldResult> sizes,
                                      SmallVector<OpFoldResult> &resultOffsets,
                                      SmallVector<OpFoldResult> &resultSizes) const {
    resultOffsets.assign(offsets.begin(), offsets.end());
    resultSizes.assign(sizes.begin(), sizes.end());
    resultOffsets.push_back(b.getIndexAttr(0));
    resultSizes.push_back(RowTilingModel::resultSizes(op, b, resultNumber).back());
    return success();
  }

  /// A tile of a result is a tile of the domain when it takes whole rows.
  LogicalResult getIterationDomainTileFromResultTile(
      Operation *op, OpBuilder &b, unsigned resultNumber,
      ArrayRef<OpFoldResult> offsets, ArrayRef<OpFoldResult> sizes,
      SmallVectorImpl<OpFoldResult> &domainOffsets,
      SmallVectorImpl<OpFoldResult> &domainSizes) const {
    auto type = cast<RankedTensorType>(op->getResult(resultNumber).getType());
    int64_t last = type.getRank() - 1;
    std::optional<int64_t> offset = getConstantIntValue(offsets[last]);
    std::optional<int64_t> size = getConstantIntValue(sizes[last]);
    if (!offset || *offset != 0 || type.isDynamicDim(last) || !size ||
        *size != type.getDimSize(last))
      return failure();
    domainOffsets.assign(offsets.begin(), offsets.end() - 1);
    domainSizes.assign(sizes.begin(), sizes.end() - 1);
    return success();
  }

  FailureOr<TilingResult> generateResultTileValue(Operation *op, OpBuilder &b,
                                                  unsigned resultNumber,
                                                  ArrayRef<OpFoldResult> offsets,
                                                  ArrayRef<OpFoldResult> sizes) const {
    SmallVector<OpFoldResult> domainOffsets, domainSizes;
    if (failed(getIterationDomainTileFromResultTile(
            op, b, resultNumber, offsets, sizes, domainOffsets, domainSizes)))
      return failure();
    FailureOr<TilingResult> tiled =
        getTiledImplementation(op, b, domainOffsets, domainSizes);
    if (failed(tiled))
      return failure();
    return TilingResult{tiled->tiledOps, {tiled->tiledValues[resultNumber]},
                        tiled->generatedSlices};
  }
};

template <typename... OpTys>
void attachRowTiling(MLIRContext &context) {
  (OpTys::template attachInterface<RowTilingModel<OpTys>>(context), ...);
}

} // namespace

void V4Dialect::registerTilingModels() {
  attachRowTiling<RmsNormOp, RopeOp, HadamardOp, SimulateQuantOp, QuantizeOp,
                  DequantizeOp, SwigluOp>(*getContext());
}
