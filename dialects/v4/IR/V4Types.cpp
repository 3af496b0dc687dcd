//===- V4Types.cpp - v4 typed cache values ---------------------------------===//

#include "v4/IR/V4Types.h"

#include "v4/IR/V4Dialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace sieve::v4;

#include "v4/IR/V4TypeInterfaces.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "v4/IR/V4Types.cpp.inc"

void V4Dialect::registerTypes() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "v4/IR/V4Types.cpp.inc"
      >();
}

bool sieve::v4::isValidCompressionRatio(int64_t ratio) {
  return ratio == 4 ||
         (ratio >= 8 && ratio <= 128 && llvm::isPowerOf2_64(ratio));
}

namespace {

LogicalResult verifyPositive(function_ref<InFlightDiagnostic()> emitError,
                             StringRef name, int64_t value) {
  if (value <= 0)
    return emitError() << name << " must be positive, got " << value;
  return success();
}

// The reference stores every cache row in bf16 (section 11.1); FP8/FP4
// storage layouts are a lowering decision, not a graph type.
LogicalResult verifyBf16(function_ref<InFlightDiagnostic()> emitError,
                         Type element) {
  if (!isa<BFloat16Type>(element))
    return emitError() << "cache elements must be bf16, got " << element;
  return success();
}

LogicalResult verifyRatio(function_ref<InFlightDiagnostic()> emitError,
                          int64_t ratio) {
  if (!isValidCompressionRatio(ratio))
    return emitError() << "compression ratio must be 4 (CSA) or a power of "
                          "two in [8, 128] (HCA), got "
                       << ratio;
  return success();
}

// Storage whose size in bytes does not fit in int64 can be neither allocated
// nor addressed; rejecting it here keeps every later size computation (cache
// layout, buffer plans) free of overflow.
LogicalResult verifyStorageBytes(function_ref<InFlightDiagnostic()> emitError,
                                 ArrayRef<int64_t> shape, int64_t elementBytes) {
  int64_t bytes = elementBytes;
  for (int64_t dim : shape)
    if (llvm::MulOverflow(bytes, dim, bytes)) {
      InFlightDiagnostic diag = emitError() << "cache storage of shape [";
      llvm::interleaveComma(shape, diag);
      return diag << "] needs more than 2^63 bytes";
    }
  return success();
}

RankedTensorType rowsTensor(int64_t batch, int64_t rows, int64_t dim,
                            Type element) {
  return RankedTensorType::get({batch, rows, dim}, element);
}

} // namespace

//===----------------------------------------------------------------------===//
// WindowCacheType
//===----------------------------------------------------------------------===//

LogicalResult
WindowCacheType::verify(function_ref<InFlightDiagnostic()> emitError,
                        int64_t batch, int64_t rows, int64_t dim,
                        Type element) {
  if (failed(verifyPositive(emitError, "batch", batch)) ||
      failed(verifyPositive(emitError, "window rows", rows)) ||
      failed(verifyPositive(emitError, "dim", dim)) ||
      failed(verifyStorageBytes(emitError, {batch, rows, dim}, 2)))
    return failure();
  return verifyBf16(emitError, element);
}

RankedTensorType WindowCacheType::getStorageType() const {
  return rowsTensor(getBatch(), getRows(), getDim(), getElement());
}

//===----------------------------------------------------------------------===//
// CompressedCacheType
//===----------------------------------------------------------------------===//

LogicalResult
CompressedCacheType::verify(function_ref<InFlightDiagnostic()> emitError,
                            int64_t batch, int64_t ratio, int64_t capacity,
                            int64_t dim, Type element) {
  if (failed(verifyPositive(emitError, "batch", batch)) ||
      failed(verifyRatio(emitError, ratio)) ||
      failed(verifyPositive(emitError, "capacity", capacity)) ||
      failed(verifyPositive(emitError, "dim", dim)) ||
      failed(verifyStorageBytes(emitError, {batch, capacity, dim}, 2)))
    return failure();
  return verifyBf16(emitError, element);
}

RankedTensorType CompressedCacheType::getStorageType() const {
  return rowsTensor(getBatch(), getCapacity(), getDim(), getElement());
}

//===----------------------------------------------------------------------===//
// IndexerCacheType
//===----------------------------------------------------------------------===//

LogicalResult
IndexerCacheType::verify(function_ref<InFlightDiagnostic()> emitError,
                         int64_t batch, int64_t capacity, int64_t dim,
                         Type element) {
  if (failed(verifyPositive(emitError, "batch", batch)) ||
      failed(verifyPositive(emitError, "capacity", capacity)))
    return failure();
  // Keys pass through a Hadamard (power of two) and FP4 blocks of 32.
  if (dim < 32 || !llvm::isPowerOf2_64(dim))
    return emitError() << "indexer key dim must be a power of two >= 32 "
                          "(Hadamard size, FP4 block 32), got "
                       << dim;
  if (failed(verifyStorageBytes(emitError, {batch, capacity, dim}, 2)))
    return failure();
  return verifyBf16(emitError, element);
}

RankedTensorType IndexerCacheType::getStorageType() const {
  return rowsTensor(getBatch(), getCapacity(), getDim(), getElement());
}

//===----------------------------------------------------------------------===//
// CompressorStateType
//===----------------------------------------------------------------------===//

LogicalResult
CompressorStateType::verify(function_ref<InFlightDiagnostic()> emitError,
                            int64_t batch, int64_t ratio, int64_t coff,
                            int64_t dim) {
  if (failed(verifyPositive(emitError, "batch", batch)) ||
      failed(verifyRatio(emitError, ratio)) ||
      failed(verifyPositive(emitError, "dim", dim)))
    return failure();
  int64_t expectedCoff = ratio == 4 ? 2 : 1;
  if (coff != expectedCoff)
    return emitError() << "compressor state coff must be " << expectedCoff
                       << " for ratio " << ratio
                       << " (2 only for the overlapping ratio-4 compressor), "
                          "got "
                       << coff;
  // [kv | score, batch, coff * ratio, coff * dim] fp32.
  return verifyStorageBytes(emitError, {2, batch, coff * ratio, coff, dim}, 4);
}

RankedTensorType CompressorStateType::getStorageType() const {
  Type f32 = Float32Type::get(getContext());
  return RankedTensorType::get(
      {2, getBatch(), getCoff() * getRatio(), getCoff() * getDim()}, f32);
}
