//===- Pipelines.cpp - Sieve's named pass pipelines ------------------------===//

#include "sieve/Pipeline/Pipelines.h"

#include "sieve/Conversion/V4ToKernels/Passes.h"
#include "sieve/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace sieve {
namespace {

/// The textual options of `sieve-graph-pipeline` (sieve-opt only; the
/// library uses the plain GraphPipelineOptions).
struct KernelsPipelineTextOptions : public PassPipelineOptions<KernelsPipelineTextOptions> {
  Option<std::string> gemmLibrary{
      *this, "gemm-library",
      llvm::cl::desc("Hand the prefill's dense FP8 GEMMs to this library (onednn); empty: "
                     "generated kernels"),
      llvm::cl::init("")};
  Option<int64_t> gemmColumnTile{
      *this, "gemm-column-tile",
      llvm::cl::desc("Widest tile of GEMM output columns per workgroup (0: the CPU's rule)"),
      llvm::cl::init(0)};
  Option<int64_t> gemmRowTile{
      *this, "gemm-row-tile",
      llvm::cl::desc("Rows per workgroup of the block-scaled GEMMs' tile form (0: none)"),
      llvm::cl::init(0)};
  Option<bool> gemmScaledTiles{*this, "gemm-scaled-tiles",
                               llvm::cl::desc("The tile form's operands as codes and E8M0 scales"),
                               llvm::cl::init(false)};
};

struct GraphPipelineTextOptions
    : public PassPipelineOptions<GraphPipelineTextOptions> {
  Option<std::string> cacheLayoutEntry{
      *this, "cache-layout-entry",
      llvm::cl::desc("Function the cache-layout analysis describes"),
      llvm::cl::init("decode")};
  Option<bool> printCacheLayout{
      *this, "print-cache-layout",
      llvm::cl::desc("Print the cache-layout table to stdout"),
      llvm::cl::init(false)};
};

} // namespace

void buildGraphPipeline(OpPassManager &pm,
                        const GraphPipelineOptions &options) {
  // Functions (one per layer and phase) are simplified in parallel.
  OpPassManager &perFunction = pm.nest<func::FuncOp>();
  perFunction.addPass(createCanonicalizerPass());
  perFunction.addPass(createCSEPass());
  CacheLayoutPassOptions layout;
  layout.entry = options.cacheLayoutEntry;
  layout.print = options.printCacheLayout;
  pm.addPass(createCacheLayoutPass(
      layout, options.cacheLayoutStream ? *options.cacheLayoutStream : llvm::outs()));
}

void buildKernelsPipeline(OpPassManager &pm, const KernelsPipelineOptions &options) {
  if (!options.gemmLibrary.empty()) {
    LibraryGemmsPassOptions library;
    library.library = options.gemmLibrary;
    pm.addPass(createLibraryGemmsPass(library));
  }
  FormDispatchesPassOptions dispatches;
  dispatches.gemmColumnTile = options.gemmColumnTile;
  dispatches.gemmRowTile = options.gemmRowTile;
  dispatches.gemmScaledTiles = options.gemmScaledTiles;
  pm.addPass(createFormDispatchesPass(dispatches));
  pm.nest<func::FuncOp>().addPass(createCSEPass());
  // Flattens the entry points; CSE then merges the layers' repeated sizes.
  pm.addPass(createPlanBuffersPass());
  pm.nest<func::FuncOp>().addPass(createCSEPass());
}

void registerSievePipelines() {
  PassPipelineRegistration<KernelsPipelineTextOptions>(
      "sieve-kernels-pipeline",
      "The kernels phase of sieve-compile: dispatch formation and the buffer plan, "
      "with CSE of the host program",
      [](OpPassManager &pm, const KernelsPipelineTextOptions &text) {
        KernelsPipelineOptions options;
        options.gemmLibrary = text.gemmLibrary;
        options.gemmColumnTile = text.gemmColumnTile;
        options.gemmRowTile = text.gemmRowTile;
        options.gemmScaledTiles = text.gemmScaledTiles;
        buildKernelsPipeline(pm, options);
      });
  PassPipelineRegistration<GraphPipelineTextOptions>(
      "sieve-graph-pipeline",
      "The graph phase of sieve-compile: canonicalize and CSE each function, "
      "then the v4-cache-layout analysis",
      [](OpPassManager &pm, const GraphPipelineTextOptions &text) {
        GraphPipelineOptions options;
        options.cacheLayoutEntry = text.cacheLayoutEntry;
        options.printCacheLayout = text.printCacheLayout;
        buildGraphPipeline(pm, options);
      });
}

} // namespace sieve
