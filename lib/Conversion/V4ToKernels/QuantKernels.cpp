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
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "OpKernelEmitters.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

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
};

ElementGrid gridOf(Type format) {
  if (isa<Float8E4M3FNType>(format))
    return {448.0f, -6, 3, 8, 1e-4f};
  // E2M1; its floor is 6 * 2^-126 (v4-architecture.md 3.1).
  return {6.0f, 0, 1, 2, 6.0f * std::numeric_limits<float>::min()};
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

  k.forWorkgroups(rows, [&](Value row) {
    scf::ForOp::create(b, loc, zero, n, step, ValueRange{}, [&](OpBuilder &, Location,
                                                                Value start, ValueRange) {
      Value end = arith::AddIOp::create(b, loc, start, step);
      // Absolute maximum; a NaN anywhere makes it NaN (the reference returns it).
      auto amaxLoop = scf::ForOp::create(
          b, loc, start, end, one, ValueRange{bits.f(0.0f)},
          [&](OpBuilder &, Location, Value i, ValueRange acc) {
            Value a = math::AbsFOp::create(b, loc, load(row, i));
            Value nan = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, a, acc[0]);
            Value larger = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, a, acc[0]);
            Value keep = bits.select(larger, a, acc[0]);
            Value quiet = arith::AddFOp::create(b, loc, a, acc[0]); // NaN when either is
            scf::YieldOp::create(b, loc, ValueRange{bits.select(nan, quiet, keep)});
          });
      Value amax = amaxLoop.getResult(0);
      Value inf = bits.f(std::numeric_limits<float>::infinity());
      Value bad = arith::OrIOp::create(
          b, loc, arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, amax, amax),
          arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, amax, inf));

      // The scale exponent e (an E8M0 exponent: at least -127).
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
      e = arith::MaxSIOp::create(b, loc, e, bits.i(-127));
      Value inverse = bits.pow2(bits.sub(bits.i(0), e));
      Value scale = bits.pow2(e);
      Value qmax = bits.f(grid.qmax), negQmax = bits.f(-grid.qmax);
      Value nanValue = bits.f(std::numeric_limits<float>::quiet_NaN());

      scf::ForOp::create(b, loc, start, end, one, ValueRange{}, [&](OpBuilder &, Location,
                                                                    Value i, ValueRange) {
        Value v = arith::MulFOp::create(b, loc, load(row, i), inverse);
        v = bits.select(arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, v, negQmax),
                        negQmax, v);
        v = bits.select(arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, v, qmax), qmax,
                        v);
        // The grid step of v's binade, never below the format's subnormal step.
        Value binade = arith::MaxSIOp::create(
            b, loc, bits.sub(bits.biasedExponent(v), bits.i(127)), bits.i(grid.minExponent));
        Value stepExponent = bits.sub(binade, bits.i(grid.mantissaBits));
        Value quotient = arith::MulFOp::create(
            b, loc, v, bits.pow2(bits.sub(bits.i(0), stepExponent)));
        Value q = arith::MulFOp::create(b, loc, math::RoundEvenOp::create(b, loc, quotient),
                                        bits.pow2(stepExponent));
        Value result = bits.select(bad, nanValue, arith::MulFOp::create(b, loc, q, scale));
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

} // namespace sieve::detail
