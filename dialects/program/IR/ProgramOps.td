//===- ProgramOps.td - program.executable and program.dispatch -*- tablegen -*-===//

#ifndef SIEVE_PROGRAM_OPS_TD
#define SIEVE_PROGRAM_OPS_TD

include "program/IR/ProgramBase.td"

include "mlir/IR/OpAsmInterface.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Program_ExecutableOp : Program_Op<"executable", [
    IsolatedFromAbove, NoTerminator, SingleBlock, Symbol, SymbolTable]> {
  let summary = "the kernels of a program";
  let description = [{
    Holds the kernels (`func.func` with `sieve.kernel`) that dispatches
    name as `@executable::@kernel`. Target lowerings compile its body; the
    module stores one executable per target.

    ```mlir
    program.executable @kernels {
      func.func @rms_norm_0(%x: memref<?xi8>, %w: memref<?xi8>, %out: memref<?xi8>,
                            %rows: i32) attributes {sieve.kernel} { ... }
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$sym_name attr-dict-with-keyword $body";
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::llvm::StringRef":$name)>];
  let extraClassDeclaration = [{
    ::mlir::Block &getBlock() { return getBody().front(); }
  }];
}

def Program_DispatchOp : Program_Op<"dispatch", [
    AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface, ["reifyResultShapes"]>,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "run a kernel over a grid of workgroups";
  let description = [{
    Runs `kernel` with `workgroups` workgroups. The kernel's bindings are
    `bindings` in order, then each result that is not tied; its push
    constants are `constants` (i32). `tied` gives, per result, the index of
    the binding it is written into in place (an updated cache), or -1 for a
    result with its own binding. `result_dims` are the dynamic sizes of the
    results in order, for the buffer plan.

    ```mlir
    %y = program.dispatch @kernels::@rms_norm_0[%rows](%x, %w) constants(%n)
        dims(%s) {tied = array<i64: -1>}
        : (tensor<1x?x64xbf16>, tensor<64xbf16>) -> tensor<1x?x64xbf16>
    ```
  }];
  let arguments = (ins SymbolRefAttr:$kernel, Index:$workgroups,
                       Variadic<AnyType>:$bindings, Variadic<I32>:$constants,
                       Variadic<Index>:$result_dims, DenseI64ArrayAttr:$tied);
  let results = (outs Variadic<AnyType>:$results);
  let assemblyFormat = [{
    $kernel `[` $workgroups `]` `(` $bindings `)`
    (`constants` `(` $constants^ `)`)? (`dims` `(` $result_dims^ `)`)?
    attr-dict `:` functional-type($bindings, $results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The operand result `i` is written into, or null.
    ::mlir::Value getTiedOperand(unsigned i) {
      int64_t tied = getTied()[i];
      return tied < 0 ? ::mlir::Value() : getBindings()[tied];
    }
  }];
}

#endif // SIEVE_PROGRAM_OPS_TD
