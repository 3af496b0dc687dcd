//===- Passes.td - Kernel IR -> CPU kernels ----------------*- tablegen -*-===//
//
// From the target-agnostic kernel IR to LLVM-dialect functions in the kernel
// ABI (sieve/hal/kernel_abi.h). A kernel is a `func.func` with the
// `sieve.kernel` attribute whose arguments are its bindings (`memref<?xi8>`,
// raw bytes the body views as typed memrefs) followed by its push constants
// (`i32`), and whose body has one top-level `scf.forall` over workgroups
// (`#gpu.block<x|y|z>` mapping). Definitions carry the `Pass` suffix.
//
//===----------------------------------------------------------------------===//

#ifndef SIEVE_CONVERSION_KERNELSTOCPU_PASSES_TD
#define SIEVE_CONVERSION_KERNELSTOCPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def CPUDistributeWorkgroupsPass
    : Pass<"sieve-cpu-distribute-workgroups", "mlir::ModuleOp"> {
  let summary = "Run one workgroup per call: the workgroup forall becomes "
                "its body at workgroup ids passed as arguments";
  let description = [{
    On the CPU one kernel call runs one workgroup. For every kernel, the
    top-level `scf.forall` mapped to `#gpu.block` dimensions is replaced by
    its body, its induction variables by three new trailing `index`
    arguments (workgroup ids x, y, z). The kernel's binding and push-constant
    counts are recorded as `sieve.bindings` and `sieve.constants` for
    `sieve-cpu-kernel-abi`. A kernel whose arguments or forall break the
    kernel IR contract is an error naming the argument or the op.
  }];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::gpu::GPUDialect"];
}

def CPUApproximateMathPass
    : Pass<"sieve-cpu-approximate-math", "mlir::ModuleOp"> {
  let summary = "Replace transcendental math ops by polynomial approximations";
  let description = [{
    Kernels call nothing outside themselves, so `math.exp`, `math.log`,
    `math.tanh`, `math.erf` and the other ops MLIR approximates become
    arithmetic (MLIR's f32 polynomial approximations, within a few f32 ulp;
    each op's conformance threshold in docs/numerics.md accounts for it).
    Ops without an approximation are left for the legality check to name.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::vector::VectorDialect"];
}

def CPUKernelABIPass : Pass<"sieve-cpu-kernel-abi", "mlir::ModuleOp"> {
  let summary = "Wrap each lowered kernel in the kernel ABI entry point";
  let description = [{
    Runs on LLVM-dialect kernels (after conversion to LLVM). Kernel `@k`
    becomes the internal `@k.workgroup`, and a new `@k(ptr dispatch, ptr
    workgroup) -> i32` reads the binding pointers and lengths, the push
    constants and the workgroup id from the ABI structs and calls it. It
    returns 1 when the dispatch has fewer bindings than the kernel takes, 2
    when it has fewer push constants, else 0.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def CPUCheckLegalityPass : Pass<"sieve-cpu-check-legality", "mlir::ModuleOp"> {
  let summary = "Diagnose what the CPU target cannot compile before LLVM sees it";
  let description = [{
    After lowering, every op must be an LLVM dialect op, and a kernel may
    call only functions defined in the module (kernels call nothing outside
    themselves: no libm, no runtime libraries). Anything else is an error at
    the op, naming it and the target, instead of a failure inside LLVM.
  }];
}

#endif // SIEVE_CONVERSION_KERNELSTOCPU_PASSES_TD
