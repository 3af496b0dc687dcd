//===- Passes.h - Kernel IR -> CPU kernels ------------------------*- C++ -*-===//
//
// The passes of Passes.td and the pipeline that chains them with MLIR's
// conversions to the LLVM dialect (sieve-kernels-to-cpu).
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_CONVERSION_KERNELSTOCPU_PASSES_H
#define SIEVE_CONVERSION_KERNELSTOCPU_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace sieve {

#define GEN_PASS_DECL
#include "sieve/Conversion/KernelsToCPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "sieve/Conversion/KernelsToCPU/Passes.h.inc"

struct KernelsToCPUOptions {
  /// Run thread loops last iteration first (tests: a kernel that depends on
  /// the order of a thread loop's iterations, a race on a GPU, shows here).
  bool reverseThreadLoops = false;
};

/// Kernel IR (func/scf/arith/memref/index/math-free) to LLVM-dialect kernels
/// in the kernel ABI, legality-checked for the CPU.
void buildKernelsToCPUPipeline(mlir::OpPassManager &pm, const KernelsToCPUOptions &options = {});

/// The arithmetic every target lowers the same way (the GPU pipelines too):
/// math approximated, bf16 arithmetic in f32 rounded once, and, with
/// `expandBf16Conversions`, bf16 conversions as integer arithmetic (a GPU
/// keeps them for the backend, which has an instruction for them).
void addPortableArithmeticPasses(mlir::OpPassManager &pm, bool expandBf16Conversions = true);

/// Registers `sieve-kernels-to-cpu` with the passes above.
void registerKernelsToCPUPasses();

} // namespace sieve

#endif // SIEVE_CONVERSION_KERNELSTOCPU_PASSES_H
