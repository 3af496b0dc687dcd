//===- Pipeline.cpp - sieve-kernels-to-cpu ---------------------------------===//

#include "sieve/Conversion/KernelsToCPU/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void sieve::addPortableArithmeticPasses(OpPassManager &pm, bool expandBf16Conversions) {
  // Transcendentals as polynomials: kernels call no libm, libdevice or ocml.
  pm.addPass(createCPUApproximateMathPass());
  // Arithmetic on bf16 values (an elementwise add of bf16 tensors, the
  // bf16 steps of the per-head norm) is computed in f32 and rounded once,
  // which is exact for +, -, *, / (f32 has more than 2 * 8 + 2 significand
  // bits); bf16 conversions become integer arithmetic (left to LLVM, a CPU
  // without AVX512-BF16 calls compiler-rt's __truncsfbf2).
  arith::ArithEmulateUnsupportedFloatsOptions emulate;
  emulate.sourceTypeStrs = {"bf16"};
  emulate.targetTypeStr = "f32";
  pm.addPass(arith::createArithEmulateUnsupportedFloats(emulate));
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = expandBf16Conversions;
  pm.addPass(arith::createArithExpandOpsPass(expand));
}

void sieve::buildKernelsToCPUPipeline(OpPassManager &pm, const KernelsToCPUOptions &options) {
  // Linalg ops of the kernel IR (tiles of upstream ops) become loops: the
  // contractions with their sum carried in the innermost loop, the rest as
  // MLIR lowers them.
  pm.addPass(createCPULowerContractionsPass());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createCPUDistributeWorkgroupsPass());
  // A workgroup's thread loops (#gpu.thread foralls, the GPU's threads of a
  // block) run one after another on the CPU's one worker per workgroup.
  CPUSerializeThreadLoopsPassOptions serialize;
  serialize.reverse = options.reverseThreadLoops;
  pm.addNestedPass<func::FuncOp>(createCPUSerializeThreadLoopsPass(serialize));
  // The workgroup count the forall computed is dead on the CPU.
  pm.addPass(createCanonicalizerPass());
  // The target's choices (vector widths, dot products), then applied.
  pm.addPass(createCPUConfigureKernelsPass());
  pm.addPass(createCPUVectorizeReductionsPass());
  addPortableArithmeticPasses(pm);
  // Math ops as LLVM intrinsics, which the legality check screens for
  // library calls.
  pm.addPass(createConvertMathToLLVMPass());
  // Typed views of the byte bindings, subviews and affine index maps first,
  // then each dialect to LLVM (explicit passes: no interface registration
  // needed, and the order is visible here).
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  ConvertVectorToLLVMPassOptions vectorOptions;
  vectorOptions.x86Vector = true;           // the AVX-512 BF16 dot product
  vectorOptions.reassociateFPReductions = true; // the sums' partial vectors
  pm.addPass(createConvertVectorToLLVMPass(vectorOptions));
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
      [](OpPassManager &pm) { buildKernelsToCPUPipeline(pm); });
}
