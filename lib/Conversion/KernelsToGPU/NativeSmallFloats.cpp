//===- NativeSmallFloats.cpp - FP8/FP4 codes by the chip's conversions ----===//
//
// The kernel IR decodes a weight's E4M3 or E2M1 code by a lookup into a
// constant table (QuantArith's decodeFromTable: E4M3 magnitudes with the
// sign ORed in, E2M1 values with their sign). Where the chip converts such
// codes in one instruction, the lookup becomes that conversion; elsewhere
// sieve-gpu-constant-tables makes it a load. The conversions are exact
// (every E4M3 and E2M1 value is an f16 and an f32), NaN codes give NaN.
//
// The tables are recognized by their contents, compared with APFloat's
// decoding of every code, not by their shape: a table of anything else is
// left alone.
//
//===----------------------------------------------------------------------===//

#include "sieve/Conversion/KernelContract.h"
#include "sieve/Conversion/KernelsToGPU/Passes.h"

#include "mlir/Dialect/AMDGPU/IR/AMDGPUDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/SmallPtrSet.h"
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

enum class Format { E4M3Magnitudes, E2M1Values };

/// Whether `values` is a decode table this pass knows: entry c is the
/// E4M3FN value of code c for c < 128 (the magnitudes; 127 is NaN), or the
/// E2M1 value of c for c < 16.
std::optional<Format> tableFormat(DenseElementsAttr values) {
  auto type = cast<ShapedType>(values.getType());
  if (type.getRank() != 1 || !isa<FloatType>(type.getElementType()))
    return std::nullopt;
  auto matches = [&](const llvm::fltSemantics &format, unsigned bits) {
    int64_t code = 0;
    for (APFloat entry : values.getValues<APFloat>()) {
      APFloat expected(format, APInt(bits, static_cast<uint64_t>(code++)));
      if (entry.isNaN() != expected.isNaN())
        return false;
      bool lost = false;
      expected.convert(entry.getSemantics(), APFloat::rmNearestTiesToEven, &lost);
      if (!entry.isNaN() && (lost || !entry.bitwiseIsEqual(expected)))
        return false;
    }
    return true;
  };
  if (type.getNumElements() == 128 && matches(APFloat::Float8E4M3FN(), 8))
    return Format::E4M3Magnitudes;
  if (type.getNumElements() == 16 && matches(APFloat::Float4E2M1FN(), 4))
    return Format::E2M1Values;
  return std::nullopt;
}

/// The i32 code `position` was masked from: index_cast(andi(code, mask)).
Value maskedCode(Value position, int64_t mask) {
  auto cast = position.getDefiningOp<arith::IndexCastOp>();
  auto andi = cast ? cast.getIn().getDefiningOp<arith::AndIOp>() : nullptr;
  if (!andi || getConstantIntValue(andi.getRhs()) != mask)
    return nullptr;
  return andi.getLhs();
}

/// The E4M3 lookup's whole decode: bitcast(ori(bitcast(extract), sign)) with
/// sign = shl(andi(code, 128), w - 8), truncated to w bits where w < 32.
/// Returns the final bitcast, whose value is the signed decode of `code`.
arith::BitcastOp signedDecode(vector::ExtractOp extract, Value code) {
  if (!extract->hasOneUse())
    return nullptr;
  auto magnitude = dyn_cast<arith::BitcastOp>(*extract->user_begin());
  if (!magnitude || !magnitude->hasOneUse())
    return nullptr;
  auto withSign = dyn_cast<arith::OrIOp>(*magnitude->user_begin());
  if (!withSign || !withSign->hasOneUse())
    return nullptr;
  auto result = dyn_cast<arith::BitcastOp>(*withSign->user_begin());
  if (!result)
    return nullptr;
  Value sign = withSign.getLhs() == magnitude.getResult() ? withSign.getRhs() : withSign.getLhs();
  if (auto trunc = sign.getDefiningOp<arith::TruncIOp>())
    sign = trunc.getIn();
  auto shift = sign.getDefiningOp<arith::ShLIOp>();
  auto bit = shift ? shift.getLhs().getDefiningOp<arith::AndIOp>() : nullptr;
  const int64_t width = extract.getType().getIntOrFloatBitWidth();
  if (!bit || bit.getLhs() != code || getConstantIntValue(bit.getRhs()) != 128 ||
      getConstantIntValue(shift.getRhs()) != width - 8)
    return nullptr;
  return result;
}

struct GPUNativeSmallFloatsPass : impl::GPUNativeSmallFloatsPassBase<GPUNativeSmallFloatsPass> {
  using Base::Base;

  void runOnOperation() override {
    const NativeSmallFloats native = nativeSmallFloats(chip);
    if (!native.e4m3 && !native.e2m1)
      return;
    const bool amd = llvm::StringRef(chip).starts_with("gfx");
    SmallVector<vector::ExtractOp> lookups;
    getOperation().walk([&](vector::ExtractOp extract) {
      auto kernel = extract->getParentOfType<func::FuncOp>();
      if (kernel && kernel->hasAttr(kernel_contract::kKernel) &&
          extract.getDynamicPosition().size() == 1 && !isa<VectorType>(extract.getType()))
        lookups.push_back(extract);
    });
    for (vector::ExtractOp extract : lookups) {
      auto table = extract.getSource().getDefiningOp<arith::ConstantOp>();
      auto values = table ? dyn_cast<DenseElementsAttr>(table.getValue()) : nullptr;
      std::optional<Format> format = values ? tableFormat(values) : std::nullopt;
      if (!format || (*format == Format::E4M3Magnitudes && !native.e4m3) ||
          (*format == Format::E2M1Values && !native.e2m1))
        continue;
      const bool e4m3 = *format == Format::E4M3Magnitudes;
      Value code = maskedCode(extract.getDynamicPosition().front(), e4m3 ? 127 : 15);
      if (!code || !code.getType().isSignlessInteger())
        continue;
      // E4M3: the whole signed decode is replaced (the conversion takes the
      // sign bit); E2M1's table holds signed values already.
      Operation *decoded = extract;
      if (e4m3) {
        decoded = signedDecode(extract, code);
        if (!decoded)
          continue;
      }
      OpBuilder b(decoded);
      Value value = amd ? convertOnAmd(b, extract.getLoc(), code, e4m3)
                        : convertOnNvidia(b, extract.getLoc(), code, e4m3);
      replaceDecode(b, decoded, value);
    }
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

  /// Replaces `decoded` (f32 or a narrower float) by `value` (f32): users
  /// that widen it to f32 take `value` itself.
  static void replaceDecode(OpBuilder &b, Operation *decoded, Value value) {
    for (Operation *user : llvm::make_early_inc_range(decoded->getUsers()))
      if (auto widen = dyn_cast<arith::ExtFOp>(user); widen && widen.getType() == value.getType()) {
        widen.replaceAllUsesWith(value);
        widen.erase();
      }
    Type element = decoded->getResult(0).getType();
    if (!decoded->use_empty())
      decoded->getResult(0).replaceAllUsesWith(
          element == value.getType()
              ? value
              : arith::TruncFOp::create(b, decoded->getLoc(), element, value).getResult());
    eraseIfDead(decoded);
  }

  /// Erases `op` and then its operands' producers as they become unused
  /// (the old lookup, its sign and mask). Each op is visited once: a
  /// producer reached twice (the code feeds the mask and the sign) must not
  /// be looked at after it was erased.
  static void eraseIfDead(Operation *op) {
    SmallVector<Operation *> work = {op};
    llvm::SmallPtrSet<Operation *, 16> queued = {op};
    while (!work.empty()) {
      Operation *next = work.pop_back_val();
      if (!isOpTriviallyDead(next))
        continue;
      SmallVector<Operation *> producers;
      for (Value operand : next->getOperands())
        if (Operation *producer = operand.getDefiningOp())
          producers.push_back(producer);
      next->erase();
      for (Operation *producer : producers)
        if (queued.insert(producer).second)
          work.push_back(producer);
    }
  }
};

} // namespace
} // namespace sieve
