//===- case_recorder.cpp - The conformance suite's dispatches, written down ===//

#include "case_recorder.h"

#include "sieve/Target/CPU/CpuTarget.h"
#include "sieve/Target/GPU/GpuTarget.h"
#include "sieve/hal/cpu/cpu_features.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

namespace sieve::replay {

namespace {

fb::replay::Element elementOf(mlir::Type type) {
  if (type.isF32())
    return fb::replay::Element::F32;
  if (type.isBF16())
    return fb::replay::Element::BF16;
  return fb::replay::Element::Bytes;
}

/// "OpConformance.GemmTiles": the running test, as a file name.
std::string currentTest() {
  const ::testing::TestInfo *info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : "case";
  for (char &c : name)
    if (c == '/' || c == ' ')
      c = '_';
  return name;
}

/// The CPU the emulator's host code is compiled for (cpu:host) and the
/// features it may use: the same for every kernel, so parsed once.
struct HostCpu {
  std::string cpu;
  std::vector<std::string> features;
};
const HostCpu &hostCpu() {
  static const HostCpu host = [] {
    HostCpu result;
    mlir::MLIRContext context;
    mlir::FailureOr<cpu::CpuTarget> target =
        cpu::parseCpuTarget("cpu:host", mlir::UnknownLoc::get(&context));
    if (mlir::succeeded(target)) {
      result.cpu = target->cpu;
      result.features = cpu::enabledFeatures(*target, hal::cpu::knownCpuFeatures());
    }
    return result;
  }();
  return host;
}

} // namespace

CaseRecorder *CaseRecorder::active() {
  static CaseRecorder *recorder = [] {
    const char *directory = std::getenv("SIEVE_CONFORMANCE_RECORD");
    if (!directory || !*directory)
      return static_cast<CaseRecorder *>(nullptr);
    auto *recorder = new CaseRecorder(directory);
    const char *codes = std::getenv("SIEVE_CONFORMANCE_RECORD_CODES");
    recorder->recordHostCode_ = !codes || std::string(codes) != "gpu";
    return recorder;
  }();
  return recorder;
}

void CaseRecorder::noteKernelIR(mlir::ModuleOp module, llvm::StringRef symbol) {
  symbol_ = symbol.str();
  elements_.clear();
  gpuCodes_.clear();
  auto kernel = module.lookupSymbol<mlir::func::FuncOp>(symbol);
  if (!kernel)
    return;
  for (mlir::BlockArgument argument : kernel.getArguments()) {
    if (!mlir::isa<mlir::MemRefType>(argument.getType()))
      break; // the push constants follow the bindings
    std::optional<fb::replay::Element> element;
    bool agree = true;
    for (mlir::Operation *user : argument.getUsers()) {
      auto view = mlir::dyn_cast<mlir::memref::ViewOp>(user);
      if (!view)
        continue;
      fb::replay::Element viewed = elementOf(view.getType().getElementType());
      agree = agree && (!element || *element == viewed);
      element = viewed;
    }
    elements_.push_back(agree && element ? *element : fb::replay::Element::Bytes);
  }
}

mlir::LogicalResult CaseRecorder::noteGpuCode(mlir::ModuleOp lowered, llvm::StringRef chip) {
  const std::string spec = (chip.starts_with("gfx") ? "amd:" : "nvidia:") + chip.str();
  mlir::FailureOr<gpu_target::GpuTarget> target =
      gpu_target::parseGpuTarget(spec, lowered.getLoc());
  if (mlir::failed(target))
    return mlir::failure();
  mlir::FailureOr<std::vector<gpu_target::KernelLaunch>> launches =
      gpu_target::kernelLaunches(lowered, *target);
  if (mlir::failed(launches))
    return mlir::failure();
  mlir::FailureOr<gpu_target::GpuArtifacts> artifacts =
      gpu_target::serialize(lowered, *target, gpu_target::Toolchain(), false);
  if (mlir::failed(artifacts))
    return mlir::failure();
  const gpu_target::KernelLaunch *launch = nullptr;
  for (const gpu_target::KernelLaunch &candidate : *launches)
    if (candidate.name == symbol_)
      launch = &candidate;
  if (!launch)
    return lowered.emitError() << "no GPU kernel '" << symbol_ << "' to record";
  for (gpu_target::GpuBinary &binary : artifacts->binaries) {
    RecordedCode code;
    code.target = spec;
    code.format = binary.format == gpu_target::GpuBinary::Format::Ptx ? fb::ExecutableFormat::Ptx
                  : binary.format == gpu_target::GpuBinary::Format::Cubin
                      ? fb::ExecutableFormat::Cubin
                      : fb::ExecutableFormat::Hsaco;
    code.architecture = target->chip;
    code.features = {"small-floats:" + gpu_target::smallFloatChoice(*target).path};
    code.symbol = symbol_;
    code.blockSize = launch->blockSize;
    code.workgroupMemoryBytes = launch->workgroupMemoryBytes;
    code.image = std::move(binary.image);
    gpuCodes_.push_back(std::move(code));
  }
  return mlir::success();
}

void CaseRecorder::noteHostCode(sieve_kernel_fn fn, std::string image) {
  if (gpuCodes_.empty()) {
    forget(fn);
    return;
  }
  if (recordHostCode_) {
    // The emulator's host code, first: it runs the same launch.
    RecordedCode code = gpuCodes_.front();
    code.format = fb::ExecutableFormat::SimtHost;
    code.architecture = hal::cpu::hostArchitecture();
    code.cpu = hostCpu().cpu;
    code.features = hostCpu().features;
    code.image = std::move(image);
    gpuCodes_.insert(gpuCodes_.begin(), std::move(code));
  }
  kernels_[fn] = Kernel{std::move(gpuCodes_), elements_};
  gpuCodes_.clear();
}

Status CaseRecorder::record(sieve_kernel_fn fn, const sieve_dispatch_state_t &dispatch,
                            llvm::function_ref<Status()> run) {
  auto kernel = kernels_.find(fn);
  if (kernel == kernels_.end())
    return run();
  RecordedCase recorded;
  recorded.name = currentTest();
  recorded.name += "-" + std::to_string(dispatchesPerTest_[recorded.name]++);
  recorded.codes = kernel->second.codes;
  for (int d = 0; d < 3; ++d)
    recorded.workgroups[d] = dispatch.workgroup_count[d];
  recorded.constants.assign(dispatch.constants, dispatch.constants + dispatch.constant_count);
  for (uint32_t i = 0; i < dispatch.binding_count; ++i) {
    const char *data = static_cast<const char *>(dispatch.binding_ptrs[i]);
    const size_t bytes = dispatch.binding_lengths[i];
    // A device gives every binding its own memory: bindings sharing bytes
    // would not be the same dispatch there.
    for (uint32_t j = 0; j < i; ++j) {
      const char *other = static_cast<const char *>(dispatch.binding_ptrs[j]);
      if (bytes && dispatch.binding_lengths[j] && data < other + dispatch.binding_lengths[j] &&
          other < data + bytes)
        return Status(StatusCode::kFailedPrecondition,
                      recorded.name + ": bindings " + std::to_string(j) + " and " +
                          std::to_string(i) + " overlap; a recorded case cannot hold that");
    }
    RecordedBinding binding;
    const auto &elements = kernel->second.elements;
    binding.element = i < elements.size() ? elements[i] : fb::replay::Element::Bytes;
    binding.before.assign(data ? data : "", data ? bytes : 0);
    recorded.bindings.push_back(std::move(binding));
  }
  Status ran = run();
  if (!ran.isOk())
    return ran;
  for (uint32_t i = 0; i < dispatch.binding_count; ++i) {
    const char *data = static_cast<const char *>(dispatch.binding_ptrs[i]);
    recorded.bindings[i].after.assign(data ? data : "", data ? dispatch.binding_lengths[i] : 0);
  }
  const std::string path = directory_ + "/" + recorded.name + ".case";
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  const std::string bytes = serializeCase(recorded);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  out.close(); // a full disk shows at the last flush
  if (!out)
    return ioError("cannot write the recorded case " + path);
  return Status::ok();
}

} // namespace sieve::replay
