//===- Passes.td - Kernel IR -> GPU kernels ----------------*- tablegen -*-===//

#ifndef SIEVE_CONVERSION_KERNELSTOGPU_PASSES_TD
#define SIEVE_CONVERSION_KERNELSTOGPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def GPUConstantTablesPass : Pass<"sieve-gpu-constant-tables", "mlir::ModuleOp"> {
  let summary = "Lookups into constant vectors become loads from constant globals";
  let description = [{
    In `sieve.kernel` functions, a `vector.extract` of one element at a
    varying index from a 1-D `arith.constant` vector (a table that
    `sieve-gpu-native-small-floats` and `sieve-gpu-integer-small-floats` did
    not recognize as an FP8 or FP4 decode) becomes a `memref.load` from a private constant `memref.global`
    holding the same values (one per distinct table). GPU backends expand
    the extract into a chain of selects; the load is one cached access.
    `sieve-gpu-form-kernels` moves the globals into the gpu.module.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def GPUNativeSmallFloatsPass : Pass<"sieve-gpu-native-small-floats", "mlir::ModuleOp"> {
  let summary = "Decode FP8 and FP4 codes with the chip's conversion instructions";
  let description = [{
    In `sieve.kernel` functions, a lookup of an E4M3 code in the table of
    E4M3 magnitudes (with its sign ORed in after) or of an E2M1 code in the
    table of E2M1 values becomes the chip's conversion where it has one:
    `nvvm.convert.f8x2.to.f16x2` (sm_90, sm_90a, sm_100a),
    `nvvm.convert.f4x2.to.f16x2` (sm_100a), `amdgpu.scaled_ext_packed` with
    scale 1 (gfx950, both formats). A table is recognized by its values
    (every code decoded by APFloat); formats the chip cannot convert are left
    to `sieve-gpu-integer-small-floats`, other tables to
    `sieve-gpu-constant-tables`. Runs before both.
  }];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"\"",
           "The chip (sm_90, gfx950) the kernels are compiled for">,
  ];
  let dependentDialects = ["mlir::NVVM::NVVMDialect", "mlir::amdgpu::AMDGPUDialect",
                           "mlir::vector::VectorDialect", "mlir::arith::ArithDialect"];
}

def GPUIntegerSmallFloatsPass : Pass<"sieve-gpu-integer-small-floats", "mlir::ModuleOp"> {
  let summary = "Decode the FP8 and FP4 codes a chip cannot convert with integer arithmetic";
  let description = [{
    In `sieve.kernel` functions, a lookup of an E4M3 code in the table of
    E4M3 magnitudes (with its sign ORed in after) or of an E2M1 code in the
    table of E2M1 values, for a format the chip has no conversion for
    (`nativeSmallFloats`), becomes integer arithmetic: the code's sign and
    magnitude bits moved into an f16, times 2^8 (E4M3) or 2^14 (E2M1), widened
    to f32; E4M3's NaN code by a select. Exact for every code. Runs after
    `sieve-gpu-native-small-floats` and before `sieve-gpu-constant-tables`.
  }];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"\"",
           "The chip (sm_90, gfx942) the kernels are compiled for">,
  ];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def GPUTileProductsPass : Pass<"sieve-gpu-tile-products", "mlir::ModuleOp"> {
  let summary = "Give a workgroup's tile products to its threads (mma.sync, wgmma, MFMA, scaled MFMA, tcgen05)";
  let description = [{
    In `sieve.kernel` functions, each tile product outside the thread loops
    (TileProducts.h: acc[M, N] += rows[M, K] x columns[N, K]ᵀ, bf16 tiles and
    an f32 accumulator in workgroup buffers) becomes a thread loop. On
    sm_90a, where N is a multiple of 64, M of 8 (up to 256) and K of 16, the
    block is whole warpgroups and the operands' copies fit its workgroup
    memory, a warpgroup runs `nvvm.wgmma.mma_async` m64nNk16 on copies of the
    operands in wgmma's core-matrix layout, computing the product transposed
    (docs/compiler.md, "wgmma on sm_90a"). On the other NVIDIA
    chips, where M, N and K divide into 16 x 8 x 16, each iteration is a
    warp's 16 x 8 accumulator fragment: `nvvm.mma.sync` m16n8k16 with bf16
    operands per 16 of K, the operands read in the PTX fragment layout. On
    AMD's CDNA chips, where they divide into 16 x 16 x 16, each group of 64
    iterations is a wave's 16 x 16 fragment: `amdgpu.mfma` 16x16x16 with bf16
    operands. Elsewhere each iteration is one output's sum over K in
    ascending order. A block-scaled tile product (codes and E8M0 scales,
    TileProducts.h's emitScaled) runs on gfx950's `amdgpu.scaled_mfma`
    16x16x128 where M and N divide into 16, K into 128, both scale blocks
    into 32 and the block into waves (a wave per fragment, the codes as
    they lie in the tiles); on sm_100a on `nvvm.tcgen05.mma.block_scale`
    (kind::mxf8f6f4) from tensor memory where N is at most 128, M a
    multiple of 16 up to 256 in a power of two of 32-row scale words, K a
    multiple of 32 up to 128, both scale blocks whole instructions and the
    block whole warpgroups, computed transposed with
    the codes moved into tcgen05's core-matrix layout (docs/compiler.md,
    "tcgen05 on sm_100a"); elsewhere one output per iteration, its terms
    the product's own body.
    Runs before `sieve-gpu-form-kernels` (which rejects a write outside the
    thread loops) and before contractions become loops.
  }];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"\"",
           "The chip (sm_90, gfx942) the kernels are compiled for">,
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block (sieve-gpu-form-kernels'): the matrix units need whole warps or waves">,
  ];
  let dependentDialects = ["mlir::amdgpu::AMDGPUDialect", "mlir::arith::ArithDialect",
                           "mlir::gpu::GPUDialect", "mlir::vector::VectorDialect",
                           "mlir::LLVM::LLVMDialect", "mlir::NVVM::NVVMDialect",
                           "mlir::memref::MemRefDialect", "mlir::scf::SCFDialect"];
}

def GPUPairConversionsPass : Pass<"sieve-gpu-pair-conversions", "mlir::gpu::GPUModuleOp"> {
  let summary = "Convert two FP8 codes of adjacent bytes with one cvt.rn.f16x2.e4m3x2";
  let description = [{
    `sieve-gpu-native-small-floats` converts each E4M3 code alone (the code
    in both bytes). After the kernels are formed and canonicalized, two
    such conversions in one block whose codes are loads from one memref at
    the same indices but the last, base + c and base + c + 1, become one
    conversion of both codes, placed at the earlier one (the later code is
    loaded there again; nothing between them may write memory).
  }];
  let dependentDialects = ["mlir::NVVM::NVVMDialect", "mlir::vector::VectorDialect",
                           "mlir::arith::ArithDialect", "mlir::memref::MemRefDialect"];
}

def GPUDistributeLinalgPass : Pass<"sieve-gpu-distribute-linalg", "mlir::ModuleOp"> {
  let summary = "Spread the linalg ops of a kernel without thread loops over its threads";
  let description = [{
    In a `sieve.kernel` function whose workgroup body writes memory only
    through linalg ops at its top level (and has no thread loops), each
    linalg op becomes an `scf.forall` mapped to `#gpu.thread<x>` over one of
    its parallel dimensions (the longest of at least 32, else a dynamic one,
    else the longest), with the op inside on subviews of length one in that
    dimension. Without it such a kernel runs one thread per GPU block. Ops
    that read a buffer they write at another index, or whose maps are not
    projected permutations, leave the kernel as it is.
  }];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::scf::SCFDialect",
                           "mlir::memref::MemRefDialect"];
}

def GPUFormKernelsPass : Pass<"sieve-gpu-form-kernels", "mlir::ModuleOp"> {
  let summary = "Turn the kernel IR's functions into gpu.func kernels of one gpu.module";
  let description = [{
    Each `sieve.kernel` function of the module becomes a `gpu.func` kernel of
    one `gpu.module` (the module becomes a `gpu.container_module`); constant
    globals move with them. The workgroup `scf.forall` (#gpu.block mapping)
    is replaced by its body at `gpu.block_id`: the runtime launches one block
    per workgroup. Inner `scf.forall` loops mapped to `#gpu.thread<x>`
    become block-stride loops over the threads followed by a `gpu.barrier`,
    and the workgroup-level `memref.alloca` scratch they share becomes
    workgroup memory. A kernel without thread loops runs one thread per
    block. The block size is recorded as `known_block_size`.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block for kernels with thread loops">,
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect", "mlir::memref::MemRefDialect"];
}

def GPUExactFmaPass : Pass<"sieve-gpu-exact-fma"> {
  let summary = "Fuse a + x * y into math.fma where the product x * y is exact in f32";
  let description = [{
    An f32 `arith.addf` of an `arith.mulf` (its only use, neither with
    fast-math flags) becomes `math.fma` where the operands' significands
    have at most 24 bits together: values widened from bf16 (8 bits) or f16
    (11), constants by their significant bits, powers of two built as
    exponent fields (the E8M0 scales: 1 bit), selects and exact products of
    such. The product is then exact, and fma rounds the sum once as the add
    did: the same bits (unless the product underflows), one instruction
    less. Runs before `sieve-gpu-lower-math`.
  }];
  let dependentDialects = ["mlir::math::MathDialect"];
}

def GPULowerMathPass : Pass<"sieve-gpu-lower-math", "mlir::gpu::GPUModuleOp"> {
  let summary = "Lower the math ops left after approximation to LLVM intrinsics both GPU backends select";
  let description = [{
    `math.absf`, `math.floor`, `math.ceil`, `math.roundeven`, `math.sqrt`
    and `math.fma` on f32 (scalars or vectors) become `llvm.call_intrinsic`
    of the LLVM intrinsic (fabs, floor, ceil, roundeven, sqrt, fma): NVPTX
    and AMDGPU select each as one instruction (sqrt correctly rounded, as on
    the CPU). Left to convert-gpu-to-nvvm / -rocdl they would become
    libdevice / ocml calls, and kernels call nothing outside themselves.
    `math.ctlz` becomes `llvm.intr.ctlz` (zero not poison), which neither
    conversion lowers.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def GPUKernelABIPass : Pass<"sieve-gpu-kernel-abi", "mlir::gpu::GPUModuleOp"> {
  let summary = "Give each lowered GPU kernel its launch signature: binding pointers, then i32 constants";
  let description = [{
    Runs on LLVM-dialect kernels of a gpu.module (after convert-gpu-to-nvvm
    or convert-gpu-to-rocdl). Kernel `@k` takes each binding as a memref
    descriptor (five values); it becomes the internal, always-inlined
    `@k.workgroup`, and a new kernel `@k(ptr..., i32...)` (the launch
    arguments of docs/architecture.md's kernel ABI, one pointer per binding)
    builds the descriptors and calls it. The GPU kernel attributes move to
    the new function.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def GPUCheckLegalityPass : Pass<"sieve-gpu-check-legality", "mlir::gpu::GPUModuleOp"> {
  let summary = "Diagnose what a GPU target cannot compile before LLVM sees it";
  let description = [{
    After lowering, every op of the gpu.module must be an LLVM, NVVM or
    ROCDL dialect op, a kernel may call only functions the module defines
    (no libdevice or device-library calls: kernels call nothing outside
    themselves), and ops the chip cannot select are named with the chip
    before LLVM sees them (LLVM aborts the process on some of them).
  }];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"\"",
           "The chip (sm_90, gfx942) the module is compiled for">,
  ];
}

def GPUEmulatePass : Pass<"sieve-gpu-emulate", "mlir::ModuleOp"> {
  let summary = "Make a gpu.module's NVVM or ROCDL kernels host code that runs on the SIMT emulator";
  let description = [{
    Runs on a module holding one gpu.module of kernels lowered by
    `sieve-kernels-to-nvvm` or `sieve-kernels-to-rocdl` (LLVM dialect, the
    GPU kernel ABI). What needs the hardware becomes a call through the
    table the SIMT emulator stores in `@__sieve_simt_runtime`
    (sieve/hal/simt_abi.h): special registers; NVIDIA's `nvvm.barrier0`,
    `nvvm.shfl.sync`, bf16 `nvvm.mma.sync` m16n8k16, bf16 `nvvm.wgmma.mma_async`
    and the E4M3 and E2M1 pair conversions; AMD's `rocdl.barrier`, `rocdl.mbcnt.lo/hi`,
    `rocdl.ds_bpermute`, bf16 `rocdl.mfma.f32.16x16x16bf16.1k` and gfx950's
    scaled conversions of FP8 and FP4 pairs both ways at scale 1. Each
    barrier and lane exchange passes its own site number. Shared-memory
    globals become offsets in a per-block arena the emulator owns, every
    pointer a host pointer, bf16 conversions integer arithmetic. Each kernel
    `@k` becomes `@k.simt_kernel`, and `@k(dispatch, workgroup)` in the CPU
    kernel ABI runs one block of it on the emulator (warps of 32 lanes for
    NVVM kernels, waves of 64 for ROCDL ones). The gpu.module's contents
    then move into the enclosing module. Any other NVVM or ROCDL op is an
    error naming it.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

#endif // SIEVE_CONVERSION_KERNELSTOGPU_PASSES_TD
