//===- ProgramBase.td - The program dialect ----------------*- tablegen -*-===//
//
// The host program of a compiled model: kernels in an executable and the
// ordered dispatches that run them.
//
//===----------------------------------------------------------------------===//

#ifndef SIEVE_PROGRAM_BASE_TD
#define SIEVE_PROGRAM_BASE_TD

include "mlir/IR/OpBase.td"

def Program_Dialect : Dialect {
  let name = "program";
  let cppNamespace = "::sieve::program";
  let summary = "host programs: ordered kernel dispatches with their bindings";
  let description = [{
    What dispatch formation produces and the module serializes: an entry
    point (prefill, decode, ...) as an ordered list of `program.dispatch`
    ops, each naming a kernel of a `program.executable` and giving its
    bindings (activations, weights bound by name through `v4.param`, cache
    values), its push constants and its workgroup count. The runtime
    interprets the program; nothing here is generated host code
    (architecture.md, "The lowering").

    Dispatches work on tensors and typed caches (value semantics). A result
    that a kernel writes in place into one of its bindings (an updated
    cache) is *tied* to that operand: it has no binding of its own, and the
    buffer plan gives it the operand's buffer. Every other result is a
    binding after the operands.

    A kernel is a `func.func` with the `sieve.kernel` attribute in the kernel
    IR's contract (docs/compiler.md): one `memref<?xi8>` per binding in
    order, then one `i32` per push constant, and one top-level `scf.forall`
    of workgroups.

    A kernel may instead be a declaration (no body) carrying
    `program.library = "<name>"`: a *library kernel*, which the runtime
    provides for a device under the same ABI, in place of compiled code
    (`onednn.matmul_fp8w_bf16`: the CPU's oneDNN GEMM, docs/compiler.md).
    Executables carry no code for it; a runtime without it refuses the
    module at load, naming it.

    The buffer plan (`sieve-plan-buffers`) places every buffer an entry point
    makes in one arena and records it with three attributes:

    - `program.arena_bytes` (i64) on the entry point: the arena's size.
    - `program.buffer_offsets` (`array<i64>`, one per result) on each op whose
      results live in the arena (a dispatch, a `tensor.from_elements` the
      host fills): the byte offset of each result in the arena, a multiple of
      64, or -1 for a result tied to an operand (it lives in the operand's
      buffer).
    - `program.buffer_bytes` (`array<i64>`, one per result) beside it: the
      most bytes each result takes (0 for a tied one), from the entry point's
      `v4.max_tokens`; the runtime refuses a call whose sizes exceed it.
  }];
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    static constexpr ::llvm::StringLiteral kArenaBytesAttr = "program.arena_bytes";
    static constexpr ::llvm::StringLiteral kBufferOffsetsAttr = "program.buffer_offsets";
    static constexpr ::llvm::StringLiteral kBufferBytesAttr = "program.buffer_bytes";
    static constexpr ::llvm::StringLiteral kLibraryAttr = "program.library";
    /// The alignment of every buffer in an arena: a cache line, and enough
    /// for any vector load a kernel makes.
    static constexpr int64_t kBufferAlignment = 64;
  }];
}

class Program_Op<string mnemonic, list<Trait> traits = []>
    : Op<Program_Dialect, mnemonic, traits>;

#endif // SIEVE_PROGRAM_BASE_TD
