//===- VectorizeReductions.cpp - configured sums as vector loops ----------===//
//
// Mechanical: sieve-cpu-configure-kernels chose the width, this pass applies
// it (Passes.td has the contract). The loop
//
//   %s = scf.for %i = %lb to %ub step 1 iter_args(%acc = %init) -> f32 {
//     ... elementwise arithmetic over loads ...
//     %next = arith.addf %acc, %x
//     scf.yield %next
//   }
//
// becomes a loop over whole vectors of W elements keeping W partial sums (or
// 16 with the BF16 dot product, which sums pairs), one reduction, and the
// original loop for the remaining iterations. Values are vectorized on
// demand, from the sum's term backwards, so only what the term needs is
// emitted (in the dot product form, the bf16 operands and not their f32
// widening). A value that changes only from block to block of the
// iteration space (a block scale at iv / 32, with whole chunks inside one
// block) is computed once per chunk as a scalar and splat, or, with
// constant bounds, for all blocks before the loop, 16 at a time, into a
// stack buffer. A lookup in a small constant table (`vector.extract
// %table[%code]`, an FP4 decode) becomes one lane permutation where the
// configuration says the CPU has one; two 4-bit codes per byte are widened
// without byte shuffles. With `sieve.partial_sums` = P, P chunks per step
// go to P accumulators (an add's latency otherwise bounds the loop).
//
// The word form (matchWordNibbles) is the MXFP4 GEMV's: 128 FP4 codes per
// chunk read as 32 words of four codes, one permutation per code position
// and no widening, the other operand re-laid once per workgroup to match.
// Measured on the 2-core AVX-512 VM (docs/performance.md): the MXFP4 GEMV
// went from 44% to about 85% of one thread's read bandwidth with these.
// The byte form (matchByteTable, ByteTableSums.cpp) is the FP8 GEMV's:
// the decode tabulated for all 256 bytes, 64 codes per chunk as vpermi2b.
//
//===----------------------------------------------------------------------===//

#include "sieve/Conversion/KernelsToCPU/Passes.h"
#include "sieve/Conversion/ReductionLoops.h"

#include "ReductionVectorizer.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace sieve {
#define GEN_PASS_DEF_CPUVECTORIZEREDUCTIONSPASS
#include "sieve/Conversion/KernelsToCPU/Passes.h.inc"
} // namespace sieve

using namespace mlir;

namespace sieve::detail {

bool ReductionVectorizer::matches() {
  std::optional<int64_t> step = getConstantIntValue(loop.getStep());
  if (!step || *step != 1)
    return false;
  Block *body = loop.getBody();
  auto yield = cast<scf::YieldOp>(body->getTerminator());
  Operation *combine = nullptr; // the accumulation, or the one store
  Value acc;
  if (loop.getNumRegionIterArgs() == 0) {
    // Elementwise: one store of the term at the iteration's own element of
    // a stack buffer, which nothing else in the loop reads elsewhere (a
    // local buffer aliases nothing, so whole chunks may be read first).
    kind = Kind::Map;
    for (Operation &op : body->without_terminator()) {
      auto store = dyn_cast<memref::StoreOp>(op);
      if (!store)
        continue;
      if (combine)
        return false;
      combine = store;
    }
    auto store = cast_or_null<memref::StoreOp>(combine);
    if (!store || store.getIndices().empty() ||
        !store.getMemRef().getDefiningOp<memref::AllocaOp>())
      return false;
    for (Operation *user : store.getMemRef().getUsers())
      if (auto load = dyn_cast<memref::LoadOp>(user);
          load && loop->isAncestor(load) && load.getIndices() != store.getIndices())
        return false;
    term = store.getValueToStore();
    bf16Dot = false;
  } else {
    if (loop.getNumRegionIterArgs() != 1 || !loop.getRegionIterArg(0).getType().isF32())
      return false;
    acc = loop.getRegionIterArg(0);
    Operation *next = yield.getOperand(0).getDefiningOp();
    if (!next || next->getBlock() != body || !acc.hasOneUse() || next->getNumOperands() != 2 ||
        !llvm::is_contained(next->getOperands(), acc))
      return false;
    if (isa<arith::AddFOp>(next))
      kind = Kind::Sum;
    else if (isa<arith::MaximumFOp>(next))
      kind = Kind::Max; // exact in any order: no dot product, no contraction
    else
      return false;
    if (kind != Kind::Sum)
      bf16Dot = false;
    combine = next;
    term = next->getOperand(0) == acc ? next->getOperand(1) : next->getOperand(0);
  }

  dependent.insert(iv());
  for (Operation &op : body->without_terminator()) {
    if (&op == nestedSum) {
      dependent.insert(op.getResult(0)); // computed per column elsewhere
      continue;
    }
    if (op.getNumRegions() != 0)
      return false;
    bool depends = llvm::any_of(op.getOperands(), [&](Value v) { return dependsOnIv(v); });
    if (&op == combine)
      continue;
    if (acc && llvm::is_contained(op.getOperands(), acc))
      return false;
    if (auto load = dyn_cast<memref::LoadOp>(op)) {
      // A gather takes one index vector: the leading indices must not move.
      ValueRange indices = load.getIndices();
      if (!indices.empty() &&
          llvm::any_of(indices.drop_back(), [&](Value v) { return dependsOnIv(v); }))
        return false;
    } else if (!isMemoryEffectFree(&op)) {
      return false;
    } else if (isa<vector::ExtractOp>(op)) {
      if (depends && !isTableLookup(&op))
        return false;
    } else if (depends && (!OpTrait::hasElementwiseMappableTraits(&op) ||
                           llvm::any_of(op.getResultTypes(),
                                        [](Type t) { return !t.isIntOrIndexOrFloat(); }))) {
      return false;
    }
    if (depends)
      for (Value result : op.getResults())
        dependent.insert(result);
  }
  if (!dependsOnIv(term))
    return false;
  if (kind == Kind::Map) {
    // Stored at [invariant..., iv + invariant]: whole chunks of a row.
    ValueRange indices = cast<memref::StoreOp>(combine).getIndices();
    if (llvm::any_of(indices.drop_back(), [&](Value v) { return dependsOnIv(v); }) ||
        !isContiguous(indices.back()) || !term.getType().isIntOrIndexOrFloat())
      return false;
    store = cast<memref::StoreOp>(combine);
  }
  findChunkUniformValues();
  // The dot product form: term = extf(x) * extf(y) with bf16 x and y, or
  // that times a factor the same across the chunk (a block scale).
  if (bf16Dot) {
    Value product = term;
    auto outer = term.getDefiningOp<arith::MulFOp>();
    auto sameInChunk = [&](Value v) { return !dependsOnIv(v) || chunkUniform.contains(v); };
    if (outer && sameInChunk(outer.getRhs())) {
      product = outer.getLhs();
      dotScale = outer.getRhs();
    } else if (outer && sameInChunk(outer.getLhs())) {
      product = outer.getRhs();
      dotScale = outer.getLhs();
    }
    auto mul = product.getDefiningOp<arith::MulFOp>();
    auto x = mul ? mul.getLhs().getDefiningOp<arith::ExtFOp>() : nullptr;
    auto y = mul ? mul.getRhs().getDefiningOp<arith::ExtFOp>() : nullptr;
    if (x && y && x.getIn().getType().isBF16() && y.getIn().getType().isBF16()) {
      dotX = x.getIn();
      dotY = y.getIn();
    } else {
      // Not a bf16 product: plain f32 lanes, half the elements.
      bf16Dot = false;
      dotScale = Value();
      width /= 2;
      chunkUniform.clear();
      findChunkUniformValues();
    }
  }
  return true;
}

bool ReductionVectorizer::isTableLookup(Operation *op) {
  auto extract = dyn_cast<vector::ExtractOp>(op);
  if (!extract || extract.getDynamicPosition().size() != 1 ||
      extract.getSourceVectorType().getRank() != 1 || dependsOnIv(extract.getSource()))
    return false;
  return extract.getResult().getType().isIntOrIndexOrFloat();
}

void ReductionVectorizer::findChunkUniformValues() {
  // Block starts: iv / C (or iv >> log2 C) where chunks of `width` starting
  // at lb never straddle a multiple of C.
  auto blockDivision = [&](Operation &op) {
    Value dividend;
    int64_t divisor = 0;
    if (auto div = dyn_cast<arith::DivUIOp>(op)) {
      dividend = div.getLhs();
      divisor = getConstantIntValue(div.getRhs()).value_or(0);
    } else if (auto shift = dyn_cast<arith::ShRUIOp>(op)) {
      std::optional<int64_t> amount = getConstantIntValue(shift.getRhs());
      dividend = shift.getLhs();
      divisor = amount && *amount >= 0 && *amount < 31 ? int64_t(1) << *amount : 0;
    }
    if (divisor <= 0 || divisor % width != 0 || !isContiguous(dividend) ||
        !isMultipleOf(loop.getLowerBound(), divisor))
      return false;
    if (dividend == iv())
      return true;
    auto add = dividend.getDefiningOp<arith::AddIOp>();
    return isMultipleOf(add.getLhs() == iv() ? add.getRhs() : add.getLhs(), divisor);
  };
  for (Operation &op : loop.getBody()->without_terminator()) {
    if (op.getNumResults() == 0 || !dependsOnIv(op.getResult(0)) || &op == nestedSum)
      continue;
    bool uniform = blockDivision(op) || llvm::all_of(op.getOperands(), [&](Value operand) {
                     return !dependsOnIv(operand) || chunkUniform.contains(operand);
                   });
    if (uniform)
      for (Value result : op.getResults())
        chunkUniform.insert(result);
  }
}

bool ReductionVectorizer::isContiguous(Value index) {
  if (index == iv())
    return true;
  auto add = index.getDefiningOp<arith::AddIOp>();
  return add && ((add.getLhs() == iv() && !dependsOnIv(add.getRhs())) ||
                 (add.getRhs() == iv() && !dependsOnIv(add.getLhs())));
}

bool ReductionVectorizer::isMultipleOf(Value v, int64_t m) {
  if (std::optional<int64_t> c = getConstantIntValue(v))
    return *c % m == 0;
  if (auto arg = dyn_cast<BlockArgument>(v))
    if (auto outer = dyn_cast<scf::ForOp>(arg.getOwner()->getParentOp()))
      if (arg == outer.getInductionVar())
        return isMultipleOf(outer.getLowerBound(), m) && isMultipleOf(outer.getStep(), m);
  if (auto add = v.getDefiningOp<arith::AddIOp>())
    return isMultipleOf(add.getLhs(), m) && isMultipleOf(add.getRhs(), m);
  if (auto mul = v.getDefiningOp<arith::MulIOp>())
    return isMultipleOf(mul.getLhs(), m) || isMultipleOf(mul.getRhs(), m);
  return false;
}

Value ReductionVectorizer::halfRateSource(Value index) {
  Value x;
  if (auto div = index.getDefiningOp<arith::DivUIOp>();
      div && getConstantIntValue(div.getRhs()) == 2)
    x = div.getLhs();
  else if (auto shift = index.getDefiningOp<arith::ShRUIOp>();
           shift && getConstantIntValue(shift.getRhs()) == 1)
    x = shift.getLhs();
  if (!x || !isContiguous(x) || width % 2 != 0 || !isEven(loop.getLowerBound()))
    return Value();
  // x = iv + offset: the chunk starts at lb + k * width, so the offset must
  // be even too.
  if (x != iv()) {
    auto add = x.getDefiningOp<arith::AddIOp>();
    Value offset = add.getLhs() == iv() ? add.getRhs() : add.getLhs();
    if (!isEven(offset))
      return Value();
  }
  return x;
}

Value ReductionVectorizer::scalar(Value v) {
  if (v == iv())
    return chunk;
  if (Value mapped = scalars.lookupOrNull(v))
    return mapped;
  Operation *def = v.getDefiningOp();
  if (!def || !loop->isProperAncestor(def)) {
    // Defined outside the loop: in a jammed sum, the column's own value.
    if (!outer)
      return v;
    Value mapped = outer->lookupOrDefault(v);
    if (mapped != v)
      scalars.map(v, mapped);
    return mapped;
  }
  for (Value operand : def->getOperands())
    (void)scalar(operand);
  Operation *clone = b.clone(*def, scalars);
  return clone->getResult(cast<OpResult>(v).getResultNumber());
}

Value ReductionVectorizer::vectorLoad(memref::LoadOp load) {
  Location loc = load.getLoc();
  SmallVector<Value> indices;
  for (Value index : load.getIndices().drop_back())
    indices.push_back(scalar(index));
  Value last = load.getIndices().back();
  VectorType type = vectorOf(load.getType());
  if (isContiguous(last)) {
    indices.push_back(scalar(last));
    return vector::LoadOp::create(b, loc, type, scalar(load.getMemRef()), indices);
  }
  if (halfRateSource(last)) {
    // Packed pairs (FP4 codes): width / 2 contiguous bytes, each used by two
    // lanes; a gather here costs one load per lane.
    indices.push_back(scalar(last));
    Value half = vector::LoadOp::create(b, loc, VectorType::get({width / 2}, load.getType()),
                                        scalar(load.getMemRef()), indices);
    SmallVector<int64_t> twice;
    for (int64_t lane = 0; lane < width; ++lane)
      twice.push_back(lane / 2);
    return vector::ShuffleOp::create(b, loc, half, half, twice);
  }
  // Any other index moving with the iteration: one element per lane.
  indices.push_back(arith::ConstantIndexOp::create(b, loc, 0));
  Value lanes = vector(last);
  Value mask =
      arith::ConstantOp::create(b, loc, DenseElementsAttr::get(vectorOf(b.getI1Type()), true));
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(type));
  return vector::GatherOp::create(b, loc, type, scalar(load.getMemRef()), indices, lanes, mask,
                                  zero);
}

Value ReductionVectorizer::vectorLookup(vector::ExtractOp lookup) {
  Location loc = lookup.getLoc();
  Value table = scalar(lookup.getSource());
  auto tableType = cast<VectorType>(table.getType());
  Value position = lookup.getDynamicPosition()[0];
  Type i16 = b.getIntegerType(16);
  const int64_t entries = tableType.getNumElements();
  // The positions as `type` lanes, from the integer they were cast from
  // when there is one (the codes), else from the index vector.
  auto laneCodes = [&](Type type) -> Value {
    auto cast = position.getDefiningOp<arith::IndexCastOp>();
    if (!cast || !cast.getIn().getType().isInteger())
      return arith::IndexCastOp::create(b, loc, vectorOf(type), vector(position));
    if (memref::LoadOp packed = packedNibbleLoad(cast.getIn()); packed && type.isInteger(16))
      return packedNibbleWords(packed);
    Value codes = vector(cast.getIn());
    unsigned from = cast.getIn().getType().getIntOrFloatBitWidth(),
             to = type.getIntOrFloatBitWidth();
    if (from > to)
      return arith::TruncIOp::create(b, loc, vectorOf(type), codes);
    if (from < to)
      return arith::ExtUIOp::create(b, loc, vectorOf(type), codes);
    return codes;
  };
  if (permuteLookup && tableType.getElementType().isBF16() && (width == 32 || width == 16) &&
      llvm::is_contained({16, 32, 64, 128, 256}, entries)) {
    // Word permutations over 32-entry slices of the table: vpermw reads
    // five index bits, vpermi2w six (two slices); bits 6 and 7 then pick
    // among the 64-entry results. A 16-entry table is repeated so the fifth
    // bit does not matter. 16 lanes (f32 sums) use the low half of 32.
    Value codes = laneCodes(i16);
    auto words = [&](int64_t lanes) { return VectorType::get({lanes}, i16); };
    auto resize = [&](Value v, int64_t lanes) -> Value {
      SmallVector<int64_t> order;
      for (int64_t lane = 0; lane < lanes; ++lane)
        order.push_back(lane % width);
      return vector::ShuffleOp::create(b, loc, v, v, order);
    };
    if (width == 16)
      codes = resize(codes, 32);
    auto slice = [&](int64_t first) -> Value {
      SmallVector<int64_t> lanes;
      for (int64_t lane = 0; lane < 32; ++lane)
        lanes.push_back(first + lane % std::min<int64_t>(entries, 32));
      Value part = vector::ShuffleOp::create(b, loc, table, table, lanes);
      return vector::BitCastOp::create(b, loc, words(32), part);
    };
    auto intrinsic = [&](llvm::StringRef name, ValueRange operands) -> Value {
      return LLVM::CallIntrinsicOp::create(b, loc, words(32), b.getStringAttr(name), operands)
          .getResult(0);
    };
    auto bitSet = [&](int64_t bit) -> Value {
      Value mask = arith::ConstantOp::create(
          b, loc, SplatElementsAttr::get(words(32), b.getIntegerAttr(i16, bit)));
      Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(words(32)));
      return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                                   arith::AndIOp::create(b, loc, codes, mask), zero);
    };
    SmallVector<Value> picked;
    if (entries <= 32) {
      picked.push_back(intrinsic("llvm.x86.avx512.permvar.hi.512", {slice(0), codes}));
    } else {
      for (int64_t first = 0; first < entries; first += 64)
        picked.push_back(intrinsic("llvm.x86.avx512.vpermi2var.hi.512",
                                   {slice(first), codes, slice(first + 32)}));
      for (int64_t bit = 64; picked.size() > 1; bit *= 2) {
        Value set = bitSet(bit);
        SmallVector<Value> chosen;
        for (size_t i = 0; i < picked.size(); i += 2)
          chosen.push_back(arith::SelectOp::create(b, loc, set, picked[i + 1], picked[i]));
        picked = chosen;
      }
    }
    Value result = width == 16 ? resize(picked.front(), 16) : picked.front();
    return vector::BitCastOp::create(b, loc, vectorOf(b.getBF16Type()), result);
  }
  if (permuteLookup && tableType.getNumElements() == 16 && tableType.getElementType().isF32() &&
      width == 16) {
    // vpermps: each lane picks the table entry its low four bits name.
    Type i32 = b.getI32Type();
    Value codes = laneCodes(i32);
    return LLVM::CallIntrinsicOp::create(b, loc, vectorOf(b.getF32Type()),
                                         b.getStringAttr("llvm.x86.avx512.permvar.sf.512"),
                                         ValueRange{table, codes})
        .getResult(0);
  }
  // Elsewhere: one extraction per lane.
  Value positions = vector(position);
  Type element = lookup.getResult().getType();
  Value result = arith::ConstantOp::create(b, loc, b.getZeroAttr(vectorOf(element)));
  for (int64_t lane = 0; lane < width; ++lane) {
    Value at = vector::ExtractOp::create(b, loc, positions, lane);
    Value entry = vector::ExtractOp::create(b, loc, table, OpFoldResult(at));
    result = vector::InsertOp::create(b, loc, entry, result, lane);
  }
  return result;
}

Value ReductionVectorizer::vector(Value v) {
  if (auto it = vectors.find(v); it != vectors.end())
    return it->second;
  Location loc = loop.getLoc();
  Value result;
  if (nestedSum && v == nestedSum->getResult(0)) {
    result = columnSums->emitColumnSums(chunk, b);
  } else if (chunkUniform.contains(v)) {
    // The same in every lane of the chunk: computed once, splat.
    result = vector::BroadcastOp::create(b, loc, vectorOf(v.getType()), scalar(v));
  } else if (!dependsOnIv(v)) {
    // Uniform: a splat (of a constant directly).
    Value s = scalar(v);
    Attribute constant;
    if (matchPattern(s, m_Constant(&constant)) && isa<TypedAttr>(constant))
      result = arith::ConstantOp::create(b, loc,
                                         SplatElementsAttr::get(vectorOf(s.getType()), constant));
    else
      result = vector::BroadcastOp::create(b, loc, vectorOf(s.getType()), s);
  } else if (v == iv()) {
    Value start = vector::BroadcastOp::create(b, loc, vectorOf(b.getIndexType()), chunk);
    Value step = vector::StepOp::create(b, loc, vectorOf(b.getIndexType()));
    result = arith::AddIOp::create(b, loc, start, step);
  } else if (memref::LoadOp packed = packedNibbleLoad(v)) {
    result = arith::ExtUIOp::create(b, loc, vectorOf(v.getType()), packedNibbleWords(packed));
  } else if (auto load = v.getDefiningOp<memref::LoadOp>()) {
    result = vectorLoad(load);
  } else if (auto lookup = v.getDefiningOp<vector::ExtractOp>()) {
    result = vectorLookup(lookup);
  } else {
    Operation *def = v.getDefiningOp();
    OperationState state(def->getLoc(), def->getName());
    for (Value operand : def->getOperands())
      state.addOperands(vector(operand));
    for (Type type : def->getResultTypes())
      state.addTypes(vectorOf(type));
    state.addAttributes(def->getAttrs());
    result = b.create(state)->getResult(cast<OpResult>(v).getResultNumber());
  }
  vectors[v] = result;
  return result;
}

void ReductionVectorizer::beginChunk(Value start) {
  // Each chunk's values are its own: nothing is reused across chunks.
  chunk = start;
  scalars.clear();
  vectors.clear();
  codeWords.clear();
  scalars.map(iv(), chunk);
}

Value ReductionVectorizer::emitChunk(Value start, Value partial) {
  if (wordForm)
    return emitWordChunk(start, partial);
  if (byteForm)
    return emitByteChunk(start, partial);
  beginChunk(start);
  Location loc = loop.getLoc();
  auto contract = arith::FastMathFlagsAttr::get(b.getContext(), arith::FastMathFlags::contract);
  VectorType sumType = cast<VectorType>(partial.getType());
  if (bf16Dot) {
    Value x = vector(dotX);
    Value y = vector(dotY); // in this order: the IR reads as the source
    // Jammed, the operand the columns share goes first: the other, read
    // once per column, can then be vdpbf16ps's memory operand (the pair
    // sums are the same either way).
    if (outer && perColumn(dotX) && !perColumn(dotY))
      std::swap(x, y);
    if (!dotScale)
      return x86vector::DotBF16Op::create(b, loc, sumType, partial, x, y);
    // The chunk's pair sums, scaled once, then added (one FMA).
    return addScaled(partial, x86vector::DotBF16Op::create(b, loc, sumType, zeros, x, y));
  }
  Value termVector = vector(term);
  if (kind == Kind::Max)
    return arith::MaximumFOp::create(b, loc, partial, termVector);
  if (auto mul = termVector.getDefiningOp<arith::MulFOp>())
    mul.setFastmathAttr(contract);
  return arith::AddFOp::create(b, loc, partial, termVector, contract);
}

Value ReductionVectorizer::addScaled(Value partial, Value pairs, Value scale) {
  Location loc = loop.getLoc();
  if (!scale) {
    if (blockValues) {
      Value index =
          arith::DivUIOp::create(b, loc, arith::SubIOp::create(b, loc, chunk, loop.getLowerBound()),
                                 arith::ConstantIndexOp::create(b, loc, blockSize));
      scale = memref::LoadOp::create(b, loc, blockValues, index);
    } else {
      scale = scalar(dotScale);
    }
    scale = vector::BroadcastOp::create(b, loc, pairs.getType(), scale);
  }
  auto contract = arith::FastMathFlagsAttr::get(b.getContext(), arith::FastMathFlags::contract);
  Value scaled = arith::MulFOp::create(b, loc, pairs, scale, contract);
  return arith::AddFOp::create(b, loc, partial, scaled, contract);
}

void ReductionVectorizer::rewrite() {
  Location loc = loop.getLoc();
  b.setInsertionPoint(loop);
  Value lb = loop.getLowerBound(), ub = loop.getUpperBound();
  takeChunkForm();
  VectorType sumType = VectorType::get({sumLanes()}, b.getF32Type());
  Value w = arith::ConstantIndexOp::create(b, loc, width);
  // An empty loop (ub <= lb) has no whole vectors either.
  Value count = arith::MaxSIOp::create(b, loc, arith::SubIOp::create(b, loc, ub, lb),
                                       arith::ConstantIndexOp::create(b, loc, 0));
  auto wholeEnd = [&](Value step) -> Value {
    Value whole = arith::SubIOp::create(b, loc, count, arith::RemUIOp::create(b, loc, count, step));
    return arith::AddIOp::create(b, loc, lb, whole);
  };
  Value vectorEnd = wholeEnd(w);
  if (kind == Kind::Map) {
    // Each chunk's values stored as one vector; the original loop stores
    // the rest.
    auto vectorLoop = scf::ForOp::create(b, loc, lb, vectorEnd, w);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(vectorLoop.getBody());
    beginChunk(vectorLoop.getInductionVar());
    SmallVector<Value> indices;
    for (Value index : store.getIndices())
      indices.push_back(scalar(index));
    vector::StoreOp::create(b, loc, vector(term), store.getMemRef(), indices);
    loop.getLowerBoundMutable().assign(vectorEnd);
    return;
  }
  // A maximum starts every lane at the loop's initial value (taking it
  // again changes nothing); a sum starts at zero and adds it once at the end.
  zeros = kind == Kind::Max
              ? vector::BroadcastOp::create(b, loc, sumType, loop.getInitArgs()[0]).getResult()
              : arith::ConstantOp::create(b, loc, b.getZeroAttr(sumType)).getResult();
  hoistBlockValues();

  // First `partialSums` chunks per step, each into its own vector of partial
  // sums: one accumulator would make every step wait for the previous add.
  auto combineLanes = [&](Value x, Value y) -> Value {
    if (kind == Kind::Max)
      return arith::MaximumFOp::create(b, loc, x, y);
    return arith::AddFOp::create(b, loc, x, y);
  };
  Value start = lb, partial = zeros;
  if (partialSums > 1) {
    Value unrolledEnd = wholeEnd(arith::ConstantIndexOp::create(b, loc, width * partialSums));
    auto unrolled = scf::ForOp::create(b, loc, lb, unrolledEnd,
                                       arith::ConstantIndexOp::create(b, loc, width * partialSums),
                                       SmallVector<Value>(partialSums, zeros));
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(unrolled.getBody());
      SmallVector<Value> next;
      for (int64_t i = 0; i < partialSums; ++i) {
        Value at = unrolled.getInductionVar();
        if (i > 0)
          at = arith::AddIOp::create(b, loc, at, arith::ConstantIndexOp::create(b, loc, i * width));
        next.push_back(emitChunk(at, unrolled.getRegionIterArg(i)));
      }
      scf::YieldOp::create(b, loc, next);
    }
    // Pairwise, in a fixed order.
    SmallVector<Value> level(unrolled.getResults());
    while (level.size() > 1) {
      SmallVector<Value> up;
      for (size_t i = 0; i + 1 < level.size(); i += 2)
        up.push_back(combineLanes(level[i], level[i + 1]));
      if (level.size() % 2)
        up.push_back(level.back());
      level = up;
    }
    start = unrolledEnd;
    partial = level.front();
  }
  // Then the remaining whole chunks one at a time.
  auto vectorLoop = scf::ForOp::create(b, loc, start, vectorEnd, w, ValueRange{partial});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(vectorLoop.getBody());
    scf::YieldOp::create(b, loc,
                         emitChunk(vectorLoop.getInductionVar(), vectorLoop.getRegionIterArg(0)));
  }
  // The partial sums, then the original loop for what is left.
  Value sum;
  if (kind == Kind::Max) {
    sum = vector::ReductionOp::create(b, loc, vector::CombiningKind::MAXIMUMF,
                                      vectorLoop.getResult(0), loop.getInitArgs()[0]);
  } else {
    auto reassociate = arith::FastMathFlagsAttr::get(
        b.getContext(), arith::FastMathFlags::reassoc | arith::FastMathFlags::contract);
    sum = vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD, vectorLoop.getResult(0),
                                      loop.getInitArgs()[0], reassociate.getValue());
  }
  loop.getLowerBoundMutable().assign(vectorEnd);
  loop.getInitArgsMutable()[0].assign(sum);
}

} // namespace sieve::detail

namespace sieve {
namespace {

using detail::ReductionVectorizer;

struct CPUVectorizeReductionsPass
    : impl::CPUVectorizeReductionsPassBase<CPUVectorizeReductionsPass> {
  void runOnOperation() override {
    SmallVector<scf::ForOp> loops;
    getOperation().walk([&](scf::ForOp loop) {
      if (loop->hasAttr(reduction_loops::kVectorWidth))
        loops.push_back(loop);
    });
    for (scf::ForOp loop : loops) {
      int64_t width = loop->getAttrOfType<IntegerAttr>(reduction_loops::kVectorWidth).getInt();
      auto dot = loop->getAttrOfType<StringAttr>(reduction_loops::kDot);
      bool bf16Dot = dot && dot.getValue() == "avx512bf16";
      auto lookup = loop->getAttrOfType<StringAttr>(reduction_loops::kLookup);
      bool byteLookup = lookup && lookup.getValue() == reduction_loops::kLookupVbmi;
      bool permuteLookup =
          byteLookup || (lookup && lookup.getValue() == reduction_loops::kLookupPermvar);
      auto partialSumsAttr = loop->getAttrOfType<IntegerAttr>(reduction_loops::kPartialSums);
      int64_t partialSums = partialSumsAttr ? std::max<int64_t>(1, partialSumsAttr.getInt()) : 1;
      auto jamAttr = loop->getAttrOfType<IntegerAttr>(reduction_loops::kJamColumns);
      int64_t jamColumns = jamAttr ? jamAttr.getInt() : 0;
      for (StringRef name :
           {reduction_loops::kVectorWidth, reduction_loops::kDot, reduction_loops::kReduction,
            reduction_loops::kDotInputs, reduction_loops::kLookup, reduction_loops::kPartialSums,
            reduction_loops::kElementwise, reduction_loops::kJamColumns})
        loop->removeAttr(name);
      if (width < 2)
        continue;
      ReductionVectorizer vectorizer(loop, width, partialSums, bf16Dot, permuteLookup, byteLookup);
      if (!vectorizer.matches())
        continue;
      if (vectorizer.matchJam(jamColumns))
        vectorizer.rewriteJammed();
      else
        vectorizer.rewrite();
    }
  }
};

} // namespace
} // namespace sieve
