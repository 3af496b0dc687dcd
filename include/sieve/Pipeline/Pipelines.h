//===- Pipelines.h - Sieve's named pass pipelines -----------------*- C++ -*-===//
//
// Pipelines are C++ functions over plain option structs; the same function
// serves sieve-compile (through the compile driver), the library API and
// sieve-opt, where each is registered under its name and can be printed
// (`sieve-opt --sieve-graph-pipeline --dump-pass-pipeline`,
// `sieve-compile --print-pipeline`).
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_PIPELINE_PIPELINES_H
#define SIEVE_PIPELINE_PIPELINES_H

#include <string>

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace sieve {

/// Options of the graph phase (plain data; see GraphPipelineOptions in
/// Pipelines.cpp for the registered textual form).
struct GraphPipelineOptions {
  /// Function the cache-layout analysis describes.
  std::string cacheLayoutEntry = "decode";
  /// Print the cache-layout table to `cacheLayoutStream`.
  bool printCacheLayout = false;
  /// Where the table goes; stdout when null.
  llvm::raw_ostream *cacheLayoutStream = nullptr;
};

/// `sieve-graph-pipeline` on a builtin.module: canonicalize, CSE, then the
/// v4-cache-layout analysis.
void buildGraphPipeline(mlir::OpPassManager &pm,
                        const GraphPipelineOptions &options);

/// Options of the kernels phase.
struct KernelsPipelineOptions {
  /// The GEMM library the prefill's dense FP8 GEMMs are handed to
  /// (`sieve-library-gemms`): "onednn", or empty for generated kernels.
  std::string gemmLibrary;
  /// The widest GEMM tile of output columns (kGpuGemmColumnTile when the
  /// module has GPU code); 0: the CPU's rule.
  int64_t gemmColumnTile = 0;
  /// Rows per workgroup of the block-scaled GEMMs' tile form (with a
  /// gemmColumnTile); 0: none.
  int64_t gemmRowTile = 0;
  bool gemmScaledTiles = false;
};

/// `sieve-kernels-pipeline` on a builtin.module: with a GEMM library, the
/// prefill's dense GEMMs become its dispatches first; then dispatch formation
/// (every op that computes or moves tensor data becomes a kernel and a
/// dispatch), the buffer plan (flat entry points, one arena each), and CSE of
/// the host program's size arithmetic.
void buildKernelsPipeline(mlir::OpPassManager &pm, const KernelsPipelineOptions &options = {});

/// Registers Sieve's named pipelines for textual pipelines (sieve-opt).
void registerSievePipelines();

} // namespace sieve

#endif // SIEVE_PIPELINE_PIPELINES_H
