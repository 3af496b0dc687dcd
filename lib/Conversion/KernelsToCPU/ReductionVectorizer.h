//===- ReductionVectorizer.h - One configured sum as vector loops -*- C++
//-*-===//
//
// Private to sieve-cpu-vectorize-reductions: the rewriter of one configured
// reduction loop (VectorizeReductions.cpp has the general form and the
// pass, PackedCodeSums.cpp the forms for block scales and packed FP4 codes,
// ByteTableSums.cpp the byte form, JammedSums.cpp several columns at once).
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_LIB_CONVERSION_KERNELSTOCPU_REDUCTIONVECTORIZER_H
#define SIEVE_LIB_CONVERSION_KERNELSTOCPU_REDUCTIONVECTORIZER_H

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

#include <optional>

namespace sieve::detail {

class ReductionVectorizer {
public:
  ReductionVectorizer(mlir::scf::ForOp loop, int64_t width, int64_t partialSums, bool bf16Dot,
                      bool permuteLookup, bool byteLookup = false)
      : loop(loop), width(width), partialSums(partialSums), bf16Dot(bf16Dot),
        permuteLookup(permuteLookup), byteLookup(byteLookup), b(loop) {}

  /// Whether the loop has the form this pass takes; nothing is changed.
  bool matches();
  /// Rewrites the loop (after matches()).
  void rewrite();
  /// Whether the sum (after matches()) can be computed for `columns`
  /// consecutive iterations of its enclosing loop at once (at most
  /// `maxColumns`, a power of two dividing its constant trip count): a sum
  /// whose block factor, if any, the columns share, the enclosing loop's
  /// other ops without regions, and no store there into a buffer the sums
  /// read. Sets jamLoop, columns.
  bool matchJam(int64_t maxColumns);
  /// Rewrites the enclosing loop (after matchJam()): one vector loop keeps a
  /// vector of partial sums per column, the operand the columns share loaded
  /// once per chunk; the columns' vectors are reduced together (pairs of
  /// vectors folded into one, halving the lanes per column, log2(lanes)
  /// times). When the enclosing loop is itself a sum the general form takes
  /// (its other ops elementwise over loads), it becomes a vector loop over
  /// the columns, the jammed sums one of its vectors; otherwise its other
  /// ops run once per column.
  void rewriteJammed();

private:
  mlir::Value iv() { return loop.getInductionVar(); }
  /// The sum of the chunk starting at `start` added to `partial` (at the
  /// builder's insertion point); returns the new partial sums.
  mlir::Value emitChunk(mlir::Value start, mlir::Value partial);
  /// Starts the values of the chunk at `start`: nothing carries over from
  /// the last chunk.
  void beginChunk(mlir::Value start);
  bool dependsOnIv(mlir::Value v) { return dependent.contains(v); }
  mlir::VectorType vectorOf(mlir::Type element) { return mlir::VectorType::get({width}, element); }

  /// `v` at the chunk's first iteration, for a value that does not depend
  /// on the induction variable (or is it).
  mlir::Value scalar(mlir::Value v);
  /// `v` for the chunk's W iterations.
  mlir::Value vector(mlir::Value v);
  /// A load's value for the chunk: contiguous, gathered, or uniform.
  mlir::Value vectorLoad(mlir::memref::LoadOp load);
  /// `table[code]` per lane, for a table that does not move.
  mlir::Value vectorLookup(mlir::vector::ExtractOp lookup);
  /// Whether `v` is a table lookup this pass vectorizes: one dynamic
  /// position into a rank-1 vector that does not depend on the iteration.
  bool isTableLookup(mlir::Operation *op);
  /// Marks the values that stay the same within every chunk: those that
  /// depend on the induction variable only through iv / C with whole chunks
  /// inside each block of C.
  void findChunkUniformValues();
  /// The word form of a sum of bf16 products whose one operand is a
  /// 16-entry table at packed 4-bit codes (an FP4 decode) and whose other is
  /// a contiguous load from a local buffer no enclosing loop writes: 128
  /// elements per chunk, read as 32 16-bit words of four codes each. Code
  /// k of every word is one vpermw (the table repeated, so the bits above the
  /// code do not matter) after a shift by 4k: four permutations per 64
  /// bytes, no widening. The lanes are then in the order 4j + k, so the other
  /// operand is copied once, in that order, before the outermost loop that
  /// leaves its buffer alone. Sets wordTable, wordCodes, permutedSource.
  bool matchWordNibbles();
  /// The word form's lane order: lane 32k + j holds element 4j + k.
  static llvm::SmallVector<int64_t> wordChunkOrder();
  /// emitChunk for the word form.
  mlir::Value emitWordChunk(mlir::Value start, mlir::Value partial);
  /// The byte form (ByteTableSums.cpp) of a sum of bf16 products whose one
  /// operand is a function of one contiguous byte load (an FP8 decode, any
  /// elementwise ops and constant tables) and whose other is a contiguous
  /// load: the function tabulated for all 256 bytes, 64 elements per chunk
  /// as vpermi2b lookups. A local buffer as in the word form is re-laid
  /// once (permutedSource); any other operand is read as it is and the
  /// codes permuted to match (byteOperand). Needs VBMI (byteLookup) and a
  /// block factor that stays the same over 64 elements. Sets byteTable,
  /// signedCodes, byteCodes.
  bool matchByteTable();
  /// Evaluates `result` for every value of the one byte load it depends on
  /// (its ops' folders); false when it depends on anything else or does not
  /// fold to a bf16 constant.
  bool tabulateByteFunction(mlir::Value result);
  /// The byte form's lane order (two byte interleaves per 64 codes).
  static llvm::SmallVector<int64_t> byteChunkOrder();
  /// emitChunk for the byte form.
  mlir::Value emitByteChunk(mlir::Value start, mlir::Value partial);
  /// `other` when it is buffer[iv] of a local rank-1 buffer of at least
  /// `ub` elements, or buffer[iv + a multiple of `chunkSize`] of one of
  /// whole chunks (one row of several): what the chunk forms re-lay; null
  /// otherwise.
  mlir::memref::LoadOp localRowOperand(mlir::Value other, int64_t ub, int64_t chunkSize);
  /// Where element `at` of the sum's row (at the chunk's iteration) lies in
  /// the re-laid buffer: past permutedSource's row offset, if any.
  mlir::Value permutedAt(mlir::Value at);
  /// The copy of permutedSource's buffer with each chunk of order.size()
  /// elements in `order`, before the outermost loop that only reads it.
  void permuteOperand(llvm::ArrayRef<int64_t> order);
  /// `partial` plus the chunk's pair sums times dotScale (one FMA): the
  /// chunk's value splat, or `scale` per lane when given.
  mlir::Value addScaled(mlir::Value partial, mlir::Value pairs, mlir::Value scale = {});
  /// dotScale's dependence on the iteration: through one `iv / size` only
  /// (loads at that block index, elementwise arithmetic), with constant
  /// bounds and at most 4096 blocks from block `first`; none otherwise.
  struct BlockChain {
    mlir::Value block; // iv / size
    int64_t size, first, blocks;
  };
  std::optional<BlockChain> blockChain();
  /// Computes dotScale for every block of the loop before it, vectorized
  /// over blocks, into a stack buffer the chunks read one value from (a
  /// block scale decoded 16 at a time instead of once per chunk with scalar
  /// selects). Only for constant bounds and a chain of loads at the block
  /// index and elementwise arithmetic; otherwise nothing is done.
  void hoistBlockValues();
  /// Lanes of the vectors of partial sums: 16 f32 for the dot products
  /// (whatever the chunk), the chunk's width otherwise.
  int64_t sumLanes() const { return wordForm || byteForm ? 16 : bf16Dot ? width / 2 : width; }
  /// Switches to the word or the byte form where one applies: the other
  /// operand re-laid, the chunk the form's.
  void takeChunkForm();
  /// `v` (of dotScale's chain) for `lanes` consecutive blocks starting at
  /// `first`, `block` being the loop's iv / blockSize; scalar when lanes is 0.
  mlir::Value blockValue(mlir::Value v, mlir::Value block, mlir::Value first, int64_t lanes,
                         mlir::IRMapping &invariants,
                         llvm::DenseMap<mlir::Value, mlir::Value> &done);
  /// Whether `op` is iv / C (or iv >> log2 C); C in `divisor`.
  bool isBlockDivision(mlir::Operation *op, int64_t &divisor);
  /// Whether `op` is nested in the loop body.
  bool inBody(mlir::Operation *op) { return op && loop->isProperAncestor(op); }
  /// Whether `v` is provably a multiple of `m`.
  static bool isMultipleOf(mlir::Value v, int64_t m);
  /// Whether `index` is the induction variable plus an independent value.
  bool isContiguous(mlir::Value index);
  /// The contiguous index `x` when `index` is x / 2 (two FP4 codes per byte)
  /// and every chunk starts x at an even value, so lane i reads element
  /// x0 / 2 + i / 2; else null.
  mlir::Value halfRateSource(mlir::Value index);
  static bool isEven(mlir::Value v) { return isMultipleOf(v, 2); }
  /// For `(zext(bytes[x / 2]) >> 4 * (x % 2)) & 15` (element x of two
  /// 4-bit codes per byte, the even one low) with x contiguous: the load.
  mlir::memref::LoadOp packedNibbleLoad(mlir::Value v);
  /// Those codes for the chunk as 16-bit lanes: each byte widened to 32
  /// bits and its high nibble moved to the upper half, so the 16-bit halves
  /// are the two codes in element order. No byte shuffles: on AVX-512 a
  /// widening load, a shift and a ternary logic op.
  mlir::Value packedNibbleWords(mlir::memref::LoadOp load);

  /// What the loop does with each iteration's term: adds it to its one
  /// iteration value, takes the maximum (arith.maximumf), or stores it.
  enum class Kind { Sum, Max, Map };

  /// The sums of `columns` (a power of two, at most the lanes), one vector
  /// of lane sums each, reduced together: one vector, column c in lane c.
  mlir::Value reduceColumns(llvm::ArrayRef<mlir::Value> columns);
  /// Clones, per column from `first`, the ops of the enclosing loop before
  /// the sum into `column`, and emits the vector loop over the sum's whole
  /// chunks keeping one vector of lane sums per column; returns them.
  llvm::SmallVector<mlir::Value> emitJammedChunks(mlir::Value first,
                                                  llvm::SmallVectorImpl<mlir::IRMapping> &column);
  /// The columns' sums from `first` as one vector (their initial values
  /// added), for the vectorizer of the enclosing loop, at its insertion
  /// point `at`.
  mlir::Value emitColumnSums(mlir::Value first, mlir::OpBuilder &at);
  /// Whether `v` (in the sum's body) differs between the jammed columns: it
  /// depends on the columns' induction variable or an op before the sum.
  bool perColumn(mlir::Value v);
  /// Column c's whole sum: its initial value (under `mapping`, the column's
  /// values) plus lane c of `sums`, then the original loop from `end` (the
  /// whole chunks' end) for the rest.
  mlir::Value finishColumn(int64_t c, mlir::Value sums, mlir::Value end, mlir::IRMapping &mapping);
  /// The end of the sum's whole chunks.
  mlir::Value wholeChunksEnd();

  mlir::scf::ForOp loop;
  Kind kind = Kind::Sum;
  // Jamming (matchJam): the enclosing loop, how many of its iterations each
  // step computes, and, while one of them is emitted, the values of that
  // iteration (its induction variable and the ops before the sum, cloned).
  mlir::scf::ForOp jamLoop;
  int64_t columns = 0;
  mlir::IRMapping *outer = nullptr;
  // As the vectorizer of the columns' loop: the jammed sum in its body, an
  // op whose result `columnSums` gives as a vector.
  mlir::Operation *nestedSum = nullptr;
  ReductionVectorizer *columnSums = nullptr;
  mlir::memref::StoreOp store; // the Map form's store
  int64_t width;
  int64_t partialSums; // independent vector accumulators
  bool bf16Dot;
  bool permuteLookup; // vpermps for 16-entry f32 tables
  bool byteLookup;    // vpermi2b (VBMI)
  mlir::OpBuilder b;
  llvm::DenseSet<mlir::Value> dependent;
  llvm::DenseSet<mlir::Value> chunkUniform;
  mlir::Value term;       // what the sum adds each iteration
  mlir::Value dotX, dotY; // the bf16 operands of the term, in the dot form
  mlir::Value dotScale;   // and its chunk-uniform factor, if any
  // dotScale per block, computed before the vector loops (hoistBlockValues).
  mlir::Value blockValues;
  int64_t blockSize = 0;
  // The word form (matchWordNibbles): 128 elements per chunk.
  static constexpr int64_t kWordChunk = 128;
  bool wordForm = false;
  mlir::Value wordTable;          // the 16-entry bf16 table
  mlir::memref::LoadOp wordCodes; // the byte load of the packed codes
  // The byte form (matchByteTable): 64 elements per chunk.
  static constexpr int64_t kByteChunk = 64;
  bool byteForm = false;
  llvm::SmallVector<uint16_t> byteTable; // bf16 bits per byte value
  bool signedCodes = false;              // byteTable odd in bit 7
  mlir::memref::LoadOp byteCodes;        // the byte load
  mlir::memref::LoadOp byteOperand;      // the other operand, when not re-laid
  // Jammed: a chunk's decoded codes (the word or byte form's bf16 vectors)
  // when the columns share them, from the first column's chunk.
  llvm::SmallVector<mlir::Value> sharedDecode;
  /// `decode()` of the chunk's codes, emitted once for all jammed columns
  /// when they share the codes (the first column's values reused).
  llvm::SmallVector<mlir::Value>
  decodeOnce(mlir::memref::LoadOp codes,
             llvm::function_ref<llvm::SmallVector<mlir::Value>()> decode) {
    if (!outer || perColumn(codes.getResult()))
      return decode();
    if (sharedDecode.empty())
      sharedDecode = decode();
    return sharedDecode;
  }
  // Either form: the other operand's load, and its buffer in chunk order.
  mlir::memref::LoadOp permutedSource;
  mlir::Value permuted;
  mlir::Value chunk;                // the vector loop's induction variable
  mlir::Value zeros;                // partial sums of nothing
  mlir::IRMapping scalars;          // values cloned into the vector loop
  llvm::DenseMap<mlir::Value, mlir::Value> vectors;
  llvm::DenseMap<mlir::Value, mlir::Value> codeWords; // packed nibbles as 16-bit lanes
};

} // namespace sieve::detail

#endif // SIEVE_LIB_CONVERSION_KERNELSTOCPU_REDUCTIONVECTORIZER_H
