//===- QuantArith.h - FP8/FP4/E8M0 arithmetic for kernels ----------*- C++ -*-===//
//
// Private to SieveV4ToKernels: block scales, rounding to an element grid,
// and code encoding/decoding, built from integer and fp32 arith ops (no
// small-float MLIR types: architecture.md). The quantization kernels and the
// block-scaled GEMMs share them.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_LIB_CONVERSION_V4TOKERNELS_QUANTARITH_H
#define SIEVE_LIB_CONVERSION_V4TOKERNELS_QUANTARITH_H

#include "sieve/Conversion/KernelContract.h"
#include "sieve/Conversion/ReductionLoops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"

#include <cmath>
#include <limits>

namespace sieve::detail {

using mlir::Location;
using mlir::OpBuilder;
using mlir::Type;
using mlir::Value;
using mlir::ValueRange;
namespace arith = mlir::arith;
namespace math = mlir::math;
namespace scf = mlir::scf;


/// An element format's grid: largest magnitude, smallest normal exponent,
/// mantissa bits, the exponent of its largest binade (the floor rule) and
/// the ceil rule's amax floor.
struct ElementGrid {
  float qmax;
  int32_t minExponent;
  int32_t mantissaBits;
  int32_t maxExponent;
  float ceilFloor;
  int32_t exponentBits;
  int32_t bias;
  bool hasNaN;     // E4M3FN: S.1111.111 is NaN; E2M1 has none
  int32_t nanCode; // what the reference encodes a NaN as
  const char *name; // kernel_contract::kGridRounding's value: "e4m3", "e2m1"
};

inline ElementGrid gridOf(Type format) {
  if (mlir::isa<mlir::Float8E4M3FNType>(format))
    return {448.0f, -6, 3, 8, 1e-4f, 4, 7, true, 0x7F, "e4m3"};
  // E2M1; its floor is 6 * 2^-126 (v4-architecture.md 3.1).
  return {6.0f, 0, 1, 2, 6.0f * std::numeric_limits<float>::min(), 2, 1, false, 0x7, "e2m1"};
}

/// Integer and fp32 helpers on one builder.
struct Bits {
  OpBuilder &b;
  Location loc;
  Type i32, f32;

  Value i(int32_t v) { return arith::ConstantIntOp::create(b, loc, i32, v); }
  Value f(float v) { return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v)); }
  Value bitsOf(Value x) { return arith::BitcastOp::create(b, loc, i32, x); }
  Value floatOf(Value bits) { return arith::BitcastOp::create(b, loc, f32, bits); }
  Value biasedExponent(Value x) {
    Value shifted = arith::ShRUIOp::create(b, loc, bitsOf(x), i(23));
    return arith::AndIOp::create(b, loc, shifted, i(0xFF));
  }
  Value mantissa(Value x) { return arith::AndIOp::create(b, loc, bitsOf(x), i(0x7FFFFF)); }
  Value cmp(arith::CmpIPredicate p, Value a, Value c) {
    return arith::CmpIOp::create(b, loc, p, a, c);
  }
  Value select(Value c, Value t, Value e) { return arith::SelectOp::create(b, loc, c, t, e); }
  Value add(Value a, Value c) { return arith::AddIOp::create(b, loc, a, c); }
  Value sub(Value a, Value c) { return arith::SubIOp::create(b, loc, a, c); }
  /// Shift amounts kept in [0, 31] so the unselected arm is never poison.
  Value shiftLeft(Value v, Value amount) {
    Value clamped = arith::MaxSIOp::create(b, loc, arith::MinSIOp::create(b, loc, amount, i(31)),
                                           i(0));
    return arith::ShLIOp::create(b, loc, v, clamped);
  }
  /// Element `element`'s FP4 code from its byte (two per byte, the even
  /// element in the low nibble, as the checkpoint packs them).
  Value packedCode(Value byte, Value element) {
    Value odd =
        arith::RemUIOp::create(b, loc, element, arith::ConstantIndexOp::create(b, loc, 2));
    Value shift =
        arith::MulIOp::create(b, loc, arith::IndexCastOp::create(b, loc, i32, odd), i(4));
    return arith::AndIOp::create(b, loc, arith::ShRUIOp::create(b, loc, byte, shift), i(0xF));
  }
  /// The value of an E8M0 scale byte: 2^(byte - 127), 2^-127 (subnormal)
  /// for 0, NaN for 0xFF. Fewer operations than pow2: GEMMs decode a scale
  /// per block of weights.
  Value e8m0(Value byte) {
    Value normal = arith::ShLIOp::create(b, loc, byte, i(23));
    Value finite = select(cmp(arith::CmpIPredicate::eq, byte, i(0)), i(1 << 22), normal);
    return floatOf(select(cmp(arith::CmpIPredicate::eq, byte, i(0xFF)), i(0x7FC00000), finite));
  }
  /// 2^e as an fp32 for e in [-149, 127]: normal or subnormal, exact.
  Value pow2(Value e) {
    Value normal = shiftLeft(add(e, i(127)), i(23));
    Value subnormal = shiftLeft(i(1), add(e, i(149)));
    return floatOf(select(cmp(arith::CmpIPredicate::sge, e, i(-126)), normal, subnormal));
  }
  /// floor(log2 a) for finite a > 0 (subnormals through the leading zeros).
  Value floorLog2(Value a) {
    Value biased = biasedExponent(a);
    Value normal = sub(biased, i(127));
    Value leading = math::CountLeadingZerosOp::create(b, loc, mantissa(a));
    // mantissa * 2^-149 with its top bit at 31 - leading.
    Value subnormal = sub(sub(i(31), leading), i(149));
    return select(cmp(arith::CmpIPredicate::eq, biased, i(0)), subnormal, normal);
  }
};

/// One block's scale: its E8M0 exponent e (>= -127) and whether the block's
/// maximum was NaN or infinite (the reference's NaN scale).
struct BlockScale {
  Value exponent;
  Value bad;
};

class BlockQuantizer {
public:
  BlockQuantizer(Bits &bits, const ElementGrid &grid, bool ceilRule)
      : bits(bits), grid(grid), ceilRule(ceilRule) {}

  /// The largest magnitude of `load(i)` for i in [start, end); NaN wins
  /// (arith.maximumf: exact in any order, so a target may vectorize it).
  Value amax(Value start, Value end, Value one, llvm::function_ref<Value(Value)> load) {
    OpBuilder &b = bits.b;
    Location loc = bits.loc;
    auto loop = scf::ForOp::create(
        b, loc, start, end, one, ValueRange{bits.f(0.0f)},
        [&](OpBuilder &, Location, Value i, ValueRange acc) {
          Value a = math::AbsFOp::create(b, loc, load(i));
          scf::YieldOp::create(b, loc, ValueRange{arith::MaximumFOp::create(b, loc, acc[0], a)});
        });
    reduction_loops::mark(loop, /*bf16Products=*/false);
    return loop.getResult(0);
  }

  BlockScale scale(Value amax) {
    OpBuilder &b = bits.b;
    Location loc = bits.loc;
    Value inf = bits.f(std::numeric_limits<float>::infinity());
    Value bad = arith::OrIOp::create(
        b, loc, arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, amax, amax),
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, amax, inf));
    Value e;
    if (ceilRule) {
      Value floor = bits.f(grid.ceilFloor);
      Value below = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, amax, floor);
      Value a = arith::MulFOp::create(b, loc, bits.select(below, floor, amax),
                                      bits.f(1.0f / grid.qmax));
      // ceil(log2 a) for a normal a (the floors keep it normal).
      Value exact = bits.cmp(arith::CmpIPredicate::eq, bits.mantissa(a), bits.i(0));
      e = bits.add(bits.sub(bits.biasedExponent(a), bits.i(127)),
                   bits.select(exact, bits.i(0), bits.i(1)));
    } else {
      Value isZero = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, amax, bits.f(0));
      Value raw = bits.sub(bits.floorLog2(amax), bits.i(grid.maxExponent));
      e = bits.select(isZero, bits.i(-127), raw);
    }
    return {arith::MaxSIOp::create(b, loc, e, bits.i(-127)), bad};
  }

  /// 2^-e, what toGrid multiplies a block's values by.
  Value inverseOf(const BlockScale &scale) {
    return bits.pow2(bits.sub(bits.i(0), scale.exponent));
  }
  /// The E8M0 byte of `scale`: its exponent + 127, or the NaN byte 0xFF for
  /// a bad block.
  Value scaleByte(const BlockScale &scale) {
    return bits.select(scale.bad, bits.i(0xFF), bits.add(scale.exponent, bits.i(127)));
  }

  /// x / 2^e clamped to +-Qmax and rounded to the element grid.
  Value toGrid(Value x, Value inverseScale) {
    OpBuilder &b = bits.b;
    Location loc = bits.loc;
    Value qmax = bits.f(grid.qmax), negQmax = bits.f(-grid.qmax);
    Value v = arith::MulFOp::create(b, loc, x, inverseScale);
    v = bits.select(arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, v, negQmax),
                    negQmax, v);
    v = bits.select(arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, v, qmax), qmax, v);
    // The grid step of v's binade, never below the format's subnormal step.
    Value binade = arith::MaxSIOp::create(
        b, loc, bits.sub(bits.biasedExponent(v), bits.i(127)), bits.i(grid.minExponent));
    Value stepExponent = bits.sub(binade, bits.i(grid.mantissaBits));
    Value quotient =
        arith::MulFOp::create(b, loc, v, bits.pow2(bits.sub(bits.i(0), stepExponent)));
    auto rounded = arith::MulFOp::create(b, loc, math::RoundEvenOp::create(b, loc, quotient),
                                         bits.pow2(stepExponent));
    rounded->setAttr(kernel_contract::kGridRounding, b.getStringAttr(grid.name));
    return rounded;
  }

  /// The code (in the low bits of an i32) of a grid value; `bad` blocks get
  /// the reference's NaN code (E4M3 0x7F; E2M1 has no NaN and saturates, 0x7).
  Value encode(Value q, Value bad) {
    OpBuilder &b = bits.b;
    Location loc = bits.loc;
    Value raw = bits.bitsOf(q);
    Value sign = arith::ShLIOp::create(b, loc, arith::ShRUIOp::create(b, loc, raw, bits.i(31)),
                                       bits.i(grid.mantissaBits + grid.exponentBits));
    Value a = math::AbsFOp::create(b, loc, q);
    // Subnormal codes: a / (smallest step), an exact small integer.
    Value step = bits.f(std::ldexp(1.0f, grid.minExponent - grid.mantissaBits));
    Value units = arith::FPToSIOp::create(b, loc, bits.i32, arith::DivFOp::create(b, loc, a, step));
    Value normalBits = bits.bitsOf(a);
    Value field = bits.add(bits.sub(bits.biasedExponent(a), bits.i(127)), bits.i(grid.bias));
    Value mantissa = arith::AndIOp::create(
        b, loc, arith::ShRUIOp::create(b, loc, normalBits, bits.i(23 - grid.mantissaBits)),
        bits.i((1 << grid.mantissaBits) - 1));
    Value normal = arith::OrIOp::create(
        b, loc, arith::ShLIOp::create(b, loc, field, bits.i(grid.mantissaBits)), mantissa);
    Value isSubnormal = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, a,
                                              bits.f(std::ldexp(1.0f, grid.minExponent)));
    Value code = arith::OrIOp::create(b, loc, sign, bits.select(isSubnormal, units, normal));
    return bits.select(bad, bits.i(grid.nanCode), code);
  }

  /// decode(code) * 2^(scale - 127), NaN for the E8M0 NaN scale 0xFF: one
  /// element of a dequantized block (num::dequantize).
  Value scaled(Value code, Value scaleByte) {
    return arith::MulFOp::create(bits.b, bits.loc, decode(code), bits.e8m0(scaleByte));
  }

  /// The value of a code (low bits of an i32) as `element` (f32, or bf16,
  /// which holds every E2M1 and E4M3 value exactly), read from a table of
  /// the format's values (E4M3's NaN codes are NaN entries; its sign bit is
  /// ORed in): a lookup is cheaper than the arithmetic, and a target may
  /// make it a few lane permutations.
  Value decodeFromTable(Value code, Type element) {
    OpBuilder &b = bits.b;
    Location loc = bits.loc;
    const int32_t magnitudeBits = grid.mantissaBits + grid.exponentBits;
    // Past 32 entries (E4M3) the table holds the magnitudes and the sign
    // bit is moved into place: half the table, one OR.
    const bool signSeparate = (2 << magnitudeBits) > 32;
    const int32_t entries = signSeparate ? (1 << magnitudeBits) : (2 << magnitudeBits);
    llvm::SmallVector<float> values;
    for (int32_t c = 0; c < entries; ++c) {
      int32_t exponentField = (c & ((1 << magnitudeBits) - 1)) >> grid.mantissaBits;
      int32_t mantissa = c & ((1 << grid.mantissaBits) - 1);
      float magnitude =
          exponentField == 0
              ? std::ldexp(float(mantissa), grid.minExponent - grid.mantissaBits)
              : std::ldexp(1.0f + std::ldexp(float(mantissa), -grid.mantissaBits),
                           exponentField - grid.bias);
      if (grid.hasNaN && (c & ((1 << magnitudeBits) - 1)) == (1 << magnitudeBits) - 1)
        magnitude = std::numeric_limits<float>::quiet_NaN();
      values.push_back((c >> magnitudeBits) ? -magnitude : magnitude);
    }
    auto tableType = mlir::VectorType::get({int64_t(values.size())}, element);
    llvm::SmallVector<mlir::Attribute> attributes;
    for (float v : values)
      attributes.push_back(b.getFloatAttr(element, v));
    Value table =
        arith::ConstantOp::create(b, loc, mlir::DenseElementsAttr::get(tableType, attributes));
    Value masked = arith::AndIOp::create(b, loc, code, bits.i(entries - 1));
    Value position = arith::IndexCastOp::create(b, loc, b.getIndexType(), masked);
    Value value = mlir::vector::ExtractOp::create(b, loc, table, mlir::OpFoldResult(position));
    if (!signSeparate)
      return value;
    const unsigned width = element.getIntOrFloatBitWidth();
    Type word = b.getIntegerType(width);
    Value sign = arith::ShLIOp::create(
        b, loc, arith::AndIOp::create(b, loc, code, bits.i(1 << magnitudeBits)),
        bits.i(int32_t(width) - 1 - magnitudeBits));
    if (width != 32)
      sign = arith::TruncIOp::create(b, loc, word, sign);
    Value magnitude = arith::BitcastOp::create(b, loc, word, value);
    return arith::BitcastOp::create(b, loc, element,
                                    arith::OrIOp::create(b, loc, magnitude, sign));
  }

  /// The fp32 value of a code (low bits of an i32).
  Value decode(Value code) {
    OpBuilder &b = bits.b;
    Location loc = bits.loc;
    const int32_t mantissaBits = grid.mantissaBits;
    const int32_t magnitudeBits = mantissaBits + grid.exponentBits;
    // Few operations on purpose: a GEMM decodes every weight code this way.
    // A normal code's exponent and mantissa fields, shifted together into
    // f32's, with the exponent rebiased by one add (no carry reaches the
    // mantissa: the addend is a multiple of 2^23).
    Value magnitudeCode = arith::AndIOp::create(b, loc, code, bits.i((1 << magnitudeBits) - 1));
    Value normalBits =
        bits.add(arith::ShLIOp::create(b, loc, magnitudeCode, bits.i(23 - mantissaBits)),
                 bits.i((127 - grid.bias) << 23));
    Value mantissa = arith::AndIOp::create(b, loc, code, bits.i((1 << mantissaBits) - 1));
    Value subnormal = arith::MulFOp::create(
        b, loc, arith::SIToFPOp::create(b, loc, bits.f32, mantissa),
        bits.f(std::ldexp(1.0f, grid.minExponent - mantissaBits)));
    Value exponentField = arith::AndIOp::create(
        b, loc, code, bits.i(((1 << grid.exponentBits) - 1) << mantissaBits));
    Value isSubnormal = bits.cmp(arith::CmpIPredicate::eq, exponentField, bits.i(0));
    Value magnitude = bits.select(isSubnormal, subnormal, bits.floatOf(normalBits));
    if (grid.hasNaN) {
      Value nan = bits.cmp(arith::CmpIPredicate::eq, magnitudeCode,
                           bits.i((1 << magnitudeBits) - 1));
      magnitude = bits.select(nan, bits.f(std::numeric_limits<float>::quiet_NaN()), magnitude);
    }
    // The sign bit moved to f32's (negative zero and NaN included).
    Value sign = arith::ShLIOp::create(
        b, loc, arith::AndIOp::create(b, loc, code, bits.i(1 << magnitudeBits)),
        bits.i(31 - magnitudeBits));
    return bits.floatOf(arith::OrIOp::create(b, loc, bits.bitsOf(magnitude), sign));
  }

private:
  Bits &bits;
  ElementGrid grid; // by value: callers pass temporaries
  bool ceilRule;
};


} // namespace sieve::detail

#endif // SIEVE_LIB_CONVERSION_V4TOKERNELS_QUANTARITH_H
