//===- sieve-compile.cpp - Sieve's compiler front end ---------------------===//
//
// Thin main over sieve::compile: binds the command line to a
// sieve::CompileOptions (the only place command-line state exists), registers
// MLIR's context, pass-manager, printer and timing options and applies them.
// See docs/cli.md ("sieve-compile") for the flags and exit codes.
//
//===----------------------------------------------------------------------===//

#include "sieve/InitSieve.h"
#include "sieve/Pipeline/Compiler.h"
#include "sieve/ToolMain.h"
#include "sieve/support/progress.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  sieve::installToolErrorHandlers("sieve-compile");
  sieve::CompileOptions options;

  // Shown first by --help, in name order; LLVM's own flags are hidden.
  cl::OptionCategory io("Compile: input and output");
  cl::OptionCategory model("Compile: model and caches");
  cl::OptionCategory targeting("Compile: targets");
  cl::OptionCategory reports("Compile: checks and reports");
  cl::opt<std::string, true> input(cl::Positional,
                                   cl::desc("<config.json | checkpoint dir | graph.mlir>"),
                                   cl::location(options.inputPath), cl::cat(io));
  cl::opt<std::string> output("o", cl::desc("Output file ('-' for stdout)"), cl::value_desc("file"),
                              cl::init("-"), cl::cat(io));
  cl::opt<std::string, true> compileTo(
      "compile-to",
      cl::desc("Last phase to run: input, graph, kernels, target, llvm or "
               "module (the default: a .sieve module)"),
      cl::value_desc("phase"), cl::location(options.compileTo), cl::cat(io));
  cl::opt<std::string, true> dumpPhasesTo(
      "dump-phases-to",
      cl::desc("Write each phase's IR to <dir>/<stem>.<n>.<phase>.mlir (.ll for "
               "the llvm phase)"),
      cl::value_desc("dir"), cl::location(options.dumpPhasesTo), cl::cat(io));
  // --weights, as sieve-run and sieve-bench spell it; --checkpoint is the
  // spelling of earlier releases.
  cl::opt<std::string, true> weights(
      "weights",
      cl::desc("Check a safetensors checkpoint (directory, file or index) "
               "against the config or the graph's parameters"),
      cl::value_desc("path"), cl::location(options.checkpointPath), cl::cat(reports));
  cl::alias checkpoint("checkpoint", cl::desc("Alias for --weights"), cl::aliasopt(weights),
                       cl::cat(reports));
  cl::opt<std::string, true> checkpointReport(
      "checkpoint-report",
      cl::desc("With --weights: write every mismatch to this file (the diagnostics show the "
               "first few of each kind)"),
      cl::value_desc("file"), cl::location(options.checkpointReportPath), cl::cat(reports));
  cl::opt<bool, true> printCacheLayout(
      "print-cache-layout", cl::desc("Print per-layer KV cache bytes/token and the total"),
      cl::location(options.printCacheLayout), cl::cat(reports));
  cl::opt<std::string> cacheLayoutOutput(
      "cache-layout-output",
      cl::desc("Write the --print-cache-layout report to this file ('-' for "
               "stdout; default: stdout, or stderr when the IR goes to stdout)"),
      cl::value_desc("file"), cl::cat(reports));
  cl::opt<std::string, true> cacheLayoutEntry(
      "cache-layout-entry", cl::desc("Function whose cache the layout describes (default decode)"),
      cl::value_desc("function"), cl::location(options.cacheLayoutEntry), cl::cat(reports));
  cl::opt<bool, true> allowTestRatios("allow-test-ratios",
                                      cl::desc("Accept compress ratios other than 0, 4 and 128"),
                                      cl::location(options.allowTestRatios), cl::cat(model));
  cl::opt<int64_t, true> maxSeqLen(
      "max-seq-len", cl::desc("Cache capacity in tokens (default: the config's max_seq_len)"),
      cl::location(options.maxSeqLen), cl::cat(model));
  cl::opt<int64_t, true> maxBatch(
      "max-batch",
      cl::desc("Sequence slots of the caches, the most sequences one decode "
               "call batches (default: the config's max_batch_size)"),
      cl::location(options.maxBatch), cl::cat(model));
  cl::opt<int64_t, true> maxChunk(
      "max-chunk",
      cl::desc("The most tokens one prefill call takes; longer prompts are fed "
               "in chunks (default: min(512, the cache capacity))"),
      cl::location(options.maxChunk), cl::cat(model));
  cl::opt<std::string, true> cacheFormat(
      "cache-format",
      cl::desc("Row encoding of the caches: bf16 (default, the reference's), "
               "fp8 (FP8 KV rows and indexer keys, v4-architecture.md 11.2) or "
               "fp8-fp4 (FP8 KV rows, MXFP4 indexer keys)"),
      cl::value_desc("format"), cl::location(options.cacheFormat), cl::cat(model));
  cl::opt<bool, true> emitBytecode("emit-bytecode", cl::desc("Write MLIR bytecode"),
                                   cl::location(options.emitBytecode), cl::cat(io));
  cl::list<std::string> targets(
      "target",
      cl::desc("Target of the target, llvm and module phases: cpu or cpu:host (this "
               "machine, the default), cpu:x86-64-v3 or cpu:x86-64-v4, with +feature "
               "suffixes; nvidia:sm_80|sm_90|sm_90a|sm_100a; amd:gfx90a|gfx942|gfx950; "
               "repeatable (one executable each in a module)"),
      cl::value_desc("target"), cl::cat(targeting));
  cl::opt<std::string, true> cudaToolkit(
      "cuda-toolkit",
      cl::desc("CUDA toolkit whose ptxas turns NVIDIA targets' PTX into cubins (without "
               "one, the module holds PTX only)"),
      cl::value_desc("dir"), cl::location(options.cudaPath), cl::cat(targeting));
  cl::opt<std::string, true> rocmPath(
      "rocm-path",
      cl::desc("ROCm folder with llvm/bin/ld.lld for AMD targets' HSACO link (default: "
               "this LLVM's ld.lld)"),
      cl::value_desc("dir"), cl::location(options.rocmPath), cl::cat(targeting));
  cl::opt<int64_t, true> amdCodeObject(
      "amd-code-object-version",
      cl::desc("AMD code-object ABI version: 400, 500 (the default) or 600 (needs ROCm "
               ">= 6.3 to load)"),
      cl::value_desc("n"), cl::location(options.amdCodeObjectVersion), cl::cat(targeting));
  cl::opt<int64_t, true> gpuGemmColumnTile(
      "gpu-gemm-column-tile",
      cl::desc("Output columns per workgroup (GPU block) of the GEMMs in a module with GPU "
               "targets (default 64; the module's CPU code runs the same workgroups)"),
      cl::value_desc("n"), cl::location(options.gpuGemmColumnTile), cl::cat(targeting));
  cl::opt<int64_t, true> gpuGemmRowTile(
      "gpu-gemm-row-tile",
      cl::desc("Rows per workgroup of the prefill GEMMs' tile form (bf16 tiles on the matrix "
               "units) in a module with GPU targets: 16 (the default), 32, 48 or 64; 0 runs "
               "every row group as a GEMV"),
      cl::value_desc("n"), cl::location(options.gpuGemmRowTile), cl::cat(targeting));
  cl::opt<bool, true> emulateGpu(
      "emulate-gpu",
      cl::desc("Compile the nvidia: and amd: targets' kernels, through their whole GPU "
               "pipelines, to host code that runs on a SIMT emulator instead of PTX or HSACO "
               "(only Sieve's tests provide one: docs/compiler.md)"),
      cl::location(options.emulateGpu), cl::cat(targeting));
  cl::opt<std::string, true> cpuGemm(
      "cpu-gemm",
      cl::desc("The prefill's GEMMs on the CPU: auto (the default: onednn when every target "
               "is a CPU and this build's runtime has oneDNN), generated (kernels compiled from "
               "the kernel IR) or onednn (oneDNN's bf16 GEMM, which the runtime provides; CPU "
               "targets only)"),
      cl::value_desc("auto|generated|onednn"), cl::location(options.cpuGemm), cl::cat(targeting));
  cl::opt<bool> printPipeline(
      "print-pipeline", cl::desc("Print each phase's pass pipeline (one per --target) and exit"),
      cl::cat(reports));

  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();
  mlir::registerAsmPrinterCLOptions();
  mlir::registerDefaultTimingManagerCLOptions();
  sieve::showToolOptionsOnly({&io, &model, &targeting, &reports});
  // Exit codes (docs/cli.md): 0 ok, 1 bad input (config, graph,
  // checkpoint), 2 bad command line (unknown flags, phases, values).
  if (!cl::ParseCommandLineOptions(
          argc, argv,
          "Sieve compiler: DeepSeek-V4 config.json or v4 graph -> compiled "
          "module\n\nPhases: input, graph, kernels, target, llvm, module.\n",
          &llvm::errs()))
    return 2;

  options.targets.assign(targets.begin(), targets.end());

  mlir::DialectRegistry registry;
  sieve::registerSieveDialects(registry);
  mlir::MLIRContext context(registry); // applies the context options
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  sieve::printFileLevelDiagnostics(context, "sieve-compile");

  if (printPipeline) {
    auto texts = sieve::getPipelineTexts(context, options);
    if (mlir::failed(texts))
      return 2;
    for (const auto &[phase, text] : *texts)
      llvm::outs() << phase << ": " << text << "\n";
    return 0;
  }
  if (mlir::failed(sieve::verifyCompileOptions(context, options)))
    return 2;

  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> out =
      mlir::openOutputFile(output, &error);
  if (!out) {
    llvm::errs() << "sieve-compile: " << error << "\n";
    return 1;
  }
  if (options.compileTo == "module" && out->os().is_displayed()) {
    llvm::errs() << "sieve-compile: error: a .sieve module is binary; not writing it to a "
                    "terminal (give -o FILE, or --compile-to=PHASE for text)\n";
    return 2;
  }

  // The layout report never mixes into IR written to stdout.
  std::unique_ptr<llvm::ToolOutputFile> layoutFile;
  if (!cacheLayoutOutput.empty() && cacheLayoutOutput != "-") {
    layoutFile = mlir::openOutputFile(cacheLayoutOutput, &error);
    if (!layoutFile) {
      llvm::errs() << "sieve-compile: " << error << "\n";
      return 1;
    }
    options.cacheLayoutStream = &layoutFile->os();
  } else if (cacheLayoutOutput.empty() && output == "-") {
    options.cacheLayoutStream = &llvm::errs();
  }

  mlir::DefaultTimingManager timingManager;
  mlir::applyDefaultTimingManagerCLOptions(timingManager);
  mlir::TimingScope timing = timingManager.getRootScope();

  sieve::CompileHooks hooks;
  hooks.configurePassManager = [](mlir::PassManager &pm) {
    return mlir::applyPassManagerCLOptions(pm);
  };
  // A compilation past two seconds (a large config, several targets) says
  // which step it is in.
  sieve::StageTicker ticker("sieve-compile");
  hooks.onStep = [&](llvm::StringRef step) { ticker.stage(step.str()); };
  context.getDiagEngine().registerHandler([&](mlir::Diagnostic &) {
    ticker.clearLine();
    return mlir::failure(); // printed by the handlers above
  });
  if (sieve::runContainingCrashes("sieve-compile", [&] {
        int rc = mlir::failed(sieve::compile(context, options, out->os(), hooks, &timing)) ? 1 : 0;
        ticker.finish();
        return rc;
      }))
    return 1;
  out->keep();
  if (layoutFile)
    layoutFile->keep();
  return 0;
}
