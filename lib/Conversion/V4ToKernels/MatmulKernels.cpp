//===- MatmulKernels.cpp - v4.fp8_matmul and v4.mxfp4_matmul as kernels ---===//
//
// A group of activation rows and one tile of outputs per workgroup
// (gemmRowGroup; in a module with GPU code, tiles of rows multiplied as bf16
// tiles, docs/compiler.md "Tile products"). The reference's block-scaled GEMM (ref::blockDot)
// multiplies operands decoded as code times block scale; here too: each
// row's activation is decoded once per workgroup with its scales folded in, each weight code is
// decoded and multiplied by its block's power-of-two scale, and the products (exact in fp32) are
// summed over all of K in one fp32 sum, rounded once. The reference sums each K block first and
// then the block sums: the same terms in another order (docs/numerics.md). One sum over K, with the
// scale inside the term, is what lets a target keep its partial sums in vector lanes across blocks
// instead of reducing them per block. Codes and scales are bytes, decoded with integer arithmetic
// (architecture.md); E2M1 codes from a 16-entry table. MXFP4 weights are E2M1 codes two per byte,
// one scale per 1x32 block. With groups (routed experts) each row finds its expert in the [E+1]
// offsets and rows past the last offset are zeros.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "OpKernelEmitters.h"
#include "QuantArith.h"
#include "RowNorm.h"
#include "sieve/Conversion/ReductionLoops.h"
#include "sieve/Conversion/TileProducts.h"
#include "sieve/Conversion/V4ToKernels/OpKernels.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

#include <functional>
#include <numeric>
#include <optional>
#include <tuple>
#include <utility>

using namespace mlir;

namespace sieve::detail {

namespace {

/// What distinguishes the block-scaled GEMMs: the weight's code format and
/// packing, the K blocks of the partial sums and of the two scales, and the
/// weight-scale row of output n.
struct ScaledMatmul {
  Operation *op;
  Value input, inputScales, weight, weightScales, groupOffsets, result;
  // With a fused activation quantization: the v4.quantize whose codes and
  // scales are `input` and `inputScales`; the kernel binds its input and
  // quantizes each row itself.
  v4::QuantizeOp quantize = nullptr;
  // With the quantization's input an rms_norm taken in too: the kernel binds
  // the norm's input (and weight) and normalizes each row first.
  v4::RmsNormOp norm = nullptr;
  bool fp4Weight;      // E2M1 codes packed two per byte, else E4M3 bytes
  int64_t sumBlock;    // K per fp32 partial sum (the weight's K block)
  int64_t actBlock;    // K per activation scale
  int64_t weightRowsPerScale; // N per weight-scale row (128 for FP8, 1 for MXFP4)
};

/// Consecutive weight codes of one column a thread decodes into the tile
/// form's weight tile: 16 FP8 codes are one 16-byte load on a GPU. It
/// divides every K step (a multiple of 16) and, where the tile form is used,
/// the weight's scale blocks.
constexpr int64_t kWeightChunk = 16;

FailureOr<func::FuncOp> emitScaledMatmul(const ScaledMatmul &m, llvm::StringRef name,
                                         OpBuilder &moduleBuilder) {
  auto inputType = cast<RankedTensorType>(m.input.getType());
  auto inputScalesType = cast<RankedTensorType>(m.inputScales.getType());
  auto weightType = cast<RankedTensorType>(m.weight.getType());
  auto weightScalesType = cast<RankedTensorType>(m.weightScales.getType());
  auto resultType = cast<RankedTensorType>(m.result.getType());
  const bool grouped = static_cast<bool>(m.groupOffsets);
  int64_t k = inputType.getShape().back();
  int64_t n = weightType.getShape()[weightType.getRank() - 2];
  int64_t experts = grouped ? weightType.getDimSize(0) : 1;
  if (ShapedType::isDynamic(k) || !weightType.hasStaticShape() ||
      !weightScalesType.hasStaticShape())
    return m.op->emitOpError() << "needs a static K and a static weight to become a kernel";

  v4::QuantizeOp quantize = m.quantize;
  const bool fused = static_cast<bool>(quantize);
  SmallVector<RankedTensorType> tensors = {inputType, inputScalesType, weightType,
                                           weightScalesType};
  if (fused) {
    if (quantize.getRule() != v4::ScaleRule::ceil ||
        !isa<Float8E4M3FNType>(inputType.getElementType()) ||
        static_cast<int64_t>(quantize.getBlock()) != m.actBlock)
      return m.op->emitOpError() << "cannot take in a quantization other than E4M3 codes, the "
                                    "ceil rule and its activation block";
    tensors = {quantize.getInput().getType(), weightType, weightScalesType};
  }
  v4::RmsNormOp norm = m.norm;
  if (norm) {
    if (!fused || norm.getResult() != quantize.getInput() || norm.getRoundEachStep() ||
        norm.getInput().getType() != norm.getResult().getType())
      return m.op->emitOpError() << "cannot take in an rms_norm other than the plain norm its "
                                    "activation quantization reads";
    tensors = {norm.getInput().getType()};
    if (Value weight = norm.getWeight())
      tensors.push_back(cast<RankedTensorType>(weight.getType()));
    tensors.append({weightType, weightScalesType});
  }
  const bool normWeighted = norm && norm.getWeight();
  if (grouped)
    tensors.push_back(cast<RankedTensorType>(m.groupOffsets.getType()));
  tensors.push_back(resultType);
  KernelBuilder kb(moduleBuilder, m.op->getLoc(), name, tensors);
  OpBuilder &b = kb.builder();
  Location loc = kb.location();
  Bits bits{b, loc, b.getI32Type(), b.getF32Type()};
  if (grouped) // the weight and its scales, read for the experts with rows
    kb.kernel()->setAttr(kRoutedBindingsAttr,
                         b.getDenseI64ArrayAttr({int64_t(tensors.size()) - 4,
                                                 int64_t(tensors.size()) - 3}));
  Type f32 = bits.f32, element = resultType.getElementType();
  Type rowElement = b.getBF16Type();
  auto widen = [&](Value v) -> Value {
    return v.getType() == f32 ? v : arith::ExtFOp::create(b, loc, f32, v);
  };
  SmallVector<Value> dynamicSizes = kb.dynamicLeadingSizes();
  Value rows = kb.rowCount();
  // Unfused: the activation codes and scales are bindings 0 and 1. Fused:
  // binding 0 is the activation, quantized per row into stack buffers.
  // With a norm, its weight (if any) is binding 1 and the GEMM's follow.
  const unsigned weightBinding = !fused ? 2 : normWeighted ? 2 : 1;
  Value a = fused ? Value() : kb.byteView(0, k, dynamicSizes);
  Value aScales = fused ? Value() : kb.byteView(1, k / m.actBlock, dynamicSizes);
  Value activation = fused ? kb.view(0, dynamicSizes) : Value();
  Value normWeight = normWeighted ? kb.view(1, {}) : Value();
  // Weights and their scales as flat bytes per expert: [E, N, K or K/2].
  SmallVector<int64_t> weightShape = {experts, n, m.fp4Weight ? k / 2 : k};
  SmallVector<int64_t> scaleShape = {experts, weightScalesType.getShape().end()[-2],
                                     weightScalesType.getShape().back()};
  auto flat = [&](unsigned binding, ArrayRef<int64_t> shape) -> Value {
    return memref::ViewOp::create(b, loc, MemRefType::get(shape, b.getI8Type()),
                                  kb.kernel().getArgument(binding), kb.index(0), ValueRange{});
  };
  Value w = flat(weightBinding, weightShape), wScales = flat(weightBinding + 1, scaleShape);
  Value offsets = grouped ? kb.view(weightBinding + 2, {}) : Value();
  // The result as [rows, N]: a row's outputs without dividing its index
  // into the leading dimensions (per column and row, in the rows' loop).
  Value out = memref::ViewOp::create(
      b, loc, MemRefType::get({ShapedType::kDynamic, n}, resultType.getElementType()),
      kb.kernel().getArgument(weightBinding + (grouped ? 3 : 2)), kb.index(0), ValueRange{rows});
  BlockQuantizer fp8(bits, gridOf(b.getType<Float8E4M3FNType>()), /*ceilRule=*/true);
  BlockQuantizer weightCodec(bits,
                             m.fp4Weight ? gridOf(b.getType<Float4E2M1FNType>())
                                         : gridOf(b.getType<Float8E4M3FNType>()),
                             /*ceilRule=*/true);
  Value zero = kb.index(0), one = kb.index(1), two = kb.index(2), nSize = kb.index(n),
        kSize = kb.index(k), sumStep = kb.index(m.sumBlock), actStep = kb.index(m.actBlock),
        scaleRows = kb.index(m.weightRowsPerScale);
  auto byteAt = [&](Value memref, ValueRange indices) -> Value {
    Value byte = memref::LoadOp::create(b, loc, memref, indices);
    return arith::ExtUIOp::create(b, loc, bits.i32, byte);
  };
  auto weightCode = [&](Value expert, Value col, Value i) -> Value {
    if (!m.fp4Weight)
      return byteAt(w, ValueRange{expert, col, i});
    Value byte = byteAt(w, ValueRange{expert, col, arith::DivUIOp::create(b, loc, i, two)});
    Value odd = arith::IndexCastOp::create(b, loc, bits.i32, arith::RemUIOp::create(b, loc, i, two));
    Value shift = arith::MulIOp::create(b, loc, odd, bits.i(4)); // even element: low nibble
    return arith::AndIOp::create(b, loc, arith::ShRUIOp::create(b, loc, byte, shift),
                                 bits.i(0xF));
  };
  // The codes [at, at + kWeightChunk) of column `col`, `at` a multiple of
  // the chunk: FP4 codes as the nibbles of the chunk's bytes, low first.
  auto weightChunk = [&](Value expert, Value col, Value at) -> SmallVector<Value> {
    SmallVector<Value> codes;
    if (!m.fp4Weight) {
      for (int64_t t = 0; t < kWeightChunk; ++t)
        codes.push_back(
            byteAt(w, ValueRange{expert, col, arith::AddIOp::create(b, loc, at, kb.index(t))}));
      return codes;
    }
    Value firstByte = arith::DivUIOp::create(b, loc, at, two);
    for (int64_t t = 0; t < kWeightChunk / 2; ++t) {
      Value byte =
          byteAt(w, ValueRange{expert, col, arith::AddIOp::create(b, loc, firstByte, kb.index(t))});
      codes.push_back(arith::AndIOp::create(b, loc, byte, bits.i(0xF)));
      codes.push_back(arith::AndIOp::create(b, loc, arith::ShRUIOp::create(b, loc, byte, bits.i(4)),
                                            bits.i(0xF)));
    }
    return codes;
  };

  // Workgroup = (tile of outputs, group of rows), groups fastest: the
  // workgroups of one tile follow each other, so a batch's rows find the
  // tile's weights in cache instead of streaming the matrix once per group.
  // Within a workgroup every output column takes the group's rows one after
  // another against the same weight row, which a target can decode once for
  // all of them (gemmRowGroup). A fused quantization (and norm) is redone per
  // tile: K work per row against the tile's 128 * K.
  const int64_t columnTile = gemmTile(n, grouped, moduleGemmColumnTile(m.op));
  const int64_t rowBufferBytes =
      k * (rowElement.getIntOrFloatBitWidth() / 8 +
           (norm ? norm.getResult().getType().getElementType().getIntOrFloatBitWidth() / 8 : 0));
  // In a module with GPU code, rows in tiles whose product with the weight
  // tile is a matrix product per K step (tileProduct below); a lone row
  // keeps the GEMV. A grouped GEMM keeps a workgroup per row: the row that
  // starts a tile of its expert's rows (sorted by expert) runs the tile.
  const int64_t tileRows = moduleGemmRowTile(m.op);
  const int64_t tileK = m.sumBlock % kWeightChunk == 0
                            ? gpuGemmTileK(tileRows, columnTile, k, m.actBlock, rowBufferBytes)
                            : 0;
  const int64_t workgroupRows =
      tileK && !grouped ? tileRows : gemmRowGroup(grouped, rowBufferBytes);
  // The tiles as codes and scales where the module's chips multiply them so
  // (a scale block per tile step at least).
  const bool scaledTiles =
      tileK && moduleGemmScaledTiles(m.op) && tileK % m.sumBlock == 0 && tileK % m.actBlock == 0;
  Value columnTiles = kb.index((n + columnTile - 1) / columnTile);
  Value rowsPerWorkgroup = kb.index(workgroupRows);
  Value rowGroups = arith::CeilDivUIOp::create(b, loc, rows, rowsPerWorkgroup);
  Value workgroups = arith::MulIOp::create(b, loc, rowGroups, columnTiles);

  // The activation block [start, start + actBlock) of `row` as bf16 values
  // with its scale folded in, stored by `store(value, i)` for each i in it;
  // `load(i)` reads element i of the (normalized) row when the quantization
  // is fused. On a GPU a group of threads shares the block (its maximum
  // split, its elements shared).
  auto decodeActivationBlock = [&](Value row, Value start, function_ref<Value(Value)> load,
                                   function_ref<void(Value, Value)> store) {
    if (fused) {
      Value end = arith::AddIOp::create(b, loc, start, actStep);
      BlockScale scale = fp8.scale(fp8.amax(start, end, one, load));
      Value inverse = fp8.inverseOf(scale);
      Value blockScale = bits.e8m0(fp8.scaleByte(scale));
      // The code's value is the grid value itself (toGrid rounds to E4M3's
      // grid, clamped): no encode and decode. A bad block's scale is the
      // E8M0 NaN, so its values are NaN, as its NaN codes would decode.
      auto gridValues = scf::ForOp::create(
          b, loc, start, end, one, ValueRange{}, [&](OpBuilder &, Location, Value i, ValueRange) {
            store(arith::MulFOp::create(b, loc, fp8.toGrid(load(i), inverse), blockScale), i);
            scf::YieldOp::create(b, loc);
          });
      reduction_loops::markElementwise(gridValues);
      return;
    }
    Value scale = bits.e8m0(
        byteAt(aScales, kb.rowElement(row, arith::DivUIOp::create(b, loc, start, actStep))));
    auto decode = scf::ForOp::create(
        b, loc, start, arith::AddIOp::create(b, loc, start, actStep), one, ValueRange{},
        [&](OpBuilder &, Location, Value i, ValueRange) {
          store(arith::MulFOp::create(b, loc, fp8.decode(byteAt(a, kb.rowElement(row, i))), scale),
                i);
          scf::YieldOp::create(b, loc);
        });
    reduction_loops::markElementwise(decode);
  };

  // The scaled tile form's activation block [start, start + actBlock) of
  // `row`: its E8M0 byte given to storeScale, each element's E4M3 code to
  // storeCode(code, i); `load(i)` as in decodeActivationBlock. The codes are
  // the reference's quantization (its NaN code and scale for a bad block).
  auto codeActivationBlock = [&](Value row, Value start, function_ref<Value(Value)> load,
                                 function_ref<void(Value, Value)> storeCode,
                                 function_ref<void(Value)> storeScale) {
    Value end = arith::AddIOp::create(b, loc, start, actStep);
    std::function<Value(Value)> code;
    if (fused) {
      BlockScale scale = fp8.scale(fp8.amax(start, end, one, load));
      Value inverse = fp8.inverseOf(scale);
      storeScale(fp8.scaleByte(scale));
      code = [&, inverse, scale](Value i) {
        return fp8.encode(fp8.toGrid(load(i), inverse), scale.bad);
      };
    } else {
      storeScale(
          byteAt(aScales, kb.rowElement(row, arith::DivUIOp::create(b, loc, start, actStep))));
      code = [&](Value i) { return byteAt(a, kb.rowElement(row, i)); };
    }
    auto codes = scf::ForOp::create(b, loc, start, end, one, ValueRange{},
                                    [&](OpBuilder &, Location, Value i, ValueRange) {
                                      storeCode(code(i), i);
                                      scf::YieldOp::create(b, loc);
                                    });
    reduction_loops::markElementwise(codes);
  };

  // A grouped GEMM's row's expert (how many experts end at or before it,
  // at most the last) and whether the row is live (before the last offset).
  auto expertOf = [&](Value row) -> std::pair<Value, Value> {
    Value row32 = arith::IndexCastOp::create(b, loc, bits.i32, row);
    auto search =
        scf::ForOp::create(b, loc, one, kb.index(experts + 1), one, ValueRange{zero},
                           [&](OpBuilder &, Location, Value j, ValueRange acc) {
                             Value end = memref::LoadOp::create(b, loc, offsets, ValueRange{j});
                             Value done = bits.cmp(arith::CmpIPredicate::sle, end, row32);
                             Value next = arith::SelectOp::create(
                                 b, loc, done, arith::AddIOp::create(b, loc, acc[0], one), acc[0]);
                             scf::YieldOp::create(b, loc, ValueRange{next});
                           });
    Value expert = arith::MinUIOp::create(b, loc, search.getResult(0), kb.index(experts - 1));
    Value last = memref::LoadOp::create(b, loc, offsets, ValueRange{kb.index(experts)});
    return {expert, bits.cmp(arith::CmpIPredicate::slt, row32, last)};
  };

  // The group of `groupRows` rows from `firstRow` (`groupSize` of them
  // there) against the columns [firstColumn, endColumn): each row decoded
  // once into workgroup buffers, then one output column per thread. A
  // grouped GEMM's caller that has found the row's expert passes it
  // (`rowExpert`: the expert and whether the row is live).
  auto rowGroupSums = [&](Value firstRow, Value groupSize, Value firstColumn, Value endColumn,
                          int64_t groupRows, std::pair<Value, Value> rowExpert = {}) {
    Value groupSizeLimit = kb.index(groupRows);
    // Row j of the group is rows [j * K, (j + 1) * K) of the stack buffers.
    auto rowStart = [&](Value j) -> Value {
      return groupRows == 1 ? zero : arith::MulIOp::create(b, loc, j, kSize).getResult();
    };
    auto at = [&](Value start, Value i) -> Value {
      return groupRows == 1 ? i : arith::AddIOp::create(b, loc, start, i).getResult();
    };
    // The rows' activations as decoded E4M3 values (exact in f32), once per
    // workgroup rather than once per output column. Fused quantization: the
    // values of the codes v4.quantize computes (the same BlockQuantizer
    // steps up to the grid value, which is the code's value) times the
    // block scale, in stack buffers.
    // The rows are kept as bf16 (exact: E4M3 values times powers of two),
    // and the weights decode to bf16 (exact too), so the products may be
    // bf16 dot products.
    Value rowValues =
        memref::AllocaOp::create(b, loc, MemRefType::get({groupRows * k}, rowElement));
    auto storeRowValue = [&](Value value, Value i) {
      if (rowElement != f32)
        value = arith::TruncFOp::create(b, loc, rowElement, value);
      memref::StoreOp::create(b, loc, value, rowValues, ValueRange{i});
    };
    if (fused) {
      // With the norm taken in: each row normalized first, as the norm
      // kernel stores it.
      Value normed;
      if (norm) {
        Type normElement = norm.getResult().getType().getElementType();
        normed = memref::AllocaOp::create(b, loc, MemRefType::get({groupRows * k}, normElement));
        auto loadWeight = [&](Value i) -> Value {
          return memref::LoadOp::create(b, loc, normWeight, ValueRange{i});
        };
        RowNormSpec spec{k, norm.getEps().convertToDouble(), normElement, false};
        auto loadRow = [&](Value row) {
          return [&, row](Value i) -> Value {
            return memref::LoadOp::create(b, loc, activation, kb.rowElement(row, i));
          };
        };
        // Each row's r (its sum, on a GPU, split over a group of threads),
        // then each row's elements over the threads.
        Value rowScales = memref::AllocaOp::create(b, loc, MemRefType::get({groupRows}, f32));
        kb.forThreads(
            zero, groupSize, one,
            [&](Value j) {
              Value row = arith::AddIOp::create(b, loc, firstRow, j);
              memref::StoreOp::create(b, loc, emitRowRmsScale(b, loc, spec, loadRow(row)),
                                      rowScales, ValueRange{j});
            },
            /*splitReductions=*/true);
        auto normalizeRow = [&](Value j) {
          Value row = arith::AddIOp::create(b, loc, firstRow, j);
          Value start = rowStart(j);
          kb.forThreads(
              zero, kSize, one,
              [&](Value i) {
                Value r = memref::LoadOp::create(b, loc, rowScales, ValueRange{j});
                Value y = emitRowRmsElement(b, loc, spec, loadRow(row),
                                            normWeighted ? function_ref<Value(Value)>(loadWeight)
                                                         : function_ref<Value(Value)>(),
                                            i, r);
                memref::StoreOp::create(b, loc, y, normed, ValueRange{at(start, i)});
              },
              /*splitReductions=*/false, /*elementwise=*/true);
        };
        if (groupRows == 1) {
          normalizeRow(zero);
        } else {
          scf::ForOp::create(b, loc, zero, groupSize, one, ValueRange{},
                             [&](OpBuilder &, Location, Value j, ValueRange) {
                               normalizeRow(j);
                               scf::YieldOp::create(b, loc);
                             });
        }
      }
      // One quantization block per thread (on a GPU, per group of threads
      // sharing its maximum and its elements), over all the group's rows.
      Value groupElements =
          groupRows == 1 ? kSize : arith::MulIOp::create(b, loc, groupSize, kSize).getResult();
      kb.forThreads(
          zero, groupElements, actStep,
          [&](Value flat) {
            Value j =
                groupRows == 1 ? zero : arith::DivUIOp::create(b, loc, flat, kSize).getResult();
            Value row = arith::AddIOp::create(b, loc, firstRow, j);
            Value rowFirst = rowStart(j);
            Value start =
                groupRows == 1 ? flat : arith::SubIOp::create(b, loc, flat, rowFirst).getResult();
            auto load = [&](Value i) -> Value {
              Value v = norm ? memref::LoadOp::create(b, loc, normed, ValueRange{at(rowFirst, i)})
                                   .getResult()
                             : memref::LoadOp::create(b, loc, activation, kb.rowElement(row, i))
                                   .getResult();
              return v.getType() == f32 ? v : arith::ExtFOp::create(b, loc, f32, v);
            };
            decodeActivationBlock(row, start, load, [&](Value value, Value i) {
              storeRowValue(value, at(rowFirst, i));
            });
          },
          /*splitReductions=*/true);
    }
    if (!fused) {
      // One activation block per thread (on a GPU, a group of threads), its
      // elements in a loop over one row (contiguous: a target may vectorize
      // the decode).
      Value groupElements =
          groupRows == 1 ? kSize : arith::MulIOp::create(b, loc, groupSize, kSize).getResult();
      kb.forThreads(
          zero, groupElements, actStep,
          [&](Value flat) {
            Value j =
                groupRows == 1 ? zero : arith::DivUIOp::create(b, loc, flat, kSize).getResult();
            Value row = groupRows == 1 ? firstRow : arith::AddIOp::create(b, loc, firstRow, j);
            Value rowFirst = rowStart(j);
            Value start =
                groupRows == 1 ? flat : arith::SubIOp::create(b, loc, flat, rowFirst).getResult();
            decodeActivationBlock(row, start, nullptr, [&](Value value, Value i) {
              storeRowValue(value, at(rowFirst, i));
            });
          },
          /*splitReductions=*/true);
    }
    // The row's expert (grouped: one row per workgroup). Rows past the last
    // offset produce zeros.
    Value expert = zero, live = Value();
    if (grouped)
      std::tie(expert, live) = rowExpert.first ? rowExpert : expertOf(firstRow);
    // Row j of the group's sum for one output column. (The weight's scale row is the column's,
    // computed outside the rows' loop: what the rows share must not look like it changes with
    // them.)
    auto rowSum = [&](Value col, Value scaleRow, Value j) {
      Value row = groupRows == 1 ? firstRow : arith::AddIOp::create(b, loc, firstRow, j);
      Value rowFirst = rowStart(j);
      auto accLoop = scf::ForOp::create(
          b, loc, zero, kSize, one, ValueRange{bits.f(0.0f)},
          [&](OpBuilder &, Location, Value i, ValueRange acc) {
            Value x = memref::LoadOp::create(b, loc, rowValues, ValueRange{at(rowFirst, i)});
            Value code = weightCode(expert, col, i);
            Value decoded = weightCodec.decodeFromTable(code, rowElement);
            Value scale = bits.e8m0(byteAt(
                wScales,
                ValueRange{expert, scaleRow, arith::DivUIOp::create(b, loc, i, sumStep)}));
            Value product = arith::MulFOp::create(b, loc, widen(x), widen(decoded));
            Value term = arith::MulFOp::create(b, loc, product, scale);
            scf::YieldOp::create(b, loc, ValueRange{arith::AddFOp::create(b, loc, acc[0], term)});
          });
      // The target's configuration may vectorize the sum; the scale changes
      // once per K block (sumBlock), the products are exact.
      reduction_loops::mark(accLoop, /*bf16Products=*/rowElement != f32);
      Value result = accLoop.getResult(0);
      if (live)
        result = bits.select(live, result, bits.f(0.0f));
      if (element != f32)
        result = arith::TruncFOp::create(b, loc, element, result);
      memref::StoreOp::create(b, loc, result, out, ValueRange{row, col});
    };
    auto rowSums = [&](Value col, Value scaleRow, Value count) {
      scf::ForOp::create(b, loc, zero, count, one, ValueRange{},
                         [&](OpBuilder &, Location, Value j, ValueRange) {
                           rowSum(col, scaleRow, j);
                           scf::YieldOp::create(b, loc);
                         });
    };
    // One output column per thread (a GPU may split its sums over a group
    // of threads), `sums` its rows' sums (given the column and its
    // weight-scale row).
    auto columns = [&](llvm::function_ref<void(Value, Value)> sums) {
      kb.forThreads(
          firstColumn, endColumn, one,
          [&](Value col) { sums(col, arith::DivUIOp::create(b, loc, col, scaleRows)); },
          /*splitReductions=*/true);
    };
    if (groupRows == 1) {
      columns([&](Value col, Value scaleRow) { rowSum(col, scaleRow, zero); });
      return;
    }
    // Chosen once per workgroup, each case with its own columns' loop (so a
    // target's per-loop preparation, like the CPU's re-laid row buffer, runs
    // for the case taken only): a whole group's rows loop has a constant
    // trip count (what a target jams); a lone row (one decode sequence) is
    // the plain GEMV, with no loop around it; the last, partial group of a
    // batch loops.
    auto sizeIs = [&](Value size) -> Value {
      return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, groupSize, size);
    };
    scf::IfOp::create(
        b, loc, sizeIs(groupSizeLimit),
        [&](OpBuilder &, Location) {
          columns([&](Value col, Value scaleRow) { rowSums(col, scaleRow, groupSizeLimit); });
          scf::YieldOp::create(b, loc);
        },
        [&](OpBuilder &, Location) {
          scf::IfOp::create(
              b, loc, sizeIs(one),
              [&](OpBuilder &, Location) {
                columns([&](Value col, Value scaleRow) { rowSum(col, scaleRow, zero); });
                scf::YieldOp::create(b, loc);
              },
              [&](OpBuilder &, Location) {
                columns([&](Value col, Value scaleRow) { rowSums(col, scaleRow, groupSize); });
                scf::YieldOp::create(b, loc);
              });
          scf::YieldOp::create(b, loc);
        });
  };

  // The tile form: tileRows rows (`groupSize` of them there) against
  // the columns [firstColumn, endColumn). Per step of tileK: the rows'
  // activation blocks and the weight tile decoded to bf16 (scales folded
  // in: exact, as in the GEMV's terms), then acc += rows x weightsᵀ. Rows
  // and columns past the ends are zeros in the tiles (rows read the last
  // row, columns the last column, so nothing is read out of bounds) and are
  // not stored. The sum over K runs in ascending order per output on the
  // CPU, as the GEMV's does; a matrix unit adds in its own order. With
  // scaledTiles the tiles hold the codes and scale bytes instead (rows and
  // columns past the ends: copies of others), and the product decodes them.
  auto tileProduct = [&](Value firstRow, Value groupSize, Value firstColumn, Value endColumn,
                         Value expert) {
    Type bf16 = b.getBF16Type(), i8 = b.getI8Type();
    auto tile = [&](int64_t r, int64_t c, Type type) -> Value {
      return memref::AllocaOp::create(b, loc, MemRefType::get({r, c}, type));
    };
    // bf16 tiles, or the scaled form's codes and E8M0 bytes.
    Value rowTile, weightTile, rowScaleTile, weightScaleTile;
    if (scaledTiles) {
      rowTile = tile(tileRows, tileK, i8);
      rowScaleTile = tile(tileRows, tileK / m.actBlock, i8);
      weightTile = tile(columnTile, m.fp4Weight ? tileK / 2 : tileK, i8);
      weightScaleTile = tile(columnTile, tileK / m.sumBlock, i8);
    } else {
      rowTile = tile(tileRows, tileK, bf16);
      weightTile = tile(columnTile, tileK, bf16);
    }
    Value acc = memref::AllocaOp::create(b, loc, MemRefType::get({tileRows, columnTile}, f32));
    Value rowSteps = kb.index(tileK), columnCount = kb.index(columnTile),
          tileElements = kb.index(tileRows * columnTile);
    Value lastRow = arith::SubIOp::create(b, loc, rows, one);
    auto rowAt = [&](Value j) -> Value {
      return arith::MinUIOp::create(b, loc, arith::AddIOp::create(b, loc, firstRow, j), lastRow);
    };
    auto below = [&](Value x, Value bound) -> Value {
      return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x, bound);
    };
    kb.forThreads(zero, tileElements, one, [&](Value e) {
      Value j = arith::DivUIOp::create(b, loc, e, columnCount);
      Value c = arith::RemUIOp::create(b, loc, e, columnCount);
      memref::StoreOp::create(b, loc, bits.f(0.0f), acc, ValueRange{j, c});
    });
    // With the norm taken in: each row's r first (its sum split over a
    // group of threads); its elements are recomputed where the blocks read
    // them, the same values the GEMV stores.
    Value rowScales;
    std::optional<RowNormSpec> spec;
    if (norm) {
      spec = RowNormSpec{k, norm.getEps().convertToDouble(),
                         norm.getResult().getType().getElementType(), false};
      rowScales = memref::AllocaOp::create(b, loc, MemRefType::get({tileRows}, f32));
      kb.forThreads(
          zero, kb.index(tileRows), one,
          [&](Value j) {
            Value row = rowAt(j);
            auto loadX = [&](Value i) -> Value {
              return memref::LoadOp::create(b, loc, activation, kb.rowElement(row, i));
            };
            memref::StoreOp::create(b, loc, emitRowRmsScale(b, loc, *spec, loadX), rowScales,
                                    ValueRange{j});
          },
          /*splitReductions=*/true);
    }
    scf::ForOp::create(
        b, loc, zero, kSize, rowSteps, ValueRange{},
        [&](OpBuilder &, Location, Value kStart, ValueRange) {
          // The rows' activation blocks of this step, one per group of threads.
          kb.forThreads(
              zero, kb.index(tileRows * tileK), actStep,
              [&](Value flat) {
                Value j = arith::DivUIOp::create(b, loc, flat, rowSteps);
                Value start = arith::RemUIOp::create(b, loc, flat, rowSteps);
                Value row = rowAt(j), live = below(j, groupSize);
                auto global = [&](Value i) -> Value {
                  return arith::AddIOp::create(b, loc, kStart, i);
                };
                auto load = [&](Value i) -> Value {
                  Value x;
                  if (norm) {
                    auto loadX = [&](Value at) -> Value {
                      return memref::LoadOp::create(b, loc, activation, kb.rowElement(row, at));
                    };
                    auto loadWeight = [&](Value at) -> Value {
                      return memref::LoadOp::create(b, loc, normWeight, ValueRange{at});
                    };
                    Value r = memref::LoadOp::create(b, loc, rowScales, ValueRange{j});
                    x = emitRowRmsElement(b, loc, *spec, loadX,
                                          normWeighted ? function_ref<Value(Value)>(loadWeight)
                                                       : function_ref<Value(Value)>(),
                                          global(i), r);
                  } else {
                    x = memref::LoadOp::create(b, loc, activation, kb.rowElement(row, global(i)));
                  }
                  return widen(x);
                };
                // The block's scale is the activation's block at kStart + start:
                // the unfused decode reads it by the global start.
                Value blockStart = global(start);
                auto store = [&](Value value, Value i) {
                  Value local = fused ? i : arith::SubIOp::create(b, loc, i, kStart).getResult();
                  value = arith::SelectOp::create(b, loc, live, value, bits.f(0.0f));
                  memref::StoreOp::create(b, loc, arith::TruncFOp::create(b, loc, bf16, value),
                                          rowTile, ValueRange{j, local});
                };
                if (scaledTiles) {
                  // Rows past the group's end are copies of other rows
                  // (rowAt's): their outputs are not stored.
                  auto storeCode = [&](Value code, Value i) {
                    Value local = fused ? i : arith::SubIOp::create(b, loc, i, kStart).getResult();
                    memref::StoreOp::create(b, loc, arith::TruncIOp::create(b, loc, i8, code),
                                            rowTile, ValueRange{j, local});
                  };
                  auto storeScale = [&](Value byte) {
                    Value narrow = arith::TruncIOp::create(b, loc, i8, byte);
                    Value block = arith::DivUIOp::create(b, loc, start, actStep);
                    memref::StoreOp::create(b, loc, narrow, rowScaleTile, ValueRange{j, block});
                  };
                  codeActivationBlock(row, fused ? start : blockStart, load, storeCode, storeScale);
                } else if (fused) {
                  decodeActivationBlock(row, start, load, store);
                } else {
                  decodeActivationBlock(row, blockStart, nullptr, store);
                }
              },
              /*splitReductions=*/true);
          // The weight tile of this step: a thread decodes a chunk of
          // kWeightChunk consecutive codes of column c (one scale block's:
          // the chunk divides the step and the blocks), so a GPU lane loads
          // the chunk's bytes at once, decodes its scale once and stores
          // its values as vectors; consecutive threads take consecutive
          // chunks of a row.
          Value chunksPerColumn = kb.index(tileK / kWeightChunk);
          kb.forThreads(zero, kb.index(columnTile * tileK / kWeightChunk), one, [&](Value e) {
            Value c = arith::DivUIOp::create(b, loc, e, chunksPerColumn);
            Value first = arith::MulIOp::create(
                b, loc, arith::RemUIOp::create(b, loc, e, chunksPerColumn), kb.index(kWeightChunk));
            Value col = arith::AddIOp::create(b, loc, firstColumn, c);
            Value safeCol =
                arith::MinUIOp::create(b, loc, col, arith::SubIOp::create(b, loc, endColumn, one));
            Value at = arith::AddIOp::create(b, loc, kStart, first);
            if (scaledTiles) {
              // The chunk's bytes as they are (columns past the end copy
              // the last one: unstored outputs), and its block's scale
              // byte from the chunk that starts the block.
              const int64_t bytes = m.fp4Weight ? kWeightChunk / 2 : kWeightChunk;
              Value firstByte =
                  m.fp4Weight ? arith::DivUIOp::create(b, loc, at, two).getResult() : at;
              Value firstLocal =
                  m.fp4Weight ? arith::DivUIOp::create(b, loc, first, two).getResult() : first;
              for (int64_t t = 0; t < bytes; ++t) {
                Value offset = kb.index(t);
                Value byte = memref::LoadOp::create(
                    b, loc, w,
                    ValueRange{expert, safeCol, arith::AddIOp::create(b, loc, firstByte, offset)});
                memref::StoreOp::create(
                    b, loc, byte, weightTile,
                    ValueRange{c, arith::AddIOp::create(b, loc, firstLocal, offset)});
              }
              Value startsBlock =
                  arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                        arith::RemUIOp::create(b, loc, first, sumStep), zero);
              scf::IfOp::create(b, loc, startsBlock, [&](OpBuilder &, Location) {
                Value byte = memref::LoadOp::create(
                    b, loc, wScales,
                    ValueRange{expert, arith::DivUIOp::create(b, loc, safeCol, scaleRows),
                               arith::DivUIOp::create(b, loc, at, sumStep)});
                memref::StoreOp::create(
                    b, loc, byte, weightScaleTile,
                    ValueRange{c, arith::DivUIOp::create(b, loc, first, sumStep)});
                scf::YieldOp::create(b, loc);
              });
              return;
            }
            Value live = below(col, endColumn);
            Value scale = bits.e8m0(byteAt(
                wScales, ValueRange{expert, arith::DivUIOp::create(b, loc, safeCol, scaleRows),
                                    arith::DivUIOp::create(b, loc, at, sumStep)}));
            // A column past the end (a copy of the last one's codes) gets
            // scale 0: zeros, or NaN where a code is, in a weight row only
            // its own, unstored outputs read.
            scale = arith::SelectOp::create(b, loc, live, scale, bits.f(0.0f));
            SmallVector<Value> codes = weightChunk(expert, safeCol, at);
            for (auto [t, code] : llvm::enumerate(codes)) {
              Value decoded = weightCodec.decodeFromTable(code, bf16);
              Value value = arith::MulFOp::create(b, loc, widen(decoded), scale);
              memref::StoreOp::create(
                  b, loc, arith::TruncFOp::create(b, loc, bf16, value), weightTile,
                  ValueRange{c, arith::AddIOp::create(b, loc, first, kb.index(t))});
            }
          });
          if (scaledTiles) {
            auto term = [&](OpBuilder &nested, Location nestedLoc, Value code, Value scale,
                            bool fp4) -> Value {
              Bits nestedBits{nested, nestedLoc, bits.i32, f32};
              BlockQuantizer codec(nestedBits,
                                   fp4 ? gridOf(nested.getType<Float4E2M1FNType>())
                                       : gridOf(nested.getType<Float8E4M3FNType>()),
                                   /*ceilRule=*/true);
              Value value = codec.decodeFromTable(code, f32);
              Value blockScale = nestedBits.e8m0(scale);
              return arith::MulFOp::create(nested, nestedLoc, value, blockScale);
            };
            tile_products::emitScaled(b, loc, {rowTile, rowScaleTile, false, m.actBlock},
                                      {weightTile, weightScaleTile, m.fp4Weight, m.sumBlock}, acc,
                                      term);
          } else {
            tile_products::emit(b, loc, rowTile, weightTile, acc);
          }
          scf::YieldOp::create(b, loc);
        });
    kb.forThreads(zero, tileElements, one, [&](Value e) {
      Value j = arith::DivUIOp::create(b, loc, e, columnCount);
      Value c = arith::RemUIOp::create(b, loc, e, columnCount);
      Value col = arith::AddIOp::create(b, loc, firstColumn, c);
      Value stored = arith::AndIOp::create(b, loc, below(j, groupSize), below(col, endColumn));
      scf::IfOp::create(b, loc, stored, [&](OpBuilder &, Location) {
        Value result = memref::LoadOp::create(b, loc, acc, ValueRange{j, c});
        if (element != f32)
          result = arith::TruncFOp::create(b, loc, element, result);
        memref::StoreOp::create(b, loc, result, out,
                                ValueRange{arith::AddIOp::create(b, loc, firstRow, j), col});
        scf::YieldOp::create(b, loc);
      });
    });
  };

  kb.forWorkgroups(workgroups, [&](Value workgroup) {
    Value group = arith::RemUIOp::create(b, loc, workgroup, rowGroups);
    Value tile = arith::DivUIOp::create(b, loc, workgroup, rowGroups);
    Value firstRow = arith::MulIOp::create(b, loc, group, rowsPerWorkgroup);
    Value groupSize = arith::MinUIOp::create(b, loc, rowsPerWorkgroup,
                                             arith::SubIOp::create(b, loc, rows, firstRow));
    Value firstColumn = arith::MulIOp::create(b, loc, tile, kb.index(columnTile));
    Value endColumn = arith::MinUIOp::create(
        b, loc, arith::AddIOp::create(b, loc, firstColumn, kb.index(columnTile)), nSize);
    if (!tileK) {
      rowGroupSums(firstRow, groupSize, firstColumn, endColumn, workgroupRows);
      return;
    }
    if (grouped) {
      // The row leads a tile where it starts one of its expert's: the tile
      // runs there (rows [firstRow, min(firstRow + tileRows, the expert's
      // end))); a lone row, a row past the last offset (zeros) or one its
      // expert's offsets do not hold runs the GEMV; the other rows are
      // their tile's.
      auto [expert, live] = expertOf(firstRow);
      auto offsetAt = [&](Value e) -> Value {
        return arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                          memref::LoadOp::create(b, loc, offsets, ValueRange{e}));
      };
      Value start = offsetAt(expert);
      Value end = offsetAt(arith::AddIOp::create(b, loc, expert, one));
      Value held = arith::AndIOp::create(
          b, loc, live, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle, start, firstRow));
      Value leads = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::eq,
          arith::RemUIOp::create(b, loc, arith::SubIOp::create(b, loc, firstRow, start),
                                 kb.index(tileRows)),
          zero);
      Value tileSize = arith::MinUIOp::create(b, loc, kb.index(tileRows),
                                              arith::SubIOp::create(b, loc, end, firstRow));
      Value runsTile = arith::AndIOp::create(
          b, loc, arith::AndIOp::create(b, loc, held, leads),
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ugt, tileSize, one));
      Value notHeld =
          arith::XOrIOp::create(b, loc, held, arith::ConstantIntOp::create(b, loc, 1, 1));
      Value runsGemv = arith::OrIOp::create(b, loc, notHeld, leads);
      scf::IfOp::create(
          b, loc, runsTile,
          [&](OpBuilder &, Location) {
            tileProduct(firstRow, tileSize, firstColumn, endColumn, expert);
            scf::YieldOp::create(b, loc);
          },
          [&](OpBuilder &, Location) {
            scf::IfOp::create(b, loc, runsGemv, [&](OpBuilder &, Location) {
              rowGroupSums(firstRow, groupSize, firstColumn, endColumn, 1, {expert, live});
              scf::YieldOp::create(b, loc);
            });
            scf::YieldOp::create(b, loc);
          });
      return;
    }
    Value lone = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, groupSize, one);
    scf::IfOp::create(
        b, loc, lone,
        [&](OpBuilder &, Location) {
          rowGroupSums(firstRow, groupSize, firstColumn, endColumn, 1);
          scf::YieldOp::create(b, loc);
        },
        [&](OpBuilder &, Location) {
          tileProduct(firstRow, groupSize, firstColumn, endColumn, zero);
          scf::YieldOp::create(b, loc);
        });
  });
  return kb.kernel();
}

} // namespace

FailureOr<func::FuncOp> emitFp8MatmulKernel(v4::Fp8MatmulOp op, llvm::StringRef name,
                                            OpBuilder &moduleBuilder, v4::QuantizeOp quantize,
                                            v4::RmsNormOp norm) {
  ScaledMatmul m{op,
                 op.getInput(),
                 op.getInputScales(),
                 op.getWeight(),
                 op.getWeightScales(),
                 op.getGroupOffsets(),
                 op.getResult(),
                 quantize,
                 norm,
                 /*fp4Weight=*/false,
                 op.getBlock()[1],
                 op.getBlock()[1],
                 op.getBlock()[0]};
  return emitScaledMatmul(m, name, moduleBuilder);
}

FailureOr<func::FuncOp> emitMxfp4MatmulKernel(v4::Mxfp4MatmulOp op, llvm::StringRef name,
                                              OpBuilder &moduleBuilder,
                                              v4::QuantizeOp quantize, v4::RmsNormOp norm) {
  ScaledMatmul m{op,
                 op.getInput(),
                 op.getInputScales(),
                 op.getWeight(),
                 op.getWeightScales(),
                 op.getGroupOffsets(),
                 op.getResult(),
                 quantize,
                 norm,
                 /*fp4Weight=*/true,
                 /*sumBlock=*/32,
                 static_cast<int64_t>(op.getActBlock()),
                 /*weightRowsPerScale=*/1};
  return emitScaledMatmul(m, name, moduleBuilder);
}

FailureOr<func::FuncOp> emitGroupedLinearKernel(v4::GroupedLinearOp op, llvm::StringRef name,
                                                OpBuilder &moduleBuilder,
                                                const DequantizedWeight *dequantized) {
  // The reference's grouped output projection (7.8): for each group g and
  // output j, the group's heads flattened, times the weight row, summed in
  // ascending order in one fp32 accumulator, rounded once.
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  auto weightType = cast<RankedTensorType>(op.getWeight().getType());
  auto resultType = cast<RankedTensorType>(op.getResult().getType());
  int64_t rank = inputType.getRank();
  int64_t heads = inputType.getDimSize(rank - 2), headDim = inputType.getDimSize(rank - 1);
  int64_t groups = static_cast<int64_t>(op.getGroups());
  if (ShapedType::isDynamic(heads) || ShapedType::isDynamic(headDim) ||
      !weightType.hasStaticShape())
    return op.emitOpError() << "needs static heads, head dim and weight to become a kernel";
  int64_t loraRank = weightType.getDimSize(1), groupIn = (heads / groups) * headDim;

  SmallVector<RankedTensorType> tensors = {inputType, weightType, resultType};
  RankedTensorType codesType, scalesType;
  // Op getters are not const; the caller's description is.
  v4::DequantizeOp dequantize = dequantized ? dequantized->dequantize : nullptr;
  if (dequantized) {
    codesType = cast<RankedTensorType>(dequantize.getCodes().getType());
    scalesType = cast<RankedTensorType>(dequantized->scales.getType());
    if (!codesType.hasStaticShape() || !scalesType.hasStaticShape() ||
        codesType.getDimSize(0) != groups * loraRank || codesType.getDimSize(1) != groupIn)
      return op.emitOpError() << "cannot take in a dequantize of " << codesType;
    tensors = {inputType, codesType, scalesType, resultType};
  }
  KernelBuilder kb(moduleBuilder, op.getLoc(), name, tensors);
  OpBuilder &b = kb.builder();
  Location loc = kb.location();
  Type f32 = b.getF32Type();
  SmallVector<Value> dynamicSizes = kb.dynamicLeadingSizes();
  Value rows = kb.leadingCount(2); // tokens: all but [H, D]
  Value in = kb.view(0, dynamicSizes), out = kb.view(tensors.size() - 1, dynamicSizes);
  Value zero = kb.index(0), one = kb.index(1), headDimSize = kb.index(headDim),
        headsPerGroup = kb.index(heads / groups);
  auto widen = [&](Value v) -> Value {
    return v.getType() == f32 ? v : arith::ExtFOp::create(b, loc, f32, v);
  };

  // Weight element (g, j, u): a load, or the dequantize's arithmetic on
  // row g * R + j of the codes, rounded to the dequantized element type.
  // The input is summed per head and per span of elements that share a
  // scale, so inside a span every load is contiguous and the scale one
  // value (the loop the target's configuration may vectorize).
  Bits bits{b, loc, b.getI32Type(), f32};
  std::optional<BlockQuantizer> quantizer;
  Value w, codes, scales;
  bool packed = false;
  int64_t span = headDim;
  Type dequantizedElement = f32;
  if (!dequantized) {
    w = kb.view(1, {});
  } else {
    Type format = codesType.getElementType();
    packed = isa<Float4E2M1FNType>(format);
    int64_t block = static_cast<int64_t>(dequantize.getBlock());
    span = std::gcd(headDim, block);
    codes = kb.byteView(1, packed ? groupIn / 2 : groupIn, {});
    scales = kb.byteView(2, scalesType.getShape().back(), {});
    quantizer.emplace(bits, gridOf(format), /*ceilRule=*/true);
    dequantizedElement = cast<RankedTensorType>(dequantize.getResult().getType()).getElementType();
  }
  auto loadByte = [&](Value memref, Value r, Value c) -> Value {
    Value byte = memref::LoadOp::create(b, loc, memref, ValueRange{r, c});
    return arith::ExtUIOp::create(b, loc, bits.i32, byte);
  };
  // `weightRow` is g * R + j; `scaleByte` the span's scale (dequantized).
  auto codeAt = [&](Value weightRow, Value u) -> Value {
    return packed ? bits.packedCode(
                        loadByte(codes, weightRow, arith::DivUIOp::create(b, loc, u, kb.index(2))),
                        u)
                  : loadByte(codes, weightRow, u);
  };
  auto weightAt = [&](Value g, Value j, Value weightRow, Value u, Value scaleByte) -> Value {
    if (!dequantized)
      return widen(memref::LoadOp::create(b, loc, w, ValueRange{g, j, u}));
    Value value = quantizer->scaled(codeAt(weightRow, u), scaleByte);
    if (dequantizedElement != f32)
      value = arith::TruncFOp::create(b, loc, dequantizedElement, value);
    return widen(value);
  };
  Type weightElement = dequantized ? dequantizedElement : weightType.getElementType();
  const bool bf16Products = inputType.getElementType().isBF16() && weightElement.isBF16();
  // An FP8 weight dequantized to bf16 may take its codes from a table with
  // the scale applied to the products (exact where the scale allows).
  const bool exactTableTerms = dequantized && !packed && dequantizedElement.isBF16() &&
                               isa<Float8E4M3FNType>(codesType.getElementType());

  // Workgroup = (group, tile of outputs, token), tokens fastest: a decode
  // step's one token still spreads over the threads, and a batch's tokens
  // take a tile's weights from cache one after another.
  const int64_t outputTile = std::min<int64_t>(loraRank, kGroupedLinearOutputTile);
  const int64_t tilesPerGroup = (loraRank + outputTile - 1) / outputTile;
  Value tilesPerToken = kb.index(groups * tilesPerGroup);
  Value workgroups = arith::MulIOp::create(b, loc, rows, tilesPerToken);
  kb.forWorkgroups(workgroups, [&](Value workgroup) {
    Value row = arith::RemUIOp::create(b, loc, workgroup, rows);
    Value rest = arith::DivUIOp::create(b, loc, workgroup, rows);
    Value g = arith::DivUIOp::create(b, loc, rest, kb.index(tilesPerGroup));
    Value firstOutput = arith::MulIOp::create(
        b, loc, arith::RemUIOp::create(b, loc, rest, kb.index(tilesPerGroup)),
        kb.index(outputTile));
    Value endOutput = arith::MinUIOp::create(
        b, loc, arith::AddIOp::create(b, loc, firstOutput, kb.index(outputTile)),
        kb.index(loraRank));
    SmallVector<Value> token = kb.leadingIndices(row, 2);
    Value zeroSum = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
    Value firstHead = arith::MulIOp::create(b, loc, g, headsPerGroup);
    // One output per thread (a GPU may split its sums over a group of
    // threads): its sum runs over the group's whole input.
    kb.forThreads(
        firstOutput, endOutput, one,
        [&](Value j) {
          Value weightRow = arith::AddIOp::create(
              b, loc, arith::MulIOp::create(b, loc, g, kb.index(loraRank)), j);
          Value scaleRow = dequantized ? arith::DivUIOp::create(b, loc, weightRow,
                                                                kb.index(dequantized->rowsPerScale))
                                       : Value();
          // u = h * D + d, in ascending order: the reference's one accumulator.
          auto sum = scf::ForOp::create(
              b, loc, zero, headsPerGroup, one, ValueRange{zeroSum},
              [&](OpBuilder &, Location, Value h, ValueRange headAcc) {
                Value head = arith::AddIOp::create(b, loc, firstHead, h);
                Value headBase = arith::MulIOp::create(b, loc, h, headDimSize);
                auto spans = scf::ForOp::create(
                    b, loc, zero, headDimSize, kb.index(span), ValueRange{headAcc[0]},
                    [&](OpBuilder &, Location, Value d0, ValueRange spanAcc) {
                      Value scaleByte;
                      if (dequantized) {
                        Value u0 = arith::AddIOp::create(b, loc, headBase, d0);
                        scaleByte = loadByte(
                            scales, scaleRow,
                            arith::DivUIOp::create(
                                b, loc, u0, kb.index(static_cast<int64_t>(dequantize.getBlock()))));
                      }
                      // The span's dot product; `tableTerms`: weight codes from
                      // the format's table and the span's scale applied to each
                      // product (see below).
                      auto dotOf = [&](bool tableTerms) -> Value {
                        Value scale = tableTerms ? bits.e8m0(scaleByte) : Value();
                        auto dot = scf::ForOp::create(
                            b, loc, d0, arith::AddIOp::create(b, loc, d0, kb.index(span)), one,
                            ValueRange{spanAcc[0]},
                            [&](OpBuilder &, Location, Value d, ValueRange acc) {
                              SmallVector<Value> at(token);
                              at.push_back(head);
                              at.push_back(d);
                              Value x = widen(memref::LoadOp::create(b, loc, in, at));
                              Value u = arith::AddIOp::create(b, loc, headBase, d);
                              Value term;
                              if (tableTerms) {
                                Value code = codeAt(weightRow, u);
                                Value w =
                                    widen(quantizer->decodeFromTable(code, dequantizedElement));
                                term = arith::MulFOp::create(
                                    b, loc, arith::MulFOp::create(b, loc, x, w), scale);
                              } else {
                                term = arith::MulFOp::create(
                                    b, loc, x, weightAt(g, j, weightRow, u, scaleByte));
                              }
                              scf::YieldOp::create(
                                  b, loc, ValueRange{arith::AddFOp::create(b, loc, acc[0], term)});
                            });
                        reduction_loops::mark(dot, bf16Products);
                        return dot.getResult(0);
                      };
                      if (!exactTableTerms) {
                        scf::YieldOp::create(b, loc, ValueRange{dotOf(false)});
                        return;
                      }
                      // A code times a scale in [2^-117, 2^119] (or NaN) is a
                      // normal bf16, so rounding the dequantized weight to bf16
                      // changes nothing and x * w * scale is the reference's
                      // x * bf16(w * scale) exactly. Other scales take the
                      // dequantize's arithmetic.
                      Value inRange = arith::AndIOp::create(
                          b, loc, bits.cmp(arith::CmpIPredicate::uge, scaleByte, bits.i(10)),
                          bits.cmp(arith::CmpIPredicate::ule, scaleByte, bits.i(246)));
                      Value fast = arith::OrIOp::create(
                          b, loc, inRange,
                          bits.cmp(arith::CmpIPredicate::eq, scaleByte, bits.i(255)));
                      auto choice = scf::IfOp::create(b, loc, TypeRange{f32}, fast,
                                                      /*withElseRegion=*/true);
                      {
                        OpBuilder::InsertionGuard guard(b);
                        b.setInsertionPointToStart(&choice.getThenRegion().front());
                        scf::YieldOp::create(b, loc, ValueRange{dotOf(true)});
                        b.setInsertionPointToStart(&choice.getElseRegion().front());
                        scf::YieldOp::create(b, loc, ValueRange{dotOf(false)});
                      }
                      scf::YieldOp::create(b, loc, choice.getResults());
                    });
                scf::YieldOp::create(b, loc, spans.getResults());
              });
          Value result = sum.getResult(0);
          if (resultType.getElementType() != f32)
            result = arith::TruncFOp::create(b, loc, resultType.getElementType(), result);
          SmallVector<Value> at(token);
          at.push_back(g);
          at.push_back(j);
          memref::StoreOp::create(b, loc, result, out, at);
        },
        /*splitReductions=*/true);
  });
  return kb.kernel();
}

} // namespace sieve::detail
