//===- QuantKernels.cpp - v4.simulate_quant as a kernel --------------------===//
//
// One row per workgroup, block by block, with the reference's arithmetic
// (num::simulate): the block's absolute maximum (NaN wins), the E8M0 scale
// exponent e of the `ceil` or `floor` rule from fp32 bits, x * 2^-e (exact),
// clamped to +-Qmax, rounded to the element grid with ties to even, times
// 2^e, rounded once to T. Rounding to the grid is what encoding then
// decoding an FP8/FP4 code does: within a binade the grid step is
// 2^(max(floor(log2 |v|), emin) - mantissa bits), and roundeven of the
// quotient is the encoder's round-to-nearest-even (the quotient's parity is
// the code's last mantissa bit). A block whose maximum is NaN or infinite
// gives NaN, as the reference's NaN scale does. Integer and fp32 operations
// only: bit-identical to the reference.
//
// v4.quantize stores the codes of those grid values (FP8 one per byte, FP4
// two per byte with the even element in the low nibble, the checkpoint's
// packing) and the E8M0 scale bytes; v4.dequantize decodes codes with
// integer arithmetic and multiplies by 2^(scale - 127) (num::quantize,
// num::dequantize). No small-float MLIR types appear (architecture.md).
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "OpKernelEmitters.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace sieve::detail {
namespace {

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
};

ElementGrid gridOf(Type format) {
  if (isa<Float8E4M3FNType>(format))
    return {448.0f, -6, 3, 8, 1e-4f, 4, 7, true, 0x7F};
  // E2M1; its floor is 6 * 2^-126 (v4-architecture.md 3.1).
  return {6.0f, 0, 1, 2, 6.0f * std::numeric_limits<float>::min(), 2, 1, false, 0x7};
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

  /// The largest magnitude of `load(i)` for i in [start, end); NaN wins.
  Value amax(Value start, Value end, Value one, llvm::function_ref<Value(Value)> load) {
    OpBuilder &b = bits.b;
    Location loc = bits.loc;
    auto loop = scf::ForOp::create(
        b, loc, start, end, one, ValueRange{bits.f(0.0f)},
        [&](OpBuilder &, Location, Value i, ValueRange acc) {
          Value a = math::AbsFOp::create(b, loc, load(i));
          Value nan = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, a, acc[0]);
          Value larger = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, a, acc[0]);
          Value keep = bits.select(larger, a, acc[0]);
          Value quiet = arith::AddFOp::create(b, loc, a, acc[0]); // NaN when either is
          scf::YieldOp::create(b, loc, ValueRange{bits.select(nan, quiet, keep)});
        });
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
    return arith::MulFOp::create(b, loc, math::RoundEvenOp::create(b, loc, quotient),
                                 bits.pow2(stepExponent));
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

  /// The fp32 value of a code (low bits of an i32).
  Value decode(Value code) {
    OpBuilder &b = bits.b;
    Location loc = bits.loc;
    const int32_t magnitudeBits = grid.mantissaBits + grid.exponentBits;
    Value field = arith::AndIOp::create(
        b, loc, arith::ShRUIOp::create(b, loc, code, bits.i(grid.mantissaBits)),
        bits.i((1 << grid.exponentBits) - 1));
    Value mantissa = arith::AndIOp::create(b, loc, code, bits.i((1 << grid.mantissaBits) - 1));
    Value subnormal = arith::MulFOp::create(
        b, loc, arith::SIToFPOp::create(b, loc, bits.f32, mantissa),
        bits.f(std::ldexp(1.0f, grid.minExponent - grid.mantissaBits)));
    Value normalBits = arith::OrIOp::create(
        b, loc,
        arith::ShLIOp::create(b, loc, bits.add(bits.sub(field, bits.i(grid.bias)), bits.i(127)),
                              bits.i(23)),
        arith::ShLIOp::create(b, loc, mantissa, bits.i(23 - grid.mantissaBits)));
    Value isSubnormal = bits.cmp(arith::CmpIPredicate::eq, field, bits.i(0));
    Value magnitude = bits.select(isSubnormal, subnormal, bits.floatOf(normalBits));
    if (grid.hasNaN) {
      Value nan = bits.cmp(arith::CmpIPredicate::eq,
                           arith::AndIOp::create(b, loc, code, bits.i((1 << magnitudeBits) - 1)),
                           bits.i((1 << magnitudeBits) - 1));
      magnitude = bits.select(nan, bits.f(std::numeric_limits<float>::quiet_NaN()), magnitude);
    }
    Value negative = bits.cmp(
        arith::CmpIPredicate::ne,
        arith::AndIOp::create(b, loc, code, bits.i(1 << magnitudeBits)), bits.i(0));
    return bits.select(negative, arith::NegFOp::create(b, loc, magnitude), magnitude);
  }

private:
  Bits &bits;
  const ElementGrid &grid;
  bool ceilRule;
};

} // namespace

FailureOr<func::FuncOp> emitSimulateQuantKernel(v4::SimulateQuantOp op, llvm::StringRef name,
                                                OpBuilder &moduleBuilder) {
  RankedTensorType type = op.getInput().getType();
  int64_t width = type.getShape().back(), block = static_cast<int64_t>(op.getBlock());
  if (ShapedType::isDynamic(width))
    return op.emitOpError() << "needs a static last dimension to become a kernel";
  KernelBuilder k(moduleBuilder, op.getLoc(), name, {type, type});
  OpBuilder &b = k.builder();
  Location loc = k.location();
  Bits bits{b, loc, b.getI32Type(), b.getF32Type()};
  Type f32 = bits.f32, element = type.getElementType();
  const ElementGrid grid = gridOf(op.getFormat());
  const bool ceilRule = op.getRule() == v4::ScaleRule::ceil;
  SmallVector<Value> dynamicSizes = k.dynamicLeadingSizes();
  Value rows = k.rowCount();
  Value in = k.view(0, dynamicSizes), out = k.view(1, dynamicSizes);
  Value zero = k.index(0), one = k.index(1), n = k.index(width), step = k.index(block);
  auto load = [&](Value row, Value column) -> Value {
    Value v = memref::LoadOp::create(b, loc, in, k.rowElement(row, column));
    return element == f32 ? v : arith::ExtFOp::create(b, loc, f32, v);
  };

  BlockQuantizer quantizer(bits, grid, ceilRule);
  Value nanValue = bits.f(std::numeric_limits<float>::quiet_NaN());
  k.forWorkgroups(rows, [&](Value row) {
    scf::ForOp::create(b, loc, zero, n, step, ValueRange{}, [&](OpBuilder &, Location,
                                                                Value start, ValueRange) {
      Value end = arith::AddIOp::create(b, loc, start, step);
      Value amax = quantizer.amax(start, end, one, [&](Value i) { return load(row, i); });
      BlockScale scale = quantizer.scale(amax);
      Value inverse = bits.pow2(bits.sub(bits.i(0), scale.exponent));
      Value factor = bits.pow2(scale.exponent);
      scf::ForOp::create(b, loc, start, end, one, ValueRange{}, [&](OpBuilder &, Location,
                                                                    Value i, ValueRange) {
        Value q = quantizer.toGrid(load(row, i), inverse);
        Value result =
            bits.select(scale.bad, nanValue, arith::MulFOp::create(b, loc, q, factor));
        if (element != f32)
          result = arith::TruncFOp::create(b, loc, element, result);
        memref::StoreOp::create(b, loc, result, out, k.rowElement(row, i));
        scf::YieldOp::create(b, loc);
      });
      scf::YieldOp::create(b, loc);
    });
  });
  return k.kernel();
}

FailureOr<func::FuncOp> emitQuantizeKernel(v4::QuantizeOp op, llvm::StringRef name,
                                           OpBuilder &moduleBuilder) {
  RankedTensorType type = op.getInput().getType();
  auto codesType = cast<RankedTensorType>(op.getCodes().getType());
  auto scalesType = cast<RankedTensorType>(op.getScales().getType());
  int64_t width = type.getShape().back(), block = static_cast<int64_t>(op.getBlock());
  if (ShapedType::isDynamic(width))
    return op.emitOpError() << "needs a static last dimension to become a kernel";
  Type format = codesType.getElementType();
  const bool packed = isa<Float4E2M1FNType>(format);
  KernelBuilder k(moduleBuilder, op.getLoc(), name, {type, codesType, scalesType});
  OpBuilder &b = k.builder();
  Location loc = k.location();
  Bits bits{b, loc, b.getI32Type(), b.getF32Type()};
  Type f32 = bits.f32, element = type.getElementType(), i8 = b.getI8Type();
  const ElementGrid grid = gridOf(format);
  SmallVector<Value> dynamicSizes = k.dynamicLeadingSizes();
  Value rows = k.rowCount();
  Value in = k.view(0, dynamicSizes);
  Value codes = k.byteView(1, packed ? width / 2 : width, dynamicSizes);
  Value scales = k.byteView(2, width / block, dynamicSizes);
  Value zero = k.index(0), one = k.index(1), two = k.index(2), n = k.index(width),
        step = k.index(block);
  auto load = [&](Value row, Value column) -> Value {
    Value v = memref::LoadOp::create(b, loc, in, k.rowElement(row, column));
    return element == f32 ? v : arith::ExtFOp::create(b, loc, f32, v);
  };
  auto storeByte = [&](Value memref, Value row, Value column, Value value32) {
    Value byte = arith::TruncIOp::create(b, loc, i8, value32);
    memref::StoreOp::create(b, loc, byte, memref, k.rowElement(row, column));
  };

  BlockQuantizer quantizer(bits, grid, op.getRule() == v4::ScaleRule::ceil);
  k.forWorkgroups(rows, [&](Value row) {
    scf::ForOp::create(b, loc, zero, n, step, ValueRange{}, [&](OpBuilder &, Location,
                                                                Value start, ValueRange) {
      Value end = arith::AddIOp::create(b, loc, start, step);
      Value amax = quantizer.amax(start, end, one, [&](Value i) { return load(row, i); });
      BlockScale scale = quantizer.scale(amax);
      Value scaleByte = bits.select(scale.bad, bits.i(0xFF), bits.add(scale.exponent, bits.i(127)));
      storeByte(scales, row, arith::DivUIOp::create(b, loc, start, step), scaleByte);
      Value inverse = bits.pow2(bits.sub(bits.i(0), scale.exponent));
      auto codeAt = [&](Value i) {
        return quantizer.encode(quantizer.toGrid(load(row, i), inverse), scale.bad);
      };
      scf::ForOp::create(b, loc, start, end, packed ? two : one, ValueRange{},
                         [&](OpBuilder &, Location, Value i, ValueRange) {
                           if (!packed) {
                             storeByte(codes, row, i, codeAt(i));
                           } else {
                             // Even element in the low nibble.
                             Value low = codeAt(i);
                             Value high = codeAt(arith::AddIOp::create(b, loc, i, one));
                             Value pair = arith::OrIOp::create(
                                 b, loc, low, arith::ShLIOp::create(b, loc, high, bits.i(4)));
                             storeByte(codes, row, arith::DivUIOp::create(b, loc, i, two), pair);
                           }
                           scf::YieldOp::create(b, loc);
                         });
      scf::YieldOp::create(b, loc);
    });
  });
  return k.kernel();
}

FailureOr<func::FuncOp> emitDequantizeKernel(v4::DequantizeOp op, llvm::StringRef name,
                                             OpBuilder &moduleBuilder) {
  auto codesType = cast<RankedTensorType>(op.getCodes().getType());
  auto scalesType = cast<RankedTensorType>(op.getScales().getType());
  auto resultType = cast<RankedTensorType>(op.getResult().getType());
  int64_t width = codesType.getShape().back(), block = static_cast<int64_t>(op.getBlock());
  if (ShapedType::isDynamic(width))
    return op.emitOpError() << "needs a static last dimension to become a kernel";
  Type format = codesType.getElementType();
  const bool packed = isa<Float4E2M1FNType>(format);
  KernelBuilder k(moduleBuilder, op.getLoc(), name, {codesType, scalesType, resultType});
  OpBuilder &b = k.builder();
  Location loc = k.location();
  Bits bits{b, loc, b.getI32Type(), b.getF32Type()};
  Type f32 = bits.f32, element = resultType.getElementType();
  const ElementGrid grid = gridOf(format);
  SmallVector<Value> dynamicSizes = k.dynamicLeadingSizes();
  Value rows = k.rowCount();
  Value codes = k.byteView(0, packed ? width / 2 : width, dynamicSizes);
  Value scales = k.byteView(1, width / block, dynamicSizes);
  Value out = k.view(2, dynamicSizes);
  Value zero = k.index(0), one = k.index(1), two = k.index(2), n = k.index(width),
        step = k.index(block);
  auto loadByte = [&](Value memref, Value row, Value column) -> Value {
    Value byte = memref::LoadOp::create(b, loc, memref, k.rowElement(row, column));
    return arith::ExtUIOp::create(b, loc, bits.i32, byte);
  };
  BlockQuantizer quantizer(bits, grid, /*ceilRule=*/true);
  Value nanValue = bits.f(std::numeric_limits<float>::quiet_NaN());

  k.forWorkgroups(rows, [&](Value row) {
    scf::ForOp::create(b, loc, zero, n, one, ValueRange{}, [&](OpBuilder &, Location, Value i,
                                                               ValueRange) {
      Value code = packed ? loadByte(codes, row, arith::DivUIOp::create(b, loc, i, two))
                          : loadByte(codes, row, i);
      if (packed) {
        // Odd elements live in the high nibble.
        Value odd = arith::RemUIOp::create(b, loc, i, two);
        Value shift = arith::MulIOp::create(
            b, loc, arith::IndexCastOp::create(b, loc, bits.i32, odd), bits.i(4));
        code = arith::AndIOp::create(b, loc, arith::ShRUIOp::create(b, loc, code, shift),
                                     bits.i(0xF));
      }
      Value scaleByte = loadByte(scales, row, arith::DivUIOp::create(b, loc, i, step));
      Value scale = bits.select(bits.cmp(arith::CmpIPredicate::eq, scaleByte, bits.i(0xFF)),
                                nanValue, bits.pow2(bits.sub(scaleByte, bits.i(127))));
      Value value = arith::MulFOp::create(b, loc, quantizer.decode(code), scale);
      if (element != f32)
        value = arith::TruncFOp::create(b, loc, element, value);
      memref::StoreOp::create(b, loc, value, out, k.rowElement(row, i));
      scf::YieldOp::create(b, loc);
    });
  });
  return k.kernel();
}

} // namespace sieve::detail
