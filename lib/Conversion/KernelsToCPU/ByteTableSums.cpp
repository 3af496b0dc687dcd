//===- ByteTableSums.cpp - sums of bf16 products decoded from byte codes --===//
//
// Part of sieve-cpu-vectorize-reductions (ReductionVectorizer.h). An FP8
// GEMV decodes each weight byte to bf16 before its dot product: a lookup
// in a 128-entry magnitude table and the sign put back. Lane by lane that
// is two widenings, two vpermi2w, a compare, a blend, a shift and an or per
// 32 codes, and the FP8 GEMVs were bound by those shuffles (about 12 GB/s
// of weights on one Zen 5 thread against 22-29 GB/s of read bandwidth).
//
// The byte form computes the decode as a function of the byte instead:
// whatever elementwise ops lead from one loaded i8 to the bf16 operand are
// evaluated at compile time for all 256 byte values (the ops' own folders),
// giving the 256 bf16 results as a low-byte and a high-byte table. A chunk
// of 64 codes is then one load, one vpermi2b per table plane (VBMI: seven
// index bits over 128 table bytes), the sign bit put back with one bitwise
// select where the function is odd in bit 7 (all FP8 decodes are; two more
// vpermi2b and a blend otherwise), and two byte interleaves that give two
// vectors of 32 bf16. The interleaves leave the codes in a lane order of
// their own: the other operand, when it is a local buffer (the activation
// row), is copied once per workgroup in that order, like the word form's;
// any other contiguous operand is read as it is and the 64 codes are
// permuted first (one vpermb) so that the interleaves come out in order.
//
//===----------------------------------------------------------------------===//

#include "ReductionVectorizer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

namespace sieve::detail {
namespace {

/// The constant a value outside the evaluated ops holds, if any.
Attribute constantOf(Value v) {
  Attribute attr;
  if (matchPattern(v, m_Constant(&attr)))
    return attr;
  return Attribute();
}

} // namespace

bool ReductionVectorizer::tabulateByteFunction(Value result) {
  // The ops from the one byte load to `result`, in body order; any other
  // leaf must be a constant.
  llvm::SetVector<Operation *> slice;
  memref::LoadOp source;
  SmallVector<Value> work = {result};
  while (!work.empty()) {
    Value v = work.pop_back_val();
    Operation *def = v.getDefiningOp();
    if (!inBody(def)) {
      if (v == iv() || !constantOf(v))
        return false;
      continue;
    }
    if (!slice.insert(def))
      continue;
    if (auto load = dyn_cast<memref::LoadOp>(def)) {
      if ((source && source != load) || !load.getType().isInteger(8) || load.getIndices().empty() ||
          !isContiguous(load.getIndices().back()))
        return false;
      source = load;
      continue;
    }
    if (def->getNumRegions() != 0 || def->getNumResults() != 1 || !isMemoryEffectFree(def))
      return false;
    for (Value operand : def->getOperands())
      work.push_back(operand);
  }
  if (!source)
    return false;
  SmallVector<Operation *> ordered(slice.begin(), slice.end());
  llvm::sort(ordered, [](Operation *x, Operation *y) { return x->isBeforeInBlock(y); });

  Builder builder(loop.getContext());
  byteTable.assign(256, 0);
  for (int64_t code = 0; code < 256; ++code) {
    llvm::DenseMap<Value, Attribute> known;
    known[source.getResult()] = builder.getIntegerAttr(builder.getI8Type(), code);
    auto valueOf = [&](Value v) -> Attribute {
      if (Attribute attr = known.lookup(v))
        return attr;
      return constantOf(v);
    };
    for (Operation *op : ordered) {
      if (op == source.getOperation())
        continue;
      SmallVector<Attribute> operands;
      for (Value operand : op->getOperands())
        operands.push_back(valueOf(operand));
      if (llvm::is_contained(operands, Attribute()))
        return false;
      Attribute folded;
      if (auto extract = dyn_cast<vector::ExtractOp>(op)) {
        // A table lookup at a known position (the folders take only static
        // positions).
        auto table = dyn_cast<DenseElementsAttr>(operands[0]);
        auto position = operands.size() == 2 ? dyn_cast<IntegerAttr>(operands[1]) : nullptr;
        if (!table || !position || extract.getSourceVectorType().getRank() != 1 ||
            position.getValue().getZExtValue() >= uint64_t(table.getNumElements()))
          return false;
        folded = table.getValues<Attribute>()[position.getValue().getZExtValue()];
      } else {
        SmallVector<OpFoldResult> results;
        if (failed(op->fold(operands, results)) || results.size() != 1)
          return false;
        folded = isa<Attribute>(results[0]) ? cast<Attribute>(results[0])
                                            : valueOf(cast<Value>(results[0]));
      }
      if (!folded)
        return false;
      known[op->getResult(0)] = folded;
    }
    auto value = dyn_cast_or_null<FloatAttr>(known.lookup(result));
    if (!value || !value.getType().isBF16())
      return false;
    byteTable[code] = uint16_t(value.getValue().bitcastToAPInt().getZExtValue());
  }
  // Odd in bit 7 (a sign bit): the upper half is the lower with bit 15 set.
  signedCodes = true;
  for (int64_t code = 0; code < 128; ++code)
    signedCodes &= byteTable[code + 128] == (byteTable[code] ^ 0x8000);
  byteCodes = source;
  return true;
}

bool ReductionVectorizer::matchByteTable() {
  if (!bf16Dot || !byteLookup || kind != Kind::Sum)
    return false;
  // A factor that moves must stay the same over each chunk of 64.
  if (dotScale && dependsOnIv(dotScale)) {
    const int64_t dotWidth = width;
    width = kByteChunk;
    chunkUniform.clear();
    findChunkUniformValues();
    const bool uniform = chunkUniform.contains(dotScale);
    width = dotWidth;
    chunkUniform.clear();
    findChunkUniformValues();
    if (!uniform)
      return false;
  }
  std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound());
  std::optional<int64_t> ub = getConstantIntValue(loop.getUpperBound());
  for (auto [codes, other] : {std::pair(dotX, dotY), std::pair(dotY, dotX)}) {
    // A local row with constant bounds is re-laid once; any other
    // contiguous load is read as it is, the codes permuted instead.
    memref::LoadOp local = lb && ub && *ub - *lb >= kByteChunk
                               ? localRowOperand(other, *ub, kByteChunk)
                               : memref::LoadOp();
    auto load = other.getDefiningOp<memref::LoadOp>();
    if (!local && (!load || !inBody(load) || load.getIndices().empty() ||
                   !isContiguous(load.getIndices().back())))
      continue;
    if (!tabulateByteFunction(codes))
      continue;
    permutedSource = local;
    byteOperand = local ? memref::LoadOp() : load;
    return true;
  }
  return false;
}

SmallVector<int64_t> ReductionVectorizer::byteChunkOrder() {
  // vpunpcklbw / vpunpckhbw interleave bytes 0-7 / 8-15 of each 128-bit
  // lane of the low and high table planes: the first 32 bf16 are codes
  // 16L + i, the second 16L + 8 + i, for lanes L < 4 and i < 8.
  SmallVector<int64_t> order;
  for (int64_t half = 0; half < 2; ++half)
    for (int64_t lane = 0; lane < 4; ++lane)
      for (int64_t i = 0; i < 8; ++i)
        order.push_back(16 * lane + 8 * half + i);
  return order;
}

Value ReductionVectorizer::emitByteChunk(Value start, Value partial) {
  beginChunk(start);
  Location loc = loop.getLoc();
  Type i8 = b.getI8Type();
  VectorType bytes = VectorType::get({kByteChunk}, i8);
  VectorType values = VectorType::get({32}, b.getBF16Type());
  VectorType sumType = cast<VectorType>(partial.getType());
  // The chunk's 64 codes as two vectors of 32 bf16; jammed columns that
  // share the codes decode them once.
  auto decode = [&]() -> SmallVector<Value> {
    SmallVector<Value> indices;
    for (Value index : byteCodes.getIndices())
      indices.push_back(scalar(index));
    Value codes = vector::LoadOp::create(b, loc, bytes, scalar(byteCodes.getMemRef()), indices);
    if (byteOperand) {
      // The codes in the order whose interleaves come out in element order
      // (one vpermb), for an operand read as it is.
      SmallVector<int64_t> order(kByteChunk);
      for (auto [position, element] : llvm::enumerate(byteChunkOrder()))
        order[element] = position;
      codes = vector::ShuffleOp::create(b, loc, codes, codes, order);
    }
    // 64 bytes of one plane of the table from entry `first`.
    auto plane = [&](int64_t first, int shift) -> Value {
      SmallVector<int8_t> entries;
      for (int64_t i = 0; i < kByteChunk; ++i)
        entries.push_back(int8_t(byteTable[first + i] >> shift));
      return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(bytes, ArrayRef(entries)));
    };
    // vpermi2b: index bits 0-5 pick a byte, bit 6 the table half; bit 7 is
    // ignored.
    auto lookup = [&](int64_t first, int shift) -> Value {
      return LLVM::CallIntrinsicOp::create(
                 b, loc, bytes, b.getStringAttr("llvm.x86.avx512.vpermi2var.qi.512"),
                 ValueRange{plane(first, shift), codes, plane(first + kByteChunk, shift)})
          .getResult(0);
    };
    Value low = lookup(0, 0), high = lookup(0, 8);
    auto splat = [&](int64_t value) -> Value {
      return arith::ConstantOp::create(b, loc,
                                       SplatElementsAttr::get(bytes, b.getIntegerAttr(i8, value)));
    };
    if (signedCodes) {
      high = arith::OrIOp::create(b, loc, high, arith::AndIOp::create(b, loc, codes, splat(0x80)));
    } else {
      Value upper = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, codes, splat(0));
      low = arith::SelectOp::create(b, loc, upper, lookup(128, 0), low);
      high = arith::SelectOp::create(b, loc, upper, lookup(128, 8), high);
    }
    // Each bf16 is (low, high) in memory order: interleave within 128-bit
    // lanes (byteChunkOrder).
    auto interleave = [&](int64_t half) -> Value {
      SmallVector<int64_t> order;
      for (int64_t lane = 0; lane < 4; ++lane)
        for (int64_t i = 0; i < 8; ++i) {
          order.push_back(16 * lane + 8 * half + i);
          order.push_back(kByteChunk + 16 * lane + 8 * half + i);
        }
      return vector::BitCastOp::create(b, loc, values,
                                       vector::ShuffleOp::create(b, loc, low, high, order));
    };
    return SmallVector<Value>{interleave(0), interleave(1)};
  };
  SmallVector<Value> decoded = decodeOnce(byteCodes, decode);
  Value pairs = dotScale ? zeros : partial;
  for (int64_t half = 0; half < 2; ++half) {
    auto offset = [&](Value index) -> Value {
      if (half == 0)
        return index;
      return arith::AddIOp::create(b, loc, index, arith::ConstantIndexOp::create(b, loc, 32));
    };
    Value operand;
    if (byteOperand) {
      SmallVector<Value> at;
      for (Value index : byteOperand.getIndices())
        at.push_back(scalar(index));
      at.back() = offset(at.back());
      operand = vector::LoadOp::create(b, loc, values, scalar(byteOperand.getMemRef()), at);
    } else {
      operand =
          vector::LoadOp::create(b, loc, values, permuted, ValueRange{permutedAt(offset(chunk))});
    }
    pairs = x86vector::DotBF16Op::create(b, loc, sumType, pairs, operand, decoded[half]);
  }
  if (!dotScale)
    return pairs;
  return addScaled(partial, pairs);
}

} // namespace sieve::detail
