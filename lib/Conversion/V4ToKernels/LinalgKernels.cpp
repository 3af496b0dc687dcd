//===- LinalgKernels.cpp - Upstream linalg ops as kernels ------------------===//
//
// The graph's plain GEMMs and elementwise ops stay upstream (linalg.matmul
// for the bf16 x bf16 -> fp32 projections, linalg.generic / broadcast /
// fill, elementwise arith converted to linalg.generic). A root op and the
// linalg.fill of its initial value become one kernel the MLIR way: the ops
// on tensors over the bindings (bufferization.to_tensor of their views),
// tiled into the workgroup scf.forall by TilingInterface with the fill fused
// into each tile, then one-shot bufferized in place into the result binding.
// Tile: one index of the first parallel loop whose extent is not 1 per
// workgroup (a row of a matmul), and for a contraction a tile of
// kGemmColumnTile of its next parallel loop (its outputs). linalg.matmul casts its bf16 operands to fp32 and accumulates over
// k in ascending order from the fill value, as the reference's fp32 linear()
// does.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "OpKernelEmitters.h"
#include "sieve/Conversion/V4ToKernels/OpKernels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/RegionUtils.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace sieve::detail {

namespace {

/// Rewrites a multi-dimensional workgroup forall into a one-dimensional one
/// over the product of its trip counts, its induction variables recovered
/// from the one id, mapped to #gpu.block<x>. The first dimension is the
/// fastest: for (row, tile of outputs) a tile's rows follow each other, so
/// a batch reads each weight tile from memory about once.
LogicalResult linearizeWorkgroups(RewriterBase &rewriter, scf::ForallOp forall) {
  Location loc = forall.getLoc();
  rewriter.setInsertionPoint(forall);
  SmallVector<Value> lower = getValueOrCreateConstantIndexOp(rewriter, loc,
                                                             forall.getMixedLowerBound());
  SmallVector<Value> upper = getValueOrCreateConstantIndexOp(rewriter, loc,
                                                             forall.getMixedUpperBound());
  SmallVector<Value> steps = getValueOrCreateConstantIndexOp(rewriter, loc,
                                                             forall.getMixedStep());
  SmallVector<Value> trips;
  Value total = arith::ConstantIndexOp::create(rewriter, loc, 1);
  for (auto [lo, hi, step] : llvm::zip_equal(lower, upper, steps)) {
    Value trip = arith::CeilDivUIOp::create(rewriter, loc,
                                            arith::SubIOp::create(rewriter, loc, hi, lo), step);
    trips.push_back(trip);
    total = arith::MulIOp::create(rewriter, loc, total, trip);
  }
  auto linear = scf::ForallOp::create(
      rewriter, loc, ArrayRef<OpFoldResult>{total}, forall.getOutputs(),
      rewriter.getArrayAttr(
          {gpu::GPUBlockMappingAttr::get(rewriter.getContext(), gpu::MappingId::DimX)}));
  // The new body starts empty but for its terminator; the old body moves in.
  Block *body = linear.getBody();
  rewriter.eraseOp(body->getTerminator());
  rewriter.setInsertionPointToStart(body);
  Value id = linear.getInductionVar(0);
  SmallVector<Value> ivs(trips.size());
  const size_t last = trips.size() - 1;
  for (size_t d = 0; d < trips.size(); ++d) {
    Value k = d == last ? id : arith::RemUIOp::create(rewriter, loc, id, trips[d]).getResult();
    if (d < last)
      id = arith::DivUIOp::create(rewriter, loc, id, trips[d]);
    ivs[d] = arith::AddIOp::create(rewriter, loc, lower[d],
                                   arith::MulIOp::create(rewriter, loc, k, steps[d]));
  }
  SmallVector<Value> replacements(ivs);
  replacements.append(linear.getRegionIterArgs().begin(), linear.getRegionIterArgs().end());
  rewriter.mergeBlocks(forall.getBody(), body, replacements);
  rewriter.replaceOp(forall, linear.getResults());
  return success();
}

} // namespace

FailureOr<func::FuncOp> emitLinalgKernel(linalg::LinalgOp op, llvm::StringRef name,
                                         OpBuilder &moduleBuilder) {
  Operation *root = op.getOperation();
  if (op.getNumDpsInits() != 1 || root->getNumResults() != 1 || !op.hasPureTensorSemantics())
    return root->emitOpError() << "needs one tensor result to become a kernel";
  // The initial value: a fill with a constant (fused into the kernel), or
  // one the op never reads (an empty tensor; an elementwise op converted
  // from arith reuses an input as its destination).
  OpOperand *initOperand = op.getDpsInitOperand(0);
  Value init = initOperand->get();
  linalg::FillOp fill = init.getDefiningOp<linalg::FillOp>();
  Attribute fillValue;
  if (fill && !matchPattern(fill.value(), m_Constant(&fillValue)))
    return root->emitOpError() << "starts from a fill with a value that is not a constant";
  if (!fill && op.payloadUsesValueFromOperand(initOperand))
    return root->emitOpError() << "reads an initial value that is not a fill";

  SmallVector<OpOperand *> inputs;
  for (OpOperand *input : op.getDpsInputOperands())
    if (isa<RankedTensorType>(input->get().getType()))
      inputs.push_back(input);
    else if (!matchPattern(input->get(), m_Constant()))
      return root->emitOpError() << "takes a scalar that is not a constant";
  if (inputs.empty() || inputs.front()->getOperandNumber() != 0)
    return root->emitOpError() << "needs a tensor first operand to become a kernel";
  auto resultType = cast<RankedTensorType>(root->getResult(0).getType());
  SmallVector<RankedTensorType> tensors;
  for (OpOperand *input : inputs)
    tensors.push_back(cast<RankedTensorType>(input->get().getType()));
  tensors.push_back(resultType);

  KernelBuilder kb(moduleBuilder, root->getLoc(), name, tensors,
                   KernelBuilder::wholeBindingSizes(tensors));
  OpBuilder &b = kb.builder();
  Location loc = kb.location();
  SmallVector<Value> views = kb.wholeBindingViews();
  IRMapping mapping;
  for (auto [i, input] : llvm::enumerate(inputs))
    mapping.map(input->get(), bufferization::ToTensorOp::create(b, loc, tensors[i], views[i],
                                                                /*restrict=*/true,
                                                                /*writable=*/false));
  Value resultView = views.back();
  Value destination = bufferization::ToTensorOp::create(b, loc, resultType, resultView,
                                                        /*restrict=*/true, /*writable=*/true);
  // Constant scalars: operands, and values the payload captures.
  SetVector<Value> captured;
  getUsedValuesDefinedAbove(root->getRegions(), captured);
  for (OpOperand &operand : root->getOpOperands())
    if (&operand != initOperand && !mapping.contains(operand.get()))
      captured.insert(operand.get());
  for (Value value : captured) {
    if (mapping.contains(value))
      continue;
    if (!matchPattern(value, m_Constant()))
      return root->emitOpError() << "uses a value from outside that is not a constant";
    mapping.map(value, b.clone(*value.getDefiningOp())->getResult(0));
  }
  Operation *clone = b.clone(*root, mapping);
  clone->setOperand(initOperand->getOperandNumber(), destination);
  auto store = bufferization::MaterializeInDestinationOp::create(b, loc, clone->getResult(0),
                                                                 resultView);
  store.setWritable(true);
  store.setRestrict(true);
  func::ReturnOp::create(b, loc);

  // Workgroups: one index of the first parallel loop longer than 1 (a row);
  // a contraction also splits its next parallel loop (the outputs) into
  // tiles (gemmColumnTile), so a one-token GEMV (the head, the bf16
  // projections) spreads over many workgroups.
  SmallVector<int64_t> ranges = cast<linalg::LinalgOp>(clone).getStaticLoopRanges();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<unsigned> parallel;
  for (unsigned l = 0; l < iterators.size(); ++l)
    if (iterators[l] == utils::IteratorType::parallel)
      parallel.push_back(l);
  auto firstLong = llvm::find_if(parallel, [&](unsigned l) { return ranges[l] != 1; });
  if (parallel.empty())
    return root->emitOpError() << "has no parallel loop to spread over workgroups";
  unsigned tiled = firstLong == parallel.end() ? parallel.front() : *firstLong;
  SmallVector<OpFoldResult> tileSizes(iterators.size(), b.getIndexAttr(0));
  tileSizes[tiled] = b.getIndexAttr(1);
  unsigned tiledDims = 1;
  bool steppedLoop = false; // a loop of tiles wider than 1 is renumbered 0, 1, 2, ...
  const bool contraction = op.getNumReductionLoops() > 0;
  auto columnTile = [&](unsigned loop) {
    return gemmColumnTile(ShapedType::isDynamic(ranges[loop]) ? 0 : ranges[loop],
                          moduleGemmColumnTile(root));
  };
  auto longerThanColumnTile = [&](unsigned loop) {
    return ShapedType::isDynamic(ranges[loop]) || ranges[loop] > columnTile(loop);
  };
  if (contraction && firstLong != parallel.end() && std::next(firstLong) == parallel.end()) {
    // A GEMV with a static single row (the prefill's last-token head): the
    // first long loop is the outputs themselves, tiled like any GEMM's
    // outputs, not one output per workgroup.
    if (longerThanColumnTile(tiled)) {
      tileSizes[tiled] = b.getIndexAttr(columnTile(tiled));
      steppedLoop = true;
    }
  } else if (contraction && firstLong != parallel.end() &&
             longerThanColumnTile(*std::next(firstLong))) {
    tileSizes[*std::next(firstLong)] = b.getIndexAttr(columnTile(*std::next(firstLong)));
    tiledDims = 2;
    steppedLoop = true;
  }
  SmallVector<Attribute> blocks = {
      gpu::GPUBlockMappingAttr::get(b.getContext(), gpu::MappingId::DimX)};
  if (tiledDims == 2)
    blocks.push_back(gpu::GPUBlockMappingAttr::get(b.getContext(), gpu::MappingId::DimY));
  scf::SCFTilingOptions tiling;
  tiling.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp)
      .setTileSizes(tileSizes)
      .setMapping(blocks);
  IRRewriter rewriter(b.getContext());
  rewriter.setInsertionPoint(clone);
  FailureOr<scf::SCFTilingResult> tiledOps =
      scf::tileUsingSCF(rewriter, cast<TilingInterface>(clone), tiling);
  if (failed(tiledOps) || tiledOps->tiledOps.size() != 1 || tiledOps->loops.size() != 1)
    return root->emitOpError() << "could not be tiled into workgroups";
  rewriter.replaceOp(clone, tiledOps->replacements);
  // The host counts workgroups in one dimension, from 0 by 1: (row, tile)
  // as one id, or the tile's index.
  if (steppedLoop &&
      failed(linearizeWorkgroups(rewriter, cast<scf::ForallOp>(tiledOps->loops.front()))))
    return root->emitOpError() << "could not number its workgroups in one dimension";
  // The fill, per tile, on the tile of the result binding the loop writes.
  if (fill) {
    auto tiled = cast<linalg::LinalgOp>(tiledOps->tiledOps.front());
    OpOperand *tileInit = tiled.getDpsInitOperand(0);
    rewriter.setInsertionPoint(tiled);
    Value value = arith::ConstantOp::create(rewriter, loc, cast<TypedAttr>(fillValue));
    Value filled = linalg::FillOp::create(rewriter, loc, value, tileInit->get()).getResult(0);
    rewriter.modifyOpInPlace(tiled, [&] { tileInit->set(filled); });
  }

  // In place: the loop writes the result binding's tensor, so bufferization
  // leaves only copies of a buffer onto itself, which canonicalization drops
  // (no memref.copy and no allocation may remain).
  func::FuncOp kernel = kb.kernel();
  bufferization::OneShotBufferizationOptions bufferization;
  bufferization.bufferizeFunctionBoundaries = false;
  bufferization::BufferizationState state;
  if (failed(bufferization::runOneShotBufferize(kernel, bufferization, state)))
    return root->emitOpError() << "could not be bufferized";
  DominanceInfo dominance;
  eliminateCommonSubExpressions(rewriter, dominance, kernel);
  RewritePatternSet patterns(b.getContext());
  memref::CopyOp::getCanonicalizationPatterns(patterns, b.getContext());
  memref::DimOp::getCanonicalizationPatterns(patterns, b.getContext());
  memref::SubViewOp::getCanonicalizationPatterns(patterns, b.getContext());
  if (failed(applyPatternsGreedily(kernel, std::move(patterns))))
    return root->emitOpError() << "kernel did not simplify";
  eliminateCommonSubExpressions(rewriter, dominance, kernel);
  if (applyPatternsGreedily(kernel, RewritePatternSet(b.getContext())).failed())
    return failure();
  WalkResult copies = kernel.walk([](Operation *op) {
    return isa<memref::CopyOp, memref::AllocOp>(op) ? WalkResult::interrupt()
                                                      : WalkResult::advance();
  });
  if (copies.wasInterrupted())
    return root->emitOpError() << "needs a copy or a buffer of its own, which kernels avoid";
  return kernel;
}

} // namespace sieve::detail
