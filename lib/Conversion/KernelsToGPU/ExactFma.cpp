//===- ExactFma.cpp - a + x * y as one fma where x * y is exact -----------===//
//
// The kernel IR rounds every operation once, in order, and the GPU
// lowering keeps it so (PTX's .rn forbids contraction). Where the product
// x * y is exact in f32, fma(x, y, a) rounds x * y + a once, as the separate
// multiply and add do: the same bits, one instruction less. That holds for
// most of the products the kernels sum: a bf16 activation times a decoded
// FP8 or FP4 weight (8 and at most 11 significand bits), that product times
// a power-of-two block scale, two bf16 values. A product is exact when its
// operands' significands together have at most 24 bits and it does not
// underflow (a product below 2^-126 is rounded to a subnormal before the
// add, and fma does not round it: the sum may differ in its last bit; no
// kernel's values come near, and fma is the more accurate).
//
//===----------------------------------------------------------------------===//

#include "sieve/Conversion/KernelsToGPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Matchers.h"

#include <algorithm>

namespace sieve {
#define GEN_PASS_DEF_GPUEXACTFMAPASS
#include "sieve/Conversion/KernelsToGPU/Passes.h.inc"
} // namespace sieve

using namespace mlir;

namespace sieve {
namespace {

/// f32's significand, the most a value here can have.
constexpr int64_t kF32Bits = 24;

/// The significant bits of a finite nonzero constant (1 for a power of
/// two); zero, infinities and NaN count 1 (their products are exact).
int64_t constantBits(const APFloat &value) {
  if (!value.isFiniteNonZero())
    return 1;
  // The fewest n with value * 2^(n - 1 - exponent) an integer.
  const int exponent = ilogb(value);
  for (int64_t bits = 1; bits < kF32Bits; ++bits)
    if (scalbn(value, int(bits) - 1 - exponent, APFloat::rmNearestTiesToEven).isInteger())
      return bits;
  return kF32Bits;
}

/// An upper bound on the significant bits of the f32 whose bits are the i32
/// `word`: a word shifted left by s has no mantissa bit below s, so at most
/// 24 - s significant bits (a bf16 widened by a shift of 16: 8; an E8M0
/// scale's exponent field, shifted by 23: a power of two, 1).
int64_t wordBits(Value word, unsigned depth) {
  if (depth > 8)
    return kF32Bits;
  if (std::optional<int64_t> constant = getConstantIntValue(word))
    return constantBits(
        APFloat(APFloat::IEEEsingle(), APInt(32, uint64_t(*constant) & 0xFFFFFFFFu)));
  Operation *op = word.getDefiningOp();
  if (auto select = dyn_cast_or_null<arith::SelectOp>(op))
    return std::max(wordBits(select.getTrueValue(), depth + 1),
                    wordBits(select.getFalseValue(), depth + 1));
  if (auto shift = dyn_cast_or_null<arith::ShLIOp>(op))
    if (std::optional<int64_t> amount = getConstantIntValue(shift.getRhs());
        amount && *amount >= 0 && *amount < kF32Bits)
      return kF32Bits - *amount;
  return kF32Bits;
}

/// An upper bound on the significant bits of every value `value` can take
/// (kF32Bits where nothing narrower is known).
int64_t significandBits(Value value, unsigned depth = 0) {
  if (depth > 8)
    return kF32Bits;
  Operation *op = value.getDefiningOp();
  if (!op)
    return kF32Bits;
  FloatAttr scalar;
  if (matchPattern(value, m_Constant(&scalar)))
    return constantBits(scalar.getValue());
  DenseElementsAttr elements;
  if (matchPattern(value, m_Constant(&elements)) && isa<FloatType>(elements.getElementType())) {
    int64_t bits = 1;
    for (const APFloat &element : elements.getValues<APFloat>())
      bits = std::max(bits, constantBits(element));
    return bits;
  }
  if (auto extend = dyn_cast<arith::ExtFOp>(op)) {
    Type source = getElementTypeOrSelf(extend.getIn().getType());
    return std::min<int64_t>(
        kF32Bits, APFloat::semanticsPrecision(cast<FloatType>(source).getFloatSemantics()));
  }
  if (auto select = dyn_cast<arith::SelectOp>(op))
    return std::max(significandBits(select.getTrueValue(), depth + 1),
                    significandBits(select.getFalseValue(), depth + 1));
  if (auto product = dyn_cast<arith::MulFOp>(op)) {
    int64_t bits =
        significandBits(product.getLhs(), depth + 1) + significandBits(product.getRhs(), depth + 1);
    return std::min(bits, kF32Bits);
  }
  if (auto bitcast = dyn_cast<arith::BitcastOp>(op);
      bitcast && getElementTypeOrSelf(bitcast.getType()).isF32())
    return wordBits(bitcast.getIn(), depth + 1);
  return kF32Bits;
}

/// Whether x * y, `product`'s value, is exact in f32 (up to underflow).
bool isExactProduct(arith::MulFOp product) {
  return getElementTypeOrSelf(product.getType()).isF32() &&
         significandBits(product.getLhs()) + significandBits(product.getRhs()) <= kF32Bits;
}

struct GPUExactFmaPass : impl::GPUExactFmaPassBase<GPUExactFmaPass> {
  void runOnOperation() override {
    SmallVector<arith::AddFOp> sums;
    getOperation()->walk([&](arith::AddFOp sum) { sums.push_back(sum); });
    for (arith::AddFOp sum : sums) {
      if (sum.getFastmath() != arith::FastMathFlags::none)
        continue;
      for (unsigned operand : {1u, 0u}) {
        auto product = sum->getOperand(operand).getDefiningOp<arith::MulFOp>();
        if (!product || !product->hasOneUse() ||
            product.getFastmath() != arith::FastMathFlags::none || !isExactProduct(product))
          continue;
        OpBuilder b(sum);
        Value addend = sum->getOperand(1 - operand);
        Value fused =
            math::FmaOp::create(b, sum.getLoc(), product.getLhs(), product.getRhs(), addend);
        sum.replaceAllUsesWith(fused);
        sum.erase();
        product.erase();
        break;
      }
    }
  }
};

} // namespace
} // namespace sieve
