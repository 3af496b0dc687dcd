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
  }];
}

class Program_Op<string mnemonic, list<Trait> traits = []>
    : Op<Program_Dialect, mnemonic, traits>;

#endif // SIEVE_PROGRAM_BASE_TD
