//===- OpKernels.cpp - One v4 op as one kernel -----------------------------===//

#include "sieve/Conversion/V4ToKernels/OpKernels.h"

#include "OpKernelEmitters.h"

#include "v4/IR/V4Types.h"

#include "mlir/Transforms/RegionUtils.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;

namespace sieve {

// Named in the diagnostic for an op without a kernel; keep in step with the
// cases below.
constexpr llvm::StringLiteral kOpsWithKernels[] = {
    "v4.cache_init",       "v4.cache_read",      "v4.compress",         "v4.compressed_append",
    "v4.dequantize",       "v4.fp8_matmul",      "v4.grouped_linear",   "v4.hadamard",
    "v4.hca_attention",    "v4.hc_head",         "v4.hc_post",          "v4.hc_pre",
    "v4.indexer_score",    "v4.moe_combine",     "v4.moe_dispatch",     "v4.moe_hash_route",
    "v4.moe_route",        "v4.mxfp4_matmul",    "v4.quantize",         "v4.rms_norm",
    "v4.rope",             "v4.simulate_quant",  "v4.sparse_attention", "v4.swiglu",
    "v4.topk",             "v4.window_append",   "v4.window_indices"};

SmallVector<Value> kernelBindings(Operation *op) {
  SmallVector<Value> bindings;
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
    for (OpOperand *input : linalgOp.getDpsInputOperands())
      if (isa<RankedTensorType>(input->get().getType()))
        bindings.push_back(input->get());
    return bindings;
  }
  if (auto insert = dyn_cast<tensor::InsertSliceOp>(op)) {
    bindings.push_back(insert.getSource());
    if (!insert.getDest().getDefiningOp<tensor::EmptyOp>())
      bindings.push_back(insert.getDest());
    return bindings;
  }
  if (auto generate = dyn_cast<tensor::GenerateOp>(op)) {
    SetVector<Value> captured;
    getUsedValuesDefinedAbove(generate.getBody(), captured);
    for (Value value : captured)
      if (isa<RankedTensorType>(value.getType()))
        bindings.push_back(value);
    return bindings;
  }
  for (Value operand : op->getOperands())
    if (isa<RankedTensorType, v4::CacheTypeInterface>(operand.getType()))
      bindings.push_back(operand);
  return bindings;
}

/// The integer attribute `name` of the module holding `op`, or 0.
static int64_t moduleTile(Operation *op, StringRef name) {
  auto module = isa<ModuleOp>(op) ? cast<ModuleOp>(op) : op->getParentOfType<ModuleOp>();
  auto tile = module ? module->getAttrOfType<IntegerAttr>(name) : IntegerAttr();
  return tile ? tile.getInt() : 0;
}

int64_t moduleGemmColumnTile(Operation *op) { return moduleTile(op, kGemmColumnTileAttr); }

int64_t moduleGemmRowTile(Operation *op) { return moduleTile(op, kGemmRowTileAttr); }

bool moduleGemmScaledTiles(Operation *op) {
  auto module = isa<ModuleOp>(op) ? cast<ModuleOp>(op) : op->getParentOfType<ModuleOp>();
  return module && module->hasAttr(kGemmScaledTilesAttr);
}

FailureOr<func::FuncOp> emitOpKernel(Operation *op, llvm::StringRef name, OpBuilder &builder) {
  return llvm::TypeSwitch<Operation *, FailureOr<func::FuncOp>>(op)
      .Case<v4::RmsNormOp>(
          [&](auto norm) { return detail::emitRmsNormKernel(norm, name, builder); })
      .Case<v4::DequantizeOp>([&](auto dequantize) {
        return detail::emitDequantizeKernel(dequantize, name, builder);
      })
      .Case<v4::Fp8MatmulOp>(
          [&](auto matmul) { return detail::emitFp8MatmulKernel(matmul, name, builder); })
      .Case<v4::GroupedLinearOp>(
          [&](auto linear) { return detail::emitGroupedLinearKernel(linear, name, builder); })
      .Case<v4::Mxfp4MatmulOp>(
          [&](auto matmul) { return detail::emitMxfp4MatmulKernel(matmul, name, builder); })
      .Case<v4::QuantizeOp>(
          [&](auto quantize) { return detail::emitQuantizeKernel(quantize, name, builder); })
      .Case<v4::HcHeadOp>(
          [&](auto head) { return detail::emitHcHeadKernel(head, name, builder); })
      .Case<v4::HcPreOp>([&](auto pre) { return detail::emitHcPreKernel(pre, name, builder); })
      .Case<v4::MoeRouteOp>(
          [&](auto route) { return detail::emitMoeRouteKernel(route, name, builder); })
      .Case<v4::MoeHashRouteOp>(
          [&](auto route) { return detail::emitMoeHashRouteKernel(route, name, builder); })
      .Case<v4::MoeDispatchOp>(
          [&](auto dispatch) { return detail::emitMoeDispatchKernel(dispatch, name, builder); })
      .Case<v4::MoeCombineOp>(
          [&](auto combine) { return detail::emitMoeCombineKernel(combine, name, builder); })
      .Case<v4::HcPostOp>(
          [&](auto post) { return detail::emitHcPostKernel(post, name, builder); })
      .Case<v4::HadamardOp>(
          [&](auto hadamard) { return detail::emitHadamardKernel(hadamard, name, builder); })
      .Case<v4::RopeOp>([&](auto rope) { return detail::emitRopeKernel(rope, name, builder); })
      .Case<v4::SimulateQuantOp>([&](auto simulate) {
        return detail::emitSimulateQuantKernel(simulate, name, builder);
      })
      .Case<v4::IndexerScoreOp>(
          [&](auto score) { return detail::emitIndexerScoreKernel(score, name, builder); })
      .Case<v4::TopkOp>([&](auto topk) { return detail::emitTopkKernel(topk, name, builder); })
      .Case<v4::SparseAttentionOp>([&](auto attention) {
        return detail::emitSparseAttentionKernel(attention, name, builder);
      })
      .Case<v4::HcaAttentionOp>([&](auto attention) {
        return detail::emitHcaAttentionKernel(attention, name, builder);
      })
      .Case<v4::CompressOp>(
          [&](auto compress) { return detail::emitCompressKernel(compress, name, builder); })
      .Case<v4::WindowAppendOp>(
          [&](auto append) { return detail::emitWindowAppendKernel(append, name, builder); })
      .Case<v4::CompressedAppendOp>([&](auto append) {
        return detail::emitCompressedAppendKernel(append, name, builder);
      })
      .Case<v4::CacheReadOp>(
          [&](auto read) { return detail::emitCacheReadKernel(read, name, builder); })
      .Case<v4::CacheInitOp>(
          [&](auto init) { return detail::emitCacheInitKernel(init, name, builder); })
      .Case<v4::WindowIndicesOp>(
          [&](auto indices) { return detail::emitWindowIndicesKernel(indices, name, builder); })
      .Case<v4::SwigluOp>(
          [&](auto swiglu) { return detail::emitSwigluKernel(swiglu, name, builder); })
      .Case<tensor::GatherOp>(
          [&](auto gather) { return detail::emitGatherKernel(gather, name, builder); })
      .Case<tensor::ConcatOp>(
          [&](auto concat) { return detail::emitConcatKernel(concat, name, builder); })
      .Case<tensor::ExtractSliceOp>(
          [&](auto slice) { return detail::emitExtractSliceKernel(slice, name, builder); })
      .Case<tensor::InsertSliceOp>(
          [&](auto slice) { return detail::emitInsertSliceKernel(slice, name, builder); })
      .Case<tensor::GenerateOp>(
          [&](auto generate) { return detail::emitGenerateKernel(generate, name, builder); })
      .Case<linalg::LinalgOp>(
          [&](auto linalgOp) { return detail::emitLinalgKernel(linalgOp, name, builder); })
      .Default([](Operation *other) -> FailureOr<func::FuncOp> {
        return other->emitOpError()
               << "has no kernel lowering yet (kernels exist for: "
               << llvm::join(std::begin(kOpsWithKernels), std::end(kOpsWithKernels), ", ")
               << ", linalg ops whose initial value is an empty tensor or a fill, and "
                  "tensor.concat, tensor.extract_slice, tensor.gather, tensor.generate and "
                  "tensor.insert_slice)";
      });
}

} // namespace sieve
