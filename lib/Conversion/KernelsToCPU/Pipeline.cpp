//===- Pipeline.cpp - sieve-kernels-to-cpu ---------------------------------===//

#include "sieve/Conversion/KernelsToCPU/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void sieve::buildKernelsToCPUPipeline(OpPassManager &pm) {
  pm.addPass(createCPUDistributeWorkgroupsPass());
  // The workgroup count the forall computed is dead on the CPU.
  pm.addPass(createCanonicalizerPass());
  // Typed views of the byte bindings, subviews and affine index maps first,
  // then each dialect to LLVM (explicit passes: no interface registration
  // needed, and the order is visible here).
  pm.addPass(createCPUApproximateMathPass());
  // bf16 conversions become integer arithmetic (x86 would otherwise call
  // compiler-rt's __truncsfbf2), and math ops LLVM intrinsics, which the
  // legality check screens for library calls.
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCPUKernelABIPass());
  pm.addPass(createCPUCheckLegalityPass());
}

void sieve::registerKernelsToCPUPasses() {
  registerSieveKernelsToCPUPasses();
  PassPipelineRegistration<>(
      "sieve-kernels-to-cpu",
      "Kernel IR to LLVM-dialect kernels in the kernel ABI, checked for the CPU",
      buildKernelsToCPUPipeline);
}
