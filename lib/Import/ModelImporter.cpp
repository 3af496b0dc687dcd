//===- ModelImporter.cpp - config.json -> v4 model graph -------------------===//
//
// Builds the prefill/decode/MTP functions of a DeepSeek-V4 model from its
// config. The structure follows v4-architecture.md: section 4 (top level),
// 5 (hyper-connections), 7 (attention: query/KV paths, window, compressor,
// indexer, sparse/HCA attention, grouped output), 8 (MoE) and 9 (MTP).
// Each layer is its own private function per phase, so the schedule is
// visible on the function attributes and passes can work layer by layer.
//
// Shapes `[B, S, ...]`: prefill and MTP take one sequence (B = 1) of a
// run-time chunk length S; decode takes a run-time number B of sequences
// (at most the caches' batch, `max_batch`) of one token each. Every model
// dimension is static. Each batch row carries its start position and the
// cache row (slot) its sequence lives in, so a runtime can batch any live
// sequences in one decode call. Weights are `v4.param` ops; nothing is
// loaded, so the graph's size does not depend on the model's.
//
//===----------------------------------------------------------------------===//

#include "sieve/Import/ModelImporter.h"

#include "ConfigDiagnostics.h"
#include "sieve/Import/ParameterBinding.h"
#include "sieve/io/model_schema.h"
#include "v4/IR/V4Attrs.h"
#include "v4/IR/V4Dialect.h"
#include "v4/IR/V4Ops.h"
#include "v4/IR/V4Types.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/Verifier.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace sieve {
namespace {

constexpr int64_t kDynamic = ShapedType::kDynamic;
/// FP8 activation block and weight tile (v4-architecture.md 3.3).
constexpr int64_t kFp8Block = 128;
/// FP8 simulation block of the nope dims of main KV rows (7.2).
constexpr int64_t kKvSimBlock = 64;
/// FP4 simulation block of indexer queries and keys (7.4, 7.5).
constexpr int64_t kFp4Block = 32;

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

enum class Phase { Prefill, Decode };

const char *phaseName(Phase phase) {
  return phase == Phase::Prefill ? "prefill" : "decode";
}

/// The `v4.attention` value of a layer.
const char *attentionName(io::AttentionKind kind) {
  switch (kind) {
  case io::AttentionKind::kSliding:
    return "swa";
  case io::AttentionKind::kCompressed:
    return "csa";
  case io::AttentionKind::kHeavyCompressed:
    return "hca";
  }
  return "?";
}

/// One cache value of a block: role ("window", ...) and type.
struct CacheValue {
  std::string role;
  Type type;
};

/// Problems that make a valid config unimportable, as (field, message).
std::vector<std::pair<std::string, std::string>>
unsupportedFeatures(const io::ModelConfig &c) {
  std::vector<std::pair<std::string, std::string>> problems;
  for (int64_t b = 0; b < c.numBlocks(); ++b) {
    int64_t r = c.ratio(b);
    if (r != 0 && !v4::isValidCompressionRatio(r))
      problems.push_back(
          {"compress_ratios",
           "field 'compress_ratios'[" + std::to_string(b) + "] = " +
               std::to_string(r) +
               ": the v4 dialect supports ratio 0, 4 or a power of two in "
               "[8, 128]"});
  }
  if (c.scoreFunc != io::ScoreFunc::kSqrtSoftplus)
    problems.push_back({"score_func",
                        std::string("field 'score_func' = '") +
                            io::scoreFuncName(c.scoreFunc) +
                            "' is not supported (v4.moe_route implements "
                            "sqrtsoftplus, the V4 router)"});
  if (c.scaleFmt != io::ScaleFormat::kUe8m0)
    problems.push_back({"scale_fmt",
                        "field 'scale_fmt': only ue8m0 (power-of-two "
                        "activation scales) is supported"});
  if (c.expertDtype == io::ExpertFormat::kBf16)
    problems.push_back({"expert_dtype",
                        "field 'expert_dtype' = bf16 is not supported (routed "
                        "experts need fp4 or fp8 for the grouped GEMMs)"});
  if (c.indexHeadDim < 32 || (c.indexHeadDim & (c.indexHeadDim - 1)) != 0)
    problems.push_back({"index_head_dim",
                        "field 'index_head_dim' = " +
                            std::to_string(c.indexHeadDim) +
                            " must be a power of two >= 32 (Hadamard size, "
                            "FP4 block)"});
  if (!(c.betaFast > c.betaSlow))
    problems.push_back({"beta_fast", "field 'beta_fast' must exceed "
                                     "'beta_slow' (YaRN ramp)"});
  if (!(c.ropeTheta > 1.0) || !(c.compressRopeTheta > 1.0))
    problems.push_back(
        {"rope_theta", "field 'rope_theta' and 'compress_rope_theta' must "
                       "exceed 1"});
  return problems;
}

//===----------------------------------------------------------------------===//
// ModelBuilder: module-level state (types, cache values, RoPE attributes)
//===----------------------------------------------------------------------===//

class ModelBuilder {
public:
  ModelBuilder(MLIRContext *context, const io::ModelSchema &schema,
               const ImportOptions &options, Location location)
      : ctx(context), schema(schema), c(schema.config()), options(options),
        fileLoc(location) {
    bf16 = BFloat16Type::get(ctx);
    f32 = Float32Type::get(ctx);
    f8 = Float8E4M3FNType::get(ctx);
    f4 = Float4E2M1FNType::get(ctx);
    e8m0 = Float8E8M0FNUType::get(ctx);
    i32 = IntegerType::get(ctx, 32);
    i64 = IntegerType::get(ctx, 64);
    maxSeqLen = schema.maxSeqLen();
    maxBatch = options.maxBatch > 0 ? options.maxBatch : c.maxBatchSize;
    maxChunk = options.maxChunk > 0 ? options.maxChunk
                                    : std::min<int64_t>(kDefaultMaxChunk, maxSeqLen);
  }

  OwningOpRef<ModuleOp> build();

  // Shared with the per-function emitter.
  MLIRContext *ctx;
  /// The model's structure: blocks, linears, cache geometry.
  const io::ModelSchema &schema;
  /// Its config, for the scalar hyper-parameters (eps, RoPE, dims).
  const io::ModelConfig &c;
  const ImportOptions &options;
  Location fileLoc;
  Type bf16, f32, f8, f4, e8m0, i32, i64;
  int64_t maxSeqLen;
  /// Cache rows (slots): the most sequences one decode call can batch.
  int64_t maxBatch;
  /// The most tokens of one prefill call.
  int64_t maxChunk;
  static constexpr int64_t kDefaultMaxChunk = 512;

  /// The most tokens one call of `phase` takes.
  int64_t maxTokens(Phase phase) const {
    return phase == Phase::Prefill ? maxChunk : maxBatch;
  }
  std::vector<SmallVector<CacheValue>> blockCaches; // per block
  v4::RopeAttr ropeSliding, ropeCompressed;

  RankedTensorType tensor(ArrayRef<int64_t> shape, Type element) const {
    return RankedTensorType::get(shape, element);
  }
  v4::RopeAttr rope(int64_t ratio) const {
    return ratio == 0 ? ropeSliding : ropeCompressed;
  }
  /// `layers.3` / `mtp.0` (the tensor prefix without its dot).
  std::string blockName(int64_t block) const {
    const std::string &prefix = schema.block(block).prefix;
    return prefix.substr(0, prefix.size() - 1);
  }

private:
  LogicalResult buildTypes();
  func::FuncOp buildBlockFunction(OpBuilder &moduleBuilder, int64_t block,
                                  Phase phase);
  func::FuncOp buildModelFunction(OpBuilder &moduleBuilder, Phase phase,
                                  ArrayRef<func::FuncOp> layers);
  func::FuncOp buildMtpFunction(OpBuilder &moduleBuilder, int64_t block,
                                Phase phase, func::FuncOp blockFunction);
  /// Cache argument/result types and `v4.cache` names of `blocks`.
  void cacheSignature(ArrayRef<int64_t> blocks, SmallVectorImpl<Type> &types,
                      SmallVectorImpl<Attribute> &names) const;
};

//===----------------------------------------------------------------------===//
// Emitter: the ops of one function
//===----------------------------------------------------------------------===//

/// How a function's tensors hold sequences: `[B, S, ...]`, batch row `b` is
/// one sequence at start position `positions[b]` whose caches are cache row
/// `slots[b]`.
struct RowShape {
  int64_t batchStatic; // 1 (prefill, MTP) or kDynamic (decode)
  int64_t seqStatic;   // kDynamic (prefill, MTP) or 1 (decode)
  Value batchLen;      // B as an index value when dynamic
  Value seqLen;        // S as an index value when dynamic
  Value positions;     // tensor<Bxi32>
  Value slots;         // tensor<Bxi32>

  /// The shape of a phase whose `tokens [B * S]` argument gives the dynamic
  /// size.
  static RowShape of(Phase phase, OpBuilder &b, Location loc, Value tokens,
                     Value positions, Value slots) {
    RowShape rows{1, 1, Value(), Value(), positions, slots};
    Value count = tensor::DimOp::create(b, loc, tokens, 0);
    if (phase == Phase::Prefill) {
      rows.seqStatic = kDynamic;
      rows.seqLen = count;
    } else {
      rows.batchStatic = kDynamic;
      rows.batchLen = count;
    }
    return rows;
  }
};

class Emitter {
public:
  Emitter(const ModelBuilder &m, ImplicitLocOpBuilder &b, int64_t block,
          Phase phase, const RowShape &rows)
      : m(m), c(m.c), b(b), block(block), phase(phase), rows(rows),
        seqStatic(rows.seqStatic), batchStatic(rows.batchStatic) {}

  /// The schema of this function's block (only for per-block emitters).
  const io::BlockSchema &blockSchema() const { return m.schema.block(block); }

  //--- Small helpers ---------------------------------------------------------//

  RankedTensorType typeOf(Value v) const {
    return cast<RankedTensorType>(v.getType());
  }
  SmallVector<int64_t> shapeWithLast(Value v, int64_t last) const {
    SmallVector<int64_t> shape(typeOf(v).getShape());
    shape.back() = last;
    return shape;
  }
  Value param(const std::string &name, ArrayRef<int64_t> shape, Type element) {
    return v4::ParamOp::create(b, m.tensor(shape, element), name);
  }
  Value index(int64_t value) {
    return arith::ConstantIndexOp::create(b, value);
  }
  /// Sizes of `v` as OpFoldResults (tensor.dim for dynamic ones).
  SmallVector<OpFoldResult> sizesOf(Value v) {
    return tensor::getMixedSizes(b, b.getLoc(), v);
  }
  SmallVector<OpFoldResult> indexAttrs(ArrayRef<int64_t> values) {
    SmallVector<OpFoldResult> out;
    for (int64_t v : values)
      out.push_back(b.getIndexAttr(v));
    return out;
  }
  Value collapse(Value v, ArrayRef<ReassociationIndices> groups) {
    return tensor::CollapseShapeOp::create(b, v, groups);
  }
  Value expand(Value v, ArrayRef<int64_t> shape,
               ArrayRef<ReassociationIndices> groups,
               ArrayRef<OpFoldResult> sizes) {
    return tensor::ExpandShapeOp::create(
        b, m.tensor(shape, typeOf(v).getElementType()), v, groups, sizes);
  }
  /// OpFoldResults of the sequence length S and the batch B.
  OpFoldResult seq() {
    return seqStatic == kDynamic ? OpFoldResult(rows.seqLen)
                                 : OpFoldResult(b.getIndexAttr(seqStatic));
  }
  OpFoldResult batch() {
    return batchStatic == kDynamic ? OpFoldResult(rows.batchLen)
                                   : OpFoldResult(b.getIndexAttr(batchStatic));
  }

  //--- Linear algebra --------------------------------------------------------//

  /// `x [..., K] @ w[N, K]^T` with fp32 accumulation (linalg.matmul with a
  /// transposed B), rounded once to `element`.
  Value matmulT(Value x, Value w, Type element) {
    RankedTensorType xt = typeOf(x);
    int64_t rank = xt.getRank();
    int64_t n = typeOf(w).getDimSize(0);
    SmallVector<OpFoldResult> leading = sizesOf(x);
    leading.pop_back();
    Value x2 = x;
    if (rank > 2) {
      ReassociationIndices rows;
      for (int64_t i = 0; i + 1 < rank; ++i)
        rows.push_back(i);
      x2 = collapse(x, {rows, {rank - 1}});
    }
    SmallVector<OpFoldResult> outSizes = {sizesOf(x2)[0], b.getIndexAttr(n)};
    Value init = tensor::EmptyOp::create(b, outSizes, m.f32);
    Value zero = arith::ConstantOp::create(b, b.getF32FloatAttr(0.0f));
    init = linalg::FillOp::create(b, ValueRange{zero}, ValueRange{init})
               .getResult(0);
    Value y = linalg::MatmulTransposeBOp::create(
                  b, b.getLoc(), TypeRange{init.getType()}, ValueRange{x2, w},
                  ValueRange{init})
                  .getResult(0);
    if (element != m.f32) {
      SmallVector<int64_t> shape(typeOf(y).getShape());
      y = arith::TruncFOp::create(b, m.tensor(shape, element), y);
    }
    if (rank > 2) {
      ReassociationIndices rows;
      for (int64_t i = 0; i + 1 < rank; ++i)
        rows.push_back(i);
      SmallVector<OpFoldResult> sizes = leading;
      sizes.push_back(b.getIndexAttr(n));
      SmallVector<int64_t> shape(xt.getShape());
      shape.back() = n;
      y = expand(y, shape, {rows, {rank - 1}}, sizes);
    }
    return y;
  }

  /// Per-row FP8 activation quantization (block 128, DeepSeek's ceil rule).
  std::pair<Value, Value> quantize(Value x) {
    RankedTensorType xt = typeOf(x);
    int64_t k = xt.getShape().back();
    auto codes = m.tensor(xt.getShape(), m.f8);
    auto scales = m.tensor(shapeWithLast(x, k / kFp8Block), m.e8m0);
    auto op = v4::QuantizeOp::create(b, codes, scales, x, kFp8Block,
                                     v4::ScaleRule::ceil);
    return {op.getCodes(), op.getScales()};
  }

  /// A linear of the checkpoint as its schema stores it: block-scaled FP8
  /// (`module`.weight/.scale, the activation quantized to FP8 per 128), or a
  /// bf16 matmul rounded once to `element`.
  Value linear(Value x, const io::LinearSchema &l, Type element) {
    const int64_t out = l.out, in = l.in;
    if (l.format == io::LinearFormat::kFp8) {
      Value w = param(l.weightName(), {out, in}, m.f8);
      Value ws = param(l.scaleName(),
                       {ceilDiv(out, kFp8Block), ceilDiv(in, kFp8Block)},
                       m.e8m0);
      auto [codes, scales] = quantize(x);
      return v4::Fp8MatmulOp::create(b, m.tensor(shapeWithLast(x, out), element),
                                     codes, scales, w, ws, Value(),
                                     ArrayRef<int64_t>{kFp8Block, kFp8Block});
    }
    // Dense linears are FP8 or bf16 (ModelSchema); FP4 is for experts only.
    assert(l.format == io::LinearFormat::kBf16 && "FP4 is a routed-expert format");
    Value w = param(l.weightName(), {out, in}, m.bf16);
    return matmulT(x, w, element);
  }
  Value linear(Value x, const io::LinearSchema &l) { return linear(x, l, m.bf16); }

  /// Routed-expert GEMM over the rows sorted by expert (stacked weights,
  /// `experts.*.w1` for all experts of the block).
  Value expertLinear(Value rows, Value offsets, io::ExpertMatrix matrix) {
    const io::MoeSchema &moe = blockSchema().moe;
    io::LinearSchema one = moe.expert(0, matrix);
    const int64_t out = one.out, in = one.in;
    std::string base = moe.expertPrefix + "*." + one.module.substr(one.module.rfind('.') + 1);
    int64_t experts = moe.experts;
    auto [codes, scales] = quantize(rows);
    auto result = m.tensor(shapeWithLast(rows, out), m.bf16);
    if (moe.expertFormat == io::LinearFormat::kFp4) {
      Value w = param(base + ".weight", {experts, out, in}, m.f4);
      Value ws = param(base + ".scale", {experts, out, in / kFp4Block}, m.e8m0);
      return v4::Mxfp4MatmulOp::create(b, result, codes, scales, w, ws, offsets,
                                       kFp8Block);
    }
    Value w = param(base + ".weight", {experts, out, in}, m.f8);
    Value ws = param(base + ".scale",
                     {experts, ceilDiv(out, kFp8Block), ceilDiv(in, kFp8Block)},
                     m.e8m0);
    return v4::Fp8MatmulOp::create(b, result, codes, scales, w, ws, offsets,
                                   ArrayRef<int64_t>{kFp8Block, kFp8Block});
  }

  //--- Layer primitives ------------------------------------------------------//

  /// `roundEachStep`: every elementwise step rounds to the element type
  /// (the reference's bf16 per-head query norm, section 15 item 13).
  Value rmsNorm(Value x, const std::string &weightName,
                bool roundEachStep = false) {
    Value weight;
    if (!weightName.empty())
      weight = param(weightName, {typeOf(x).getShape().back()}, m.bf16);
    return v4::RmsNormOp::create(b, x, weight, APFloat(c.normEps),
                                 roundEachStep);
  }

  /// `[B, count]` i32 positions of each row's tokens: `p + j` (stride 1)
  /// or, for compressed entries of ratio `stride`, `(p / stride + j) *
  /// stride` (entry c uses position c * r, section 6), `p` the row's start.
  Value tokenPositions(OpFoldResult count, int64_t stride) {
    SmallVector<Value> dynamic;
    if (batchStatic == kDynamic)
      dynamic.push_back(rows.batchLen);
    int64_t countStatic = kDynamic;
    if (auto attr = dyn_cast<Attribute>(count))
      countStatic = cast<IntegerAttr>(attr).getInt();
    else
      dynamic.push_back(cast<Value>(count));
    auto type = m.tensor({batchStatic, countStatic}, m.i32);
    Type i32 = m.i32;
    Value starts = rows.positions;
    return tensor::GenerateOp::create(
        b, type, dynamic,
        [&](OpBuilder &nb, Location loc, ValueRange ivs) {
          Value start = tensor::ExtractOp::create(nb, loc, starts, ivs[0]);
          Value base =
              arith::IndexCastOp::create(nb, loc, nb.getIndexType(), start);
          if (stride != 1)
            base = arith::DivUIOp::create(
                nb, loc, base, arith::ConstantIndexOp::create(nb, loc, stride));
          Value pos = arith::AddIOp::create(nb, loc, base, ivs[1]);
          if (stride != 1)
            pos = arith::MulIOp::create(
                nb, loc, pos, arith::ConstantIndexOp::create(nb, loc, stride));
          Value asI32 = arith::IndexCastOp::create(nb, loc, i32, pos);
          tensor::YieldOp::create(nb, loc, asI32);
        });
  }

  /// FP8 simulation (block 64) of the nope dims of KV rows `[..., head_dim]`.
  Value simulateNope(Value kv) {
    RankedTensorType t = typeOf(kv);
    SmallVector<OpFoldResult> sizes = sizesOf(kv);
    sizes.back() = b.getIndexAttr(c.nopeHeadDim());
    SmallVector<OpFoldResult> offsets(t.getRank(), b.getIndexAttr(0));
    SmallVector<OpFoldResult> strides(t.getRank(), b.getIndexAttr(1));
    Value nope = tensor::ExtractSliceOp::create(b, kv, offsets, sizes, strides);
    Value simulated = v4::SimulateQuantOp::create(
        b, nope, m.f8, kKvSimBlock, v4::ScaleRule::ceil);
    return tensor::InsertSliceOp::create(b, simulated, kv, offsets, sizes,
                                         strides);
  }

  /// `bf16(x * scale)` elementwise for a bf16 `x` (fp32 product).
  Value scaleBf16(Value x, double scale) {
    RankedTensorType t = typeOf(x);
    Value init = tensor::EmptyOp::create(b, sizesOf(x), m.bf16);
    SmallVector<AffineMap> maps(2, b.getMultiDimIdentityMap(t.getRank()));
    SmallVector<utils::IteratorType> iterators(t.getRank(),
                                               utils::IteratorType::parallel);
    Type f32 = m.f32, bf16 = m.bf16;
    return linalg::GenericOp::create(
               b, TypeRange{t}, ValueRange{x}, ValueRange{init}, maps,
               iterators,
               [&](OpBuilder &nb, Location loc, ValueRange args) {
                 Value wide = arith::ExtFOp::create(nb, loc, f32, args[0]);
                 Value factor = arith::ConstantOp::create(
                     nb, loc, nb.getF32FloatAttr(static_cast<float>(scale)));
                 Value product = arith::MulFOp::create(nb, loc, wide, factor);
                 Value narrow = arith::TruncFOp::create(nb, loc, bf16, product);
                 linalg::YieldOp::create(nb, loc, narrow);
               })
        .getResult(0);
  }

  /// Token embedding `[B, S, dim]` of `tokens [B * S]` (tensor.gather of
  /// rows; one of B and S is 1).
  Value embed(Value tokens) {
    Value table = param(m.schema.embedName(), {c.vocabSize, c.dim}, m.bf16);
    int64_t count = typeOf(tokens).getDimSize(0);
    Value ids = expand(tokens, {count, 1}, {{0, 1}},
                       {sizesOf(tokens)[0], b.getIndexAttr(1)});
    RankedTensorType rowsType = tensor::GatherOp::inferResultType(
        typeOf(table), typeOf(ids), {0}, /*rankReduced=*/true);
    Value embedded = tensor::GatherOp::create(b, rowsType, table, ids,
                                              ArrayRef<int64_t>{0});
    return expand(embedded, {batchStatic, seqStatic, c.dim}, {{0, 1}, {2}},
                  {batch(), seq(), b.getIndexAttr(c.dim)});
  }

  /// `x [B, S, dim]` broadcast to the `hc_mult` residual streams.
  Value broadcastStreams(Value x) {
    SmallVector<int64_t> shape = {batchStatic, seqStatic, c.hcMult, c.dim};
    SmallVector<OpFoldResult> sizes = {batch(), seq(),
                                       b.getIndexAttr(c.hcMult),
                                       b.getIndexAttr(c.dim)};
    Value init = tensor::EmptyOp::create(b, sizes, m.bf16);
    return linalg::BroadcastOp::create(b, x, init, ArrayRef<int64_t>{2})
        ->getResult(0);
  }

  /// Final merge, norm and logits `[B, vocab]` of each row's last position
  /// (section 4 / 9).
  Value head(Value streams, const io::HyperConnectionSchema &hc,
             const std::string &normName) {
    int64_t n = hc.mixDim;
    Value fn = param(hc.prefix + "_fn", {n, c.hcDim()}, m.f32);
    Value base = param(hc.prefix + "_base", {n}, m.f32);
    Value scale = param(hc.prefix + "_scale", {hc.scaleLen}, m.f32);
    Value y = v4::HcHeadOp::create(b, streams, fn, base, scale,
                                   APFloat(c.hcEps), APFloat(c.normEps));
    y = rmsNorm(y, normName);
    Value last = arith::SubIOp::create(b, seqValue(), index(1));
    Value row = tensor::ExtractSliceOp::create(
        b, m.tensor({batchStatic, c.dim}, m.bf16), y,
        {b.getIndexAttr(0), last, b.getIndexAttr(0)},
        {batch(), b.getIndexAttr(1), b.getIndexAttr(c.dim)},
        indexAttrs({1, 1, 1}));
    return linear(row, m.schema.head(), m.f32);
  }

  Value seqValue() {
    return seqStatic == kDynamic ? rows.seqLen : index(seqStatic);
  }

  //--- Attention (section 7) -------------------------------------------------//

  /// Main or indexer compressor: projections, v4.compress, then the
  /// post-processing of section 7.4. Returns the finished entries and the
  /// new state.
  std::pair<Value, Value> compressor(Value x, const io::CompressorSchema &cs,
                                     Value state, bool rotate) {
    const int64_t ratio = cs.ratio, coff = cs.coff, dim = cs.dim;
    Value kv = linear(x, cs.wkv, m.f32);
    Value score = linear(x, cs.wgate, m.f32);
    Value ape = param(cs.apeName(), {ratio, coff * dim}, m.f32);
    auto op = v4::CompressOp::create(b, kv, score, ape, state, rows.positions,
                                     rows.slots, ratio, cs.overlap());
    Value entries = arith::TruncFOp::create(
        b, m.tensor(op.getEntries().getType().getShape(), m.bf16),
        op.getEntries());
    entries = rmsNorm(entries, cs.normName());
    Value pos = tokenPositions(sizesOf(entries)[1], ratio);
    entries = v4::RopeOp::create(b, entries, pos, m.rope(ratio));
    if (rotate) {
      entries = v4::HadamardOp::create(b, entries);
      entries = v4::SimulateQuantOp::create(b, entries, m.f4, kFp4Block,
                                            v4::ScaleRule::ceil);
    } else {
      entries = simulateNope(entries);
    }
    return {entries, op.getNewState()};
  }

  /// One attention sub-layer on `x [B, S, dim]`; updates `caches` in place.
  Value attention(Value x, SmallVectorImpl<Value> &caches) {
    const io::AttentionSchema &as = blockSchema().attention;
    const int64_t r = as.ratio;
    const io::AttentionKind kind = as.kind;
    int64_t h = c.nHeads, d = c.headDim, w = blockSchema().cache.windowRows;
    Value pos = tokenPositions(seq(), 1);
    Value starts = rows.positions, slots = rows.slots;

    // Query path (7.1).
    Value qr = linear(x, as.wqA);
    qr = rmsNorm(qr, as.qNormName);
    Value q = linear(qr, as.wqB);
    q = expand(q, {batchStatic, seqStatic, h, d}, {{0}, {1}, {2, 3}},
               {batch(), seq(), b.getIndexAttr(h), b.getIndexAttr(d)});
    q = rmsNorm(q, "", /*roundEachStep=*/true); // bf16 tensors (7.1)
    q = v4::RopeOp::create(b, q, pos, m.rope(r));

    // KV path (7.2): one shared KV head, K = V.
    Value kv = linear(x, as.wkv);
    kv = rmsNorm(kv, as.kvNormName);
    kv = v4::RopeOp::create(b, kv, pos, m.rope(r));
    kv = simulateNope(kv);

    // Raw window (7.3). A prefill chunk attends the ring as it was before
    // the chunk followed by the chunk's own rows, so it may start anywhere
    // (chunked prefill); decode attends the ring after its one row went in.
    Value windowIndices, windowRows;
    auto indicesType = m.tensor({batchStatic, seqStatic, w}, m.i32);
    if (phase == Phase::Prefill) {
      Value ring = v4::CacheReadOp::create(b, caches[0], slots);
      windowRows = tensor::ConcatOp::create(b, 1, ValueRange{ring, kv});
      windowIndices = v4::WindowIndicesOp::create(b, indicesType, starts, seqValue(), w,
                                                  v4::WindowLayout::ring_chunk);
      caches[0] = v4::WindowAppendOp::create(b, caches[0], kv, starts, slots);
    } else {
      caches[0] = v4::WindowAppendOp::create(b, caches[0], kv, starts, slots);
      windowIndices = v4::WindowIndicesOp::create(
          b, indicesType, starts, Value(), w, v4::WindowLayout::ring);
      windowRows = v4::CacheReadOp::create(b, caches[0], slots);
    }

    Value sink = param(as.sinkName, {h}, m.f32);
    double softmaxScale = 1.0 / std::sqrt(static_cast<double>(d));
    Value o;
    if (kind == io::AttentionKind::kSliding) {
      o = v4::SparseAttentionOp::create(b, q, windowRows, windowIndices,
                                        /*entries=*/Value(), /*entry_indices=*/Value(),
                                        /*slots=*/Value(), sink,
                                        APFloat(softmaxScale));
    } else {
      // Main compressor (7.4) appends finished entries before attention,
      // which then reads them from the cache itself.
      auto [entries, state] = compressor(x, *as.compressor, caches[2],
                                         /*rotate=*/false);
      caches[2] = state;
      caches[1] = v4::CompressedAppendOp::create(b, caches[1], entries, starts,
                                                 slots, seqValue());
      if (kind == io::AttentionKind::kHeavyCompressed) {
        // HCA (7.6): every visible compressed entry, no indexer.
        o = v4::HcaAttentionOp::create(b, q, windowRows, windowIndices, caches[1],
                                       sink, starts, slots, APFloat(softmaxScale));
      } else {
        o = sparseCompressedAttention(x, qr, q, pos, windowRows, windowIndices, sink,
                                      caches, softmaxScale, *as.indexer);
      }
    }

    // Inverse RoPE and grouped low-rank output projection (7.8).
    o = v4::RopeOp::create(b, o, pos, m.rope(r), /*inverse=*/true);
    int64_t g = c.oGroups, rank = c.oLoraRank;
    Value z = v4::GroupedLinearOp::create(
        b, m.tensor({batchStatic, seqStatic, g, rank}, m.bf16), o,
        outputWeight(as.woA), g);
    z = collapse(z, {{0}, {1}, {2, 3}});
    return linear(z, as.woB);
  }

  /// CSA: lightning indexer (7.5), top-k, then one sparse attention over
  /// the window rows and the selected compressed entries (7.7).
  Value sparseCompressedAttention(Value x, Value qr, Value q, Value pos,
                                  Value windowRows, Value windowIndices, Value sink,
                                  SmallVectorImpl<Value> &caches,
                                  double softmaxScale, const io::IndexerSchema &ix) {
    int64_t ih = ix.heads, id = ix.headDim;
    Value qi = linear(qr, ix.wqB);
    qi = expand(qi, {batchStatic, seqStatic, ih, id}, {{0}, {1}, {2, 3}},
                {batch(), seq(), b.getIndexAttr(ih), b.getIndexAttr(id)});
    qi = v4::RopeOp::create(b, qi, pos, m.rope(ix.compressor.ratio));
    qi = v4::HadamardOp::create(b, qi);
    qi = v4::SimulateQuantOp::create(b, qi, m.f4, kFp4Block,
                                     v4::ScaleRule::ceil);

    auto [keys, state] = compressor(x, ix.compressor, caches[4],
                                    /*rotate=*/true);
    caches[4] = state;
    caches[3] = v4::CompressedAppendOp::create(b, caches[3], keys, rows.positions,
                                               rows.slots, seqValue());
    auto keyType = cast<v4::IndexerCacheType>(caches[3].getType());

    Value weights = linear(x, ix.weightsProj, m.bf16);
    weights = scaleBf16(weights, 1.0 / std::sqrt(static_cast<double>(id)) /
                                     std::sqrt(static_cast<double>(ih)));
    int64_t capacity = keyType.getCapacity();
    Value scores = v4::IndexerScoreOp::create(
        b, m.tensor({batchStatic, seqStatic, capacity}, m.bf16), qi, caches[3],
        weights, rows.slots);
    int64_t k = ix.topk;
    Value selected =
        v4::TopkOp::create(b, scores, rows.positions, k, ix.compressor.ratio);
    return v4::SparseAttentionOp::create(b, q, windowRows, windowIndices, caches[1],
                                         selected, rows.slots, sink,
                                         APFloat(softmaxScale));
  }

  /// wo_a as `[groups, o_lora_rank, (H / groups) * head_dim]` bf16: the
  /// reference dequantizes it once at load (7.8); here the 128x128 block
  /// scales are expanded to per-row blocks and applied by v4.dequantize.
  Value outputWeight(const io::LinearSchema &woA) {
    int64_t rows = woA.out, cols = woA.in;
    Value weight;
    if (woA.format == io::LinearFormat::kFp8) {
      Value codes = param(woA.weightName(), {rows, cols}, m.f8);
      int64_t sr = ceilDiv(rows, kFp8Block), sc = ceilDiv(cols, kFp8Block);
      Value scales = param(woA.scaleName(), {sr, sc}, m.e8m0);
      Value init = tensor::EmptyOp::create(b, ArrayRef<int64_t>{sr, kFp8Block, sc},
                                           m.e8m0);
      Value perRow =
          linalg::BroadcastOp::create(b, scales, init, ArrayRef<int64_t>{1})
              ->getResult(0);
      perRow = collapse(perRow, {{0, 1}, {2}});
      if (sr * kFp8Block != rows)
        perRow = tensor::ExtractSliceOp::create(
            b, perRow, indexAttrs({0, 0}), indexAttrs({rows, sc}),
            indexAttrs({1, 1}));
      weight = v4::DequantizeOp::create(b, m.tensor({rows, cols}, m.bf16),
                                        codes, perRow, kFp8Block);
    } else {
      weight = param(woA.weightName(), {rows, cols}, m.bf16);
    }
    return expand(weight, {c.oGroups, c.oLoraRank, cols}, {{0, 1}, {2}},
                  indexAttrs({c.oGroups, c.oLoraRank, cols}));
  }

  //--- MoE (section 8) -------------------------------------------------------//

  Value moe(Value x, Value tokens) {
    const io::MoeSchema &ms = blockSchema().moe;
    int64_t e = ms.experts, k = ms.activated;
    Value xs = collapse(x, {{0, 1}, {2}}); // [T, dim]
    Value logits = linear(xs, ms.gate, m.f32);
    Value weights, experts;
    if (ms.hashRouted) {
      // The i64 table is read in place: converting it to i32 would be a
      // dispatch over the whole [vocab, k] table on every call.
      Value table = param(ms.tid2eidName, {c.vocabSize, k}, m.i64);
      auto route = v4::MoeHashRouteOp::create(
          b, logits, tokens, table, APFloat(c.routeScale), /*normalize=*/true);
      weights = route.getWeights();
      experts = route.getExperts();
    } else {
      Value bias = param(ms.biasName, {e}, m.f32);
      auto route = v4::MoeRouteOp::create(b, logits, bias, k,
                                          APFloat(c.routeScale),
                                          /*normalize=*/true);
      weights = route.getWeights();
      experts = route.getExperts();
    }
    auto dispatch = v4::MoeDispatchOp::create(b, xs, experts, weights, e);
    Value rows = dispatch.getRows();
    Value offsets = dispatch.getExpertOffsets();
    APFloat limit(c.swigluLimit > 0 ? c.swigluLimit
                                    : std::numeric_limits<double>::infinity());

    Value gate = expertLinear(rows, offsets, io::ExpertMatrix::kW1);
    Value up = expertLinear(rows, offsets, io::ExpertMatrix::kW3);
    Value hidden = v4::SwigluOp::create(b, typeOf(gate), gate, up,
                                        dispatch.getRowWeights(), limit);
    Value routed = expertLinear(hidden, offsets, io::ExpertMatrix::kW2);

    // The one shared expert (w1, w2, w3).
    Value sg = linear(xs, ms.shared[0]);
    Value su = linear(xs, ms.shared[2]);
    Value sh = v4::SwigluOp::create(b, typeOf(sg), sg, su, Value(), limit);
    Value shared = linear(sh, ms.shared[1]);
    Value y = v4::MoeCombineOp::create(b, typeOf(xs), routed,
                                       dispatch.getPermutation(), shared);
    return expand(y, {batchStatic, seqStatic, c.dim}, {{0, 1}, {2}},
                  {batch(), seq(), b.getIndexAttr(c.dim)});
  }

  //--- Block (section 4) -----------------------------------------------------//

  /// HCPre / norm / sub-layer / HCPost twice. Returns the new streams.
  Value blockBody(Value streams, Value tokens, SmallVectorImpl<Value> &caches) {
    const io::BlockSchema &s = blockSchema();
    Value h = hyperConnected(streams, s.hcAttn, [&](Value a) {
      Value x = rmsNorm(a, s.attnNormName);
      return attention(x, caches);
    });
    return hyperConnected(h, s.hcFfn, [&](Value f) {
      Value x = rmsNorm(f, s.ffnNormName);
      return moe(x, tokens);
    });
  }

  template <typename SubLayer>
  Value hyperConnected(Value streams, const io::HyperConnectionSchema &hc,
                       SubLayer &&subLayer) {
    int64_t mix = hc.mixDim;
    Value fn = param(hc.prefix + "_fn", {mix, c.hcDim()}, m.f32);
    Value base = param(hc.prefix + "_base", {mix}, m.f32);
    Value scale = param(hc.prefix + "_scale", {hc.scaleLen}, m.f32);
    auto pre = v4::HcPreOp::create(b, streams, fn, base, scale,
                                   c.hcSinkhornIters, APFloat(c.hcEps),
                                   APFloat(c.normEps));
    Value out = subLayer(pre.getOutput());
    return v4::HcPostOp::create(b, out, streams, pre.getPost(), pre.getComb());
  }

private:
  const ModelBuilder &m;
  const io::ModelConfig &c;
  ImplicitLocOpBuilder &b;
  int64_t block;
  Phase phase;
  RowShape rows;
  int64_t seqStatic;   // kDynamic (prefill) or 1 (decode)
  int64_t batchStatic; // 1 (prefill) or kDynamic (decode)
};

//===----------------------------------------------------------------------===//
// ModelBuilder implementation
//===----------------------------------------------------------------------===//

LogicalResult ModelBuilder::buildTypes() {
  auto emitError = [&] { return mlir::emitError(fileLoc); };
  auto ropeAttr = [&](double base, double factor) {
    int64_t original = c.originalSeqLen > 0 ? c.originalSeqLen : maxSeqLen;
    return v4::RopeAttr::getChecked(emitError, ctx, APFloat(base),
                                    c.ropeHeadDim, APFloat(factor), original,
                                    APFloat(c.betaFast), APFloat(c.betaSlow));
  };
  // Sliding-window layers: rope_theta, no YaRN; compressed layers:
  // compress_rope_theta with YaRN when original_seq_len is set (section 6).
  ropeSliding = ropeAttr(c.ropeTheta, 1.0);
  ropeCompressed = ropeAttr(c.compressRopeTheta,
                            c.originalSeqLen > 0 ? c.ropeFactor : 1.0);
  if (!ropeSliding || !ropeCompressed)
    return failure();

  // Each block's caches as the schema lays them out (section 11), their rows
  // in the chosen encoding. A type needs a capacity of at least one entry
  // even when max_seq_len is below the ratio.
  const bool fp8 = options.cacheFormat != io::CacheFormat::kReferenceBf16;
  Type kvEncoding = fp8 ? f8 : bf16;
  const int64_t kvRope = fp8 ? c.ropeHeadDim : 0;
  Type keyEncoding = options.cacheFormat == io::CacheFormat::kFp8IndexerFp8   ? f8
                     : options.cacheFormat == io::CacheFormat::kFp8IndexerFp4 ? f4
                                                                              : bf16;
  for (const io::BlockSchema &block : schema.blocks()) {
    SmallVector<CacheValue> values;
    const io::BlockCacheSchema &cache = block.cache;
    auto add = [&](const char *role, Type type) {
      values.push_back({role, type});
      return static_cast<bool>(type);
    };
    auto state = [&](const io::CompressorSchema &cs) {
      return v4::CompressorStateType::getChecked(emitError, ctx, maxBatch, cs.ratio,
                                                 cs.coff, cs.dim);
    };
    const int64_t capacity = std::max<int64_t>(1, cache.entryCapacity);
    bool ok = add("window", v4::WindowCacheType::getChecked(
                                emitError, ctx, maxBatch, cache.windowRows,
                                cache.rowDim, kvEncoding, kvRope));
    if (const auto &compressor = block.attention.compressor) {
      ok &= add("compressed", v4::CompressedCacheType::getChecked(
                                  emitError, ctx, maxBatch, cache.ratio, capacity,
                                  cache.rowDim, kvEncoding, kvRope));
      ok &= add("compressor_state", state(*compressor));
    }
    if (const auto &indexer = block.attention.indexer) {
      ok &= add("indexer_keys",
                v4::IndexerCacheType::getChecked(emitError, ctx, maxBatch, capacity,
                                                 cache.indexerKeyDim, keyEncoding));
      ok &= add("indexer_state", state(indexer->compressor));
    }
    if (!ok)
      return failure();
    blockCaches.push_back(std::move(values));
  }
  return success();
}

void ModelBuilder::cacheSignature(ArrayRef<int64_t> blocks,
                                  SmallVectorImpl<Type> &types,
                                  SmallVectorImpl<Attribute> &names) const {
  for (int64_t block : blocks)
    for (const CacheValue &slot : blockCaches[block]) {
      types.push_back(slot.type);
      names.push_back(StringAttr::get(ctx, schema.block(block).prefix + slot.role));
    }
}

/// Attaches `v4.cache` names to the trailing cache arguments and results.
static void nameCaches(func::FuncOp fn, unsigned firstArg, unsigned firstResult,
                       ArrayRef<Attribute> names) {
  for (auto [i, name] : llvm::enumerate(names)) {
    fn.setArgAttr(firstArg + i, "v4.cache", name);
    fn.setResultAttr(firstResult + i, "v4.cache", name);
  }
}


/// The per-row inputs of a phase's functions after the tokens: prefill and
/// MTP take one sequence's `start_pos` and cache `slot` (index), decode takes
/// `positions` and `slots` of each batch row (`tensor<?xi32>`).
static SmallVector<Type> rowInputTypes(MLIRContext *ctx, Phase phase) {
  if (phase == Phase::Prefill)
    return {IndexType::get(ctx), IndexType::get(ctx)};
  auto perRow = RankedTensorType::get({kDynamic}, IntegerType::get(ctx, 32));
  return {perRow, perRow};
}

/// The `[B]` positions and slots of an entry point's rows from its inputs;
/// asserts what the graph relies on: a prefill slot within the caches and
/// at most `maxChunk` tokens, and in decode one position and one slot per
/// token, no more rows than slots. (Distinct slots are the caller's
/// contract; lowerings bounds-check them.)
static std::pair<Value, Value> rowOperands(ImplicitLocOpBuilder &b, Phase phase,
                                           int64_t maxBatch, int64_t maxChunk,
                                           Value tokens, Value positions, Value slots) {
  Value slotCount = arith::ConstantIndexOp::create(b, maxBatch);
  if (phase == Phase::Prefill) {
    Value inRange = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, slots,
                                          slotCount);
    cf::AssertOp::create(b, inRange, "slot must be below the caches' batch (max_batch)");
    Value chunk = arith::CmpIOp::create(b, arith::CmpIPredicate::ule,
                                        tensor::DimOp::create(b, tokens, 0),
                                        arith::ConstantIndexOp::create(b, maxChunk));
    cf::AssertOp::create(b, chunk, "more tokens than one prefill chunk (max_chunk)");
    auto asTensor = [&](Value index) -> Value {
      Value asI32 = arith::IndexCastOp::create(b, b.getI32Type(), index);
      return tensor::FromElementsOp::create(b, ValueRange{asI32});
    };
    return {asTensor(positions), asTensor(slots)};
  }
  Value count = tensor::DimOp::create(b, tokens, 0);
  auto sameCount = [&](Value perRow, StringRef message) {
    Value n = tensor::DimOp::create(b, perRow, 0);
    Value equal = arith::CmpIOp::create(b, arith::CmpIPredicate::eq, n, count);
    cf::AssertOp::create(b, equal, message);
  };
  sameCount(positions, "one position per token (batch row) expected");
  sameCount(slots, "one cache slot per token (batch row) expected");
  Value fits =
      arith::CmpIOp::create(b, arith::CmpIPredicate::ule, count, slotCount);
  cf::AssertOp::create(b, fits, "more sequences than cache slots (max_batch)");
  return {positions, slots};
}

/// Names the row inputs that follow the tokens at argument `first`.
static void nameRowInputs(func::FuncOp fn, unsigned first, Phase phase) {
  Builder b(fn.getContext());
  bool prefill = phase == Phase::Prefill;
  fn.setArgAttr(first, "v4.input",
                b.getStringAttr(prefill ? "start_pos" : "positions"));
  fn.setArgAttr(first + 1, "v4.input", b.getStringAttr(prefill ? "slot" : "slots"));
}

func::FuncOp ModelBuilder::buildBlockFunction(OpBuilder &moduleBuilder,
                                              int64_t block, Phase phase) {
  // (streams [B, S, hc, dim], tokens [B*S], positions [B], slots [B], caches)
  int64_t seqStatic = phase == Phase::Prefill ? kDynamic : 1;
  int64_t batchStatic = phase == Phase::Prefill ? 1 : kDynamic;
  auto streamsType = tensor({batchStatic, seqStatic, c.hcMult, c.dim}, bf16);
  SmallVector<Type> cacheTypes;
  SmallVector<Attribute> cacheNames;
  cacheSignature({block}, cacheTypes, cacheNames);

  auto perRow = tensor({batchStatic}, i32);
  SmallVector<Type> inputs = {streamsType, tensor({kDynamic}, i32), perRow,
                              perRow};
  inputs.append(cacheTypes);
  SmallVector<Type> results = {streamsType};
  results.append(cacheTypes);

  std::string name = std::string(phaseName(phase)) + "." + blockName(block);
  Location loc = NameLoc::get(StringAttr::get(ctx, blockName(block)), fileLoc);
  auto fn = func::FuncOp::create(moduleBuilder, loc, name,
                                 FunctionType::get(ctx, inputs, results));
  fn.setPrivate();
  const io::BlockSchema &s = schema.block(block);
  fn->setAttr("v4.block", moduleBuilder.getI64IntegerAttr(block));
  fn->setAttr("v4.attention",
              moduleBuilder.getStringAttr(attentionName(s.attention.kind)));
  fn->setAttr("v4.ratio", moduleBuilder.getI64IntegerAttr(s.attention.ratio));
  fn->setAttr("v4.moe", moduleBuilder.getStringAttr(s.moe.hashRouted ? "hash" : "score"));
  if (s.mtp)
    fn->setAttr("v4.mtp", moduleBuilder.getUnitAttr());
  nameCaches(fn, 4, 1, cacheNames);

  Block *entry = fn.addEntryBlock();
  ImplicitLocOpBuilder b(loc, entry, entry->begin());
  Value tokens = entry->getArgument(1);
  RowShape rows = RowShape::of(phase, b, loc, tokens, entry->getArgument(2),
                               entry->getArgument(3));
  SmallVector<Value> caches(entry->getArguments().drop_front(4));
  Emitter emitter(*this, b, block, phase, rows);
  Value streams = emitter.blockBody(entry->getArgument(0), tokens, caches);
  SmallVector<Value> returned = {streams};
  returned.append(caches);
  func::ReturnOp::create(b, returned);
  return fn;
}

func::FuncOp ModelBuilder::buildModelFunction(OpBuilder &moduleBuilder,
                                              Phase phase,
                                              ArrayRef<func::FuncOp> layers) {
  int64_t seqStatic = phase == Phase::Prefill ? kDynamic : 1;
  int64_t batchStatic = phase == Phase::Prefill ? 1 : kDynamic;
  SmallVector<int64_t> blocks;
  for (int64_t block = 0; block < c.nLayers; ++block)
    blocks.push_back(block);
  SmallVector<Type> cacheTypes;
  SmallVector<Attribute> cacheNames;
  cacheSignature(blocks, cacheTypes, cacheNames);

  auto streamsType = tensor({batchStatic, seqStatic, c.hcMult, c.dim}, bf16);
  SmallVector<Type> inputs = {tensor({kDynamic}, i32)};
  inputs.append(rowInputTypes(ctx, phase));
  inputs.append(cacheTypes);
  SmallVector<Type> results = {tensor({batchStatic, c.vocabSize}, f32),
                               streamsType};
  results.append(cacheTypes);

  auto fn = func::FuncOp::create(moduleBuilder, fileLoc, phaseName(phase),
                                 FunctionType::get(ctx, inputs, results));
  fn->setAttr("v4.phase", moduleBuilder.getStringAttr(phaseName(phase)));
  fn->setAttr("v4.max_tokens", moduleBuilder.getI64IntegerAttr(maxTokens(phase)));
  fn.setArgAttr(0, "v4.input", moduleBuilder.getStringAttr("tokens"));
  nameRowInputs(fn, 1, phase);
  fn.setResultAttr(0, "v4.output", moduleBuilder.getStringAttr("logits"));
  fn.setResultAttr(1, "v4.output", moduleBuilder.getStringAttr("hidden"));
  nameCaches(fn, 3, 2, cacheNames);

  Block *entry = fn.addEntryBlock();
  ImplicitLocOpBuilder b(fileLoc, entry, entry->begin());
  Value tokens = entry->getArgument(0);
  auto [positions, slots] = rowOperands(b, phase, maxBatch, maxChunk, tokens,
                                        entry->getArgument(1),
                                        entry->getArgument(2));
  Emitter emitter(*this, b, /*block=*/-1, phase,
                  RowShape::of(phase, b, fileLoc, tokens, positions, slots));
  Value streams = emitter.broadcastStreams(emitter.embed(tokens));

  SmallVector<Value> caches;
  unsigned next = 3;
  for (auto [block, layer] : llvm::enumerate(layers)) {
    SmallVector<Value> operands = {streams, tokens, positions, slots};
    size_t count = blockCaches[block].size();
    for (size_t i = 0; i < count; ++i)
      operands.push_back(entry->getArgument(next + i));
    next += count;
    auto call = func::CallOp::create(b, layer, operands);
    streams = call.getResult(0);
    caches.append(call.getResults().begin() + 1, call.getResults().end());
  }
  Value logits = emitter.head(streams, schema.hcHead(), schema.normName());
  SmallVector<Value> returned = {logits, streams};
  returned.append(caches);
  func::ReturnOp::create(b, returned);
  return fn;
}

func::FuncOp ModelBuilder::buildMtpFunction(OpBuilder &moduleBuilder,
                                            int64_t block, Phase phase,
                                            func::FuncOp blockFunction) {
  int64_t seqStatic = phase == Phase::Prefill ? kDynamic : 1;
  int64_t batchStatic = phase == Phase::Prefill ? 1 : kDynamic;
  SmallVector<Type> cacheTypes;
  SmallVector<Attribute> cacheNames;
  cacheSignature({block}, cacheTypes, cacheNames);
  auto streamsType = tensor({batchStatic, seqStatic, c.hcMult, c.dim}, bf16);
  SmallVector<Type> inputs = {streamsType, tensor({kDynamic}, i32)};
  inputs.append(rowInputTypes(ctx, phase));
  inputs.append(cacheTypes);
  SmallVector<Type> results = {tensor({batchStatic, c.vocabSize}, f32)};
  results.append(cacheTypes);

  int64_t mtpIndex = block - c.nLayers;
  std::string name =
      "mtp" + (mtpIndex ? std::to_string(mtpIndex) : std::string()) +
      (phase == Phase::Decode ? "_decode" : "");
  auto fn = func::FuncOp::create(moduleBuilder, fileLoc, name,
                                 FunctionType::get(ctx, inputs, results));
  fn->setAttr("v4.phase", moduleBuilder.getStringAttr(phaseName(phase)));
  fn->setAttr("v4.block", moduleBuilder.getI64IntegerAttr(block));
  fn->setAttr("v4.max_tokens", moduleBuilder.getI64IntegerAttr(maxTokens(phase)));
  fn.setArgAttr(0, "v4.input", moduleBuilder.getStringAttr("hidden"));
  fn.setArgAttr(1, "v4.input", moduleBuilder.getStringAttr("next_tokens"));
  nameRowInputs(fn, 2, phase);
  fn.setResultAttr(0, "v4.output", moduleBuilder.getStringAttr("logits"));
  nameCaches(fn, 4, 1, cacheNames);

  Location loc = NameLoc::get(StringAttr::get(ctx, blockName(block)), fileLoc);
  Block *entry = fn.addEntryBlock();
  ImplicitLocOpBuilder b(loc, entry, entry->begin());
  Value hidden = entry->getArgument(0), tokens = entry->getArgument(1);
  auto [positions, slots] = rowOperands(b, phase, maxBatch, maxChunk, tokens,
                                        entry->getArgument(2),
                                        entry->getArgument(3));
  Emitter emitter(*this, b, block, phase,
                  RowShape::of(phase, b, loc, tokens, positions, slots));
  const io::BlockSchema &s = schema.block(block);
  // Section 9: e = enorm(embed(t')), g = hnorm(h), x = e_proj(e) + h_proj(g).
  Value e = emitter.rmsNorm(emitter.embed(tokens), s.enormName);
  Value g = emitter.rmsNorm(hidden, s.hnormName);
  Value ep = emitter.linear(e, *s.eProj);
  Value hp = emitter.linear(g, *s.hProj);
  Value x = arith::AddFOp::create(b, emitter.broadcastStreams(ep), hp);

  SmallVector<Value> operands = {x, tokens, positions, slots};
  operands.append(entry->getArguments().begin() + 4, entry->getArguments().end());
  auto call = func::CallOp::create(b, blockFunction, operands);
  Value logits = emitter.head(call.getResult(0), *s.hcHead, s.normName);
  SmallVector<Value> returned = {logits};
  returned.append(call.getResults().begin() + 1, call.getResults().end());
  func::ReturnOp::create(b, returned);
  return fn;
}

OwningOpRef<ModuleOp> ModelBuilder::build() {
  if (failed(buildTypes()))
    return nullptr;
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  OpBuilder mb = OpBuilder::atBlockEnd(module->getBody());
  auto i64Attr = [&](int64_t v) { return mb.getI64IntegerAttr(v); };
  module->getOperation()->setAttr(
      "v4.model",
      mb.getDictionaryAttr({
          mb.getNamedAttr("source", mb.getStringAttr(c.source)),
          mb.getNamedAttr("n_layers", i64Attr(c.nLayers)),
          mb.getNamedAttr("n_mtp_layers", i64Attr(c.nMtpLayers)),
          mb.getNamedAttr("vocab_size", i64Attr(c.vocabSize)),
          mb.getNamedAttr("dim", i64Attr(c.dim)),
          mb.getNamedAttr("window_size", i64Attr(c.windowSize)),
          mb.getNamedAttr("max_seq_len", i64Attr(maxSeqLen)),
          mb.getNamedAttr("max_batch", i64Attr(maxBatch)),
          mb.getNamedAttr("max_chunk", i64Attr(maxChunk)),
          mb.getNamedAttr("bos_token_id", i64Attr(c.bosTokenId)),
          mb.getNamedAttr("eos_token_id", i64Attr(c.eosTokenId)),
      }));

  SmallVector<func::FuncOp> entryPoints;
  for (Phase phase : {Phase::Prefill, Phase::Decode}) {
    SmallVector<func::FuncOp> layers;
    for (int64_t block = 0; block < c.nLayers; ++block)
      layers.push_back(buildBlockFunction(mb, block, phase));
    entryPoints.push_back(buildModelFunction(mb, phase, layers));
  }
  if (options.includeMtp) {
    for (int64_t block = c.nLayers; block < c.numBlocks(); ++block)
      for (Phase phase : {Phase::Prefill, Phase::Decode}) {
        func::FuncOp blockFn = buildBlockFunction(mb, block, phase);
        entryPoints.push_back(buildMtpFunction(mb, block, phase, blockFn));
      }
  }
  // Public entry points first, then the per-layer functions they call.
  for (func::FuncOp fn : llvm::reverse(entryPoints))
    fn->moveBefore(&module->getBody()->front());

  if (failed(verify(*module)))
    return nullptr;
  if (options.checkParameters &&
      failed(checkParametersAgainstConfig(*module, c, options.includeMtp)))
    return nullptr;
  return module;
}

} // namespace

//===----------------------------------------------------------------------===//
// Public API
//===----------------------------------------------------------------------===//

void loadImportDialects(MLIRContext *context) {
  context->loadDialect<v4::V4Dialect, arith::ArithDialect,
                       cf::ControlFlowDialect, func::FuncDialect,
                       linalg::LinalgDialect, tensor::TensorDialect>();
}

FailureOr<io::ModelConfig> parseModelConfig(MLIRContext *context,
                                            llvm::StringRef text,
                                            llvm::StringRef path,
                                            const ImportOptions &options) {
  io::ConfigParseOptions parseOptions;
  parseOptions.allowTestRatios = options.allowTestRatios;
  // What the importer cannot build is reported like any config problem, at
  // the field as the file spells it.
  parseOptions.requirements = unsupportedFeatures;
  io::ParsedModelConfig parsed =
      io::parseModelConfigWithReport(text.str(), path.str(), parseOptions);
  if (!parsed.report.ok()) {
    detail::emitConfigProblems(context, path, parsed.report);
    return failure();
  }
  return std::move(parsed.config);
}

OwningOpRef<ModuleOp> importModel(MLIRContext *context,
                                  const io::ModelConfig &config,
                                  const ImportOptions &options,
                                  Location location) {
  loadImportDialects(context);
  auto schema = io::ModelSchema::build(config, options.maxSeqLen);
  if (!schema) {
    emitError(location) << schema.status().message();
    return nullptr;
  }
  auto problems = unsupportedFeatures(config);
  for (const auto &problem : problems)
    emitError(location) << problem.second;
  if (!problems.empty())
    return nullptr;
  return ModelBuilder(context, *schema, options, location).build();
}

} // namespace sieve
