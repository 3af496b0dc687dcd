//===- IntegerSmallFloats.cpp - FP8/FP4 codes decoded by integer arithmetic ===//
//
// Where a chip has no conversion for a format (sieve-gpu-native-small-floats
// takes the others), a code's table lookup becomes integer arithmetic:
// the code's sign and magnitude bits are moved into an f16's places and the
// f16 is multiplied by the power of two between the two formats' exponent
// biases (2^14 for E2M1, 2^8 for E4M3). A code whose exponent field is zero
// is an f16 subnormal whose product is the code's subnormal (or zero)
// value, so no case needs a select but E4M3's NaN. Every step is exact.
// A lookup is a load from memory per code on a GPU (sieve-gpu-constant-
// tables); this is a few integer instructions, issued at several times the
// chip's load rate. The two E2M1 codes of a byte are decoded together, as
// one pair of f16 (one packed multiply).
//
//===----------------------------------------------------------------------===//

#include "SmallFloatLookups.h"

#include "sieve/Conversion/KernelsToGPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"

#include <limits>

namespace sieve {
#define GEN_PASS_DEF_GPUINTEGERSMALLFLOATSPASS
#include "sieve/Conversion/KernelsToGPU/Passes.h.inc"
} // namespace sieve

using namespace mlir;

namespace sieve {
namespace {

using namespace small_float_lookups;

Value i32Constant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIntOp::create(b, loc, b.getI32Type(), value);
}

/// `value` as an i32 (zero-extended or truncated).
Value asI32(OpBuilder &b, Location loc, Value value) {
  const unsigned width = value.getType().getIntOrFloatBitWidth();
  if (width == 32)
    return value;
  if (width < 32)
    return arith::ExtUIOp::create(b, loc, b.getI32Type(), value);
  return arith::TruncIOp::create(b, loc, b.getI32Type(), value);
}

/// `bits` as two f16 (low half first) times `scale`.
Value scaledHalves(OpBuilder &b, Location loc, Value bits, double scale) {
  auto halves = VectorType::get({2}, b.getF16Type());
  Value word = vector::BroadcastOp::create(b, loc, VectorType::get({1}, b.getI32Type()), bits);
  Value pair = vector::BitCastOp::create(b, loc, halves, word);
  Value factor = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(halves, b.getFloatAttr(b.getF16Type(), scale)));
  return arith::MulFOp::create(b, loc, pair, factor);
}

/// The two E2M1 codes of `byte` (an i32 below 256, low nibble first) as
/// f16 values: each nibble's sign to bit 15 of its half and its exponent and
/// mantissa to bits 11..9, then times 2^14 (E2M1's bias is 1, f16's 15).
/// x = byte << 12 | byte << 24 (byte * 0x1001000) holds the low nibble at
/// bits 15..12 and the high one at 31..28, and nothing else where the masks
/// look.
Value e2m1Pair(OpBuilder &b, Location loc, Value byte) {
  // One multiply: the two shifted copies of a byte do not overlap.
  Value spread = arith::MulIOp::create(b, loc, byte, i32Constant(b, loc, (1 << 12) | (1 << 24)));
  Value signs = arith::AndIOp::create(b, loc, spread, i32Constant(b, loc, 0x80008000));
  Value down = arith::ShRUIOp::create(b, loc, spread, i32Constant(b, loc, 3));
  Value magnitudes = arith::AndIOp::create(b, loc, down, i32Constant(b, loc, 0x0E000E00));
  return scaledHalves(b, loc, arith::OrIOp::create(b, loc, signs, magnitudes), 16384.0);
}

/// Where `code` is andi(shrui(byte, 4 * half), 15) with byte an i8 widened
/// and half = index_cast(remui(i, 2)) (the kernel IR's FP4 weights, two
/// codes per byte), andi(shrui(byte, 4), 15) or andi(byte, 15): the byte
/// and the half (an index; null for the low one) the code is. Both codes of
/// a byte then decode as one pair, once the lane's chunk is unrolled and the
/// half is a constant.
std::optional<std::pair<Value, Value>> nibbleOfByte(OpBuilder &b, Location loc, Value code) {
  auto masked = code.getDefiningOp<arith::AndIOp>();
  if (!masked || getConstantIntValue(masked.getRhs()) != 15)
    return std::nullopt;
  Value source = masked.getLhs();
  Value half;
  bool highByConstant = false;
  if (auto shift = source.getDefiningOp<arith::ShRUIOp>();
      shift && getConstantIntValue(shift.getRhs()) == 4) {
    // The high nibble by a constant shift (a tile form's chunk of codes).
    highByConstant = true;
    source = shift.getLhs();
  } else if (shift) {
    auto times = shift.getRhs().getDefiningOp<arith::MulIOp>();
    if (!times)
      return std::nullopt;
    Value other = getConstantIntValue(times.getRhs()) == 4   ? times.getLhs()
                  : getConstantIntValue(times.getLhs()) == 4 ? times.getRhs()
                                                             : Value();
    auto cast = other ? other.getDefiningOp<arith::IndexCastOp>() : nullptr;
    auto parity = cast ? cast.getIn().getDefiningOp<arith::RemUIOp>() : nullptr;
    if (!parity || getConstantIntValue(parity.getRhs()) != 2)
      return std::nullopt;
    half = parity.getResult();
    source = shift.getLhs();
  }
  auto widened = source.getDefiningOp<arith::ExtUIOp>();
  if (!widened || !widened.getIn().getType().isInteger(8))
    return std::nullopt;
  if (highByConstant)
    half = arith::ConstantIndexOp::create(b, loc, 1);
  return std::make_pair(asI32(b, loc, source), half);
}

/// The f32 value of E2M1 `code` (an integer whose low 4 bits are the code).
Value decodeE2M1(OpBuilder &b, Location loc, Value code) {
  Value byte, half;
  if (std::optional<std::pair<Value, Value>> nibble = nibbleOfByte(b, loc, code)) {
    std::tie(byte, half) = *nibble;
  } else {
    byte = arith::AndIOp::create(b, loc, asI32(b, loc, code), i32Constant(b, loc, 15));
  }
  Value pair = e2m1Pair(b, loc, byte);
  Value value = half ? vector::ExtractOp::create(b, loc, pair, OpFoldResult(half)).getResult()
                     : vector::ExtractOp::create(b, loc, pair, ArrayRef<int64_t>{0}).getResult();
  return arith::ExtFOp::create(b, loc, b.getF32Type(), value);
}

/// The f32 value of E4M3 `code` (an integer whose low 8 bits are the code):
/// its sign to bit 15 of an f16 and its exponent and mantissa to bits
/// 13..7, times 2^8 (E4M3's bias is 7, f16's 15). In 32 bits, the f16 in
/// the low half of a pair: LLVM narrows 16-bit integer arithmetic on
/// NVPTX into costlier instructions.
Value decodeE4M3(OpBuilder &b, Location loc, Value code) {
  Value word = asI32(b, loc, code);
  Value signBit = arith::AndIOp::create(b, loc, word, i32Constant(b, loc, 0x80));
  Value sign = arith::ShLIOp::create(b, loc, signBit, i32Constant(b, loc, 8));
  Value magnitude = arith::AndIOp::create(b, loc, word, i32Constant(b, loc, 0x7F));
  Value magnitudeBits = arith::ShLIOp::create(b, loc, magnitude, i32Constant(b, loc, 7));
  Value bits = arith::OrIOp::create(b, loc, sign, magnitudeBits);
  Value half =
      vector::ExtractOp::create(b, loc, scaledHalves(b, loc, bits, 256.0), ArrayRef<int64_t>{0});
  Value value = arith::ExtFOp::create(b, loc, b.getF32Type(), half);
  // E4M3FN has no infinities; its one magnitude NaN (S.1111.111) would be
  // 480 here.
  Value isNaN =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, magnitude, i32Constant(b, loc, 0x7F));
  Value nan = arith::ConstantOp::create(
      b, loc, b.getFloatAttr(b.getF32Type(), std::numeric_limits<float>::quiet_NaN()));
  return arith::SelectOp::create(b, loc, isNaN, nan, value);
}

struct GPUIntegerSmallFloatsPass : impl::GPUIntegerSmallFloatsPassBase<GPUIntegerSmallFloatsPass> {
  using Base::Base;

  void runOnOperation() override {
    const NativeSmallFloats native = nativeSmallFloats(chip);
    for (const Lookup &lookup : kernelLookups(getOperation())) {
      const bool e4m3 = lookup.format == Format::E4M3;
      if (e4m3 ? native.e4m3 : native.e2m1)
        continue;
      OpBuilder b(lookup.decoded);
      Location loc = lookup.decoded->getLoc();
      replaceDecode(b, lookup,
                    e4m3 ? decodeE4M3(b, loc, lookup.code) : decodeE2M1(b, loc, lookup.code));
    }
  }
};

} // namespace
} // namespace sieve
