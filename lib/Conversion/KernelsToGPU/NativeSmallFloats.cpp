//===- NativeSmallFloats.cpp - FP8/FP4 codes by the chip's conversions ----===//
//
// The kernel IR decodes a weight's E4M3 or E2M1 code by a lookup into a
// constant table (QuantArith's decodeFromTable: E4M3 magnitudes with the
// sign ORed in, E2M1 values with their sign). Where the chip converts such
// codes in one instruction, the lookup becomes that conversion; elsewhere
// sieve-gpu-integer-small-floats decodes it with integer arithmetic. The
// conversions are exact (every E4M3 and E2M1 value is an f16 and an f32),
// NaN codes give NaN. The lookups are found by their tables' values
// (SmallFloatLookups.h).
//
// The other way, a value's rounding to the E4M3 or E2M1 grid (QuantArith's
// toGrid, marked kernel_contract::kGridRounding: a binade's step, a
// multiply, a round to even and a multiply back, about a dozen
// instructions) becomes NVIDIA's cvt.rn.satfinite.{e4m3x2,e2m1x2}.f32, or
// gfx950's v_cvt_scalef32_pk_{fp8,fp4}_f32 at scale 1, and the conversion
// back: the same value for every input. The value is clamped to the
// format's largest before, so whether the conversion saturates (NVIDIA's
// satfinite does; gfx950's intrinsics take no clamp operand) does not
// matter, and NaN stays NaN: E4M3 has a NaN code; E2M1 has none (NVIDIA
// gives +6), so a NaN is passed through.
//
//===----------------------------------------------------------------------===//

#include "SmallFloatLookups.h"

#include "sieve/Conversion/KernelContract.h"
#include "sieve/Conversion/KernelsToGPU/Passes.h"

#include "mlir/Dialect/AMDGPU/IR/AMDGPUDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include "llvm/ADT/StringSwitch.h"

namespace sieve {
#define GEN_PASS_DEF_GPUNATIVESMALLFLOATSPASS
#include "sieve/Conversion/KernelsToGPU/Passes.h.inc"
} // namespace sieve

using namespace mlir;

namespace sieve {

NativeSmallFloats nativeSmallFloats(llvm::StringRef chip) {
  NativeSmallFloats native;
  // cvt.rn.f16x2.e4m3x2 from sm_89 (PTX 7.8), cvt.rn.f16x2.e2m1x2 on the
  // sm_100a family (PTX 8.6); gfx950's v_cvt_scalef32_pk_f32_{fp8,fp4}.
  // gfx942's FP8 conversions are FNUZ, another encoding.
  native.e4m3 = llvm::StringSwitch<bool>(chip)
                    .Cases({"sm_90", "sm_90a", "sm_100a", "gfx950"}, true)
                    .Default(false);
  native.e2m1 = chip == "sm_100a" || chip == "gfx950";
  return native;
}

namespace {

using namespace small_float_lookups;

struct GPUNativeSmallFloatsPass : impl::GPUNativeSmallFloatsPassBase<GPUNativeSmallFloatsPass> {
  using Base::Base;

  void runOnOperation() override {
    const NativeSmallFloats native = nativeSmallFloats(chip);
    if (!native.e4m3 && !native.e2m1)
      return;
    const bool amd = llvm::StringRef(chip).starts_with("gfx");
    for (const Lookup &lookup : kernelLookups(getOperation())) {
      const bool e4m3 = lookup.format == Format::E4M3;
      if (!(e4m3 ? native.e4m3 : native.e2m1))
        continue;
      OpBuilder b(lookup.decoded);
      Location loc = lookup.decoded->getLoc();
      Value value = amd ? convertOnAmd(b, loc, lookup.code, e4m3)
                        : convertOnNvidia(b, loc, lookup.code, e4m3);
      replaceDecode(b, lookup, value);
    }
    roundToGrid(native, amd);
  }

  /// Each E4M3 or E2M1 grid rounding the chip converts, as a conversion to
  /// the code and back.
  void roundToGrid(NativeSmallFloats native, bool amd) {
    SmallVector<std::tuple<arith::MulFOp, Value, bool>> roundings;
    getOperation().walk([&](arith::MulFOp rounded) {
      auto format = rounded->getAttrOfType<StringAttr>(kernel_contract::kGridRounding);
      if (!format)
        return;
      const bool e4m3 = format.getValue() == "e4m3";
      if (!(e4m3 ? native.e4m3 : format.getValue() == "e2m1" && native.e2m1))
        return;
      // mulf(roundeven(mulf(v, 2^-step)), 2^step): v is the clamped value.
      auto even = rounded.getLhs().getDefiningOp<math::RoundEvenOp>();
      auto quotient = even ? even.getOperand().getDefiningOp<arith::MulFOp>() : arith::MulFOp();
      if (quotient && rounded.getType().isF32())
        roundings.emplace_back(rounded, quotient.getLhs(), e4m3);
    });
    for (auto [rounded, value, e4m3] : roundings) {
      OpBuilder b(rounded);
      Location loc = rounded.getLoc();
      Value grid = amd ? roundOnAmd(b, loc, value, e4m3) : roundOnNvidia(b, loc, value, e4m3);
      if (!e4m3) {
        Value isNaN = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, value, value);
        grid = arith::SelectOp::create(b, loc, isNaN, value, grid);
      }
      rounded.replaceAllUsesWith(grid);
      rounded.erase();
    }
  }

  /// cvt.rn.satfinite.{e4m3x2,e2m1x2}.f32 of the value twice and the
  /// conversion back; f32.
  static Value roundOnNvidia(OpBuilder &b, Location loc, Value value, bool e4m3) {
    auto pair = VectorType::get({2}, b.getF16Type());
    Value halves;
    if (e4m3) {
      auto bytes = VectorType::get({2}, b.getI8Type());
      Value codes = NVVM::ConvertF32x2ToF8x2Op::create(
          b, loc, bytes, value, value, NVVM::FPRoundingMode::RN, NVVM::SaturationMode::SATFINITE,
          /*relu=*/false, b.getType<Float8E4M3FNType>());
      halves = NVVM::ConvertF8x2ToF16x2Op::create(b, loc, pair, codes, /*relu=*/false,
                                                  b.getType<Float8E4M3FNType>());
    } else {
      // cvt.rn.satfinite.e2m1x2.f32: both nibbles the value's code.
      Value codes =
          NVVM::ConvertF32x2ToF4x2Op::create(b, loc, b.getI8Type(), value, value,
                                             /*relu=*/false, b.getType<Float4E2M1FNType>());
      halves = NVVM::ConvertF4x2ToF16x2Op::create(b, loc, pair, codes, /*relu=*/false,
                                                  b.getType<Float4E2M1FNType>());
    }
    Value half = vector::ExtractOp::create(b, loc, halves, ArrayRef<int64_t>{0});
    return arith::ExtFOp::create(b, loc, b.getF32Type(), half);
  }

  /// amdgpu.packed_scaled_trunc of the value twice into the first pair of
  /// codes and amdgpu.scaled_ext_packed of that pair back, both at scale 1
  /// (gfx950's v_cvt_scalef32_pk_{fp8,fp4}_f32 and _pk_f32_{fp8,fp4}); f32.
  static Value roundOnAmd(OpBuilder &b, Location loc, Value value, bool e4m3) {
    Type f32 = b.getF32Type();
    Type packed = e4m3 ? VectorType::get({4}, b.getType<Float8E4M3FNType>())
                       : VectorType::get({8}, b.getType<Float4E2M1FNType>());
    Value one = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(1.0f));
    Value pair = vector::BroadcastOp::create(b, loc, VectorType::get({2}, f32), value);
    Value codes = amdgpu::PackedScaledTruncOp::create(b, loc, packed, pair, one, /*index=*/0,
                                                      /*existing=*/Value());
    Value values = amdgpu::ScaledExtPackedOp::create(b, loc, VectorType::get({2}, f32), codes, one,
                                                     /*index=*/0);
    return vector::ExtractOp::create(b, loc, values, ArrayRef<int64_t>{0});
  }

  /// The code's low 8 bits (E4M3) or 4 bits twice (E2M1: both halves of the
  /// pair the instruction converts hold it, so either result element is
  /// the value).
  static Value codeByte(OpBuilder &b, Location loc, Value code, bool e4m3) {
    Type i8 = b.getI8Type();
    Value byte =
        code.getType() == i8 ? code : arith::TruncIOp::create(b, loc, i8, code).getResult();
    if (e4m3)
      return byte;
    Value low = arith::AndIOp::create(b, loc, byte, arith::ConstantIntOp::create(b, loc, i8, 15));
    return arith::OrIOp::create(
        b, loc, low,
        arith::ShLIOp::create(b, loc, low, arith::ConstantIntOp::create(b, loc, i8, 4)));
  }

  /// nvvm.convert.f8x2.to.f16x2 / f4x2.to.f16x2 of the code twice; f32.
  static Value convertOnNvidia(OpBuilder &b, Location loc, Value code, bool e4m3) {
    Value byte = codeByte(b, loc, code, e4m3);
    auto pair = VectorType::get({2}, b.getF16Type());
    Value halves;
    if (e4m3) {
      Value bytes = vector::BroadcastOp::create(b, loc, VectorType::get({2}, b.getI8Type()), byte);
      halves = NVVM::ConvertF8x2ToF16x2Op::create(b, loc, pair, bytes, /*relu=*/false,
                                                  b.getType<Float8E4M3FNType>());
    } else {
      halves = NVVM::ConvertF4x2ToF16x2Op::create(b, loc, pair, byte, /*relu=*/false,
                                                  b.getType<Float4E2M1FNType>());
    }
    Value half = vector::ExtractOp::create(b, loc, halves, ArrayRef<int64_t>{0});
    return arith::ExtFOp::create(b, loc, b.getF32Type(), half);
  }

  /// amdgpu.scaled_ext_packed with scale 1 (gfx950's OCP conversions); f32.
  static Value convertOnAmd(OpBuilder &b, Location loc, Value code, bool e4m3) {
    Value byte = codeByte(b, loc, code, e4m3);
    Value source;
    if (e4m3) {
      // Both bytes of the converted pair defined (the same code).
      Value asFloat = arith::BitcastOp::create(b, loc, b.getType<Float8E4M3FNType>(), byte);
      source = vector::BroadcastOp::create(
          b, loc, VectorType::get({2}, b.getType<Float8E4M3FNType>()), asFloat);
    } else {
      // Two E2M1 codes (the same one) in a byte, low nibble first.
      Value bytes = vector::BroadcastOp::create(b, loc, VectorType::get({1}, b.getI8Type()), byte);
      Value nibbles =
          vector::BitCastOp::create(b, loc, VectorType::get({2}, b.getIntegerType(4)), bytes);
      source = arith::BitcastOp::create(b, loc, VectorType::get({2}, b.getType<Float4E2M1FNType>()),
                                        nibbles);
    }
    Value one = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(1.0f));
    Value pair = amdgpu::ScaledExtPackedOp::create(b, loc, VectorType::get({2}, b.getF32Type()),
                                                   source, one, /*index=*/0);
    return vector::ExtractOp::create(b, loc, pair, ArrayRef<int64_t>{0});
  }
};

} // namespace
} // namespace sieve
