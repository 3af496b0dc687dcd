//===- V4Base.td - v4 dialect definition and base classes --*- tablegen -*-===//
//
// The dialect record and the base classes of its attributes, types and ops.
// Include order (to avoid cycles): V4Base -> V4Attrs -> V4Interfaces ->
// V4Types -> V4Ops.
//
//===----------------------------------------------------------------------===//

#ifndef SIEVE_V4_BASE_TD
#define SIEVE_V4_BASE_TD

include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/OpBase.td"

def V4_Dialect : Dialect {
  let name = "v4";
  let cppNamespace = "::sieve::v4";
  let summary = "DeepSeek-V4 model graph: quantized GEMMs, compressed KV, "
                "sparse attention, MoE and hyper-connections";
  let description = [{
    The `v4` dialect is the graph-level IR of Sieve. An imported DeepSeek-V4
    model (config.json or graph.mlir) is a function of `v4` ops on tensors
    plus upstream `linalg`, `tensor` and `arith` ops. Graph passes verify,
    canonicalize and fuse it; dispatch formation then lowers every op to the
    one target-agnostic kernel IR.

    The numerical contract of every op is `docs/v4-architecture.md` (the
    section is named in each op's description). An op's semantics are the
    reference's rounding points, accumulation types and reduction orders;
    backends are tested against the reference executor with a stated
    tolerance.

    ## Design rules

    1. **What belongs here.** An op exists in `v4` when it is a unit that
       backends schedule and fuse as a whole, *and* its semantics are not
       a plain composition of upstream ops at the granularity we need:
       block-scaled and MX GEMMs, quantizers with DeepSeek's scale rule,
       the token compressor and its state, the lightning indexer, top-k with
       causal limits, gather attention with a sink, MoE routing/dispatch/
       combine, hyper-connections, RMSNorm, partial interleaved RoPE with
       YaRN, Hadamard, clamped SwiGLU. Plain bf16/fp32 GEMMs and einsums
       (`linalg.matmul`, `linalg.generic`), reshapes, slices, concatenations
       (`tensor.*`) and scalar/elementwise arithmetic (`arith`, `math`) stay
       upstream.
    2. **Small-float builtin types, never packed integers.** Op signatures
       use MLIR's `bf16`, `f32`, `f8E4M3FN` (FP8 codes), `f4E2M1FN` (FP4
       codes) and `f8E8M0FNU` (power-of-two scales). Nibble packing, scale
       byte layout and other storage details are decided by lowerings, not
       encoded in the graph.
    3. **Static hyper-parameters are attributes.** Block sizes, ratios,
       top-k widths, epsilons, clamp limits, Sinkhorn iterations and RoPE/
       YaRN parameters are attributes checked by verifiers; only
       sequence-dependent values (positions, `start_pos`, token counts) are
       SSA operands. Sequence dimensions may be dynamic (`?`); every other
       dimension the verifier needs is static.
    4. **Fixed maxima, -1 padding.** Index tensors (`i32`) have static widths
       (window size, top-k) and use `-1` for "no entry", so decode graphs have
       static shapes and can be captured as device graphs.
    5. **Typed caches with value semantics.** The raw window ring, compressed
       entries, indexer keys and compressor state are `v4` types whose
       verifiers check shapes, dtypes and ratios. Ops take a cache value and
       return the updated value (no side effects); bufferization makes the
       updates in place.
    6. **Diagnostics, not crashes.** Verifiers report every shape, dtype and
       attribute-range violation with `emitOpError`. A lowering that meets a
       feature its target lacks (e.g. FP4 tensor cores) emits an error with
       the op location and the missing capability, or takes a documented,
       reported emulation path; it never aborts.
    7. **Folds are exact.** A fold or canonicalization is only added when it
       preserves the contract's values on finite inputs (each op states its
       argument and any signed-zero caveat);
       rewrites that are merely close (e.g. `hadamard(hadamard(x)) -> x`
       under bf16 rounding) belong to explicitly numerics-relaxing passes.
  }];

  let useDefaultAttributePrinterParser = 1;
  let useDefaultTypePrinterParser = 1;
  let hasConstantMaterializer = 1;
  // cache_read folds to `arith.constant` splats.
  // Result-shape reification builds arith and tensor.dim ops.
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
  let extraClassDeclaration = [{
    void registerAttributes();
    void registerTypes();
    /// TilingInterface models of the row-wise ops (V4TilingInterface.cpp).
    void registerTilingModels();
  }];
}

// Sections of the generated op reference.
def V4_QuantGroup : OpDocGroup {
  let summary = "Quantization and quantized GEMMs";
  let description = "Power-of-two-scaled FP8/FP4 quantizers and block-scaled "
                    "GEMMs (v4-architecture.md section 3).";
}
def V4_LayerGroup : OpDocGroup {
  let summary = "Layer primitives";
  let description = "RMSNorm, RoPE, Hadamard, clamped SwiGLU and the grouped "
                    "output projection (sections 2, 6, 7.8, 8.2).";
}
def V4_HCGroup : OpDocGroup {
  let summary = "Hyper-connections";
  let description = "Manifold-constrained hyper-connections (section 5).";
}
def V4_CacheGroup : OpDocGroup {
  let summary = "Compressed KV and typed caches";
  let description = "The token compressor and the typed cache values "
                    "(sections 7.3, 7.4 and 11).";
}
def V4_AttentionGroup : OpDocGroup {
  let summary = "Indexer and attention";
  let description = "Lightning indexer, top-k selection and attention "
                    "(sections 7.5 to 7.7).";
}
def V4_MoEGroup : OpDocGroup {
  let summary = "Mixture of experts";
  let description = "Routing, dispatch and combine (section 8).";
}
def V4_ParamGroup : OpDocGroup {
  let summary = "Parameters";
  let description = "Weights bound by their official checkpoint tensor "
                    "names (section 10); never inlined as constants.";
}

class V4_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<V4_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

class V4_Type<string name, string typeMnemonic, list<Trait> traits = []>
    : TypeDef<V4_Dialect, name, traits> {
  let mnemonic = typeMnemonic;
}

class V4_Op<string mnemonic, list<Trait> traits = []>
    : Op<V4_Dialect, mnemonic, traits>;

#endif // SIEVE_V4_BASE_TD
