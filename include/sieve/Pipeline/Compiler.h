//===- Compiler.h - The compile driver behind sieve-compile -------*- C++ -*-===//
//
// One compilation = input (config.json or a .mlir graph) -> phases ->
// output. The phases are IREE-style first-class names:
//
//   input    the imported or parsed graph, verified
//   graph    after the graph pipeline (canonicalize, CSE, cache layout)
//   kernels  dispatch formation: kernels and the host program
//   target   the kernels lowered per target (LLVM dialect for the CPU),
//            compiled and linked to check them
//   module   the .sieve module (docs/module-format.md)
//
// Everything that varies per invocation is in CompileOptions, a plain
// struct: the compiler keeps no global state, so it can be embedded and run
// several times in one process. Tools bind their command line to it.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_PIPELINE_COMPILER_H
#define SIEVE_PIPELINE_COMPILER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include "mlir/Support/Timing.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
class MLIRContext;
class PassManager;
} // namespace mlir

namespace sieve {

enum class CompilePhase { Input, Graph, Kernels, Target, LLVM, Module };

struct CompilePhaseInfo {
  CompilePhase phase;
  const char *name;
  const char *summary;
};

/// Every phase in order, with its name.
llvm::ArrayRef<CompilePhaseInfo> getCompilePhases();
/// The phase named `name`, or nothing.
std::optional<CompilePhase> parseCompilePhase(llvm::StringRef name);
const char *getCompilePhaseName(CompilePhase phase);

/// Options of one compilation.
struct CompileOptions {
  /// config.json, a checkpoint directory holding one, a .mlir/.mlirbc graph,
  /// or "-" for a graph (or config) on stdin.
  std::string inputPath = "-";
  /// Last phase to run; its IR is the output. Default: the whole way.
  std::string compileTo = "module";
  /// When set, each phase's IR is written to <dir>/<stem>.<n>.<phase>.mlir.
  std::string dumpPhasesTo;
  /// When set, the checkpoint's tensor names, dtypes and shapes are checked
  /// against the config (config input) or the graph's parameters (.mlir).
  std::string checkpointPath;
  /// With checkpointPath and config input: write every problem found here
  /// (the diagnostics show the first few of each kind).
  std::string checkpointReportPath;
  /// Print the cache-layout table (and, for config input, the cross-check
  /// against the runtime's computeCacheSizes) to `cacheLayoutStream`.
  bool printCacheLayout = false;
  /// Where that report goes; stdout when null. Tools that write the IR to
  /// stdout point it elsewhere, so the report never mixes into the IR.
  llvm::raw_ostream *cacheLayoutStream = nullptr;
  /// Function the cache layout describes.
  std::string cacheLayoutEntry = "decode";
  /// Accept test compress ratios (see ImportOptions).
  bool allowTestRatios = false;
  /// Cache capacity in tokens for imported graphs; 0 = the config's.
  int64_t maxSeqLen = 0;
  /// Sequence slots of imported caches (the most sequences one decode call
  /// batches); 0 = the config's max_batch_size.
  int64_t maxBatch = 0;
  /// The most tokens of one prefill call (bounds the buffer plan); 0 =
  /// min(512, the cache capacity).
  int64_t maxChunk = 0;
  /// Row encoding of imported caches: "bf16" (the reference's), "fp8" (FP8
  /// KV rows and indexer keys) or "fp8-fp4" (FP8 KV rows, MXFP4 keys).
  std::string cacheFormat = "bf16";
  /// Emit bytecode instead of text for the output.
  bool emitBytecode = false;
  /// Targets of the target phase ("cpu:host", "cpu:x86-64-v3",
  /// "cpu:x86-64-v4", "nvidia:sm_90a", "amd:gfx942"); empty means cpu:host.
  std::vector<std::string> targets;
  /// CUDA toolkit for NVIDIA cubins (bin/ptxas); without one, PTX only.
  std::string cudaPath = "/usr/local/cuda";
  /// ROCm-shaped folder with llvm/bin/ld.lld for AMD HSACO; empty: this
  /// LLVM's ld.lld.
  std::string rocmPath;
  /// AMD code-object ABI version (400, 500 or 600; ROCm >= 6.3 loads 600).
  int64_t amdCodeObjectVersion = 500;
  /// Output columns per workgroup of the GEMMs in a module with GPU targets
  /// (the workgroup count is shared by its executables); 0 means
  /// kGpuGemmColumnTile. A benchmark's knob: more, smaller blocks.
  int64_t gpuGemmColumnTile = 0;
  /// Rows per workgroup of the prefill GEMMs' tile form in a module with GPU
  /// targets (bf16 tiles on the matrix units): a multiple of 16 up to 64,
  /// 0 for no tile form (every row group a GEMV), -1 for kGpuGemmRowTile.
  /// A benchmark's knob.
  int64_t gpuGemmRowTile = -1;
  /// GPU targets' kernels as host code for this machine that runs each
  /// block on a SIMT emulator (the SimtHost format) instead of PTX or an
  /// HSACO: a module only a runtime given an emulator (Sieve's tests) runs.
  bool emulateGpu = false;
  /// The prefill's GEMMs on the CPU: "generated" (kernels of the kernel
  /// IR), "onednn" (oneDNN's bf16 GEMM, library kernels the runtime
  /// provides; CPU targets only) or "auto" (onednn when every target is a
  /// CPU and this build's runtime has oneDNN, else generated).
  std::string cpuGemm = "auto";
};

/// Hooks into a compilation (IREE's PipelineHooks idea).
struct CompileHooks {
  /// Called on every PassManager before it runs: tools apply their
  /// command-line pass-manager options (IR printing, crash reproducers,
  /// statistics) here. A failure stops the compilation.
  std::function<mlir::LogicalResult(mlir::PassManager &)> configurePassManager;
  /// Called after each phase with its IR.
  std::function<void(CompilePhase, mlir::ModuleOp)> afterPhase;
  /// Called as each step starts, with the name --mlir-timing gives it
  /// ("import", "graph pipeline", "target pipeline cpu:host", ...): tools
  /// show it as progress.
  std::function<void(llvm::StringRef step)> onStep;
};

/// Checks the options themselves (phase names, values) without reading any
/// input; errors are emitted to `context`. compile() runs the same checks;
/// tools call this first to tell command-line errors from input errors.
mlir::LogicalResult verifyCompileOptions(mlir::MLIRContext &context,
                                         const CompileOptions &options);

/// The graph pipeline of `options` as a textual pipeline
/// ("builtin.module(canonicalize{...},cse,v4-cache-layout{...})").
std::string getGraphPipelineText(mlir::MLIRContext &context,
                                 const CompileOptions &options);

/// Every phase's pass pipeline as text, in order: ("graph", ...),
/// ("kernels", ...), then ("target <spec>", ...) per target (the pipeline
/// over one variant module); failure on an unknown target (diagnosed).
mlir::FailureOr<std::vector<std::pair<std::string, std::string>>>
getPipelineTexts(mlir::MLIRContext &context, const CompileOptions &options);

/// Runs one compilation and writes the IR of the last phase to `output`.
/// Diagnostics go to `context`'s handlers; nothing aborts on bad input.
/// `timing` (optional) receives nested timers for import and each pass.
mlir::LogicalResult compile(mlir::MLIRContext &context,
                            const CompileOptions &options,
                            llvm::raw_ostream &output,
                            const CompileHooks &hooks = {},
                            mlir::TimingScope *timing = nullptr);

} // namespace sieve

#endif // SIEVE_PIPELINE_COMPILER_H
