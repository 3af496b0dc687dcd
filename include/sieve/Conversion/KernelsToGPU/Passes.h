//===- Passes.h - Kernel IR -> GPU kernels ------------------------*- C++ -*-===//
//
// The passes of Passes.td and the pipelines that chain them with MLIR's GPU
// conversions: sieve-kernels-to-nvvm and sieve-kernels-to-rocdl.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_CONVERSION_KERNELSTOGPU_PASSES_H
#define SIEVE_CONVERSION_KERNELSTOGPU_PASSES_H

#include "mlir/Dialect/AMDGPU/IR/AMDGPUDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

#include <string>

namespace sieve {

/// The small-float codes a chip converts in one instruction
/// (sieve-gpu-native-small-floats uses them; sieve-gpu-integer-small-floats
/// decodes the others with integer arithmetic).
struct NativeSmallFloats {
  bool e4m3 = false; // FP8 E4M3FN
  bool e2m1 = false; // FP4 E2M1FN
};
NativeSmallFloats nativeSmallFloats(llvm::StringRef chip);

/// Whether `chip` has wgmma (sm_90a alone: the sm_100 family multiplies
/// with tcgen05). sieve-gpu-tile-products uses it where it has; the
/// legality check refuses it elsewhere.
inline bool hasWgmma(llvm::StringRef chip) { return chip == "sm_90a"; }

/// Whether `chip` has the tensor memory and tcgen05's MMAs (the sm_100a
/// family; sm_100a is the one Sieve targets). sieve-gpu-tile-products
/// multiplies block-scaled tiles with them; the legality check refuses
/// them elsewhere.
inline bool hasTcgen05(llvm::StringRef chip) { return chip == "sm_100a"; }

#define GEN_PASS_DECL
#include "sieve/Conversion/KernelsToGPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "sieve/Conversion/KernelsToGPU/Passes.h.inc"

/// The GPU a pipeline compiles for.
struct GPUPipelineOptions {
  std::string chip;     // "sm_90a", "gfx942"
  std::string features; // NVVM: "+ptx80"; ROCDL: unused
  int64_t blockSize = 256;
  int64_t codeObjectVersion = 500; // ROCDL's `abi`
};

/// Kernel IR to LLVM-dialect NVVM kernels in a gpu.module with an
/// #nvvm.target, in the GPU kernel ABI, legality-checked for `options.chip`.
/// Serialization (gpu-module-to-binary) is the target's step.
void buildKernelsToNVVMPipeline(mlir::OpPassManager &pm, const GPUPipelineOptions &options);

/// The same for AMD GPUs: ROCDL kernels with a #rocdl.target.
void buildKernelsToROCDLPipeline(mlir::OpPassManager &pm, const GPUPipelineOptions &options);

/// Registers the passes above and the two pipelines.
void registerKernelsToGPUPasses();

} // namespace sieve

#endif // SIEVE_CONVERSION_KERNELSTOGPU_PASSES_H
