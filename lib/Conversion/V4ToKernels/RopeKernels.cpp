//===- RopeKernels.cpp - v4.rope as a kernel -------------------------------===//
//
// One row per workgroup (a token's head, or a KV row). The frequencies are
// the reference's (num::ropeFrequencies, computed here at compile time and
// embedded as constants); theta = fp32(pos) * w_p is the reference's fp32
// product. cos and sin of theta are computed in double: a two-part
// Cody-Waite reduction by pi/2 (exact for |theta| < 2^20 rad, positions far
// past V4's 1M), Taylor series to degree 17/18 on |r| <= pi/4 (truncation
// below 1e-19) and the quadrant, then rounded to fp32. That is correctly
// rounded except within ~1e-16 of a rounding boundary, while libm's cosf
// and sinf are within 0.56 ulp: results can differ from the reference's by
// one fp32 ulp of cos/sin, hence by one bf16 ulp of an output at most
// (docs/numerics.md). MLIR's f32 sin/cos approximations reduce the
// argument in fp32, which loses ~0.06 rad at theta = 1e6, so they are not
// used. The pair (re, im) becomes (re c - im s, re s + im c) in fp32 in the
// reference's order, the nope dims are copied, and the rope dims round once.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "OpKernelEmitters.h"

#include "sieve/numerics/rope.h"
#include "v4/IR/V4Attrs.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/SymbolTable.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/xxhash.h"

#include <cmath>

using namespace mlir;

namespace sieve::detail {
namespace {

/// pi/2 in two parts: the first 33 bits (k * part exact for k < 2^20) and
/// the rest, as fdlibm splits it.
constexpr double kPiOver2High = 1.57079632673412561417e+00;
constexpr double kPiOver2Low = 6.07710050650619224932e-11;

/// (cos x, sin x) in double for an fp32 angle widened to double.
std::pair<Value, Value> cosSin(OpBuilder &b, Location loc, Value x) {
  auto c = [&](double v) -> Value {
    return arith::ConstantOp::create(b, loc, b.getF64FloatAttr(v));
  };
  auto mul = [&](Value a, Value d) -> Value { return arith::MulFOp::create(b, loc, a, d); };
  auto add = [&](Value a, Value d) -> Value { return arith::AddFOp::create(b, loc, a, d); };
  auto sub = [&](Value a, Value d) -> Value { return arith::SubFOp::create(b, loc, a, d); };
  Value k = math::RoundEvenOp::create(b, loc, mul(x, c(2.0 / M_PI)));
  Value r = sub(sub(x, mul(k, c(kPiOver2High))), mul(k, c(kPiOver2Low)));
  Value r2 = mul(r, r);
  // Horner over -1/first!, +1/(first+2)!, ... (the first term of both
  // series is negative: -r^3/3!, -r^2/2!).
  auto series = [&](int first, int last) {
    double factorial = 1.0;
    std::vector<double> coefficients;
    for (int n = 1; n <= last; ++n) {
      factorial *= n;
      if (n >= first && (n - first) % 2 == 0)
        coefficients.push_back(((n - first) / 2) % 2 ? 1.0 / factorial : -1.0 / factorial);
    }
    Value acc = c(coefficients.back());
    for (int i = int(coefficients.size()) - 2; i >= 0; --i)
      acc = add(c(coefficients[size_t(i)]), mul(r2, acc));
    return acc;
  };
  Value sinR = add(r, mul(mul(r, r2), series(3, 17)));    // r - r^3/3! + ...
  Value cosR = add(c(1.0), mul(r2, series(2, 18)));        // 1 - r^2/2! + ...
  // Quadrant k mod 4: (cos, sin) = (c, s), (-s, c), (-c, -s), (s, -c).
  Value quadrant = arith::AndIOp::create(
      b, loc, arith::FPToSIOp::create(b, loc, b.getI64Type(), k),
      arith::ConstantIntOp::create(b, loc, b.getI64Type(), 3));
  auto is = [&](int64_t q) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, quadrant,
                                 arith::ConstantIntOp::create(b, loc, b.getI64Type(), q));
  };
  auto pick = [&](Value v0, Value v1, Value v2, Value v3) -> Value {
    Value v = arith::SelectOp::create(b, loc, is(2), v2, v3);
    v = arith::SelectOp::create(b, loc, is(1), v1, v);
    return arith::SelectOp::create(b, loc, is(0), v0, v);
  };
  Value negSin = arith::NegFOp::create(b, loc, sinR), negCos = arith::NegFOp::create(b, loc, cosR);
  return {pick(cosR, negSin, negCos, sinR), pick(sinR, cosR, negSin, negCos)};
}

} // namespace

FailureOr<func::FuncOp> emitRopeKernel(v4::RopeOp op, llvm::StringRef name,
                                       OpBuilder &moduleBuilder) {
  RankedTensorType type = op.getInput().getType();
  auto positionsType = cast<RankedTensorType>(op.getPositions().getType());
  int64_t width = type.getShape().back();
  v4::RopeAttr params = op.getParams();
  int64_t ropeDim = params.getRopeDim();
  if (ShapedType::isDynamic(width))
    return op.emitOpError() << "needs a static last dimension to become a kernel";
  num::RopeParams p;
  p.ropeDim = int(ropeDim);
  p.base = params.getBase().convertToDouble();
  p.factor = params.getFactor().convertToDouble();
  p.yarn = p.factor != 1.0; // factor 1 disables YaRN (RopeAttr)
  p.originalSeqLen = params.getOriginalSeqLen();
  p.betaFast = params.getBetaFast().convertToDouble();
  p.betaSlow = params.getBetaSlow().convertToDouble();
  Expected<std::vector<float>> freqs = num::ropeFrequencies(p);
  if (!freqs.isOk())
    return op.emitOpError() << "has RoPE parameters the kernel cannot use: "
                            << freqs.status().message();

  KernelBuilder k(moduleBuilder, op.getLoc(), name, {type, positionsType, type});
  OpBuilder &b = k.builder();
  Location loc = k.location();
  Type f32 = b.getF32Type(), f64 = b.getF64Type(), element = type.getElementType();
  SmallVector<Value> dynamicSizes = k.dynamicLeadingSizes();
  Value rows = k.rowCount();
  // Positions cover the leading dims up to their rank; the rest share one.
  SmallVector<Value> positionSizes;
  Value inner = k.index(1);
  for (int64_t d = 0; d + 1 < type.getRank(); ++d) {
    if (d < positionsType.getRank()) {
      if (positionsType.isDynamicDim(d))
        positionSizes.push_back(k.dim(d));
    } else {
      inner = arith::MulIOp::create(b, loc, inner, k.dim(d));
    }
  }
  Value in = k.view(0, dynamicSizes), out = k.view(2, dynamicSizes);
  Value positions = k.view(1, positionSizes);
  // The frequencies as a constant table next to the kernel, named by its
  // contents: kernels with the same table share it, and equal kernels are
  // equal as text (dispatch formation keeps one of them).
  auto tableType = MemRefType::get({int64_t(freqs->size())}, f32);
  ArrayRef<uint8_t> tableBytes(reinterpret_cast<const uint8_t *>(freqs->data()),
                               freqs->size() * sizeof(float));
  std::string tableName = llvm::formatv("rope_frequencies_{0:x16}", llvm::xxh3_64bits(tableBytes));
  Operation *symbols = k.kernel()->getParentOp();
  if (!SymbolTable::lookupSymbolIn(symbols, tableName)) {
    OpBuilder global(k.kernel());
    memref::GlobalOp::create(
        global, loc, tableName, global.getStringAttr("private"), tableType,
        DenseElementsAttr::get(RankedTensorType::get(tableType.getShape(), f32),
                               ArrayRef<float>(*freqs)),
        /*constant=*/true, /*alignment=*/nullptr);
  }
  Value table = memref::GetGlobalOp::create(b, loc, tableType, tableName);
  Value zero = k.index(0), one = k.index(1), two = k.index(2);
  Value nope = k.index(width - ropeDim), pairs = k.index(ropeDim / 2);
  const bool inverse = op.getInverse();

  k.forWorkgroups(rows, [&](Value row) {
    // This row's position: positions are row-major over their own dims.
    Value token = arith::DivUIOp::create(b, loc, row, inner);
    SmallVector<Value> positionIndex(static_cast<size_t>(positionsType.getRank()));
    Value rest = token;
    for (int64_t d = positionsType.getRank() - 1; d >= 0; --d) {
      Value size = k.dim(d);
      positionIndex[size_t(d)] = arith::RemUIOp::create(b, loc, rest, size);
      rest = arith::DivUIOp::create(b, loc, rest, size);
    }
    Value pos = memref::LoadOp::create(b, loc, positions, positionIndex);
    Value posF = arith::SIToFPOp::create(b, loc, f32, pos);
    // Nope dims unchanged.
    k.forThreads(
        zero, nope, one,
        [&](Value i) {
          SmallVector<Value> at = k.rowElement(row, i);
          memref::StoreOp::create(b, loc, memref::LoadOp::create(b, loc, in, at), out, at);
        },
        /*splitReductions=*/false, /*elementwise=*/true);
    // Each pair rotated by its own thread.
    k.forThreads(
        zero, pairs, one, [&](Value pair) {
          Value freq = memref::LoadOp::create(b, loc, table, ValueRange{pair});
          Value theta = arith::MulFOp::create(b, loc, posF, freq);
          auto [cosD, sinD] = cosSin(b, loc, arith::ExtFOp::create(b, loc, f64, theta));
          Value c = arith::TruncFOp::create(b, loc, f32, cosD);
          Value s = arith::TruncFOp::create(b, loc, f32, sinD);
          if (inverse)
            s = arith::NegFOp::create(b, loc, s);
          Value reIndex = arith::AddIOp::create(b, loc, nope, arith::MulIOp::create(b, loc, pair, two));
          Value imIndex = arith::AddIOp::create(b, loc, reIndex, one);
          SmallVector<Value> reAt = k.rowElement(row, reIndex), imAt = k.rowElement(row, imIndex);
          auto widen = [&](Value v) -> Value {
            return element == f32 ? v : arith::ExtFOp::create(b, loc, f32, v);
          };
          Value re = widen(memref::LoadOp::create(b, loc, in, reAt));
          Value im = widen(memref::LoadOp::create(b, loc, in, imAt));
          Value newRe = arith::SubFOp::create(b, loc, arith::MulFOp::create(b, loc, re, c),
                                              arith::MulFOp::create(b, loc, im, s));
          Value newIm = arith::AddFOp::create(b, loc, arith::MulFOp::create(b, loc, re, s),
                                              arith::MulFOp::create(b, loc, im, c));
          auto narrow = [&](Value v) -> Value {
            return element == f32 ? v : arith::TruncFOp::create(b, loc, element, v);
          };
          memref::StoreOp::create(b, loc, narrow(newRe), out, reAt);
          memref::StoreOp::create(b, loc, narrow(newIm), out, imAt);
        });
  });
  return k.kernel();
}

} // namespace sieve::detail
