//===- PackedCodeSums.cpp - Block scales and packed FP4 codes in sums -----===//
//
// The reduction vectorizer's forms for block-scaled sums of packed codes
// (the FP4 and FP8 GEMVs): two 4-bit codes per byte widened without byte
// shuffles; a factor that changes once per block of the iteration space (a
// weight's E8M0 scale) decoded for all blocks before the loop, vectorized
// over blocks; and the word form of the MXFP4 dot product, 128 codes per
// chunk read as 32 words of four codes.
//
//===----------------------------------------------------------------------===//

#include "ReductionVectorizer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

#include <functional>

using namespace mlir;

namespace sieve::detail {

memref::LoadOp ReductionVectorizer::packedNibbleLoad(Value v) {
  auto mask = v.getDefiningOp<arith::AndIOp>();
  if (!mask || getConstantIntValue(mask.getRhs()) != 15)
    return nullptr;
  auto shift = mask.getLhs().getDefiningOp<arith::ShRUIOp>();
  auto byte = shift ? shift.getLhs().getDefiningOp<arith::ExtUIOp>() : nullptr;
  auto load = byte ? byte.getIn().getDefiningOp<memref::LoadOp>() : nullptr;
  if (!load || !load.getType().isInteger(8) || load.getIndices().empty())
    return nullptr;
  Value x = halfRateSource(load.getIndices().back());
  if (!x)
    return nullptr;
  // The shift: 4 * (x % 2), in the index type or cast to the byte's.
  auto times4 = shift.getRhs().getDefiningOp<arith::MulIOp>();
  if (!times4 || getConstantIntValue(times4.getRhs()) != 4)
    return nullptr;
  Value parity = times4.getLhs();
  if (auto cast = parity.getDefiningOp<arith::IndexCastOp>())
    parity = cast.getIn();
  auto rem = parity.getDefiningOp<arith::RemUIOp>();
  if (!rem || rem.getLhs() != x || getConstantIntValue(rem.getRhs()) != 2)
    return nullptr;
  return load;
}

Value ReductionVectorizer::packedNibbleWords(memref::LoadOp load) {
  if (Value words = codeWords.lookup(load.getResult()))
    return words;
  Location loc = load.getLoc();
  SmallVector<Value> indices;
  for (Value index : load.getIndices())
    indices.push_back(scalar(index));
  Type i32 = b.getI32Type();
  auto half = [&](Type element) { return VectorType::get({width / 2}, element); };
  auto splat = [&](int64_t value) -> Value {
    return arith::ConstantOp::create(
        b, loc, SplatElementsAttr::get(half(i32), b.getIntegerAttr(i32, value)));
  };
  Value bytes =
      vector::LoadOp::create(b, loc, half(b.getI8Type()), scalar(load.getMemRef()), indices);
  Value wide = arith::ExtUIOp::create(b, loc, half(i32), bytes);
  // Bits 4-7 of the byte to 16-19: the odd element's code in the upper half.
  Value spread = arith::OrIOp::create(b, loc, wide, arith::ShLIOp::create(b, loc, wide, splat(12)));
  Value codes = arith::AndIOp::create(b, loc, spread, splat(0x000F000F));
  Value words = vector::BitCastOp::create(b, loc, vectorOf(b.getIntegerType(16)), codes);
  codeWords[load.getResult()] = words;
  return words;
}

bool ReductionVectorizer::isBlockDivision(Operation *op, int64_t &divisor) {
  if (!op)
    return false;
  if (auto div = dyn_cast<arith::DivUIOp>(op); div && div.getLhs() == iv()) {
    divisor = getConstantIntValue(div.getRhs()).value_or(0);
    return divisor > 0;
  }
  if (auto shift = dyn_cast<arith::ShRUIOp>(op); shift && shift.getLhs() == iv()) {
    std::optional<int64_t> amount = getConstantIntValue(shift.getRhs());
    divisor = amount && *amount >= 0 && *amount < 31 ? int64_t(1) << *amount : 0;
    return divisor > 0;
  }
  return false;
}

std::optional<ReductionVectorizer::BlockChain> ReductionVectorizer::blockChain() {
  if (!dotScale || !dependsOnIv(dotScale) || !dotScale.getType().isF32())
    return std::nullopt;
  std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound());
  std::optional<int64_t> ub = getConstantIntValue(loop.getUpperBound());
  if (!lb || !ub || *ub <= *lb)
    return std::nullopt;
  // The chain: from dotScale back to the one block division, through loads
  // indexed by it in the last position and elementwise ops.
  Value block;
  int64_t divisor = 0;
  SmallVector<Value> work = {dotScale};
  llvm::DenseSet<Value> seen;
  while (!work.empty()) {
    Value v = work.pop_back_val();
    if (!dependsOnIv(v) || !seen.insert(v).second)
      continue;
    Operation *def = v.getDefiningOp();
    int64_t c = 0;
    if (isBlockDivision(def, c)) {
      if (block && block != v)
        return std::nullopt;
      block = v;
      divisor = c;
      continue;
    }
    if (!inBody(def))
      return std::nullopt; // the induction variable itself
    if (auto load = dyn_cast<memref::LoadOp>(def)) {
      Value last = load.getIndices().back();
      if (!dependsOnIv(last) || last.getDefiningOp() == nullptr)
        return std::nullopt;
      work.push_back(last);
      continue;
    }
    if (!OpTrait::hasElementwiseMappableTraits(def) || def->getNumResults() != 1 ||
        isa<vector::ExtractOp>(def))
      return std::nullopt;
    for (Value operand : def->getOperands())
      work.push_back(operand);
  }
  if (!block || *lb % divisor != 0)
    return std::nullopt;
  // Loads must take the block index itself as their last index.
  for (Value v : seen)
    if (auto load = v.getDefiningOp<memref::LoadOp>())
      if (load.getIndices().back() != block)
        return std::nullopt;
  const int64_t blocks = (*ub - *lb + divisor - 1) / divisor;
  constexpr int64_t kMaxBlocks = 4096;
  if (blocks > kMaxBlocks)
    return std::nullopt;
  return BlockChain{block, divisor, *lb / divisor, blocks};
}

void ReductionVectorizer::hoistBlockValues() {
  if (blockValues)
    return;
  std::optional<BlockChain> chain = blockChain();
  // A chunk reads one value per lane group: whole chunks inside a block, or
  // (the word form, which matchWordNibbles checked) whole blocks per group.
  if (!chain || (!wordForm && chain->size % width != 0))
    return;
  constexpr int64_t kLanes = 16;
  const int64_t blocks = chain->blocks;
  Value block = chain->block;

  Location loc = loop.getLoc();
  auto fn = loop->getParentOfType<FunctionOpInterface>();
  if (!fn || fn.getFunctionBody().empty())
    return;
  MemRefType bufferType = MemRefType::get({blocks}, dotScale.getType());
  {
    // At the entry: a static frame slot, not a stack allocation per
    // iteration of whatever loop the sum sits in.
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&fn.getFunctionBody().front());
    blockValues = memref::AllocaOp::create(b, loc, bufferType);
  }
  blockSize = chain->size;
  Value firstBlock = arith::ConstantIndexOp::create(b, loc, chain->first);
  IRMapping invariants;
  auto emit = [&](int64_t from, int64_t to, int64_t lanes) {
    if (from >= to)
      return;
    auto blockLoop =
        scf::ForOp::create(b, loc, arith::ConstantIndexOp::create(b, loc, from),
                           arith::ConstantIndexOp::create(b, loc, to),
                           arith::ConstantIndexOp::create(b, loc, std::max<int64_t>(lanes, 1)));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(blockLoop.getBody());
    Value q = blockLoop.getInductionVar();
    Value first = arith::AddIOp::create(b, loc, firstBlock, q);
    llvm::DenseMap<Value, Value> done;
    IRMapping local = invariants;
    Value value = blockValue(dotScale, block, first, lanes, local, done);
    if (lanes)
      vector::StoreOp::create(b, loc, value, blockValues, ValueRange{q});
    else
      memref::StoreOp::create(b, loc, value, blockValues, ValueRange{q});
  };
  const int64_t whole = blocks - blocks % kLanes;
  emit(0, whole, kLanes);
  emit(whole, blocks, 0);
}

Value ReductionVectorizer::blockValue(Value v, Value block, Value first, int64_t lanes,
                                      IRMapping &invariants, llvm::DenseMap<Value, Value> &done) {
  if (auto it = done.find(v); it != done.end())
    return it->second;
  Location loc = loop.getLoc();
  auto typeOf = [&](Type element) -> Type {
    return lanes ? Type(VectorType::get({lanes}, element)) : element;
  };
  Value result;
  if (!dependsOnIv(v)) {
    // Invariant: cloned here once (its defining ops from the body), splat.
    std::function<Value(Value)> clone = [&](Value u) -> Value {
      if (Value mapped = invariants.lookupOrNull(u))
        return mapped;
      Operation *def = u.getDefiningOp();
      if (!inBody(def))
        return u;
      for (Value operand : def->getOperands())
        (void)clone(operand);
      Operation *copy = b.clone(*def, invariants);
      return copy->getResult(cast<OpResult>(u).getResultNumber());
    };
    result = clone(v);
    if (lanes)
      result = vector::BroadcastOp::create(b, loc, cast<VectorType>(typeOf(v.getType())), result);
  } else if (v == block) {
    result = first;
    if (lanes) {
      VectorType indices = VectorType::get({lanes}, b.getIndexType());
      result = arith::AddIOp::create(b, loc, vector::BroadcastOp::create(b, loc, indices, first),
                                     vector::StepOp::create(b, loc, indices));
    }
  } else if (auto load = v.getDefiningOp<memref::LoadOp>()) {
    SmallVector<Value> indices;
    for (Value index : load.getIndices().drop_back())
      indices.push_back(blockValue(index, block, first, 0, invariants, done));
    indices.push_back(first);
    result = lanes ? vector::LoadOp::create(b, loc, cast<VectorType>(typeOf(load.getType())),
                                            load.getMemRef(), indices)
                         .getResult()
                   : memref::LoadOp::create(b, loc, load.getMemRef(), indices).getResult();
  } else {
    Operation *def = v.getDefiningOp();
    OperationState state(def->getLoc(), def->getName());
    for (Value operand : def->getOperands())
      state.addOperands(blockValue(operand, block, first, lanes, invariants, done));
    for (Type type : def->getResultTypes())
      state.addTypes(typeOf(type));
    state.addAttributes(def->getAttrs());
    result = b.create(state)->getResult(0);
  }
  done[v] = result;
  return result;
}

bool ReductionVectorizer::matchWordNibbles() {
  if (!bf16Dot || !permuteLookup)
    return false;
  std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound());
  std::optional<int64_t> ub = getConstantIntValue(loop.getUpperBound());
  if (!lb || !ub || *lb % kWordChunk != 0 || *ub - *lb < kWordChunk)
    return false;
  for (auto [table, other] : {std::pair(dotX, dotY), std::pair(dotY, dotX)}) {
    auto lookup = table.getDefiningOp<vector::ExtractOp>();
    if (!lookup || !isTableLookup(lookup) || lookup.getSourceVectorType().getNumElements() != 16 ||
        !lookup.getResult().getType().isBF16())
      continue;
    auto cast = lookup.getDynamicPosition()[0].getDefiningOp<arith::IndexCastOp>();
    memref::LoadOp codes = cast ? packedNibbleLoad(cast.getIn()) : nullptr;
    if (!codes || halfRateSource(codes.getIndices().back()) != iv())
      continue;
    memref::LoadOp load = localRowOperand(other, *ub, kWordChunk);
    if (!load)
      continue;
    // A scale that changes within a chunk must change at most every 8
    // elements' lane boundary and divide the chunk: blocks of 32 or 64.
    if (dotScale && dependsOnIv(dotScale)) {
      std::optional<BlockChain> chain = blockChain();
      if (!chain)
        return false;
      const int64_t size = chain->size;
      if (size < kWordChunk ? kWordChunk % size != 0 || size % 8 != 0 : size % kWordChunk != 0)
        return false;
    }
    wordTable = lookup.getSource();
    wordCodes = codes;
    permutedSource = load;
    return true;
  }
  return false;
}

memref::LoadOp ReductionVectorizer::localRowOperand(Value other, int64_t ub, int64_t chunkSize) {
  auto load = other.getDefiningOp<memref::LoadOp>();
  if (!load || load.getIndices().size() != 1 ||
      !load.getMemRef().getDefiningOp<memref::AllocaOp>() || !load.getMemRefType().hasStaticShape())
    return nullptr;
  const int64_t elements = load.getMemRefType().getNumElements();
  Value index = load.getIndices()[0];
  if (index == iv())
    return elements >= ub ? load : nullptr;
  // One of several rows of the buffer (a row group's activations): iv plus
  // a whole number of chunks, the buffer whole chunks, so the copy of all
  // of it in chunk order keeps every row's chunks where its own were.
  if (!isContiguous(index) || elements % chunkSize != 0 ||
      !isMultipleOf(loop.getLowerBound(), chunkSize))
    return nullptr;
  auto add = index.getDefiningOp<arith::AddIOp>();
  return isMultipleOf(add.getLhs() == iv() ? add.getRhs() : add.getLhs(), chunkSize) ? load
                                                                                     : nullptr;
}

void ReductionVectorizer::takeChunkForm() {
  if (kind != Kind::Sum || sumLanes() != 16)
    return;
  if (matchWordNibbles()) {
    wordForm = true;
    permuteOperand(wordChunkOrder());
    width = kWordChunk;
  } else if (matchByteTable()) {
    byteForm = true;
    if (permutedSource)
      permuteOperand(byteChunkOrder());
    width = kByteChunk;
    // What stays the same over a chunk, for chunks of 64.
    chunkUniform.clear();
    findChunkUniformValues();
  }
}

SmallVector<int64_t> ReductionVectorizer::wordChunkOrder() {
  SmallVector<int64_t> order;
  for (int64_t k = 0; k < 4; ++k)
    for (int64_t j = 0; j < kWordChunk / 4; ++j)
      order.push_back(4 * j + k);
  return order;
}

Value ReductionVectorizer::permutedAt(Value at) {
  Value index = permutedSource.getIndices()[0];
  if (index == iv())
    return at;
  auto add = index.getDefiningOp<arith::AddIOp>();
  Value offset = scalar(add.getLhs() == iv() ? add.getRhs() : add.getLhs());
  return arith::AddIOp::create(b, loop.getLoc(), at, offset);
}

void ReductionVectorizer::permuteOperand(ArrayRef<int64_t> order) {
  Location loc = loop.getLoc();
  Value buffer = permutedSource.getMemRef();
  const int64_t chunkSize = order.size();
  // The outermost ancestor inside which the buffer is only read.
  Operation *before = loop;
  for (Operation *parent = loop->getParentOp(); parent && !isa<FunctionOpInterface>(parent);
       parent = parent->getParentOp()) {
    bool onlyRead = llvm::all_of(buffer.getUsers(), [&](Operation *user) {
      return !parent->isAncestor(user) || isa<memref::LoadOp, vector::LoadOp>(user);
    });
    // (The copy's bounds are constants made there.)
    if (!onlyRead || parent->isAncestor(buffer.getDefiningOp()))
      break;
    before = parent;
  }
  auto fn = loop->getParentOfType<FunctionOpInterface>();
  auto type = cast<MemRefType>(buffer.getType());
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&fn.getFunctionBody().front());
    permuted = memref::AllocaOp::create(b, loc, type);
  }
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(before);
  // The sum's own range, or every row of a buffer of several.
  int64_t lb = *getConstantIntValue(loop.getLowerBound());
  int64_t ub = *getConstantIntValue(loop.getUpperBound());
  if (permutedSource.getIndices()[0] != iv()) {
    lb = 0;
    ub = type.getNumElements();
  }
  int64_t end = lb + (ub - lb) / chunkSize * chunkSize;
  VectorType chunkType = VectorType::get({chunkSize}, type.getElementType());
  auto copy = scf::ForOp::create(b, loc, arith::ConstantIndexOp::create(b, loc, lb),
                                 arith::ConstantIndexOp::create(b, loc, end),
                                 arith::ConstantIndexOp::create(b, loc, chunkSize));
  b.setInsertionPointToStart(copy.getBody());
  Value at = copy.getInductionVar();
  Value values = vector::LoadOp::create(b, loc, chunkType, buffer, ValueRange{at});
  Value shuffled = vector::ShuffleOp::create(b, loc, values, values, order);
  vector::StoreOp::create(b, loc, shuffled, permuted, ValueRange{at});
}

Value ReductionVectorizer::emitWordChunk(Value start, Value partial) {
  beginChunk(start);
  Location loc = loop.getLoc();
  Type i16 = b.getIntegerType(16), bf16 = b.getBF16Type();
  VectorType words = VectorType::get({32}, i16), values = VectorType::get({32}, bf16);
  VectorType sumType = cast<VectorType>(partial.getType());
  // 64 bytes: 32 words of four codes, code k in bits 4k..4k+3, decoded one
  // code position at a time; jammed columns that share the codes decode
  // them once.
  auto decode = [&]() -> SmallVector<Value> {
    SmallVector<Value> indices;
    for (Value index : wordCodes.getIndices())
      indices.push_back(scalar(index));
    Value bytes = vector::LoadOp::create(b, loc, VectorType::get({64}, b.getI8Type()),
                                         wordCodes.getMemRef(), indices);
    Value packed = vector::BitCastOp::create(b, loc, words, bytes);
    // The table twice over 32 words: vpermw reads five index bits.
    Value table = scalar(wordTable);
    SmallVector<int64_t> twice;
    for (int64_t lane = 0; lane < 32; ++lane)
      twice.push_back(lane % 16);
    Value table32 = vector::BitCastOp::create(
        b, loc, words, vector::ShuffleOp::create(b, loc, table, table, twice));
    SmallVector<Value> decoded;
    for (int64_t k = 0; k < 4; ++k) {
      Value codes = packed;
      if (k > 0)
        codes = arith::ShRUIOp::create(
            b, loc, packed,
            arith::ConstantOp::create(b, loc,
                                      SplatElementsAttr::get(words, b.getIntegerAttr(i16, 4 * k))));
      decoded.push_back(vector::BitCastOp::create(
          b, loc, values,
          LLVM::CallIntrinsicOp::create(b, loc, words,
                                        b.getStringAttr("llvm.x86.avx512.permvar.hi.512"),
                                        ValueRange{table32, codes})
              .getResult(0)));
    }
    return decoded;
  };
  SmallVector<Value> decoded = decodeOnce(wordCodes, decode);
  Value pairs = dotScale ? zeros : partial;
  for (int64_t k = 0; k < 4; ++k) {
    Value at = k == 0 ? Value(chunk)
                      : arith::AddIOp::create(b, loc, chunk,
                                              arith::ConstantIndexOp::create(b, loc, 32 * k))
                            .getResult();
    Value operand = vector::LoadOp::create(b, loc, values, permuted, ValueRange{permutedAt(at)});
    pairs = x86vector::DotBF16Op::create(b, loc, sumType, pairs, operand, decoded[k]);
  }
  if (!dotScale)
    return pairs;
  // Lane l sums elements 8l..8l+7 of the chunk: its block's scale. A scale
  // the same for the whole loop is splat by addScaled; one that moves was
  // hoisted (its chain checked by matchWordNibbles).
  assert((blockValues || !dependsOnIv(dotScale)) && "a moving scale without its hoisted buffer");
  Value scale;
  if (blockValues) {
    Value first =
        arith::DivUIOp::create(b, loc, arith::SubIOp::create(b, loc, chunk, loop.getLowerBound()),
                               arith::ConstantIndexOp::create(b, loc, blockSize));
    int64_t blocks = std::max<int64_t>(1, kWordChunk / blockSize);
    Value perBlock = vector::LoadOp::create(b, loc, VectorType::get({blocks}, b.getF32Type()),
                                            blockValues, ValueRange{first});
    SmallVector<int64_t> spread;
    for (int64_t lane = 0; lane < 16; ++lane)
      spread.push_back(lane / (16 / blocks));
    scale = vector::ShuffleOp::create(b, loc, perBlock, perBlock, spread);
  }
  return addScaled(partial, pairs, scale);
}

} // namespace sieve::detail
