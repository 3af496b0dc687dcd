//===- FormDispatches.cpp - v4 ops -> kernels and program.dispatch ops -----===//
//
// One op, one dispatch for now: the fusion table comes on top of this (a
// pattern that claims several ops emits one kernel and one dispatch for
// them). What a dispatch needs from its kernel is recorded on the kernel
// (`sieve.push_constants`) or is the kernel's own arithmetic (the workgroup
// count), so no op's lowering knowledge is repeated here.
//
//===----------------------------------------------------------------------===//

#include "sieve/Conversion/V4ToKernels/Passes.h"

#include "KernelBuilder.h"
#include "sieve/Conversion/V4ToKernels/FusionTable.h"
#include "sieve/Conversion/V4ToKernels/OpKernels.h"

#include "program/IR/ProgramOps.h"
#include "v4/IR/V4Ops.h"
#include "v4/IR/V4Types.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Analysis/TopologicalSortUtils.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace sieve {
#define GEN_PASS_DEF_FORMDISPATCHESPASS
#include "sieve/Conversion/V4ToKernels/Passes.h.inc"
} // namespace sieve

using namespace mlir;

namespace sieve {
namespace {

constexpr llvm::StringLiteral kExecutableName = "kernels";

/// The kernel's workgroup count computed on the host: the bound of its
/// workgroup loop, whose arithmetic depends only on push constants, cloned
/// with the push constants replaced by `constants`.
FailureOr<Value> hostWorkgroupCount(func::FuncOp kernel, ValueRange constants, OpBuilder &b,
                                    Location loc) {
  scf::ForallOp forall;
  for (Operation &op : kernel.getBody().front())
    if (auto loop = dyn_cast<scf::ForallOp>(op)) {
      forall = loop;
      break;
    }
  if (!forall || forall.getRank() != 1)
    return kernel.emitOpError() << "has no one-dimensional workgroup loop";
  OpFoldResult bound = forall.getMixedUpperBound()[0];
  if (auto attr = dyn_cast<Attribute>(bound))
    return arith::ConstantIndexOp::create(b, loc, cast<IntegerAttr>(attr).getInt()).getResult();
  Value count = cast<Value>(bound);
  unsigned firstConstant = kernel.getNumArguments() - constants.size();
  IRMapping mapping;
  for (unsigned i = 0; i < constants.size(); ++i)
    mapping.map(kernel.getArgument(firstConstant + i), constants[i]);
  if (auto arg = dyn_cast<BlockArgument>(count)) {
    if (!mapping.contains(arg))
      return kernel.emitOpError() << "sizes its workgroups by a binding";
    return mapping.lookup(arg);
  }
  SetVector<Operation *> slice;
  BackwardSliceOptions options;
  options.inclusive = true;
  if (failed(getBackwardSlice(count, &slice, options)))
    return kernel.emitOpError() << "has a workgroup count the host cannot compute";
  for (Operation *op : topologicalSort(slice)) {
    if (!isPure(op) || op->getNumRegions() != 0)
      return kernel.emitOpError() << "computes its workgroup count with '" << op->getName()
                                  << "', which the host cannot run";
    for (Value operand : op->getOperands())
      if (auto arg = dyn_cast<BlockArgument>(operand); arg && !mapping.contains(arg))
        return kernel.emitOpError() << "sizes its workgroups by a binding";
    b.clone(*op, mapping);
  }
  return mapping.lookup(count);
}

/// The kernels emitted so far, by their text under a common name: the
/// layers of a model repeat the same ops on the same shapes, and one kernel
/// serves all their dispatches (V4-Flash: 4,542 dispatches, far fewer
/// kernels).
struct KernelTable {
  llvm::StringMap<func::FuncOp> byText;
  llvm::StringMap<unsigned> counters;

  /// The kernel equal to `kernel`, erasing `kernel`, or `kernel` itself.
  func::FuncOp unique(func::FuncOp kernel, StringRef opName) {
    std::string text;
    {
      StringAttr name = kernel.getSymNameAttr();
      kernel.setSymName("kernel");
      llvm::raw_string_ostream os(text);
      // Local scope: printing a nested op must not walk the whole module.
      kernel->print(os, OpPrintingFlags().useLocalScope().assumeVerified());
      kernel.setSymNameAttr(name);
    }
    auto [it, inserted] = byText.try_emplace(text, kernel);
    if (inserted) {
      ++counters[opName];
      return kernel;
    }
    kernel.erase();
    return it->second;
  }
};

LogicalResult formDispatch(Operation *op, ArrayRef<Operation *> producers,
                           program::ExecutableOp executable, KernelTable &kernels) {
  // A fused kernel is named after its consumer and what it takes in.
  std::string opName = op->getName().stripDialect().str();
  for (Operation *producer : producers)
    opName = (producer->getName().stripDialect() + "_" + opName).str();
  std::string name = (opName + "_" + Twine(kernels.counters[opName])).str();
  OpBuilder kernelBuilder = OpBuilder::atBlockEnd(&executable.getBlock());
  FailureOr<func::FuncOp> kernel = emitFusedKernel(op, producers, name, kernelBuilder);
  if (failed(kernel))
    return failure();
  kernel = kernels.unique(*kernel, opName);
  FailureOr<SmallVector<detail::PushConstant>> sources = detail::pushConstantsOf(*kernel);
  if (failed(sources))
    return kernel->emitOpError() << "has no readable sieve.push_constants";

  OpBuilder b(op);
  Location loc = op->getLoc();
  SmallVector<Value> bindings = fusedKernelBindings(op, producers);
  ReifiedRankedShapedTypeDims reified;
  bool haveReified = false;
  auto resultSize = [&](unsigned result, int64_t dim) -> FailureOr<Value> {
    if (!haveReified) {
      // tensor.gather does not reify its shape: the ids' leading sizes, then
      // the source's sizes past the gathered dimensions.
      if (auto gather = dyn_cast<tensor::GatherOp>(op)) {
        SmallVector<OpFoldResult> sizes;
        RankedTensorType indices = gather.getIndicesType();
        for (int64_t d = 0; d + 1 < indices.getRank(); ++d)
          sizes.push_back(tensor::getMixedSize(b, loc, gather.getIndices(), d));
        for (int64_t d = gather.getGatherDims().back() + 1; d < gather.getSourceType().getRank();
             ++d)
          sizes.push_back(tensor::getMixedSize(b, loc, gather.getSource(), d));
        reified.push_back(std::move(sizes));
      } else if (failed(reifyResultShapes(b, op, reified))) {
        return op->emitOpError() << "cannot state its result sizes for a dispatch";
      }
      haveReified = true;
    }
    if (reified[result].size() != size_t(cast<ShapedType>(op->getResult(result).getType())
                                             .getRank()))
      return op->emitOpError() << "has result sizes of the wrong rank";
    return getValueOrCreateConstantIndexOp(b, loc, reified[result][dim]);
  };

  SmallVector<Value> constants;
  for (const detail::PushConstant &source : *sources) {
    Value size;
    switch (source.kind) {
    case detail::PushConstant::Kind::OperandSize:
      size = tensor::DimOp::create(b, loc, op->getOperand(source.index), source.dim);
      break;
    case detail::PushConstant::Kind::ResultSize: {
      FailureOr<Value> reifiedSize = resultSize(source.index, source.dim);
      if (failed(reifiedSize))
        return failure();
      size = *reifiedSize;
      break;
    }
    case detail::PushConstant::Kind::BindingSize:
      size = tensor::DimOp::create(b, loc, bindings[source.index], source.dim);
      break;
    case detail::PushConstant::Kind::ScalarOperand:
      size = op->getOperand(source.index);
      break;
    }
    constants.push_back(arith::IndexCastOp::create(b, loc, b.getI32Type(), size));
  }
  FailureOr<Value> count = hostWorkgroupCount(*kernel, constants, b, loc);
  if (failed(count))
    return failure();

  // A cache result is written in place into the cache operand of its type.
  SmallVector<int64_t> tied;
  SmallVector<Value> resultDims;
  for (OpResult result : op->getResults()) {
    int64_t binding = -1;
    if (isa<v4::CacheTypeInterface>(result.getType()))
      for (auto [i, operand] : llvm::enumerate(bindings))
        if (operand.getType() == result.getType()) {
          binding = static_cast<int64_t>(i);
          break;
        }
    tied.push_back(binding);
    if (auto shaped = dyn_cast<RankedTensorType>(result.getType()))
      for (int64_t d = 0; d < shaped.getRank(); ++d)
        if (shaped.isDynamicDim(d)) {
          FailureOr<Value> size = resultSize(result.getResultNumber(), d);
          if (failed(size))
            return failure();
          resultDims.push_back(*size);
        }
  }
  auto kernelRef = SymbolRefAttr::get(executable.getSymNameAttr(),
                                      {FlatSymbolRefAttr::get(kernel->getSymNameAttr())});
  auto dispatch = program::DispatchOp::create(b, loc, op->getResultTypes(), kernelRef, *count,
                                              bindings, constants, resultDims, tied);
  op->replaceAllUsesWith(dispatch.getResults());
  op->erase();
  return success();
}

/// Whether every use of `producer` reaches, through reshapes (views of the
/// same data), sizes or other producers taken in (`absorbed`), only
/// `consumers`.
bool onlyFeeds(Operation *producer, const llvm::SmallPtrSetImpl<Operation *> &consumers,
               const llvm::SmallPtrSetImpl<Operation *> &absorbed) {
  SmallVector<Value> values(producer->getResults());
  while (!values.empty()) {
    Value value = values.pop_back_val();
    for (Operation *user : value.getUsers()) {
      if (consumers.contains(user) || absorbed.contains(user) || isa<tensor::DimOp>(user))
        continue;
      if (!isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(user))
        return false;
      values.append(user->result_begin(), user->result_end());
    }
  }
  return true;
}

/// Whether `op` heads a dispatch: a v4 compute op, a linalg op other than a
/// fill that only initializes linalg ops (their kernels make it), or a
/// tensor op that moves data. Reshapes are views; tensor.empty, dim,
/// extract and from_elements are the host program's scalars and shapes.
bool isDispatchRoot(Operation *op) {
  if (isa<v4::V4Dialect>(op->getDialect()))
    return !isa<v4::ParamOp>(op);
  if (auto fill = dyn_cast<linalg::FillOp>(op))
    return !llvm::all_of(fill->getUses(), [](OpOperand &use) {
      auto user = dyn_cast<linalg::LinalgOp>(use.getOwner());
      return user && user.isDpsInit(&use);
    });
  return isa<linalg::LinalgOp, tensor::ConcatOp, tensor::ExtractSliceOp, tensor::GatherOp,
             tensor::GenerateOp, tensor::InsertSliceOp>(op);
}

struct FormDispatchesPass : impl::FormDispatchesPassBase<FormDispatchesPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (gemmColumnTile < 0) {
      module.emitError() << "sieve-form-dispatches: gemm-column-tile must not be negative, got "
                         << static_cast<int64_t>(gemmColumnTile);
      return signalPassFailure();
    }
    if (gemmRowTile != 0 && (gemmColumnTile == 0 || gemmRowTile < 0 || gemmRowTile % 16 != 0 ||
                             gemmRowTile > kGpuGemmMaxRowTile)) {
      module.emitError() << "sieve-form-dispatches: gemm-row-tile must be a multiple of 16 up to "
                         << kGpuGemmMaxRowTile << ", with a gemm-column-tile; got "
                         << static_cast<int64_t>(gemmRowTile);
      return signalPassFailure();
    }
    auto i64 = IntegerType::get(&getContext(), 64);
    if (gemmColumnTile > 0)
      module->setAttr(kGemmColumnTileAttr, IntegerAttr::get(i64, gemmColumnTile));
    if (gemmScaledTiles && gemmRowTile == 0) {
      module.emitError() << "sieve-form-dispatches: gemm-scaled-tiles needs a gemm-row-tile";
      return signalPassFailure();
    }
    if (gemmRowTile > 0)
      module->setAttr(kGemmRowTileAttr, IntegerAttr::get(i64, gemmRowTile));
    if (gemmScaledTiles)
      module->setAttr(kGemmScaledTilesAttr, UnitAttr::get(&getContext()));
    auto executable = module.lookupSymbol<program::ExecutableOp>(kExecutableName);
    if (!executable) {
      OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
      executable = program::ExecutableOp::create(b, module.getLoc(), kExecutableName);
    }
    // Elementwise arith on tensors becomes linalg.generic, which has kernels.
    {
      RewritePatternSet elementwise(&getContext());
      linalg::populateElementwiseToLinalgConversionPatterns(elementwise);
      FrozenRewritePatternSet frozen(std::move(elementwise));
      for (auto function : module.getOps<func::FuncOp>())
        if (failed(applyPatternsGreedily(function, frozen)))
          return signalPassFailure();
    }
    SmallVector<Operation *> ops;
    module.walk([&](Operation *op) {
      if (isa<program::ExecutableOp>(op))
        return WalkResult::skip();
      if (isDispatchRoot(op))
        ops.push_back(op);
      return WalkResult::advance();
    });
    // The fusion table first: a producer every user takes in is no dispatch.
    llvm::DenseMap<Operation *, SmallVector<Operation *>> fused;
    llvm::DenseMap<Operation *, llvm::SmallPtrSet<Operation *, 2>> fusingConsumers;
    for (Operation *op : ops) {
      SmallVector<Operation *> producers = fusedProducers(op);
      for (Operation *producer : producers)
        fusingConsumers[producer].insert(op);
      if (!producers.empty())
        fused[op] = std::move(producers);
    }
    // A producer may feed its consumer through another absorbed producer
    // (a dequantize's scale broadcast): iterate to the fixed point.
    llvm::SmallPtrSet<Operation *, 16> absorbedOps;
    for (bool changed = true; changed;) {
      changed = false;
      for (auto &[producer, consumers] : fusingConsumers)
        if (!absorbedOps.contains(producer) && onlyFeeds(producer, consumers, absorbedOps))
          changed = absorbedOps.insert(producer).second;
    }
    auto absorbed = [&](Operation *op) { return absorbedOps.contains(op); };
    // Consumers that take producers in go first, while the producers (which
    // may keep a dispatch of their own for other users) are still there.
    KernelTable kernels;
    for (Operation *op : ops)
      if (fused.count(op) && failed(formDispatch(op, fused.lookup(op), executable, kernels)))
        return signalPassFailure();
    for (Operation *op : ops)
      if (!fused.count(op) && !absorbed(op) &&
          failed(formDispatch(op, {}, executable, kernels)))
        return signalPassFailure();
    // Sizes of dispatch results come from the dispatches' own result sizes,
    // and the cloned count arithmetic folds: the host program keeps no
    // tensor.dim of values a dispatch produced.
    RewritePatternSet patterns(&getContext());
    memref::populateResolveRankedShapedTypeResultDimsPatterns(patterns);
    tensor::DimOp::getCanonicalizationPatterns(patterns, &getContext());
    arith::IndexCastOp::getCanonicalizationPatterns(patterns, &getContext());
    arith::MulIOp::getCanonicalizationPatterns(patterns, &getContext());
    FrozenRewritePatternSet frozen(std::move(patterns));
    for (auto function : module.getOps<func::FuncOp>())
      if (failed(applyPatternsGreedily(function, frozen)))
        return signalPassFailure();
    // A fused producer is gone with its last user (only sizes of it were
    // left, now resolved); no v4 op may stay without a dispatch.
    WalkResult left = module.walk([&](Operation *op) {
      if (isa<program::ExecutableOp>(op))
        return WalkResult::skip();
      if (isa<v4::V4Dialect>(op->getDialect()) && !isa<v4::ParamOp>(op)) {
        op->emitOpError() << "was left without a dispatch (a fusion-table bug)";
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (left.wasInterrupted())
      return signalPassFailure();
  }
};

} // namespace
} // namespace sieve
