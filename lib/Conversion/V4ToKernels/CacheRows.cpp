//===- CacheRows.cpp - One cache row, encoded and decoded in a kernel -----===//

#include "CacheRows.h"

#include "KernelBuilder.h"
#include "QuantArith.h"
#include "sieve/Conversion/ReductionLoops.h"

#include "v4/IR/V4Types.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace sieve::detail {

CacheRowCodec CacheRowCodec::of(Type cacheType) {
  auto kv = [](Type element, int64_t dim, int64_t rope) {
    if (element.isBF16())
      return CacheRowCodec(Kind::Bf16, dim, 0, 2 * dim);
    return CacheRowCodec(Kind::Fp8Kv, dim, rope, v4::kvRowBytes(element, dim, rope));
  };
  if (auto window = dyn_cast<v4::WindowCacheType>(cacheType))
    return kv(window.getElement(), window.getDim(), window.getRope());
  if (auto compressed = dyn_cast<v4::CompressedCacheType>(cacheType))
    return kv(compressed.getElement(), compressed.getDim(), compressed.getRope());
  auto keys = cast<v4::IndexerCacheType>(cacheType);
  Type element = keys.getElement();
  int64_t dim = keys.getDim(), bytes = v4::indexerKeyBytes(element, dim);
  if (isa<Float8E4M3FNType>(element))
    return CacheRowCodec(Kind::Fp8Key, dim, 0, bytes);
  if (isa<Float4E2M1FNType>(element))
    return CacheRowCodec(Kind::Fp4Key, dim, 0, bytes);
  return CacheRowCodec(Kind::Bf16, dim, 0, bytes);
}

namespace {

/// Byte-level access to one stored row and the bf16 rounding the reference
/// applies to every value it stores or reads.
struct RowBytes {
  OpBuilder &b;
  Location loc;
  Value storage, cacheRow, row;
  Bits bits;

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value byteAt(Value offset) {
    Value byte = memref::LoadOp::create(b, loc, storage, ValueRange{cacheRow, row, offset});
    return arith::ExtUIOp::create(b, loc, bits.i32, byte);
  }
  void storeByte(Value value, Value offset) {
    Value byte = arith::TruncIOp::create(b, loc, b.getI8Type(), value);
    memref::StoreOp::create(b, loc, byte, storage, ValueRange{cacheRow, row, offset});
  }
  Value plus(Value offset, int64_t v) { return arith::AddIOp::create(b, loc, offset, index(v)); }
  /// Little-endian 32-bit word at byte `offset`.
  Value wordAt(Value offset, int bytes) {
    Value word = byteAt(offset);
    for (int k = 1; k < bytes; ++k)
      word = arith::OrIOp::create(
          b, loc, word, arith::ShLIOp::create(b, loc, byteAt(plus(offset, k)), bits.i(8 * k)));
    return word;
  }
  void storeWord(Value word, Value offset, int bytes) {
    for (int k = 0; k < bytes; ++k)
      storeByte(arith::ShRUIOp::create(b, loc, word, bits.i(8 * k)), plus(offset, k));
  }
  Value roundBf16(Value v) {
    Value narrowed = arith::TruncFOp::create(b, loc, b.getBF16Type(), v);
    return arith::ExtFOp::create(b, loc, bits.f32, narrowed);
  }
  /// The bf16 bit pattern of `v` (f32) in the low 16 bits of an i32.
  Value bf16Bits(Value v) {
    Value narrowed = arith::TruncFOp::create(b, loc, b.getBF16Type(), v);
    Value raw = arith::BitcastOp::create(b, loc, b.getI16Type(), narrowed);
    return arith::ExtUIOp::create(b, loc, bits.i32, raw);
  }
  /// A loop storing its own bytes in each iteration (marked elementwise:
  /// the lanes of a GPU thread group may share it).
  void forBytes(Value lo, Value hi, int64_t step, llvm::function_ref<void(Value)> body) {
    auto loop = scf::ForOp::create(b, loc, lo, hi, index(step), ValueRange{},
                                   [&](OpBuilder &, Location, Value i, ValueRange) {
                                     body(i);
                                     scf::YieldOp::create(b, loc);
                                   });
    reduction_loops::markElementwise(loop);
  }
  /// A loop over the workgroup's threads (emitThreadLoop).
  void forThreads(Value lo, Value hi, int64_t step, llvm::function_ref<void(Value)> body,
                  bool splitReductions = false) {
    emitThreadLoop(b, loc, lo, hi, index(step), body, splitReductions);
  }
};

} // namespace

Value CacheRowCodec::load(OpBuilder &b, Location loc, Value storage, Value cacheRow, Value row,
                          Value i) const {
  if (kind_ == Kind::Bf16) {
    Value v = memref::LoadOp::create(b, loc, storage, ValueRange{cacheRow, row, i});
    return v.getType().isF32() ? v : arith::ExtFOp::create(b, loc, b.getF32Type(), v);
  }
  RowBytes r{b, loc, storage, cacheRow, row, Bits{b, loc, b.getI32Type(), b.getF32Type()}};
  Bits &bits = r.bits;
  switch (kind_) {
  case Kind::Fp8Kv: {
    // Both parts read in bounds, then the element's kind picks one.
    const int64_t nope = dim_ - rope_;
    BlockQuantizer fp8(bits, gridOf(b.getType<Float8E4M3FNType>()), /*ceilRule=*/true);
    Value isNope = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, i, r.index(nope));
    Value codeAt = arith::MinUIOp::create(b, loc, i, r.index(nope - 1));
    Value scaleAt = arith::AddIOp::create(
        b, loc, r.index(nope + 2 * rope_),
        arith::DivUIOp::create(b, loc, codeAt, r.index(v4::kKvScaleBlock)));
    Value nopeValue = r.roundBf16(fp8.scaled(r.byteAt(codeAt), r.byteAt(scaleAt)));
    Value ropeIndex = arith::SubIOp::create(
        b, loc, arith::MaxUIOp::create(b, loc, i, r.index(nope)), r.index(nope));
    Value ropeAt = arith::AddIOp::create(
        b, loc, r.index(nope), arith::MulIOp::create(b, loc, ropeIndex, r.index(2)));
    Value ropeValue = bits.floatOf(
        arith::ShLIOp::create(b, loc, r.wordAt(ropeAt, 2), bits.i(16)));
    return arith::SelectOp::create(b, loc, isNope, nopeValue, ropeValue);
  }
  case Kind::Fp8Key: {
    BlockQuantizer fp8(bits, gridOf(b.getType<Float8E4M3FNType>()), /*ceilRule=*/true);
    Value scale = bits.floatOf(r.wordAt(r.index(dim_), 4));
    return r.roundBf16(arith::MulFOp::create(b, loc, fp8.decode(r.byteAt(i)), scale));
  }
  case Kind::Fp4Key: {
    BlockQuantizer fp4(bits, gridOf(b.getType<Float4E2M1FNType>()), /*ceilRule=*/true);
    Value code = bits.packedCode(r.byteAt(arith::DivUIOp::create(b, loc, i, r.index(2))), i);
    Value scaleAt = arith::AddIOp::create(
        b, loc, r.index(dim_ / 2),
        arith::DivUIOp::create(b, loc, i, r.index(v4::kKeyScaleBlock)));
    return r.roundBf16(fp4.scaled(code, r.byteAt(scaleAt)));
  }
  case Kind::Bf16:
    break;
  }
  llvm_unreachable("bf16 rows are loaded above");
}

void CacheRowCodec::storeRow(OpBuilder &b, Location loc, Value storage, Value cacheRow,
                             Value row, llvm::function_ref<Value(Value)> valueOf) const {
  RowBytes r{b, loc, storage, cacheRow, row, Bits{b, loc, b.getI32Type(), b.getF32Type()}};
  Bits &bits = r.bits;
  auto widen = [&](Value v) -> Value {
    return v.getType().isF32() ? v : arith::ExtFOp::create(b, loc, bits.f32, v);
  };
  // Every value is rounded to bf16 first, as the reference stores them.
  auto valueAt = [&](Value i) { return r.roundBf16(widen(valueOf(i))); };
  Value zero = r.index(0);
  if (kind_ == Kind::Bf16) {
    Type stored = cast<MemRefType>(storage.getType()).getElementType();
    r.forThreads(zero, r.index(dim_), 1, [&](Value x) {
      Value v = valueOf(x);
      if (v.getType() != stored)
        v = arith::TruncFOp::create(b, loc, stored, widen(v));
      memref::StoreOp::create(b, loc, v, storage, ValueRange{cacheRow, row, x});
    });
    return;
  }
  // Block-scaled codes of values [0, count): each block of `block` values
  // (a thread's, on a GPU a thread group's, which splits its maximum) gets
  // its ceil-rule E8M0 scale at byte `scaleBase + block index`, and
  // `storeCodes(start, end, inverse, bad)` stores its codes.
  auto scaledBlocks = [&](BlockQuantizer &q, int64_t count, int64_t block, int64_t scaleBase,
                          llvm::function_ref<void(Value, Value, Value, Value)> storeCodes) {
    r.forThreads(
        zero, r.index(count), block,
        [&](Value start) {
          Value end = r.plus(start, block);
          BlockScale scale = q.scale(q.amax(start, end, r.index(1), valueAt));
          storeCodes(start, end, q.inverseOf(scale), scale.bad);
          r.storeByte(q.scaleByte(scale),
                      arith::AddIOp::create(b, loc, r.index(scaleBase),
                                            arith::DivUIOp::create(b, loc, start, r.index(block))));
        },
        /*splitReductions=*/true);
  };
  switch (kind_) {
  case Kind::Fp8Kv: {
    const int64_t nope = dim_ - rope_;
    BlockQuantizer fp8(bits, gridOf(b.getType<Float8E4M3FNType>()), /*ceilRule=*/true);
    scaledBlocks(fp8, nope, v4::kKvScaleBlock, nope + 2 * rope_,
                 [&](Value start, Value end, Value inverse, Value bad) {
                   r.forBytes(start, end, 1, [&](Value i) {
                     r.storeByte(fp8.encode(fp8.toGrid(valueAt(i), inverse), bad), i);
                   });
                 });
    r.forThreads(zero, r.index(rope_), 1, [&](Value j) {
      Value at = arith::AddIOp::create(b, loc, r.index(nope),
                                       arith::MulIOp::create(b, loc, j, r.index(2)));
      r.storeWord(r.bf16Bits(widen(valueOf(arith::AddIOp::create(b, loc, j, r.index(nope))))),
                  at, 2);
    });
    r.forThreads(r.index(nope + 2 * rope_ + nope / v4::kKvScaleBlock), r.index(bytes_), 1,
                 [&](Value p) { r.storeByte(bits.i(0), p); });
    return;
  }
  case Kind::Fp8Key: {
    // One fp32 scale: amax / 448 (NaNs ignored, as std::max ignores them),
    // 1 for an all-zero row; each code is E4M3(value / scale). One
    // iteration: on a GPU its thread group shares the codes' loop.
    BlockQuantizer fp8(bits, gridOf(b.getType<Float8E4M3FNType>()), /*ceilRule=*/true);
    r.forThreads(
        zero, r.index(1), 1,
        [&](Value) {
          Value amax =
              scf::ForOp::create(
                  b, loc, zero, r.index(dim_), r.index(1), ValueRange{bits.f(0.0f)},
                  [&](OpBuilder &, Location, Value i, ValueRange acc) {
                    Value a = math::AbsFOp::create(b, loc, valueAt(i));
                    Value larger =
                        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, a, acc[0]);
                    scf::YieldOp::create(b, loc, ValueRange{bits.select(larger, a, acc[0])});
                  })
                  .getResult(0);
          Value positive =
              arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, amax, bits.f(0.0f));
          Value scale = bits.select(positive, arith::DivFOp::create(b, loc, amax, bits.f(448.0f)),
                                    bits.f(1.0f));
          r.forBytes(zero, r.index(dim_), 1, [&](Value i) {
            Value x = arith::DivFOp::create(b, loc, valueAt(i), scale);
            Value nan = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, x, x);
            r.storeByte(fp8.encode(fp8.toGrid(x, bits.f(1.0f)), nan), i);
          });
          r.storeWord(bits.bitsOf(scale), r.index(dim_), 4);
        },
        /*splitReductions=*/true);
    return;
  }
  case Kind::Fp4Key: {
    BlockQuantizer fp4(bits, gridOf(b.getType<Float4E2M1FNType>()), /*ceilRule=*/true);
    scaledBlocks(fp4, dim_, v4::kKeyScaleBlock, dim_ / 2,
                 [&](Value start, Value end, Value inverse, Value bad) {
                   // Two codes per byte, the even element in the low nibble.
                   r.forBytes(start, end, 2, [&](Value i) {
                     Value low = fp4.encode(fp4.toGrid(valueAt(i), inverse), bad);
                     Value high = fp4.encode(fp4.toGrid(valueAt(r.plus(i, 1)), inverse), bad);
                     r.storeByte(arith::OrIOp::create(
                                     b, loc, low, arith::ShLIOp::create(b, loc, high, bits.i(4))),
                                 arith::DivUIOp::create(b, loc, i, r.index(2)));
                   });
                 });
    return;
  }
  case Kind::Bf16:
    break;
  }
}

} // namespace sieve::detail
