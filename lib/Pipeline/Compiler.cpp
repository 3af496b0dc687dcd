//===- Compiler.cpp - The compile driver behind sieve-compile --------------===//

#include "sieve/Pipeline/Compiler.h"

#include "program/IR/ProgramOps.h"
#include "sieve/Conversion/KernelsToCPU/Passes.h"
#include "sieve/Conversion/KernelsToGPU/Passes.h"
#include "sieve/Conversion/V4ToKernels/OpKernels.h"
#include "sieve/Import/ModelImporter.h"
#include "sieve/Import/ParameterBinding.h"
#include "sieve/Pipeline/Pipelines.h"
#include "sieve/Target/CPU/CpuTarget.h"
#include "sieve/Target/GPU/GpuTarget.h"
#include "sieve/Target/Module/ModuleWriter.h"
#include "sieve/Transforms/CacheLayout.h"
#include "sieve/hal/cpu/cpu_features.h"
#include "sieve/hal/cpu/library_kernels.h"

#include "sieve/io/model_config.h"
#include "sieve/io/model_schema.h"
#include "sieve/support/system.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/CrashRecoveryContext.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/TargetParser/Triple.h"

#include <cmath>
#include <optional>

using namespace mlir;

namespace sieve {

//===----------------------------------------------------------------------===//
// Phases
//===----------------------------------------------------------------------===//

static const CompilePhaseInfo kPhases[] = {
    {CompilePhase::Input, "input",
     "the imported config or parsed graph, verified"},
    {CompilePhase::Graph, "graph",
     "after the graph pipeline (canonicalize, CSE, cache layout)"},
    {CompilePhase::Kernels, "kernels",
     "dispatch formation: kernels of the kernel IR and the host program"},
    {CompilePhase::Target, "target",
     "the kernels lowered for each --target (LLVM dialect for the CPU), compiled and linked"},
    {CompilePhase::LLVM, "llvm",
     "the optimized LLVM IR of each target's kernels, as compiled (text, not MLIR)"},
    {CompilePhase::Module, "module",
     "the .sieve module: host programs, caches, weight bindings and each target's kernels"},
};

llvm::ArrayRef<CompilePhaseInfo> getCompilePhases() { return kPhases; }

std::optional<CompilePhase> parseCompilePhase(llvm::StringRef name) {
  for (const CompilePhaseInfo &info : kPhases)
    if (name == info.name)
      return info.phase;
  return std::nullopt;
}

const char *getCompilePhaseName(CompilePhase phase) {
  return kPhases[static_cast<int>(phase)].name;
}

/// "input, graph, ..., module".
static std::string phaseNames() {
  std::string out;
  for (const CompilePhaseInfo &info : kPhases) {
    if (!out.empty())
      out += ", ";
    out += info.name;
  }
  return out;
}

/// Checks --compile-to before any input is read.
static FailureOr<CompilePhase> resolvePhase(MLIRContext &context,
                                            llvm::StringRef name) {
  std::optional<CompilePhase> phase = parseCompilePhase(name);
  if (!phase)
    return emitError(UnknownLoc::get(&context))
           << "unknown phase '" << name << "' for --compile-to; phases are: " << phaseNames();
  return *phase;
}

/// The runtime's cache format named `name` (--cache-format).
static std::optional<io::CacheFormat> parseCacheFormat(llvm::StringRef name) {
  Expected<io::CacheFormat> format = io::parseCacheFormat(name.str());
  if (!format)
    return std::nullopt;
  return *format;
}

LogicalResult verifyCompileOptions(MLIRContext &context,
                                   const CompileOptions &options) {
  if (failed(resolvePhase(context, options.compileTo)))
    return failure();
  if (options.maxSeqLen < 0)
    return emitError(UnknownLoc::get(&context))
           << "--max-seq-len must not be negative, got " << options.maxSeqLen;
  if (options.maxSeqLen > io::limits::kMaxSeqLen)
    return emitError(UnknownLoc::get(&context))
           << "--max-seq-len " << options.maxSeqLen << " exceeds the limit of "
           << io::limits::kMaxSeqLen;
  if (options.maxBatch < 0)
    return emitError(UnknownLoc::get(&context))
           << "--max-batch must not be negative, got " << options.maxBatch;
  if (options.maxBatch > io::limits::kMaxBatchSize)
    return emitError(UnknownLoc::get(&context))
           << "--max-batch " << options.maxBatch << " exceeds the limit of "
           << io::limits::kMaxBatchSize;
  if (options.emitBytecode && (options.compileTo == "llvm" || options.compileTo == "module"))
    return emitError(UnknownLoc::get(&context))
           << "--emit-bytecode writes MLIR, but --compile-to=" << options.compileTo
           << " writes " << (options.compileTo == "llvm" ? "LLVM IR text" : "a .sieve module");
  if (options.maxChunk < 0)
    return emitError(UnknownLoc::get(&context))
           << "--max-chunk must not be negative, got " << options.maxChunk;
  if (options.maxChunk > io::limits::kMaxSeqLen)
    return emitError(UnknownLoc::get(&context))
           << "--max-chunk " << options.maxChunk << " exceeds the limit of "
           << io::limits::kMaxSeqLen;
  if (!parseCacheFormat(options.cacheFormat))
    return emitError(UnknownLoc::get(&context))
           << "unknown --cache-format '" << options.cacheFormat
           << "' (bf16, fp8 or fp8-fp4)";
  if (options.cacheLayoutEntry.empty())
    return emitError(UnknownLoc::get(&context))
           << "--cache-layout-entry needs a function name";
  for (const std::string &target : options.targets) {
    if (gpu_target::isGpuTargetSpec(target)) {
      if (failed(gpu_target::parseGpuTarget(target, UnknownLoc::get(&context))))
        return failure();
    } else if (failed(cpu::parseCpuTarget(target, UnknownLoc::get(&context)))) {
      return failure();
    }
  }
  if (options.cpuGemm != "auto" && options.cpuGemm != "generated" && options.cpuGemm != "onednn")
    return emitError(UnknownLoc::get(&context))
           << "unknown --cpu-gemm '" << options.cpuGemm << "' (auto, generated or onednn)";
  if (options.cpuGemm == "onednn")
    for (const std::string &target : options.targets)
      if (gpu_target::isGpuTargetSpec(target))
        return emitError(UnknownLoc::get(&context))
               << "--cpu-gemm=onednn runs the prefill's GEMMs in a CPU library, which the "
               << target << " target cannot call: compile GPU targets without it";
  if (options.gpuGemmColumnTile != 0) {
    if (options.gpuGemmColumnTile < 1 || options.gpuGemmColumnTile > 4096)
      return emitError(UnknownLoc::get(&context))
             << "--gpu-gemm-column-tile must be between 1 and 4096, got "
             << options.gpuGemmColumnTile;
    if (llvm::none_of(options.targets, gpu_target::isGpuTargetSpec))
      return emitError(UnknownLoc::get(&context))
             << "--gpu-gemm-column-tile sizes the GEMM tiles of modules with GPU targets; "
                "give an nvidia: or amd: --target";
  }
  if (options.emulateGpu && llvm::none_of(options.targets, gpu_target::isGpuTargetSpec))
    return emitError(UnknownLoc::get(&context))
           << "--emulate-gpu compiles GPU targets for the SIMT emulator; give an nvidia: or "
              "amd: --target";
  if (options.gpuGemmRowTile != -1) {
    if (options.gpuGemmRowTile < 0 || options.gpuGemmRowTile % 16 != 0 ||
        options.gpuGemmRowTile > kGpuGemmMaxRowTile)
      return emitError(UnknownLoc::get(&context))
             << "--gpu-gemm-row-tile must be 0 or a multiple of 16 up to " << kGpuGemmMaxRowTile
             << ", got " << options.gpuGemmRowTile;
    if (llvm::none_of(options.targets, gpu_target::isGpuTargetSpec))
      return emitError(UnknownLoc::get(&context))
             << "--gpu-gemm-row-tile sizes the GEMM tiles of modules with GPU targets; "
                "give an nvidia: or amd: --target";
  }
  if (options.amdCodeObjectVersion != 400 && options.amdCodeObjectVersion != 500 &&
      options.amdCodeObjectVersion != 600)
    return emitError(UnknownLoc::get(&context))
           << "--amd-code-object-version must be 400, 500 or 600, got "
           << options.amdCodeObjectVersion;
  return success();
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

std::string getGraphPipelineText(MLIRContext &context,
                                 const CompileOptions &options) {
  PassManager pm(&context, ModuleOp::getOperationName());
  GraphPipelineOptions graph;
  graph.cacheLayoutEntry = options.cacheLayoutEntry;
  graph.printCacheLayout = options.printCacheLayout;
  graph.cacheLayoutStream = options.cacheLayoutStream;
  buildGraphPipeline(pm, graph);
  std::string text;
  llvm::raw_string_ostream os(text);
  pm.printAsTextualPipeline(os);
  return text;
}

static std::vector<std::string> effectiveTargets(const CompileOptions &options);

/// --cpu-gemm as decided: auto is oneDNN's library kernels (prefill 2.6x
/// the generated GEMMs', docs/performance.md) where every target can call
/// them and the runtime built beside this compiler has them.
static std::string resolvedCpuGemm(const CompileOptions &options) {
  if (options.cpuGemm != "auto")
    return options.cpuGemm;
  for (const std::string &target : effectiveTargets(options))
    if (gpu_target::isGpuTargetSpec(target))
      return "generated";
  return hal::cpu::findLibraryKernel("onednn.matmul_fp8w_bf16") ? "onednn" : "generated";
}

static KernelsPipelineOptions kernelsPipelineOptions(const CompileOptions &options) {
  KernelsPipelineOptions kernels;
  if (std::string gemm = resolvedCpuGemm(options); gemm != "generated")
    kernels.gemmLibrary = gemm;
  // The workgroup counts are the module's: GPU code needs more blocks. The
  // GEMM tiles stay codes where every GPU chip multiplies codes itself.
  bool gpu = false, allScaled = true;
  for (const std::string &target : effectiveTargets(options))
    if (gpu_target::isGpuTargetSpec(target)) {
      gpu = true;
      allScaled &= gpu_target::multipliesScaledCodes(StringRef(target).split(':').second);
      kernels.gemmColumnTile =
          options.gpuGemmColumnTile > 0 ? options.gpuGemmColumnTile : kGpuGemmColumnTile;
      kernels.gemmRowTile = options.gpuGemmRowTile >= 0 ? options.gpuGemmRowTile : kGpuGemmRowTile;
    }
  kernels.gemmScaledTiles = gpu && allScaled && kernels.gemmRowTile > 0;
  return kernels;
}

/// The targets of a compilation: those given, or this machine's CPU.
static std::vector<std::string> effectiveTargets(const CompileOptions &options) {
  if (options.targets.empty())
    return {"cpu:host"};
  return options.targets;
}

/// The pass pipeline of target `spec` over one variant module; failure
/// for an unknown target (diagnosed).
static LogicalResult buildTargetPipeline(OpPassManager &pm, llvm::StringRef spec,
                                         const CompileOptions &options, MLIRContext &context) {
  if (!gpu_target::isGpuTargetSpec(spec)) {
    if (failed(cpu::parseCpuTarget(spec, UnknownLoc::get(&context))))
      return failure();
    buildKernelsToCPUPipeline(pm);
    return success();
  }
  FailureOr<gpu_target::GpuTarget> gpu = gpu_target::parseGpuTarget(spec, UnknownLoc::get(&context));
  if (failed(gpu))
    return failure();
  GPUPipelineOptions pipeline;
  pipeline.chip = gpu->chip;
  pipeline.codeObjectVersion = options.amdCodeObjectVersion;
  if (gpu->vendor == gpu_target::Vendor::Nvidia)
    buildKernelsToNVVMPipeline(pm, pipeline);
  else
    buildKernelsToROCDLPipeline(pm, pipeline);
  return success();
}

FailureOr<std::vector<std::pair<std::string, std::string>>>
getPipelineTexts(MLIRContext &context, const CompileOptions &options) {
  std::vector<std::pair<std::string, std::string>> out;
  out.emplace_back("graph", getGraphPipelineText(context, options));
  auto text = [](PassManager &pm) {
    std::string s;
    llvm::raw_string_ostream os(s);
    pm.printAsTextualPipeline(os);
    return s;
  };
  {
    PassManager pm(&context, ModuleOp::getOperationName());
    buildKernelsPipeline(pm, kernelsPipelineOptions(options));
    out.emplace_back("kernels", text(pm));
  }
  for (const std::string &target : effectiveTargets(options)) {
    PassManager pm(&context, ModuleOp::getOperationName());
    if (failed(buildTargetPipeline(pm, target, options, context)))
      return failure();
    out.emplace_back("target " + target, text(pm));
  }
  return out;
}

static LogicalResult writeModule(ModuleOp module, llvm::raw_ostream &os,
                                 bool bytecode) {
  if (bytecode)
    return writeBytecodeToFile(module, os);
  module.print(os, OpPrintingFlags());
  return success();
}

namespace {

/// What was read: a config (with its parsed form) or a graph.
struct Input {
  OwningOpRef<ModuleOp> module;
  std::optional<io::ModelConfig> config;
};

/// Decides whether `buffer` is a config: by extension, else by content.
bool looksLikeConfig(llvm::StringRef path, llvm::StringRef contents) {
  llvm::StringRef ext = llvm::sys::path::extension(path);
  if (ext == ".json")
    return true;
  if (ext == ".mlir" || ext == ".mlirbc")
    return false;
  return contents.ltrim().starts_with("{");
}

class Driver {
public:
  Driver(MLIRContext &context, const CompileOptions &options,
         const CompileHooks &hooks, TimingScope *timing)
      : context(context), options(options), hooks(hooks), timing(timing) {}

  LogicalResult run(llvm::raw_ostream &output);

private:
  TimingScope nest(llvm::StringRef name) {
    if (hooks.onStep)
      hooks.onStep(name);
    return timing ? timing->nest(name) : TimingScope();
  }
  LogicalResult readInput(Input &input);
  LogicalResult checkCheckpoint(Input &input);
  LogicalResult finishPhase(CompilePhase phase, ModuleOp module);
  LogicalResult runGraphPhase(Input &input);
  LogicalResult runKernelsPhase(Input &input);
  LogicalResult runTargetPhase(Input &input, bool keepLLVMIR);
  LogicalResult emitGpuExecutables(ModuleOp variant, std::string *optimizedIR);
  LogicalResult emitEmulatedGpuExecutable(ModuleOp variant, const gpu_target::GpuTarget &target,
                                          std::string *optimizedIR);
  LogicalResult crossCheckCacheLayout(Input &input);
  LogicalResult writeSieveModuleTo(Input &input, llvm::raw_ostream &output);
  LogicalResult writePhaseDump(CompilePhase phase,
                               llvm::function_ref<void(llvm::raw_ostream &)> print);

  MLIRContext &context;
  /// A copy: lld, linked in process, resets LLVM's command-line options
  /// (cl::ResetAllOptionOccurrences), and a tool's options may live in them.
  const CompileOptions options;
  const CompileHooks &hooks;
  TimingScope *timing;
  unsigned phaseIndex = 0;
  std::string stem;
  /// The llvm phase's output: each target variant's optimized LLVM IR.
  std::string llvmIR;
  /// The target phase's linked kernels, one per target, for the module.
  std::vector<ExecutableImage> images;
};

LogicalResult Driver::readInput(Input &input) {
  TimingScope scope = nest("import");
  std::string path = options.inputPath;
  if (path != "-" && llvm::sys::fs::is_directory(path))
    path = (llvm::Twine(path) + "/config.json").str();
  stem = path == "-" ? "stdin" : llvm::sys::path::stem(path).str();

  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> buffer = openInputFile(path, &error);
  if (!buffer)
    return emitError(UnknownLoc::get(&context)) << error;
  loadImportDialects(&context);
  // Nothing to compile is an error, not an empty module (`< /dev/null`).
  if (buffer->getBuffer().trim().empty())
    return emitError(FileLineColLoc::get(&context, path == "-" ? "<stdin>" : path, 1, 1))
           << "empty input: expected a DeepSeek-V4 config.json or a v4 graph";

  if (looksLikeConfig(path, buffer->getBuffer())) {
    ImportOptions importOptions;
    importOptions.allowTestRatios = options.allowTestRatios;
    importOptions.maxSeqLen = options.maxSeqLen;
    importOptions.maxBatch = options.maxBatch;
    importOptions.maxChunk = options.maxChunk;
    importOptions.cacheFormat = *parseCacheFormat(options.cacheFormat);
    std::string name = path == "-" ? "<stdin>" : path;
    FailureOr<io::ModelConfig> config = parseModelConfig(
        &context, buffer->getBuffer(), name, importOptions);
    if (failed(config))
      return failure();
    // A context length the config does not state is said, with what the
    // model allows: the caches are sized by it.
    if (options.maxSeqLen == 0 && !config->maxSeqLenGiven &&
        config->maxPositionEmbeddings > config->maxSeqLen)
      emitRemark(FileLineColLoc::get(&context, name, 1, 1))
          << "context length " << config->maxSeqLen
          << " tokens (the reference's default: the config has no max_seq_len; the model's "
             "max_position_embeddings is "
          << config->maxPositionEmbeddings
          << "): give --max-seq-len N for a longer context (the caches grow with it)";
    input.config = std::move(*config);
    input.module = importModel(&context, *input.config, importOptions,
                               FileLineColLoc::get(&context, name, 1, 1));
  } else {
    llvm::SourceMgr sourceMgr;
    sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
    // Parsing verifies the graph; errors carry the op locations. A host that
    // contains MLIR's crashes on malformed input (sieve::runContainingCrashes)
    // needs them on its thread, so verification then runs sequentially.
    bool threaded = context.isMultithreadingEnabled();
    if (threaded && llvm::CrashRecoveryContext::GetCurrent())
      context.disableMultithreading();
    input.module = parseSourceFile<ModuleOp>(sourceMgr, &context);
    if (threaded && !context.isMultithreadingEnabled())
      context.enableMultithreading();
  }
  return success(static_cast<bool>(input.module));
}

LogicalResult Driver::checkCheckpoint(Input &input) {
  if (options.checkpointPath.empty())
    return success();
  TimingScope scope = nest("checkpoint check");
  if (input.config)
    return checkCheckpointForConfig(FileLineColLoc::get(&context, options.checkpointPath, 0, 0),
                                    *input.config, options.checkpointPath,
                                    options.checkpointReportPath);
  return checkCheckpointForGraph(*input.module, options.checkpointPath,
                                 options.checkpointReportPath);
}

LogicalResult Driver::finishPhase(CompilePhase phase, ModuleOp module) {
  ++phaseIndex;
  if (hooks.afterPhase)
    hooks.afterPhase(phase, module);
  if (phase == CompilePhase::LLVM)
    return writePhaseDump(phase, [&](llvm::raw_ostream &os) { os << llvmIR; });
  return writePhaseDump(phase,
                        [&](llvm::raw_ostream &os) { module.print(os, OpPrintingFlags()); });
}

LogicalResult Driver::writePhaseDump(CompilePhase phase,
                                     llvm::function_ref<void(llvm::raw_ostream &)> print) {
  if (options.dumpPhasesTo.empty())
    return success();
  if (std::error_code ec =
          llvm::sys::fs::create_directories(options.dumpPhasesTo))
    return emitError(UnknownLoc::get(&context))
           << "cannot create --dump-phases-to directory '"
           << options.dumpPhasesTo << "': " << ec.message();
  std::string file = (llvm::Twine(options.dumpPhasesTo) + "/" + stem + "." +
                      llvm::Twine(phaseIndex) + "." + getCompilePhaseName(phase) +
                      (phase == CompilePhase::LLVM ? ".ll" : ".mlir"))
                         .str();
  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> out = openOutputFile(file, &error);
  if (!out)
    return emitError(UnknownLoc::get(&context))
           << "cannot write phase dump: " << error;
  print(out->os());
  out->keep();
  return success();
}

LogicalResult Driver::runGraphPhase(Input &input) {
  PassManager pm(&context, ModuleOp::getOperationName());
  GraphPipelineOptions graph;
  graph.cacheLayoutEntry = options.cacheLayoutEntry;
  graph.printCacheLayout = options.printCacheLayout;
  graph.cacheLayoutStream = options.cacheLayoutStream;
  buildGraphPipeline(pm, graph);
  if (hooks.configurePassManager && failed(hooks.configurePassManager(pm)))
    return failure();
  TimingScope scope = nest("graph pipeline");
  if (timing)
    pm.enableTiming(scope);
  if (failed(pm.run(*input.module)))
    return failure();
  return crossCheckCacheLayout(input);
}

LogicalResult Driver::runKernelsPhase(Input &input) {
  PassManager pm(&context, ModuleOp::getOperationName());
  buildKernelsPipeline(pm, kernelsPipelineOptions(options));
  if (hooks.configurePassManager && failed(hooks.configurePassManager(pm)))
    return failure();
  TimingScope scope = nest("kernels pipeline");
  if (timing)
    pm.enableTiming(scope);
  return pm.run(*input.module);
}

/// Each executable gets one variant per target, a builtin.module named after
/// the target holding its kernels lowered for it; each variant is then
/// compiled and linked, so a kernel the target cannot take fails here, with
/// a diagnostic, not when the module is loaded.
LogicalResult Driver::runTargetPhase(Input &input, bool keepLLVMIR) {
  const std::vector<std::string> targets = effectiveTargets(options);
  ModuleOp module = *input.module;
  // The variants of each target, across executables.
  std::vector<SmallVector<ModuleOp>> variantsOf(targets.size());
  for (auto executable : module.getOps<program::ExecutableOp>()) {
    SmallVector<Operation *> kernels;
    for (Operation &op : executable.getBlock()) {
      // A library kernel is a declaration: the runtime has its code.
      if (auto function = dyn_cast<func::FuncOp>(op); function && function.isDeclaration())
        continue;
      if (isa<func::FuncOp, memref::GlobalOp>(op))
        kernels.push_back(&op);
    }
    OpBuilder b = OpBuilder::atBlockEnd(&executable.getBlock());
    for (auto [index, target] : llvm::enumerate(targets)) {
      std::string name = target;
      std::replace_if(name.begin(), name.end(), [](char c) { return !llvm::isAlnum(c); }, '_');
      auto variant = ModuleOp::create(b, executable.getLoc(), StringRef(name));
      variant->setAttr("sieve.target", b.getStringAttr(target));
      OpBuilder inner = OpBuilder::atBlockEnd(variant.getBody());
      for (Operation *kernel : kernels)
        inner.clone(*kernel);
      variantsOf[index].push_back(variant);
    }
  }
  // Each target's pipeline over its variants.
  for (auto [index, target] : llvm::enumerate(targets)) {
    PassManager pm(&context, ModuleOp::getOperationName());
    if (failed(buildTargetPipeline(pm, target, options, context)))
      return failure();
    if (hooks.configurePassManager && failed(hooks.configurePassManager(pm)))
      return failure();
    TimingScope scope = nest("target pipeline " + target);
    if (timing)
      pm.enableTiming(scope);
    for (ModuleOp variant : variantsOf[index])
      if (failed(pm.run(variant)))
        return failure();
  }
  TimingScope scope = nest("objects and link");
  for (auto executable : module.getOps<program::ExecutableOp>())
    for (auto variant : executable.getBlock().getOps<ModuleOp>()) {
      auto target = variant->getAttrOfType<StringAttr>("sieve.target");
      std::string optimizedIR;
      if (gpu_target::isGpuTargetSpec(target.getValue())) {
        if (failed(emitGpuExecutables(variant, keepLLVMIR ? &optimizedIR : nullptr)))
          return failure();
      } else {
        FailureOr<cpu::CpuTarget> cpuTarget = cpu::parseCpuTarget(target, variant.getLoc());
        if (failed(cpuTarget))
          return failure();
        FailureOr<std::string> object =
            cpu::emitObject(variant, *cpuTarget, keepLLVMIR ? &optimizedIR : nullptr);
        if (failed(object))
          return failure();
        FailureOr<std::string> image = cpu::linkSharedObject({*object}, variant.getLoc());
        if (failed(image))
          return failure();
        ExecutableImage executableImage;
        executableImage.target = target.getValue().str();
        executableImage.architecture = llvm::Triple(cpuTarget->triple).getArchName().str();
        executableImage.cpu = cpuTarget->cpu;
        executableImage.features =
            cpu::enabledFeatures(*cpuTarget, hal::cpu::knownCpuFeatures());
        executableImage.image = std::move(*image);
        images.push_back(std::move(executableImage));
      }
      if (keepLLVMIR)
        llvmIR += ("; ----- executable @" + executable.getSymName() + ", target " +
                   target.getValue() + "\n" + optimizedIR)
                      .str();
    }
  return success();
}

/// The module's record of how each GPU kernel launches.
static std::vector<ExecutableImage::Launch>
moduleLaunches(const std::vector<gpu_target::KernelLaunch> &kernels) {
  std::vector<ExecutableImage::Launch> launches;
  for (const gpu_target::KernelLaunch &kernel : kernels) {
    ExecutableImage::Launch launch;
    launch.kernel = kernel.name;
    launch.blockSize = kernel.blockSize;
    launch.workgroupMemoryBytes = kernel.workgroupMemoryBytes;
    launches.push_back(std::move(launch));
  }
  return launches;
}

/// Whether the compiled module (the one holding `variant`'s executable)
/// keeps its GEMM tiles as codes and scales.
static bool hasScaledTiles(ModuleOp variant) {
  Operation *module = variant;
  while (auto parent = module->getParentOfType<ModuleOp>())
    module = parent;
  return module->hasAttr(kGemmScaledTilesAttr);
}

/// PTX (and a cubin where ptxas is) or an HSACO of a GPU variant, with each
/// kernel's launch shape; the compiler's choices are remarks.
LogicalResult Driver::emitGpuExecutables(ModuleOp variant, std::string *optimizedIR) {
  auto spec = variant->getAttrOfType<StringAttr>("sieve.target").getValue();
  FailureOr<gpu_target::GpuTarget> target = gpu_target::parseGpuTarget(spec, variant.getLoc());
  if (failed(target))
    return failure();
  if (options.emulateGpu)
    return emitEmulatedGpuExecutable(variant, *target, optimizedIR);
  gpu_target::Toolchain toolchain;
  toolchain.cudaPath = options.cudaPath;
  toolchain.rocmPath = options.rocmPath;
  FailureOr<gpu_target::GpuArtifacts> artifacts =
      gpu_target::serialize(variant, *target, toolchain, optimizedIR != nullptr);
  if (failed(artifacts))
    return failure();
  if (!artifacts->compilerRemark.empty())
    emitRemark(variant.getLoc()) << spec << ": " << artifacts->compilerRemark;
  gpu_target::SmallFloatChoice smallFloats =
      gpu_target::smallFloatChoice(*target, hasScaledTiles(variant));
  emitRemark(variant.getLoc()) << spec << ": " << smallFloats.remark;
  if (optimizedIR)
    *optimizedIR = std::move(artifacts->optimizedIR);
  for (gpu_target::GpuBinary &binary : artifacts->binaries) {
    ExecutableImage image;
    image.target = spec.str();
    switch (binary.format) {
    case gpu_target::GpuBinary::Format::Ptx:
      image.format = ExecutableImage::Format::Ptx;
      break;
    case gpu_target::GpuBinary::Format::Cubin:
      image.format = ExecutableImage::Format::Cubin;
      break;
    case gpu_target::GpuBinary::Format::Hsaco:
      image.format = ExecutableImage::Format::Hsaco;
      break;
    }
    image.architecture = target->chip;
    image.features = {"small-floats:" + smallFloats.path};
    image.image = std::move(binary.image);
    image.launches = moduleLaunches(artifacts->kernels);
    images.push_back(std::move(image));
  }
  return success();
}

/// With --emulate-gpu: the GPU variant's kernels, lowered by the chip's
/// whole pipeline, become host code calling the SIMT emulator
/// (sieve-gpu-emulate), compiled and linked like a CPU executable for this
/// machine, with the launch shapes a GPU executable has.
LogicalResult Driver::emitEmulatedGpuExecutable(ModuleOp variant,
                                                const gpu_target::GpuTarget &target,
                                                std::string *optimizedIR) {
  FailureOr<std::vector<gpu_target::KernelLaunch>> launches =
      gpu_target::kernelLaunches(variant, target);
  if (failed(launches))
    return failure();
  PassManager pm(&context, ModuleOp::getOperationName());
  pm.addPass(createGPUEmulatePass());
  if (hooks.configurePassManager && failed(hooks.configurePassManager(pm)))
    return failure();
  if (failed(pm.run(variant)))
    return failure();
  FailureOr<cpu::CpuTarget> host = cpu::parseCpuTarget("cpu:host", variant.getLoc());
  if (failed(host))
    return failure();
  FailureOr<std::string> object = cpu::emitObject(variant, *host, optimizedIR);
  if (failed(object))
    return failure();
  FailureOr<std::string> image = cpu::linkSharedObject({*object}, variant.getLoc());
  if (failed(image))
    return failure();
  emitRemark(variant.getLoc())
      << target.spec << ": "
      << gpu_target::smallFloatChoice(target, hasScaledTiles(variant)).remark;
  emitRemark(variant.getLoc()) << target.spec
                               << ": host code for the SIMT emulator (--emulate-gpu), not "
                                  "runnable on a GPU";
  ExecutableImage executable;
  executable.target = target.spec;
  executable.format = ExecutableImage::Format::SimtHost;
  executable.architecture = llvm::Triple(host->triple).getArchName().str();
  executable.cpu = host->cpu;
  executable.features = cpu::enabledFeatures(*host, hal::cpu::knownCpuFeatures());
  executable.image = std::move(*image);
  executable.launches = moduleLaunches(*launches);
  images.push_back(std::move(executable));
  return success();
}

/// The compile options that shape a module, recorded in it.
static std::vector<std::pair<std::string, std::string>>
recordedOptions(const CompileOptions &options) {
  std::vector<std::pair<std::string, std::string>> out;
  out.emplace_back("input", options.inputPath);
  std::string targets;
  for (const std::string &target : effectiveTargets(options))
    targets += (targets.empty() ? "" : ",") + target;
  out.emplace_back("target", targets);
  out.emplace_back("max-seq-len", std::to_string(options.maxSeqLen));
  out.emplace_back("max-batch", std::to_string(options.maxBatch));
  out.emplace_back("max-chunk", std::to_string(options.maxChunk));
  out.emplace_back("cache-format", options.cacheFormat);
  out.emplace_back("cpu-gemm", resolvedCpuGemm(options));
  if (options.emulateGpu)
    out.emplace_back("emulate-gpu", "true");
  return out;
}

LogicalResult Driver::writeSieveModuleTo(Input &input, llvm::raw_ostream &output) {
  ModuleProvenance provenance;
  provenance.producerVersion = SIEVE_VERSION_STRING;
  provenance.options = recordedOptions(options);
  provenance.cacheFormat = options.cacheFormat;
  if (input.config) {
    io::ModelConfig compiled = *input.config;
    if (auto model = (*input.module)->getAttrOfType<DictionaryAttr>("v4.model"))
      if (auto capacity = model.getAs<IntegerAttr>("max_seq_len"))
        compiled.maxSeqLen = capacity.getInt();
    provenance.configJson = io::modelConfigToJson(compiled);
  }
  FailureOr<std::string> bytes = writeSieveModule(*input.module, provenance, images);
  if (failed(bytes))
    return failure();
  output << *bytes;
  return success();
}

/// With --print-cache-layout on a config, the graph-derived figures must
/// equal the runtime's computeCacheSizes (one source of truth, two paths).
LogicalResult Driver::crossCheckCacheLayout(Input &input) {
  if (!options.printCacheLayout || !input.config ||
      (options.cacheLayoutEntry != "decode" &&
       options.cacheLayoutEntry != "prefill"))
    return success();
  auto fn = input.module->lookupSymbol<func::FuncOp>(options.cacheLayoutEntry);
  if (!fn)
    return success();
  FailureOr<CacheLayout> layout = computeCacheLayout(fn);
  if (failed(layout))
    return failure();
  io::CacheSizes sizes =
      io::computeCacheSizes(*input.config, *parseCacheFormat(options.cacheFormat));
  double graphPerToken = layout->bytesPerToken();
  double configPerToken = sizes.bytesPerToken();
  int64_t graphFixed = layout->fixedBytes();
  int64_t configFixed = sizes.fixedBytesPerSequence();
  bool match = std::fabs(graphPerToken - configPerToken) < 1e-9 &&
               graphFixed == configFixed;
  llvm::raw_ostream &os = options.cacheLayoutStream ? *options.cacheLayoutStream : llvm::outs();
  os << "  computeCacheSizes(config): ";
  if (configPerToken == std::floor(configPerToken))
    os << static_cast<int64_t>(configPerToken);
  else
    os << llvm::format("%.2f", configPerToken);
  os << " bytes/token, " << sieve::formatBytes(uint64_t(configFixed))
     << " fixed: " << (match ? "matches the graph" : "MISMATCH") << "\n";
  os.flush();
  if (!match)
    return emitError(fn.getLoc())
           << "cache layout of @" << fn.getSymName() << " (" << graphPerToken
           << " bytes/token, " << graphFixed
           << " fixed bytes) disagrees with computeCacheSizes ("
           << configPerToken << ", " << configFixed << ")";
  return success();
}

LogicalResult Driver::run(llvm::raw_ostream &output) {
  if (failed(verifyCompileOptions(context, options)))
    return failure();
  CompilePhase last = *parseCompilePhase(options.compileTo);

  Input input;
  if (failed(readInput(input)) || failed(checkCheckpoint(input)) ||
      failed(finishPhase(CompilePhase::Input, *input.module)))
    return failure();

  if (last >= CompilePhase::Graph &&
      (failed(runGraphPhase(input)) ||
       failed(finishPhase(CompilePhase::Graph, *input.module))))
    return failure();
  if (last >= CompilePhase::Kernels &&
      (failed(runKernelsPhase(input)) ||
       failed(finishPhase(CompilePhase::Kernels, *input.module))))
    return failure();
  if (last >= CompilePhase::Target &&
      (failed(runTargetPhase(input, /*keepLLVMIR=*/last >= CompilePhase::LLVM)) ||
       failed(finishPhase(CompilePhase::Target, *input.module))))
    return failure();
  if (last >= CompilePhase::LLVM && failed(finishPhase(CompilePhase::LLVM, *input.module)))
    return failure();

  TimingScope scope = nest("output");
  if (last == CompilePhase::LLVM) {
    output << llvmIR;
    return success();
  }
  if (last == CompilePhase::Module)
    return writeSieveModuleTo(input, output);
  return writeModule(*input.module, output, options.emitBytecode);
}

} // namespace

LogicalResult compile(MLIRContext &context, const CompileOptions &options,
                      llvm::raw_ostream &output, const CompileHooks &hooks,
                      TimingScope *timing) {
  return Driver(context, options, hooks, timing).run(output);
}

} // namespace sieve
