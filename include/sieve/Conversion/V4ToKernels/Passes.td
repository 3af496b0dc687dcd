//===- Passes.td - v4 graph -> dispatches of kernels -------*- tablegen -*-===//
//
// Dispatch formation: the graph's v4 ops become kernels of the kernel IR in
// a program.executable and program.dispatch ops that run them.
//
//===----------------------------------------------------------------------===//

#ifndef SIEVE_CONVERSION_V4TOKERNELS_PASSES_TD
#define SIEVE_CONVERSION_V4TOKERNELS_PASSES_TD

include "mlir/Pass/PassBase.td"

def LibraryGemmsPass : Pass<"sieve-library-gemms", "mlir::ModuleOp"> {
  let summary = "Hand the prefill's dense FP8 GEMMs to a GEMM library kernel";
  let description = [{
    Runs before dispatch formation, for `sieve-compile --cpu-gemm=onednn`.
    In the functions only prefill entry points reach (`v4.phase =
    "prefill"` and the layer functions they call), each ungrouped
    `v4.fp8_matmul` with a bf16 or f32 result becomes:

    - its activation decoded to bf16: `v4.simulate_quant` of the
      `v4.quantize` input it came from (the same codes times scales, exact
      in bf16), or `v4.dequantize` of its codes;
    - a `program.dispatch` of the library kernel `<library>.matmul_fp8w_<out>`
      (declared in `@kernels` with `program.library`) on the activation
      viewed `[M, K]`, the FP8 weight and its block scales, with push
      constants `M, N, K, bn, bk` and one workgroup per 128 outputs; the
      runtime decodes each workgroup's weight rows to bf16 and multiplies
      with the library's bf16 GEMM (fp32 sums, one rounding);
    - the `[M, N]` result viewed back to the op's shape.

    The arithmetic is the op's, summed in another order (docs/numerics.md).
    Decode keeps the generated GEMV kernels: one token per row streams the
    weight once, which a library GEMM does no better. A `v4.quantize` left
    without users is erased.
  }];
  let options = [
    Option<"library", "library", "std::string", /*default=*/"\"onednn\"",
           "The GEMM library: onednn (the only one)">,
  ];
  let dependentDialects = ["sieve::program::ProgramDialect", "mlir::arith::ArithDialect",
                           "mlir::func::FuncDialect", "mlir::tensor::TensorDialect"];
}

def FormDispatchesPass : Pass<"sieve-form-dispatches", "mlir::ModuleOp"> {
  let summary = "Turn every v4 compute op into a kernel and a program.dispatch";
  let description = [{
    Each v4 op other than `v4.param` (a weight binding, left for the
    runtime) becomes one kernel (`emitOpKernel`) in the module's
    `program.executable @kernels`, named after the op with a counter, and a
    `program.dispatch` in its place: its tensor and cache operands are the
    bindings, a cache result is tied to the cache operand it updates in
    place, the push constants are the sizes and scalar operands the kernel's
    `sieve.push_constants` names (tensor.dim of an operand, the op's reified
    result sizes, an index operand), and the workgroup count is the kernel's
    workgroup-loop bound computed on the host from those constants (the
    kernel's own arithmetic, cloned). Identical kernels (the same op on
    the same types in every layer) are emitted once and shared by their
    dispatches. An op without a kernel is an error
    naming it. Other ops (linalg, tensor, arith) are left as they are.
  }];
  let dependentDialects = ["sieve::program::ProgramDialect", "mlir::arith::ArithDialect",
                           "mlir::bufferization::BufferizationDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::func::FuncDialect", "mlir::gpu::GPUDialect",
                           "mlir::math::MathDialect", "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect", "mlir::tensor::TensorDialect",
                           "mlir::vector::VectorDialect"];
}

def PlanBuffersPass : Pass<"sieve-plan-buffers", "mlir::ModuleOp"> {
  let summary = "Flatten each entry point and place its buffers in one arena";
  let description = [{
    Runs after dispatch formation. Each public function (an entry point:
    prefill, decode, ...) is flattened into one ordered list of dispatches:
    the layer functions it calls are inlined and then erased. Every buffer
    the entry point makes (a dispatch's untied result, a
    `tensor.from_elements` the host fills) gets a 64-byte-aligned offset in
    one arena, sized for the most tokens a call takes (`v4.max_tokens`:
    every dynamic size of the arguments counts them) and shared by buffers
    whose lifetimes do not overlap, so activations of one layer reuse the
    space of the previous one's and a call allocates nothing. Reshapes are
    views of their source's buffer; a tied result (an updated cache) is its
    operand's buffer.

    The pass also proves that no cache is copied: a value that a dispatch
    updates in place must have no later reader, and every cache an entry
    point returns must be the argument of the same `v4.cache` name, updated
    in place. Either failing is an error naming the value and the dispatch.
    The plan is recorded as `program.arena_bytes` on the entry point and
    `program.buffer_offsets` / `program.buffer_bytes` on the ops (see the
    program dialect).
  }];
  let dependentDialects = ["sieve::program::ProgramDialect"];
}

#endif // SIEVE_CONVERSION_V4TOKERNELS_PASSES_TD
