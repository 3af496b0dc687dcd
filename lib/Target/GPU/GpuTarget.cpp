//===- GpuTarget.cpp - GPU targets and their binaries ---------------------===//

#include "sieve/Target/GPU/GpuTarget.h"

#include "sieve/Conversion/KernelContract.h"
#include "sieve/Conversion/KernelsToGPU/Passes.h"

#include "mlir/Conversion/NVVMToLLVM/NVVMToLLVM.h"
#include "mlir/Dialect/GPU/IR/CompilationInterfaces.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace sieve::gpu_target {
namespace {

// Chips whose whole kernel set compiles (ptxas / ld.lld accept it).
constexpr llvm::StringRef kNvidiaChips[] = {"sm_80", "sm_90", "sm_90a", "sm_100a"};
constexpr llvm::StringRef kAmdChips[] = {"gfx90a", "gfx942", "gfx950"};

std::string listOf(llvm::ArrayRef<llvm::StringRef> chips, llvm::StringRef prefix) {
  std::string list;
  for (llvm::StringRef chip : chips)
    list += (list.empty() ? "" : ", ") + (prefix + chip).str();
  return list;
}

/// A ROCm-shaped folder (llvm/bin/ld.lld) made from this LLVM's ld.lld for
/// one compilation, removed when it goes out of scope.
class RocmShim {
public:
  ~RocmShim() {
    if (!root.empty())
      llvm::sys::fs::remove_directories(root);
  }
  FailureOr<std::string> make(Location loc) {
    std::string lld = SIEVE_LLVM_TOOLS_DIR "/ld.lld";
    if (!llvm::sys::fs::exists(lld))
      return emitError(loc) << "the AMD target links HSACO with ld.lld, which is not at " << lld
                            << "; install lld-22 or pass --rocm-path";
    llvm::SmallString<128> dir;
    if (std::error_code ec = llvm::sys::fs::createUniqueDirectory("sieve-rocm", dir))
      return emitError(loc) << "cannot create a temporary folder for ld.lld: " << ec.message();
    root = dir.str().str();
    llvm::SmallString<128> bin(dir);
    llvm::sys::path::append(bin, "llvm", "bin");
    if (std::error_code ec = llvm::sys::fs::create_directories(bin))
      return emitError(loc) << "cannot create " << bin << ": " << ec.message();
    llvm::SmallString<128> link(bin);
    llvm::sys::path::append(link, "ld.lld");
    if (std::error_code ec = llvm::sys::fs::create_link(lld, link))
      return emitError(loc) << "cannot link " << link << " to " << lld << ": " << ec.message();
    return root;
  }

private:
  std::string root;
};

/// LLVM 22's AMDGPU promote-alloca-to-vector crashes on a kernel storing to
/// a private array in one loop and reading it, through indices loaded from
/// another private array, in the next (the MoE routing kernels; reduced case
/// in docs/compiler.md). The option is process-wide, so it is set for every
/// AMD serialization; private arrays then stay in scratch memory.
LogicalResult avoidPromoteAllocaToVectorCrash(Location loc) {
  auto options = llvm::cl::getRegisteredOptions();
  auto it = options.find("disable-promote-alloca-to-vector");
  if (it == options.end())
    return emitError(loc) << "this LLVM has no -disable-promote-alloca-to-vector option, which "
                             "the AMD target needs to avoid an LLVM 22 crash";
  if (it->second->addOccurrence(0, "disable-promote-alloca-to-vector", "true"))
    return emitError(loc) << "could not set -disable-promote-alloca-to-vector";
  return success();
}

} // namespace

bool multipliesScaledCodes(llvm::StringRef chip) { return chip == "gfx950" || chip == "sm_100a"; }

llvm::ArrayRef<llvm::StringRef> knownChips(Vendor vendor) {
  if (vendor == Vendor::Nvidia)
    return kNvidiaChips;
  return kAmdChips;
}

SmallFloatChoice smallFloatChoice(const GpuTarget &target, bool scaledTiles) {
  SmallFloatChoice choice;
  const NativeSmallFloats native = nativeSmallFloats(target.chip);
  std::string mma;
  if (target.vendor == Vendor::Amd && target.chip == "gfx942")
    mma = "gfx942's FP8 is FNUZ (another encoding than the checkpoint's E4M3FN), so its FP8 "
          "conversions and FP8 MFMA are not used";
  else if (target.vendor == Vendor::Amd && target.chip == "gfx950")
    mma = scaledTiles ? "prefill GEMM tiles multiply the codes and E8M0 scales as they are on the "
                        "chip's scaled MFMA (amdgpu.scaled_mfma 16x16x128)"
                      : "the chip's scaled MFMA (amdgpu.scaled_mfma) multiplies the GEMM tiles "
                        "only of modules whose GPU chips all have one";
  else if (target.chip == "sm_100a")
    mma = scaledTiles ? "prefill GEMM tiles multiply the codes and E8M0 scales as they are on the "
                        "chip's block-scaled MMA (tcgen05.mma.block_scale, kind::mxf8f6f4; E2M1 "
                        "codes widened to E4M3 in shared memory)"
                      : "the chip's block-scaled MMA (tcgen05.mma.block_scale) multiplies the GEMM "
                        "tiles only of modules whose GPU chips all have one";
  else if (target.chip == "sm_90" || target.chip == "sm_90a")
    mma = "the chip has no block-scaled MMA; its FP8 tensor cores are not used yet";
  else
    mma = "the chip has no FP8 or FP4 conversions and no FP8 matrix units";
  if (native.e4m3 && native.e2m1) {
    choice.path = "convert";
    choice.remark = std::string("FP8 (E4M3) and MXFP4 codes are decoded by the chip's "
                                "conversions (") +
                    (target.vendor == Vendor::Amd ? "amdgpu.scaled_ext_packed"
                                                  : "nvvm.convert.f8x2/f4x2.to.f16x2") +
                    ") and E8M0 scales with integer arithmetic, products in f32: " + mma;
  } else if (native.e4m3) {
    choice.path = "convert-fp8";
    choice.remark =
        std::string("FP8 (E4M3) codes are decoded by the chip's conversion (") +
        (target.vendor == Vendor::Amd ? "amdgpu.scaled_ext_packed" : "nvvm.convert.f8x2.to.f16x2") +
        "), MXFP4 codes and E8M0 scales with integer arithmetic, products in f32: "
        "the chip has no FP4 conversion; " +
        mma;
  } else {
    choice.path = "integer-decode";
    choice.remark = "FP8 (E4M3) and MXFP4 codes and E8M0 scales are decoded with integer "
                    "arithmetic (codes into f16), products in f32: " +
                    mma;
  }
  // sieve-gpu-native-small-floats: quantization rounds by the conversions
  // wherever the chip converts both formats.
  if (native.e4m3 && native.e2m1)
    choice.remark += std::string("; values are rounded to E4M3 and E2M1 by the chip's "
                                 "conversions (") +
                     (target.vendor == Vendor::Amd ? "amdgpu.packed_scaled_trunc"
                                                   : "nvvm.convert.f32x2.to.f8x2/f4x2") +
                     ")";
  else if (native.e4m3 && target.vendor == Vendor::Nvidia)
    choice.remark += "; values are rounded to E4M3 by the chip's conversion "
                     "(nvvm.convert.f32x2.to.f8x2)";
  // sieve-gpu-tile-products: a prefill GEMM's tiles meet as bf16 (or as
  // codes, said above).
  if (scaledTiles && multipliesScaledCodes(target.chip))
    return choice;
  choice.remark += "; prefill GEMM tiles multiply the decoded values as bf16 on the chip's ";
  if (target.vendor == Vendor::Amd)
    choice.remark += "MFMA (16x16x16)";
  else if (target.vendor == Vendor::Nvidia && hasWgmma(target.chip))
    choice.remark += "tensor cores (wgmma m64nNk16, the tiles kept in its shared-memory layout)";
  else
    choice.remark += "tensor cores (mma.sync m16n8k16)";
  return choice;
}

bool isGpuTargetSpec(llvm::StringRef spec) {
  return spec.starts_with("nvidia:") || spec.starts_with("amd:");
}

FailureOr<GpuTarget> parseGpuTarget(llvm::StringRef spec, Location loc) {
  GpuTarget target;
  target.spec = spec.str();
  auto [vendor, chip] = spec.split(':');
  if (vendor == "nvidia") {
    target.vendor = Vendor::Nvidia;
    target.triple = "nvptx64-nvidia-cuda";
  } else if (vendor == "amd") {
    target.vendor = Vendor::Amd;
    target.triple = "amdgcn-amd-amdhsa";
  } else {
    return emitError(loc) << "'" << spec << "' is not a GPU target (nvidia:<chip> or amd:<chip>)";
  }
  llvm::ArrayRef<llvm::StringRef> chips = knownChips(target.vendor);
  if (!llvm::is_contained(chips, chip))
    return emitError(loc) << "unknown " << vendor << " chip '" << chip << "' in --target=" << spec
                          << " (known: " << listOf(chips, (vendor + ":").str()) << ")";
  target.chip = chip.str();
  return target;
}

/// The one gpu.module of `variant`, or an error naming `target`.
static FailureOr<gpu::GPUModuleOp> onlyGpuModule(ModuleOp variant, const GpuTarget &target) {
  auto modules = variant.getBody()->getOps<gpu::GPUModuleOp>();
  if (std::distance(modules.begin(), modules.end()) != 1)
    return emitError(variant.getLoc()) << "expects one gpu.module of kernels for " << target.spec;
  return *modules.begin();
}

FailureOr<std::vector<KernelLaunch>> kernelLaunches(ModuleOp variant, const GpuTarget &target) {
  FailureOr<gpu::GPUModuleOp> gpuModule = onlyGpuModule(variant, target);
  if (failed(gpuModule))
    return failure();
  std::vector<KernelLaunch> launches;
  for (auto fn : gpuModule->getOps<LLVM::LLVMFuncOp>()) {
    if (!fn->hasAttr(gpu::GPUDialect::getKernelFuncAttrName()))
      continue;
    KernelLaunch launch;
    launch.name = fn.getSymName().str();
    if (auto block = fn->getAttrOfType<DenseI32ArrayAttr>("gpu.known_block_size"))
      for (auto [i, v] : llvm::enumerate(block.asArrayRef().take_front(3)))
        launch.blockSize[i] = static_cast<uint32_t>(v);
    if (auto bytes = fn->getAttrOfType<IntegerAttr>(kernel_contract::kWorkgroupMemory))
      launch.workgroupMemoryBytes = bytes.getUInt();
    launches.push_back(std::move(launch));
  }
  return launches;
}

FailureOr<GpuArtifacts> serialize(ModuleOp variant, const GpuTarget &target,
                                  const Toolchain &toolchain, bool keepOptimizedIR) {
  Location loc = variant.getLoc();
  FailureOr<gpu::GPUModuleOp> found = onlyGpuModule(variant, target);
  if (failed(found))
    return failure();
  gpu::GPUModuleOp gpuModule = *found;
  ArrayAttr targets = gpuModule.getTargetsAttr();
  if (!targets || targets.size() != 1)
    return gpuModule.emitOpError() << "expects one target attribute for " << target.spec;
  auto targetAttr = dyn_cast<gpu::TargetAttrInterface>(targets[0]);
  if (!targetAttr)
    return gpuModule.emitOpError() << "has a target that cannot serialize: " << targets[0];

  GpuArtifacts artifacts;
  FailureOr<std::vector<KernelLaunch>> launches = kernelLaunches(variant, target);
  if (failed(launches))
    return failure();
  artifacts.kernels = std::move(*launches);

  // NVVM ops written as inline PTX (wgmma's) have no LLVM IR translation:
  // they become inline assembly in a copy that is serialized, so the
  // variant keeps the pipeline's ops (the target phase's IR, and what the
  // SIMT emulator replaces).
  OwningOpRef<ModuleOp> converted;
  if (target.vendor == Vendor::Nvidia) {
    converted = variant.clone();
    gpuModule = *onlyGpuModule(*converted, target);
    PassManager pm(variant.getContext(), gpu::GPUModuleOp::getOperationName());
    pm.addPass(createConvertNVVMToLLVMPass());
    if (failed(pm.run(gpuModule)))
      return gpuModule.emitOpError() << "kept NVVM ops without an LLVM form for " << target.spec;
  }
  ModuleOp serialized = converted ? *converted : variant;

  std::string isa;
  auto keepIR = [&](llvm::Module &module) {
    llvm::raw_string_ostream os(artifacts.optimizedIR);
    module.print(os, nullptr);
  };
  auto keepIsa = [&](llvm::StringRef text) { isa = text.str(); };
  SymbolTable symbols(serialized);
  auto symbolTable = [&]() { return &symbols; };

  gpu::CompilationTarget kind = gpu::CompilationTarget::Binary;
  std::string toolkit;
  RocmShim shim;
  if (target.vendor == Vendor::Nvidia) {
    toolkit = toolchain.cudaPath;
    llvm::SmallString<128> ptxas(toolkit);
    llvm::sys::path::append(ptxas, "bin", "ptxas");
    if (toolkit.empty() || !llvm::sys::fs::can_execute(ptxas)) {
      kind = gpu::CompilationTarget::Assembly;
      toolkit.clear();
      artifacts.compilerRemark = "no ptxas at " + std::string(ptxas.str()) +
                                 ": PTX only, compiled by the driver when loaded";
    }
  } else {
    if (failed(avoidPromoteAllocaToVectorCrash(loc)))
      return failure();
    if (!toolchain.rocmPath.empty()) {
      toolkit = toolchain.rocmPath;
    } else {
      FailureOr<std::string> root = shim.make(loc);
      if (failed(root))
        return failure();
      toolkit = *root;
    }
  }
  gpu::TargetOptions options(toolkit, {}, "", "", kind, symbolTable, {}, {},
                             keepOptimizedIR ? llvm::function_ref<void(llvm::Module &)>(keepIR)
                                             : llvm::function_ref<void(llvm::Module &)>(),
                             keepIsa);
  // MLIR's NVVM serializer looks for libdevice in the toolkit and reports a
  // missing one as an error even when nothing needs it (kernels call nothing
  // outside themselves, which the PTX check below confirms). Its messages
  // are shown only when serialization fails.
  std::optional<SmallVector<char, 0>> object;
  SmallVector<std::string> messages;
  {
    ScopedDiagnosticHandler collect(variant.getContext(), [&](Diagnostic &diagnostic) {
      messages.push_back(diagnostic.str());
      return success();
    });
    object = targetAttr.serializeToObject(gpuModule.getOperation(), options);
  }
  if (!object) {
    InFlightDiagnostic error = gpuModule.emitOpError()
                               << "could not be compiled for " << target.spec;
    for (const std::string &message : messages)
      error.attachNote() << message;
    return error;
  }
  std::string bytes(object->begin(), object->end());
  if (target.vendor == Vendor::Nvidia) {
    std::string ptx = kind == gpu::CompilationTarget::Assembly ? bytes : isa;
    // PTX is text; MLIR's serializer ends it with a NUL for the driver.
    while (!ptx.empty() && ptx.back() == '\0')
      ptx.pop_back();
    if (ptx.find(".extern .func") != std::string::npos)
      return gpuModule.emitOpError() << "compiled for " << target.spec
                                     << " calls a function outside its kernels (.extern .func "
                                        "in the PTX)";
    artifacts.binaries.push_back({GpuBinary::Format::Ptx, std::move(ptx)});
    if (kind == gpu::CompilationTarget::Binary)
      artifacts.binaries.push_back({GpuBinary::Format::Cubin, std::move(bytes)});
  } else {
    artifacts.binaries.push_back({GpuBinary::Format::Hsaco, std::move(bytes)});
  }
  return artifacts;
}

} // namespace sieve::gpu_target
