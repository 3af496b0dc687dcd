//===- V4Attrs.td - v4 enums and attributes ----------------*- tablegen -*-===//

#ifndef SIEVE_V4_ATTRS_TD
#define SIEVE_V4_ATTRS_TD

include "v4/IR/V4Base.td"
include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def V4_ScaleRule : I32EnumAttr<"ScaleRule",
    "how a block's power-of-two scale is derived from its absolute maximum", [
      I32EnumAttrCase<"ceil", 0>,
      I32EnumAttrCase<"floor", 1>
    ]> {
  let cppNamespace = "::sieve::v4";
  let genSpecializedAttr = 0;
  let description = [{
    `ceil` is DeepSeek's rule (v4-architecture.md section 3.1):
    `s = 2^ceil(log2(max(amax, f) * fp32(1/Qmax)))` (the multiply by the
    fp32 reciprocal, not a divide), so `amax / s <= Qmax` and nothing clips;
    for `amax >= f` it also exceeds `Qmax/2` (FP8: Qmax 448, f 1e-4; FP4:
    Qmax 6, f 6 * 2^-126). `floor` is the OCP MX v1.0 rule
    `s = 2^(floor(log2 amax) - emax_elem)` (emax_elem 8 for E4M3, 2 for E2M1),
    which saturates the top of the range (mx-formats.md section 1.4).
  }];
}
def V4_ScaleRuleAttr : EnumAttr<V4_Dialect, V4_ScaleRule, "scale_rule">;

def V4_WindowLayout : I32EnumAttr<"WindowLayout",
    "what the sliding-window indices point at", [
      I32EnumAttrCase<"chunk", 0>,
      I32EnumAttrCase<"ring", 1>,
      I32EnumAttrCase<"ring_chunk", 2>
    ]> {
  let cppNamespace = "::sieve::v4";
  let genSpecializedAttr = 0;
  let description = [{
    `chunk`: rows of the current chunk's own KV rows (row `p - start_pos` for
    position `p`); the reference's prefill of a first chunk. `ring`: slots
    `p mod window` of the raw window ring after the chunk was appended; the
    reference's decode. `ring_chunk`: rows of `[ring | chunk]`, the ring as it
    was before the chunk (`window` rows) followed by the chunk's own rows:
    `p < start_pos` is ring slot `p mod window`, `p >= start_pos` is row
    `window + p - start_pos`; a prefill chunk at any `start_pos` (chunked
    prefill, a continued conversation), equal to `chunk` at `start_pos` 0.
  }];
}
def V4_WindowLayoutAttr : EnumAttr<V4_Dialect, V4_WindowLayout, "window_layout">;

//===----------------------------------------------------------------------===//
// RoPE / YaRN parameters
//===----------------------------------------------------------------------===//

// A double-precision parameter printed in a round-trippable form.
class V4_DoubleParameter<string desc> : APFloatParameter<desc> {
  let parser = [{
    [&]() -> ::mlir::FailureOr<::llvm::APFloat> {
      double value;
      if ($_parser.parseFloat(value))
        return ::mlir::failure();
      return ::llvm::APFloat(value);
    }()
  }];
  let printer = "$_printer.printFloat($_self)";
}

def V4_RopeAttr : V4_Attr<"Rope", "rope"> {
  let summary = "rotary embedding frequencies with optional YaRN scaling";
  let description = [{
    Parameters of the interleaved, partial RoPE of v4-architecture.md
    section 6. Frequencies are `w_p = 1 / base^(2p / rope_dim)` for
    `p < rope_dim / 2`. With `factor > 1`, YaRN blends `w_p / factor` and
    `w_p` with a linear ramp between the correction dimensions of
    `beta_fast` and `beta_slow` (computed from `original_seq_len`).
    `factor = 1.0` disables YaRN; the other YaRN fields are then unused.
    No attention-magnitude (mscale) factor is applied anywhere.

    Example (V4-Flash CSA/HCA layers, then its sliding-window layers):

    ```mlir
    #v4.rope<base = 160000.0, rope_dim = 64, factor = 16.0,
             original_seq_len = 65536, beta_fast = 32.0, beta_slow = 1.0>
    #v4.rope<base = 10000.0, rope_dim = 64, factor = 1.0,
             original_seq_len = 65536, beta_fast = 32.0, beta_slow = 1.0>
    ```
  }];
  let parameters = (ins
    V4_DoubleParameter<"frequency base (rope_theta), > 1">:$base,
    AttrParameter<"int64_t", "rotated dims, a suffix of the last dim; even">:$rope_dim,
    V4_DoubleParameter<"YaRN scaling factor, >= 1 (1 = no YaRN)">:$factor,
    AttrParameter<"int64_t", "YaRN original context length">:$original_seq_len,
    V4_DoubleParameter<"YaRN fast-rotation bound (in rotations)">:$beta_fast,
    V4_DoubleParameter<"YaRN slow-rotation bound, 0 < beta_slow < beta_fast">:$beta_slow
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

#endif // SIEVE_V4_ATTRS_TD
