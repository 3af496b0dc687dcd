//===- TransformKernels.cpp - v4.hadamard as a kernel ----------------------===//
//
// One row per workgroup. The row is widened to fp32 in a stack buffer and
// transformed with the reference's radix-2 Sylvester butterflies in its
// order ((a, b) -> (a + b, a - b) at strides 1, 2, 4, ...;
// num::hadamardTransform), scaled by float(1 / sqrt(double(n))) computed the
// same way, and rounded once: bit-identical to the reference.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "OpKernelEmitters.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>

using namespace mlir;

namespace sieve::detail {

FailureOr<func::FuncOp> emitHadamardKernel(v4::HadamardOp op, llvm::StringRef name,
                                           OpBuilder &moduleBuilder) {
  RankedTensorType type = op.getInput().getType();
  int64_t width = type.getShape().back();
  if (ShapedType::isDynamic(width) || !llvm::isPowerOf2_64(static_cast<uint64_t>(width)))
    return op.emitOpError() << "needs a static power-of-two last dimension to become a "
                               "kernel";
  KernelBuilder k(moduleBuilder, op.getLoc(), name, {type, type});
  OpBuilder &b = k.builder();
  Location loc = k.location();
  Type f32 = b.getF32Type(), element = type.getElementType();
  SmallVector<Value> dynamicSizes = k.dynamicLeadingSizes();
  Value rows = k.rowCount();
  Value in = k.view(0, dynamicSizes), out = k.view(1, dynamicSizes);
  const float scaleValue = float(1.0 / std::sqrt(double(width)));
  Value scale = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(scaleValue));
  Value zero = k.index(0), one = k.index(1), n = k.index(width);

  // The row in shared scratch, then one thread loop per butterfly stage
  // (each pair its own iteration), then the scaled row out.
  k.forWorkgroups(rows, [&](Value row) {
    Value row32 = memref::AllocaOp::create(b, loc, MemRefType::get({width}, f32));
    k.forThreads(zero, n, one, [&](Value i) {
      Value v = memref::LoadOp::create(b, loc, in, k.rowElement(row, i));
      if (element != f32)
        v = arith::ExtFOp::create(b, loc, f32, v);
      memref::StoreOp::create(b, loc, v, row32, ValueRange{i});
    });
    for (int64_t h = 1; h < width; h *= 2) {
      Value stride = k.index(h), pairStride = k.index(2 * h);
      // Pair p of the stage: j = (p / h) * 2h + p % h and j + h, in the
      // order the reference's loops visit them.
      k.forThreads(zero, k.index(width / 2), one, [&](Value pair) {
        Value j = arith::AddIOp::create(
            b, loc,
            arith::MulIOp::create(b, loc, arith::DivUIOp::create(b, loc, pair, stride), pairStride),
            arith::RemUIOp::create(b, loc, pair, stride));
        Value partner = arith::AddIOp::create(b, loc, j, stride);
        Value a = memref::LoadOp::create(b, loc, row32, ValueRange{j});
        Value c = memref::LoadOp::create(b, loc, row32, ValueRange{partner});
        memref::StoreOp::create(b, loc, arith::AddFOp::create(b, loc, a, c), row32, ValueRange{j});
        memref::StoreOp::create(b, loc, arith::SubFOp::create(b, loc, a, c), row32,
                                ValueRange{partner});
      });
    }
    k.forThreads(zero, n, one, [&](Value i) {
      Value v = memref::LoadOp::create(b, loc, row32, ValueRange{i});
      v = arith::MulFOp::create(b, loc, v, scale);
      if (element != f32)
        v = arith::TruncFOp::create(b, loc, element, v);
      memref::StoreOp::create(b, loc, v, out, k.rowElement(row, i));
    });
  });
  return k.kernel();
}

} // namespace sieve::detail
