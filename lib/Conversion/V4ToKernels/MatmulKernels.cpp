//===- MatmulKernels.cpp - v4.fp8_matmul as a kernel -----------------------===//
//
// One activation row per workgroup, every output of it. The reference's
// block-scaled GEMM (ref::blockDot over decoded operands): for each K block
// the exact products of decoded E4M3 codes summed in ascending k in an fp32
// partial sum, the partial times the two power-of-two scales added to the
// fp32 accumulator, the result rounded once. The reference folds the scales
// into the operands before multiplying; powers of two commute with fp32
// rounding, so both give the same bits (barring scales that underflow an
// operand, which the scale floors rule out). Codes and scales are bytes,
// decoded with integer arithmetic (architecture.md). A scalar kernel:
// correctness first; tiling and vector dot products come with the tile
// configuration.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "OpKernelEmitters.h"
#include "QuantArith.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;

namespace sieve::detail {

FailureOr<func::FuncOp> emitFp8MatmulKernel(v4::Fp8MatmulOp op, llvm::StringRef name,
                                            OpBuilder &moduleBuilder) {
  if (op.getGroupOffsets())
    return op.emitOpError() << "with groups (FP8 experts) has no kernel yet; the dense "
                               "form has one";
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  auto inputScalesType = cast<RankedTensorType>(op.getInputScales().getType());
  auto weightType = cast<RankedTensorType>(op.getWeight().getType());
  auto weightScalesType = cast<RankedTensorType>(op.getWeightScales().getType());
  auto resultType = cast<RankedTensorType>(op.getResult().getType());
  int64_t k = inputType.getShape().back(), n = weightType.getDimSize(0);
  int64_t blockN = op.getBlock()[0], blockK = op.getBlock()[1];
  if (ShapedType::isDynamic(k) || !weightType.hasStaticShape() ||
      !weightScalesType.hasStaticShape())
    return op.emitOpError() << "needs a static K and a static weight to become a kernel";

  KernelBuilder kb(moduleBuilder, op.getLoc(), name,
                   {inputType, inputScalesType, weightType, weightScalesType, resultType});
  OpBuilder &b = kb.builder();
  Location loc = kb.location();
  Bits bits{b, loc, b.getI32Type(), b.getF32Type()};
  Type f32 = bits.f32, element = resultType.getElementType();
  SmallVector<Value> dynamicSizes = kb.dynamicLeadingSizes();
  Value rows = kb.rowCount();
  Value a = kb.byteView(0, k, dynamicSizes);
  Value aScales = kb.byteView(1, k / blockK, dynamicSizes);
  Value w = kb.byteView(2, k, {});
  Value wScales = kb.byteView(3, weightScalesType.getShape().back(), {});
  Value out = kb.view(4, dynamicSizes);
  const ElementGrid grid = gridOf(op.getInput().getType().getElementType());
  BlockQuantizer codec(bits, grid, /*ceilRule=*/true);
  Value zero = kb.index(0), one = kb.index(1), nSize = kb.index(n), kSize = kb.index(k),
        kStep = kb.index(blockK), nBlock = kb.index(blockN);
  auto byteAt = [&](Value memref, ValueRange indices) -> Value {
    Value byte = memref::LoadOp::create(b, loc, memref, indices);
    return arith::ExtUIOp::create(b, loc, bits.i32, byte);
  };
  auto scaleOf = [&](Value byte) {
    return bits.select(bits.cmp(arith::CmpIPredicate::eq, byte, bits.i(0xFF)),
                       bits.f(std::numeric_limits<float>::quiet_NaN()),
                       bits.pow2(bits.sub(byte, bits.i(127))));
  };

  kb.forWorkgroups(rows, [&](Value row) {
    scf::ForOp::create(b, loc, zero, nSize, one, ValueRange{}, [&](OpBuilder &, Location,
                                                                   Value col, ValueRange) {
      Value wBlockRow = arith::DivUIOp::create(b, loc, col, nBlock);
      auto accLoop = scf::ForOp::create(
          b, loc, zero, kSize, kStep, ValueRange{bits.f(0.0f)},
          [&](OpBuilder &, Location, Value start, ValueRange acc) {
            Value end = arith::AddIOp::create(b, loc, start, kStep);
            auto partialLoop = scf::ForOp::create(
                b, loc, start, end, one, ValueRange{bits.f(0.0f)},
                [&](OpBuilder &, Location, Value i, ValueRange partial) {
                  Value x = codec.decode(byteAt(a, kb.rowElement(row, i)));
                  Value y = codec.decode(byteAt(w, ValueRange{col, i}));
                  Value product = arith::MulFOp::create(b, loc, x, y);
                  scf::YieldOp::create(
                      b, loc, ValueRange{arith::AddFOp::create(b, loc, partial[0], product)});
                });
            Value blockIndex = arith::DivUIOp::create(b, loc, start, kStep);
            Value sa = scaleOf(byteAt(aScales, kb.rowElement(row, blockIndex)));
            Value sw = scaleOf(byteAt(wScales, ValueRange{wBlockRow, blockIndex}));
            Value scaled = arith::MulFOp::create(
                b, loc, partialLoop.getResult(0), arith::MulFOp::create(b, loc, sa, sw));
            scf::YieldOp::create(b, loc,
                                 ValueRange{arith::AddFOp::create(b, loc, acc[0], scaled)});
          });
      Value result = accLoop.getResult(0);
      if (element != f32)
        result = arith::TruncFOp::create(b, loc, element, result);
      memref::StoreOp::create(b, loc, result, out, kb.rowElement(row, col));
      scf::YieldOp::create(b, loc);
    });
  });
  return kb.kernel();
}

} // namespace sieve::detail
