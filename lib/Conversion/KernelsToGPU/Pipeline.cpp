//===- Pipeline.cpp - sieve-kernels-to-nvvm and sieve-kernels-to-rocdl ------===//

#include "sieve/Conversion/KernelsToGPU/Passes.h"

#include "sieve/Conversion/KernelsToCPU/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace sieve {
namespace {

enum class GPUVendor { Nvidia, Amd };

/// The target-independent steps on the kernel functions, then the
/// gpu.module with each kernel as a gpu.func, lowered to `vendor`'s dialect.
void buildKernelsToGPU(OpPassManager &pm, const GPUPipelineOptions &options, GPUVendor vendor) {
  // FP8 and FP4 codes are converted by the chip's instructions where it has
  // them and by integer arithmetic elsewhere, other tables become constant
  // globals; kernels made of
  // linalg ops spread them over the block's threads; then, as on the CPU,
  // contractions and other linalg ops become loops, and the portable
  // arithmetic.
  GPUNativeSmallFloatsPassOptions smallFloats;
  smallFloats.chip = options.chip;
  pm.addPass(createGPUNativeSmallFloatsPass(smallFloats));
  GPUIntegerSmallFloatsPassOptions integerSmallFloats;
  integerSmallFloats.chip = options.chip;
  pm.addPass(createGPUIntegerSmallFloatsPass(integerSmallFloats));
  pm.addPass(createGPUConstantTablesPass());
  GPUTileProductsPassOptions tileProducts;
  tileProducts.chip = options.chip;
  tileProducts.blockSize = options.blockSize;
  pm.addPass(createGPUTileProductsPass(tileProducts));
  pm.addPass(createGPUDistributeLinalgPass());
  pm.addPass(createCPULowerContractionsPass());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  // bf16 conversions stay conversions: NVPTX selects cvt.rn.bf16.f32 (sm_80
  // and later, one instruction for arith-expand's six), AMDGPU
  // v_cvt_pk_bf16_f32 on gfx950 and its own expansion elsewhere.
  addPortableArithmeticPasses(pm, /*expandBf16Conversions=*/false);

  GPUFormKernelsPassOptions form;
  form.blockSize = options.blockSize;
  pm.addPass(createGPUFormKernelsPass(form));
  OpPassManager &device = pm.nest<gpu::GPUModuleOp>();
  device.addPass(createCanonicalizerPass());
  // After the canonicalizer: a lane chunk's unrolled code loads at base + c.
  if (vendor == GPUVendor::Nvidia)
    device.addPass(createGPUPairConversionsPass());
  device.addPass(createGPUExactFmaPass());
  device.addPass(memref::createExpandStridedMetadataPass());
  device.addPass(createLowerAffinePass());
  device.addPass(createSCFToControlFlowPass());
  device.addPass(createConvertVectorToLLVMPass());
  // What ApproximateMath leaves (abs, floor, roundeven, fma, sqrt) as LLVM
  // intrinsics both backends select; the GPU conversions would make them
  // libdevice / ocml calls.
  device.addPass(createGPULowerMathPass());
  if (vendor == GPUVendor::Nvidia) {
    device.addPass(createConvertGpuOpsToNVVMOps());
  } else {
    ConvertGpuOpsToROCDLOpsOptions rocdl;
    rocdl.chipset = options.chip;
    device.addPass(createConvertGpuOpsToROCDLOps(rocdl));
  }
  device.addPass(createReconcileUnrealizedCastsPass());
  device.addPass(createGPUKernelABIPass());
  GPUCheckLegalityPassOptions legality;
  legality.chip = options.chip;
  device.addPass(createGPUCheckLegalityPass(legality));

  if (vendor == GPUVendor::Nvidia) {
    GpuNVVMAttachTargetOptions attach;
    attach.chip = options.chip;
    // tcgen05's block-scaled MMA needs PTX 8.8: below it LLVM 22 cannot
    // select the block32 form and ptxas refuses the other.
    attach.features = !options.features.empty()  ? options.features
                      : hasTcgen05(options.chip) ? "+ptx88"
                                                 : "";
    attach.optLevel = 3;
    pm.addPass(createGpuNVVMAttachTarget(attach));
  } else {
    GpuROCDLAttachTargetOptions attach;
    attach.chip = options.chip;
    attach.abiVersion = std::to_string(options.codeObjectVersion);
    attach.optLevel = 3;
    pm.addPass(createGpuROCDLAttachTarget(attach));
  }
}

/// The textual options of the two registered pipelines.
struct GPUPipelineTextOptions : public PassPipelineOptions<GPUPipelineTextOptions> {
  Option<std::string> chip{*this, "chip", llvm::cl::desc("The chip: sm_90a, gfx942, ...")};
  Option<std::string> features{*this, "features",
                               llvm::cl::desc("NVVM target features (+ptx80)"),
                               llvm::cl::init("")};
  Option<int64_t> blockSize{*this, "block-size",
                            llvm::cl::desc("Threads per block for kernels with thread loops"),
                            llvm::cl::init(256)};
  Option<int64_t> codeObjectVersion{*this, "code-object-version",
                                    llvm::cl::desc("AMD code-object ABI version (400, 500, 600)"),
                                    llvm::cl::init(500)};

  GPUPipelineOptions get() const {
    GPUPipelineOptions options;
    options.chip = chip;
    options.features = features;
    options.blockSize = blockSize;
    options.codeObjectVersion = codeObjectVersion;
    return options;
  }
};

} // namespace

void buildKernelsToNVVMPipeline(OpPassManager &pm, const GPUPipelineOptions &options) {
  buildKernelsToGPU(pm, options, GPUVendor::Nvidia);
}

void buildKernelsToROCDLPipeline(OpPassManager &pm, const GPUPipelineOptions &options) {
  buildKernelsToGPU(pm, options, GPUVendor::Amd);
}

void registerKernelsToGPUPasses() {
  registerSieveKernelsToGPUPasses();
  PassPipelineRegistration<GPUPipelineTextOptions>(
      "sieve-kernels-to-nvvm",
      "Kernel IR to NVVM kernels of a gpu.module with an #nvvm.target, in the GPU kernel ABI",
      [](OpPassManager &pm, const GPUPipelineTextOptions &text) {
        buildKernelsToNVVMPipeline(pm, text.get());
      });
  PassPipelineRegistration<GPUPipelineTextOptions>(
      "sieve-kernels-to-rocdl",
      "Kernel IR to ROCDL kernels of a gpu.module with a #rocdl.target, in the GPU kernel ABI",
      [](OpPassManager &pm, const GPUPipelineTextOptions &text) {
        buildKernelsToROCDLPipeline(pm, text.get());
      });
}

} // namespace sieve
