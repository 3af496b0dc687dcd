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

// KV rows: bf16 (section 11.1) or the production FP8 layout (11.2), whose
// non-RoPE dims come in whole scale blocks and whose RoPE dims are pairs.
LogicalResult verifyKvEncoding(function_ref<InFlightDiagnostic()> emitError,
                               Type element, int64_t dim, int64_t rope) {
  if (isa<BFloat16Type>(element)) {
    if (rope != 0)
      return emitError() << "bf16 rows keep every dim in bf16: rope must be 0, got "
                         << rope;
    return success();
  }
  if (!isa<Float8E4M3FNType>(element))
    return emitError() << "cache rows are stored as bf16 or f8E4M3FN, got " << element;
  if (rope <= 0 || rope >= dim || rope % 2 != 0 || (dim - rope) % kKvScaleBlock != 0)
    return emitError() << "FP8 rows need an even rope in (0, dim) with dim - rope a "
                          "multiple of 64 (the scale block), got dim "
                       << dim << ", rope " << rope;
  return success();
}

RankedTensorType bytesTensor(int64_t batch, int64_t rows, int64_t rowBytes,
                             MLIRContext *ctx) {
  return RankedTensorType::get({batch, rows, rowBytes}, IntegerType::get(ctx, 8));
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

RankedTensorType bf16Rows(int64_t batch, int64_t rows, int64_t dim, MLIRContext *ctx) {
  return rowsTensor(batch, rows, dim, BFloat16Type::get(ctx));
}

} // namespace

int64_t sieve::v4::kvRowBytes(Type encoding, int64_t dim, int64_t rope) {
  if (isa<BFloat16Type>(encoding))
    return 2 * dim;
  // E4M3 codes, bf16 RoPE dims, one E8M0 scale per 64, padded to 8 bytes.
  int64_t nope = dim - rope;
  int64_t bytes = nope + 2 * rope + nope / kKvScaleBlock;
  return (bytes + 7) / 8 * 8;
}

int64_t sieve::v4::indexerKeyBytes(Type encoding, int64_t dim) {
  if (isa<Float8E4M3FNType>(encoding))
    return dim + 4; // E4M3 codes and one fp32 scale
  if (isa<Float4E2M1FNType>(encoding))
    return dim / 2 + dim / kKeyScaleBlock; // E2M1 pairs, E8M0 per 32
  return 2 * dim;
}

//===----------------------------------------------------------------------===//
// WindowCacheType
//===----------------------------------------------------------------------===//

LogicalResult
WindowCacheType::verify(function_ref<InFlightDiagnostic()> emitError,
                        int64_t batch, int64_t rows, int64_t dim,
                        Type element, int64_t rope) {
  if (failed(verifyPositive(emitError, "batch", batch)) ||
      failed(verifyPositive(emitError, "window rows", rows)) ||
      failed(verifyPositive(emitError, "dim", dim)) ||
      failed(verifyStorageBytes(emitError, {batch, rows, dim}, 2)))
    return failure();
  return verifyKvEncoding(emitError, element, dim, rope);
}

RankedTensorType WindowCacheType::getContentsType() const {
  return bf16Rows(getBatch(), getRows(), getDim(), getContext());
}

RankedTensorType WindowCacheType::getStorageType() const {
  if (isa<BFloat16Type>(getElement()))
    return getContentsType();
  return bytesTensor(getBatch(), getRows(), kvRowBytes(getElement(), getDim(), getRope()),
                     getContext());
}

//===----------------------------------------------------------------------===//
// CompressedCacheType
//===----------------------------------------------------------------------===//

LogicalResult
CompressedCacheType::verify(function_ref<InFlightDiagnostic()> emitError,
                            int64_t batch, int64_t ratio, int64_t capacity,
                            int64_t dim, Type element, int64_t rope) {
  if (failed(verifyPositive(emitError, "batch", batch)) ||
      failed(verifyRatio(emitError, ratio)) ||
      failed(verifyPositive(emitError, "capacity", capacity)) ||
      failed(verifyPositive(emitError, "dim", dim)) ||
      failed(verifyStorageBytes(emitError, {batch, capacity, dim}, 2)))
    return failure();
  return verifyKvEncoding(emitError, element, dim, rope);
}

RankedTensorType CompressedCacheType::getContentsType() const {
  return bf16Rows(getBatch(), getCapacity(), getDim(), getContext());
}

RankedTensorType CompressedCacheType::getStorageType() const {
  if (isa<BFloat16Type>(getElement()))
    return getContentsType();
  return bytesTensor(getBatch(), getCapacity(),
                     kvRowBytes(getElement(), getDim(), getRope()), getContext());
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
  if (!isa<BFloat16Type, Float8E4M3FNType, Float4E2M1FNType>(element))
    return emitError() << "indexer keys are stored as bf16, f8E4M3FN or f4E2M1FN, got "
                       << element;
  return success();
}

RankedTensorType IndexerCacheType::getContentsType() const {
  return bf16Rows(getBatch(), getCapacity(), getDim(), getContext());
}

RankedTensorType IndexerCacheType::getStorageType() const {
  if (isa<BFloat16Type>(getElement()))
    return getContentsType();
  return bytesTensor(getBatch(), getCapacity(), indexerKeyBytes(getElement(), getDim()),
                     getContext());
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

RankedTensorType CompressorStateType::getContentsType() const { return getStorageType(); }

RankedTensorType CompressorStateType::getStorageType() const {
  Type f32 = Float32Type::get(getContext());
  return RankedTensorType::get(
      {2, getBatch(), getCoff() * getRatio(), getCoff() * getDim()}, f32);
}
