//===- V4VerifyUtils.cpp - Shared diagnostics of v4 verifiers --------------===//

#include "V4VerifyUtils.h"

#include "v4/IR/V4Ops.h"
#include "v4/IR/V4Types.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;

namespace sieve::v4::detail {

std::string formatShape(ArrayRef<int64_t> shape) {
  if (shape.empty())
    return "scalar";
  std::string out;
  for (auto [i, dim] : llvm::enumerate(shape)) {
    if (i)
      out += "x";
    out += ShapedType::isDynamic(dim) ? "?" : std::to_string(dim);
  }
  return out;
}

bool dimsMatch(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

bool shapesMatch(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  return a.size() == b.size() &&
         llvm::all_of(llvm::zip_equal(a, b), [](auto pair) {
           return dimsMatch(std::get<0>(pair), std::get<1>(pair));
         });
}

int64_t divDim(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b)
             ? ShapedType::kDynamic
             : a / b;
}

int64_t ceilDivDim(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b)
             ? ShapedType::kDynamic
             : llvm::divideCeilSigned(a, b);
}

int64_t mulDim(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b)
             ? ShapedType::kDynamic
             : a * b;
}

SmallVector<int64_t> concatShape(ArrayRef<int64_t> prefix,
                                 ArrayRef<int64_t> suffix) {
  SmallVector<int64_t> out(prefix);
  out.append(suffix.begin(), suffix.end());
  return out;
}

LogicalResult expectShape(Operation *op, const Twine &what, ShapedType type,
                          ArrayRef<int64_t> expected, const Twine &why) {
  if (shapesMatch(type.getShape(), expected))
    return success();
  InFlightDiagnostic diag = op->emitOpError()
                            << "expects " << what << " of shape "
                            << formatShape(expected);
  if (!why.isTriviallyEmpty())
    diag << " (" << why << ")";
  return diag << ", got " << formatShape(type.getShape());
}

LogicalResult expectRank(Operation *op, const Twine &what, ShapedType type,
                         int64_t rank, const Twine &layout) {
  if (type.getRank() == rank)
    return success();
  InFlightDiagnostic diag = op->emitOpError()
                            << "expects " << what << " of rank " << rank;
  if (!layout.isTriviallyEmpty())
    diag << " (" << layout << ")";
  return diag << ", got rank " << type.getRank();
}

LogicalResult expectMinRank(Operation *op, const Twine &what, ShapedType type,
                            int64_t rank, const Twine &layout) {
  if (type.getRank() >= rank)
    return success();
  InFlightDiagnostic diag = op->emitOpError()
                            << "expects " << what << " of rank >= " << rank;
  if (!layout.isTriviallyEmpty())
    diag << " (" << layout << ")";
  return diag << ", got rank " << type.getRank();
}

LogicalResult expectStatic(Operation *op, const Twine &what, int64_t dim) {
  if (!ShapedType::isDynamic(dim))
    return success();
  return op->emitOpError() << "expects a static " << what;
}

LogicalResult verifyBlockSize(Operation *op, StringRef name, int64_t block) {
  if (block == 32 || block == 64 || block == 128)
    return success();
  return op->emitOpError() << "expects " << name
                           << " in {32, 64, 128}, got " << block;
}

LogicalResult verifyPositive(Operation *op, StringRef name, int64_t value) {
  if (value > 0)
    return success();
  return op->emitOpError() << "expects " << name << " > 0, got " << value;
}

LogicalResult verifyPositive(Operation *op, StringRef name, double value) {
  if (value > 0.0)
    return success();
  // Shortest decimal form ("0", "-1.5") rather than printf's "%e".
  SmallString<16> text;
  APFloat(value).toString(text);
  return op->emitOpError() << "expects " << name << " > 0, got " << text;
}

LogicalResult verifyRatio(Operation *op, int64_t ratio) {
  if (isValidCompressionRatio(ratio))
    return success();
  return op->emitOpError() << "expects ratio 4 (CSA) or a power of two in "
                              "[8, 128] (HCA), got "
                           << ratio;
}

LogicalResult verifyPerRow(Operation *op, StringRef what, Value value,
                           int64_t rowBatch) {
  if (!value)
    return success();
  auto type = cast<ShapedType>(value.getType());
  if (failed(expectRank(op, what, type, 1, "[B], one per batch row")))
    return failure();
  return expectShape(op, what, type, {rowBatch}, "one per batch row");
}

LogicalResult verifyRowAddressing(Operation *op, int64_t rowBatch,
                                  Value positions, Value slots,
                                  int64_t cacheBatch) {
  if (failed(verifyPerRow(op, "positions", positions, rowBatch)))
    return failure();
  // Dynamic rows still need as many slots as positions.
  if (positions && ShapedType::isDynamic(rowBatch))
    rowBatch = cast<ShapedType>(positions.getType()).getDimSize(0);
  if (failed(verifyPerRow(op, "slots", slots, rowBatch)))
    return failure();
  // Without slots the callers' shape checks tie the batch to the cache's.
  if (slots && !ShapedType::isDynamic(rowBatch) && rowBatch > cacheBatch)
    return op->emitOpError() << "expects at most " << cacheBatch
                             << " batch rows (distinct slots of the cache), got "
                             << rowBatch;
  return success();
}

int64_t rowBatchOf(Value slots, int64_t cacheBatch) {
  if (!slots)
    return cacheBatch;
  auto type = cast<ShapedType>(slots.getType());
  return type.getRank() == 1 ? type.getDimSize(0) : ShapedType::kDynamic;
}

} // namespace sieve::v4::detail

bool sieve::v4::areCompatibleResultTypes(TypeRange inferred, TypeRange actual) {
  if (inferred.size() != actual.size())
    return false;
  for (auto [want, have] : llvm::zip_equal(inferred, actual)) {
    if (want == have)
      continue;
    auto wantTensor = dyn_cast<RankedTensorType>(want);
    auto haveTensor = dyn_cast<RankedTensorType>(have);
    if (!wantTensor || !haveTensor ||
        wantTensor.getElementType() != haveTensor.getElementType() ||
        wantTensor.getRank() != haveTensor.getRank() ||
        !detail::shapesMatch(wantTensor.getShape(), haveTensor.getShape()))
      return false;
  }
  return true;
}

namespace sieve::v4::detail {

LogicalResult expectInferredResults(Operation *op, TypeRange inferred,
                                    ArrayRef<ResultDescription> results) {
  assert(results.size() == op->getNumResults() &&
         inferred.size() == op->getNumResults() && "one description per result");
  for (auto [want, have, description] :
       llvm::zip_equal(inferred, op->getResultTypes(), results)) {
    if (areCompatibleResultTypes(want, have))
      continue;
    auto wantTensor = dyn_cast<RankedTensorType>(want);
    auto haveTensor = dyn_cast<RankedTensorType>(have);
    if (!wantTensor || !haveTensor)
      return op->emitOpError() << "expects " << description.name << " of type "
                               << want << ", got " << have;
    if (wantTensor.getElementType() != haveTensor.getElementType())
      return op->emitOpError()
             << "expects " << description.name << " of element type "
             << wantTensor.getElementType() << ", got "
             << haveTensor.getElementType();
    return expectShape(op, description.name, haveTensor, wantTensor.getShape(),
                       description.layout);
  }
  return success();
}

} // namespace sieve::v4::detail
