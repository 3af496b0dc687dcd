//===- QuantKernels.cpp - v4.simulate_quant as a kernel --------------------===//
//
// One row per workgroup, a block per thread loop iteration (on a GPU a
// group of threads splits the block's maximum and shares its elements), with
// the reference's arithmetic
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
#include "QuantArith.h"
#include "sieve/Conversion/ReductionLoops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace sieve::detail {

namespace {
/// The blocks of row `row` (width `width`, blocks of `block`), each an
/// iteration of a thread loop (on a GPU a 32-lane group's, which splits the
/// block's maximum): `body(start, end, scale)`.
void forEachBlock(KernelBuilder &k, BlockQuantizer &quantizer, int64_t width, int64_t block,
                  function_ref<Value(Value)> load,
                  function_ref<void(Value, Value, const BlockScale &)> body) {
  OpBuilder &b = k.builder();
  Location loc = k.location();
  Value step = k.index(block);
  k.forThreads(
      k.index(0), k.index(width), step,
      [&](Value start) {
        Value end = arith::AddIOp::create(b, loc, start, step);
        BlockScale scale = quantizer.scale(quantizer.amax(start, end, k.index(1), load));
        body(start, end, scale);
      },
      /*splitReductions=*/true);
}
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
  Value one = k.index(1);
  auto load = [&](Value row, Value column) -> Value {
    Value v = memref::LoadOp::create(b, loc, in, k.rowElement(row, column));
    return element == f32 ? v : arith::ExtFOp::create(b, loc, f32, v);
  };

  BlockQuantizer quantizer(bits, grid, ceilRule);
  Value nanValue = bits.f(std::numeric_limits<float>::quiet_NaN());
  k.forWorkgroups(rows, [&](Value row) {
    forEachBlock(
        k, quantizer, width, block, [&](Value i) { return load(row, i); },
        [&](Value start, Value end, const BlockScale &scale) {
          Value inverse = quantizer.inverseOf(scale);
          Value factor = bits.pow2(scale.exponent);
          auto elements = scf::ForOp::create(
              b, loc, start, end, one, ValueRange{},
              [&](OpBuilder &, Location, Value i, ValueRange) {
                Value q = quantizer.toGrid(load(row, i), inverse);
                Value result =
                    bits.select(scale.bad, nanValue, arith::MulFOp::create(b, loc, q, factor));
                if (element != f32)
                  result = arith::TruncFOp::create(b, loc, element, result);
                memref::StoreOp::create(b, loc, result, out, k.rowElement(row, i));
                scf::YieldOp::create(b, loc);
              });
          reduction_loops::markElementwise(elements);
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
  Value one = k.index(1), two = k.index(2), step = k.index(block);
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
    forEachBlock(
        k, quantizer, width, block, [&](Value i) { return load(row, i); },
        [&](Value start, Value end, const BlockScale &scale) {
          Value scaleByte = quantizer.scaleByte(scale);
          storeByte(scales, row, arith::DivUIOp::create(b, loc, start, step), scaleByte);
          Value inverse = quantizer.inverseOf(scale);
          auto codeAt = [&](Value i) {
            return quantizer.encode(quantizer.toGrid(load(row, i), inverse), scale.bad);
          };
          auto encodeLoop = scf::ForOp::create(
              b, loc, start, end, packed ? two : one, ValueRange{},
              [&](OpBuilder &, Location, Value i, ValueRange) {
                if (!packed) {
                  storeByte(codes, row, i, codeAt(i));
                } else {
                  // Even element in the low nibble.
                  Value low = codeAt(i);
                  Value high = codeAt(arith::AddIOp::create(b, loc, i, one));
                  Value pair = arith::OrIOp::create(b, loc, low,
                                                    arith::ShLIOp::create(b, loc, high, bits.i(4)));
                  storeByte(codes, row, arith::DivUIOp::create(b, loc, i, two), pair);
                }
                scf::YieldOp::create(b, loc);
              });
          reduction_loops::markElementwise(encodeLoop);
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

  k.forWorkgroups(rows, [&](Value row) {
    k.forThreads(zero, n, one, [&](Value i) {
      Value code = packed ? bits.packedCode(
                                loadByte(codes, row, arith::DivUIOp::create(b, loc, i, two)), i)
                          : loadByte(codes, row, i);
      Value scaleByte = loadByte(scales, row, arith::DivUIOp::create(b, loc, i, step));
      Value value = quantizer.scaled(code, scaleByte);
      if (element != f32)
        value = arith::TruncFOp::create(b, loc, element, value);
      memref::StoreOp::create(b, loc, value, out, k.rowElement(row, i));
    });
  });
  return k.kernel();
}

} // namespace sieve::detail
