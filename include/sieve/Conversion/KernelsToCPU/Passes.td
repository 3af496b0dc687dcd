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

def CPUSerializeThreadLoopsPass
    : Pass<"sieve-cpu-serialize-thread-loops", "mlir::func::FuncOp"> {
  let summary = "Run a workgroup's thread loops one iteration after another";
  let description = [{
    The kernel IR's `scf.forall` loops mapped to `#gpu.thread<x>` share a
    GPU block's threads; their iterations are independent. On the CPU one
    worker runs the workgroup, so each becomes an `scf.for` over the same
    iterations, in ascending order, or descending with `reverse` (tests: a
    kernel whose thread loop depends on its iterations' order, which would
    race on a GPU, gives other results there). A thread loop's static
    scratch (its allocas) moves to the function's entry, allocated once.
  }];
  let options = [
    Option<"reverse", "reverse", "bool", /*default=*/"false",
           "Run the iterations last to first">,
  ];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::arith::ArithDialect"];
}

def CPULowerContractionsPass
    : Pass<"sieve-cpu-lower-contractions", "mlir::ModuleOp"> {
  let summary = "Lower linalg contractions on buffers to loops whose sum is an iteration value";
  let description = [{
    `convert-linalg-to-loops` writes a matmul's output element back on every
    step of its reduction loop. This pass lowers each linalg op on buffers
    with exactly one reduction dimension (a matmul, with either operand
    transposed) first: the parallel dimensions as `scf.for` loops, then the
    reduction dimension innermost as a loop that carries the sum as its
    iteration value from the output's initial element, the op's body
    applied per step, and one store. The reduction loop is marked for the
    target's configuration (`sieve.reduction`, and `sieve.dot_inputs =
    "bf16"` when the body is `acc + extf(a) * extf(b)` of bf16 elements).
    The order of the terms is the loops' order, as before.
  }];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::memref::MemRefDialect"];
}

def CPUConfigureKernelsPass
    : Pass<"sieve-cpu-configure-kernels", "mlir::ModuleOp"> {
  let summary = "Choose each kernel loop's vector shape for the module's CPU target";
  let description = [{
    The one place where target and op kind decide how a kernel is tiled and
    vectorized; the passes after it apply its choice mechanically. The
    target is the module's `sieve.target` (`cpu:host`, `cpu:x86-64-v4`,
    with `+feature` suffixes such as `+avx512bf16`), or the `target` option.
    Kernel emitters mark the loops that may be vectorized (`sieve.reduction`:
    an fp32 sum whose body is elementwise arithmetic over loads). Each gets
    `sieve.vector_width`, the elements one vector iteration takes: 16 f32
    lanes with AVX-512, 8 with AVX2, none (left scalar) without either, and
    `sieve.dot = "avx512bf16"` where the CPU has the AVX-512 BF16 dot
    product and the kernel kind allows it (its products are of bf16
    values); then the width is 32 bf16 elements. With AVX-512 BW, table
    lookups may be lane permutations (`sieve.lookup = "avx512.permvar"`),
    with VBMI as well byte permutations (`"avx512.vbmi"`). A module without
    a target is left as it is (scalar kernels).
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"\"",
           "CPU target when the module has no sieve.target (e.g. cpu:x86-64-v4)">
  ];
}

def CPUVectorizeReductionsPass
    : Pass<"sieve-cpu-vectorize-reductions", "mlir::ModuleOp"> {
  let summary = "Rewrite configured reduction loops as vector loops";
  let description = [{
    Each `scf.for` with `sieve.vector_width` (set by
    `sieve-cpu-configure-kernels`) becomes a vector loop over whole vectors
    plus the original scalar loop for the remainder. Values that do not
    depend on the induction variable stay scalar; a load whose last index
    is the induction variable plus such a value becomes a `vector.load`, any
    other load that depends on it a `vector.gather`; elementwise arithmetic
    is applied to vectors. The sum is kept in a vector of partial sums
    (`fastmath<contract>`: the products are exact, so fusing them changes
    nothing) and reduced once after the loop; with `sieve.dot =
    "avx512bf16"`, a body of `acc + extf(x) * extf(y)` over bf16 vectors
    becomes `x86vector.avx512.dot` (vdpbf16ps). A value that depends on the
    induction variable only through `iv / C`, where whole vectors never
    straddle a multiple of C (a block scale), is computed once per vector
    and splat; with constant bounds such a factor of the dot product is
    computed for every block before the loop, vectorized over blocks, into
    a buffer at the function's entry. A lookup `vector.extract
    %table[%code]` in a table that does not move becomes
    `llvm.x86.avx512.permvar.sf.512` (vpermps) for a 16-entry f32 table and
    vpermw/vpermi2w for bf16 tables under `sieve.lookup = "avx512.permvar"`,
    else one extraction per lane. `(byte[iv / 2] >> 4 * (iv % 2)) & 15` (two
    FP4 codes per byte) is a widening load, a shift and a mask, no byte
    shuffles. `sieve.partial_sums = P` keeps P vectors of partial sums, P
    chunks per step. A bf16 dot product of a 16-entry table at such codes
    and a local buffer that the enclosing loops only read takes 128
    elements per chunk as 32 words of four codes (one vpermw per code
    position); the buffer is copied once, before those loops, in the
    matching lane order. Under `sieve.lookup = "avx512.vbmi"` (VBMI as well),
    a bf16 dot product whose one operand is any function of one contiguous
    byte load (an FP8 decode) is tabulated for all 256 byte values at
    compile time and takes 64 elements per chunk as one vpermi2b per byte
    plane of the results, two interleaves and two vdpbf16ps; the other
    operand, copied once in the interleaves' order when it is such a local
    buffer, else read as it is with the codes permuted (one vpermb). A
    maximum (`arith.maximumf`, exact in any order)
    is taken in partial-maximum vectors the same way; a loop marked
    `sieve.elementwise` that stores each iteration's value at its own
    element of a stack buffer (which it reads at no other element) stores
    whole vectors. A sum nested in a loop over columns with a constant trip
    count, under `sieve.jam_columns = J`, computes up to J columns in one
    vector loop (a vector of lane sums per column, the shared operand loaded
    once), the columns' vectors folded together into one vector of column
    sums; the columns' loop then becomes a vector loop itself when the
    general form takes it, else its other ops run once per column. Jammed
    word and byte forms decode a chunk's codes once for all columns (a
    GEMM's rows against one weight row), with a block factor only when the
    columns share it. The
    order of the sum changes, not its terms: docs/numerics.md states the tolerance. A loop
    the pass cannot vectorize (an op with regions or side effects, a second
    iteration value) stays scalar and loses its attributes.
  }];
  let dependentDialects = ["mlir::vector::VectorDialect", "mlir::x86vector::X86VectorDialect",
                           "mlir::arith::ArithDialect", "mlir::scf::SCFDialect",
                           "mlir::LLVM::LLVMDialect"];
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
