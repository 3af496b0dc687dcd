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
  let summary = "Hand the prefill's GEMMs to a GEMM library's kernels";
  let description = [{
    Runs before dispatch formation, for `sieve-compile --cpu-gemm=onednn`.
    In the functions only prefill entry points reach (`v4.phase =
    "prefill"` and the layer functions they call), each GEMM below becomes
    a `program.dispatch` of a library kernel (declared in `@kernels` with
    `program.library`; the runtime provides it, runtime/src/hal/cpu/
    onednn_matmul.h), with one workgroup per 128 outputs (per group or
    expert):

    - an ungrouped `v4.fp8_matmul` (bf16 or f32 result):
      `<library>.matmul_fp8w_<out>` on its activation decoded to bf16
      (`v4.simulate_quant` of the `v4.quantize` input it came from, exact in
      bf16, or `v4.dequantize` of its codes) viewed `[M, K]`, the E4M3
      weight and its block scales; push constants `M, N, K, bn, bk`, the
      columns per workgroup and `G = 1`;
    - a `v4.grouped_linear` (wo_a) whose weight is E4M3 codes decoded with
      broadcast tile scales: the same kernel with `G` groups, bound to the
      codes and the tiles (the bf16 weight is no longer made);
    - a grouped `v4.mxfp4_matmul` (the routed experts):
      `<library>.grouped_matmul_mxfp4w_<out>` on the decoded activation, the
      E2M1 stack, its scales and the expert offsets; constants `M, N, K, E`
      and the columns per workgroup.

    The runtime decodes each workgroup's weight rows to bf16 and multiplies
    with the library's bf16 GEMM: the ops' arithmetic (fp32 sums, one
    rounding) summed in another order (docs/numerics.md). Results are viewed
    back to the ops' shapes. Decode keeps the generated GEMV kernels: one
    token per row streams each weight once, which a library GEMM does no
    better. Producers left without users (a `v4.quantize`, a weight's
    dequantize) are erased.
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
    `gemm-column-tile` (a module with GPU code) caps the output columns of
    a GEMM's workgroup; it is recorded on the module as
    `sieve.gemm_column_tile`. `gemm-row-tile` (with it) gives the
    block-scaled GEMMs their tile form, that many rows per workgroup (a
    multiple of 16, at most 64; 0: none), recorded as `sieve.gemm_row_tile`.
    `gemm-scaled-tiles` (with it) keeps the tiles' operands as codes and
    E8M0 scales (`sieve.gemm_scaled_tiles`), for chips whose matrix units
    take them as they are.
  }];
  let options = [
    Option<"gemmColumnTile", "gemm-column-tile", "int64_t", /*default=*/"0",
           "Widest tile of GEMM output columns per workgroup (0: the CPU's rule)">,
    Option<"gemmRowTile", "gemm-row-tile", "int64_t", /*default=*/"0",
           "Rows per workgroup of the block-scaled GEMMs' tile form (0: none)">,
    Option<"gemmScaledTiles", "gemm-scaled-tiles", "bool", /*default=*/"false",
           "The tile form's operands as codes and E8M0 scales (needs gemm-row-tile)">,
  ];
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
