//===- V4Ops.td - v4 operations ----------------------------*- tablegen -*-===//
//
// Every op is Pure (value semantics, caches included) and verified in C++
// with emitOpError; the C++ lives in one file per op group (V4*Ops.cpp).
// Section numbers refer to docs/v4-architecture.md.
//
//===----------------------------------------------------------------------===//

#ifndef SIEVE_V4_OPS_TD
#define SIEVE_V4_OPS_TD

include "v4/IR/V4Base.td"
include "v4/IR/V4Attrs.td"
include "v4/IR/V4Types.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/CommonTypeConstraints.td"

//===----------------------------------------------------------------------===//
// Operand constraints (element types only; shapes are checked in C++)
//===----------------------------------------------------------------------===//

def V4_FloatTensor : RankedTensorOf<[BF16, F32]>;
def V4_Bf16Tensor : RankedTensorOf<[BF16]>;
def V4_F32Tensor : RankedTensorOf<[F32]>;
def V4_I32Tensor : RankedTensorOf<[I32]>;
def V4_CodeTensor : RankedTensorOf<[F8E4M3FN, F4E2M1FN]>;
def V4_F8Tensor : RankedTensorOf<[F8E4M3FN]>;
def V4_F4Tensor : RankedTensorOf<[F4E2M1FN]>;
def V4_ScaleTensor : RankedTensorOf<[F8E8M0FNU]>;

// Result types that follow from the operands and attributes: the op's
// builders take no result types and the verifier checks them against
// `inferReturnTypes` (see areCompatibleResultTypes for what agrees).
def V4_InferResultTypes : InferTypeOpAdaptorBase<[{
  static bool isCompatibleReturnTypes(::mlir::TypeRange inferred,
                                      ::mlir::TypeRange actual) {
    return ::sieve::v4::areCompatibleResultTypes(inferred, actual);
  }
}]>;

// Result sizes in terms of the operands' (V4ReifyShapes.cpp), for the ops
// with tensor results: what bufferization and tiling size outputs with.
defvar V4_ReifyResultShapes =
    DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface,
                              ["reifyResultShapes"]>;

class V4_PureOp<string mnemonic, list<Trait> traits = []>
    : V4_Op<mnemonic, !listconcat(traits, [Pure])> {
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Quantization and quantized GEMMs (section 3)
//===----------------------------------------------------------------------===//

let opDocGroup = V4_QuantGroup in {

def V4_QuantizeOp : V4_PureOp<"quantize", [V4_ReifyResultShapes]> {
  let summary = "quantize to FP8/FP4 codes with power-of-two block scales";
  let description = [{
    Splits the last dimension into blocks of `block` (32, 64 or 128)
    contiguous values, derives one power-of-two scale per block with `rule`
    (section 3.1) and returns `codes = RNE(clamp(x / s, -Qmax, Qmax))` in the
    codes' element type (`f8E4M3FN`: Qmax 448; `f4E2M1FN`: Qmax 6) and the
    scales as `f8E8M0FNU` (section 3.2). Scales are derived from integer
    exponents, never from a float-to-E8M0 cast. The last dimension must be a
    multiple of `block`.

    Example (per-token activation quantization before an FP8 GEMM):

    ```mlir
    %codes, %scales = v4.quantize %x block 128 rule ceil
        : tensor<?x4096xbf16> -> tensor<?x4096xf8E4M3FN>, tensor<?x32xf8E8M0FNU>
    ```
  }];
  let arguments = (ins V4_FloatTensor:$input, I64Attr:$block,
                       V4_ScaleRuleAttr:$rule);
  let results = (outs V4_CodeTensor:$codes, V4_ScaleTensor:$scales);
  let assemblyFormat = [{
    $input `block` $block `rule` `` $rule attr-dict `:` type($input) `->`
    type($codes) `,` type($scales)
  }];
}

def V4_DequantizeOp : V4_PureOp<"dequantize", [V4_ReifyResultShapes]> {
  let summary = "multiply FP8/FP4 codes by their power-of-two block scales";
  let description = [{
    `result = codes * 2^(scale - 127)` per block of `block` values along the
    last dimension (section 3.5), rounded once to the result element type.
    Exact for bf16 and f32 results in the contract's range, since codes have
    at most 4 significant bits and scales are powers of two.

    Canonicalization: `dequantize(quantize(x))` with the same block and a
    result type equal to `x`'s is `simulate_quant(x)` (the same arithmetic
    by definition, section 3.2).

    ```mlir
    %w = v4.dequantize %codes, %scales block 32
        : tensor<64x256xf4E2M1FN>, tensor<64x8xf8E8M0FNU> -> tensor<64x256xbf16>
    ```
  }];
  let arguments = (ins V4_CodeTensor:$codes, V4_ScaleTensor:$scales,
                       I64Attr:$block);
  let results = (outs V4_FloatTensor:$result);
  let assemblyFormat = [{
    $codes `,` $scales `block` $block attr-dict `:` type($codes) `,`
    type($scales) `->` type($result)
  }];
  let hasCanonicalizeMethod = 1;
}

def V4_SimulateQuantOp : V4_PureOp<"simulate_quant",
    [V4_ReifyResultShapes,
    AllTypesMatch<["input", "result"]>]> {
  let summary = "quantize-dequantize in place (FP8sim64, FP4sim32)";
  let description = [{
    `result = T(q * s)` where `q, s` are what `v4.quantize` with the same
    `format` (the code type: `f8E4M3FN` or `f4E2M1FN`), `block` and `rule`
    would produce, and `T` is the input element type (section 3.2,
    "Simulate"). V4 uses FP8 E4M3 with block 64 on the 448 nope dims of every
    main KV row (slice them with `tensor.extract_slice`) and FP4 E2M1 with
    block 32 on indexer queries and keys.

    Fold: simulating an already simulated value with the same `format`,
    `block` and `rule` returns it unchanged. Proof sketch for `ceil`: the
    first pass leaves `amax' = s * max|q|` with `max|q|` in `[Qmax/2, Qmax]`,
    so the second scale is `s` or `s/2`; in both cases every `x' / s''` is
    `q` or `2q`, exactly representable, and the output equals the input.
    For `floor`, `max|q|` keeps the same binary exponent, so the scale is
    unchanged. This holds whenever the first pass produced finite values
    (inputs near the top of the bf16 range can overflow to Inf there).

    ```mlir
    %kv_nope = v4.simulate_quant %nope format f8E4M3FN block 64 rule ceil
        : tensor<1x?x448xbf16>
    ```
  }];
  let arguments = (ins V4_FloatTensor:$input, TypeAttr:$format,
                       I64Attr:$block, V4_ScaleRuleAttr:$rule);
  let results = (outs V4_FloatTensor:$result);
  let assemblyFormat = [{
    $input `format` $format `block` $block `rule` `` $rule attr-dict `:`
    type($input)
  }];
  let hasFolder = 1;
}

def V4_Fp8MatmulOp : V4_PureOp<"fp8_matmul", [V4_ReifyResultShapes]> {
  let summary = "block-scaled FP8 GEMM (E4M3 weights, E8M0 block scales)";
  let description = [{
    `C[m, n] = sum_kb (sum_{k in kb} A[m, k] * W[n, k]) * sA[m, kb] *
    sW[n / bn, kb]` with `block = [bn, bk]` (section 3.3): K is processed in
    `bk`-wide blocks, each block product accumulated in fp32 and scaled, the
    scaled partial sums accumulated in a separate fp32 accumulator, the
    result rounded once to the result type. Activations `[..., K]` come from
    `v4.quantize` with block `bk` (scales `[..., K/bk]`); the weight is
    `[N, K]` with scales `[ceil(N/bn), ceil(K/bk)]`. V4 uses 128x128 blocks;
    each block size must be 32, 64 or 128 and K a multiple of `bk`.

    With `groups`, the weight is a stack `[E, N, K]` (scales
    `[E, ceil(N/bn), ceil(K/bk)]`), the activation is `[M, K]` with rows
    sorted by expert, and rows `offsets[e] ..< offsets[e+1]` of the `[E+1]`
    offsets use expert `e` (grouped GEMM for FP8 experts); rows past
    `offsets[E]` produce zeros.

    ```mlir
    %y = v4.fp8_matmul %a, %as, %w, %ws block [128, 128]
        : (tensor<?x4096xf8E4M3FN>, tensor<?x32xf8E8M0FNU>,
           tensor<1024x4096xf8E4M3FN>, tensor<8x32xf8E8M0FNU>) -> tensor<?x1024xbf16>
    ```
  }];
  let arguments = (ins V4_F8Tensor:$input, V4_ScaleTensor:$input_scales,
                       V4_F8Tensor:$weight, V4_ScaleTensor:$weight_scales,
                       Optional<V4_I32Tensor>:$group_offsets,
                       DenseI64ArrayAttr:$block);
  let results = (outs V4_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $input_scales `,` $weight `,` $weight_scales
    (`groups` $group_offsets^)? `block` $block attr-dict `:`
    functional-type(operands, results)
  }];
}

def V4_Mxfp4MatmulOp : V4_PureOp<"mxfp4_matmul", [V4_ReifyResultShapes]> {
  let summary = "FP8-activation x MXFP4-weight GEMM";
  let description = [{
    `C[m, n] = sum_k32 (sum_{k in k32} A[m, k] * W[n, k]) *
    sA[m, k / act_block] * sW[n, k32]` (section 3.4): the weight is `[N, K]`
    E2M1 with one E8M0 scale per 1x32 block (`[N, K/32]`, the MX format),
    activations are FP8 with one scale per `act_block` (32, 64 or 128; 128
    in V4) values along K; fp32 accumulation, one rounding to the result.
    K must be a multiple of 32 and of `act_block`. E2M1 values convert
    exactly to E4M3, so targets without FP4 tensor cores may expand tiles to
    FP8 (a reported emulation path, not a different result).

    With `groups`, the weight is a stack `[E, N, K]` with scales
    `[E, N, K/32]` and rows of the `[M, K]` activation are assigned to
    experts by the `[E+1]` offsets, as for `v4.fp8_matmul` (routed experts).

    ```mlir
    %h = v4.mxfp4_matmul %a, %as, %w, %ws groups %offsets act_block 128
        : (tensor<?x4096xf8E4M3FN>, tensor<?x32xf8E8M0FNU>,
           tensor<256x2048x4096xf4E2M1FN>, tensor<256x2048x128xf8E8M0FNU>,
           tensor<257xi32>) -> tensor<?x2048xbf16>
    ```
  }];
  let arguments = (ins V4_F8Tensor:$input, V4_ScaleTensor:$input_scales,
                       V4_F4Tensor:$weight, V4_ScaleTensor:$weight_scales,
                       Optional<V4_I32Tensor>:$group_offsets,
                       I64Attr:$act_block);
  let results = (outs V4_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $input_scales `,` $weight `,` $weight_scales
    (`groups` $group_offsets^)? `act_block` $act_block attr-dict `:`
    functional-type(operands, results)
  }];
}

} // opDocGroup V4_QuantGroup

//===----------------------------------------------------------------------===//
// Layer primitives
//===----------------------------------------------------------------------===//

let opDocGroup = V4_LayerGroup in {

def V4_RmsNormOp : V4_PureOp<"rms_norm", [V4_ReifyResultShapes,
    AllTypesMatch<["input", "result"]>]> {
  let summary = "RMSNorm over the last dimension";
  let description = [{
    `result = T(w * (x * rsqrt(mean(x^2) + eps)))` with fp32 internals and
    the weight up-cast to fp32 (section 2); without `weight` the norm is
    weightless. `eps` must be positive; it is rounded to fp32 at use.

    `round_each_step` selects the reference's tensor-level arithmetic
    instead: every elementwise step (`x^2`, the mean, `+ eps`, `rsqrt`, and
    each multiply) rounds its result to the element type `T` of `input`
    (the sum inside the mean still accumulates in fp32 and is rounded once).
    The per-head query norm of section 7.1 (section 15 item 13) is
    weightless and computed this way on bf16.

    ```mlir
    %y = v4.rms_norm %x weight %w eps 1.0e-06
        : tensor<1x?x4096xbf16>, tensor<4096xbf16>
    %q = v4.rms_norm %q0 round_each_step eps 1.0e-06
        : tensor<1x?x64x512xbf16>
    ```
  }];
  let arguments = (ins V4_FloatTensor:$input, Optional<V4_FloatTensor>:$weight,
                       F64Attr:$eps, UnitAttr:$round_each_step);
  let results = (outs V4_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`weight` $weight^)? (`round_each_step` $round_each_step^)?
    `eps` $eps attr-dict `:` type($input)
    (`,` type($weight)^)?
  }];
}

def V4_RopeOp : V4_PureOp<"rope", [V4_ReifyResultShapes,
    AllTypesMatch<["input", "result"]>]> {
  let summary = "interleaved partial rotary embedding (or its inverse)";
  let description = [{
    Rotates the last `params.rope_dim` values of the last dimension as
    complex pairs `(x[2p], x[2p+1])` by `theta = fp32(pos) * w_p` (section 6;
    nope dims first, rope dims last), in fp32, rounding once to the input
    type. `inverse` rotates by `-theta` (the de-rotation of attention
    outputs, section 7.8). `positions` (`i32`) gives one position per token
    and has the shape of the leading dims of `input` (e.g. `[B, S]` for
    `[B, S, H, D]`); compressed entry `c` of ratio `r` uses position `c*r`.

    Fold: all-zero constant positions give `theta = 0`, `cos = 1`,
    `sin = 0`, so the op returns its input (exact for finite values up to
    the sign of zero).

    ```mlir
    %q = v4.rope %q0, %pos <base = 160000.0, rope_dim = 64,
        factor = 16.0, original_seq_len = 65536, beta_fast = 32.0, beta_slow = 1.0>
        : tensor<1x?x64x512xbf16>, tensor<1x?xi32>
    ```
  }];
  let arguments = (ins V4_FloatTensor:$input, V4_I32Tensor:$positions,
                       V4_RopeAttr:$params, UnitAttr:$inverse);
  let results = (outs V4_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $positions $params (`inverse` $inverse^)? attr-dict `:`
    type($input) `,` type($positions)
  }];
  let hasFolder = 1;
}

def V4_HadamardOp : V4_PureOp<"hadamard", [V4_ReifyResultShapes,
    SameOperandsAndResultType]> {
  let summary = "normalized Walsh-Hadamard transform over the last dimension";
  let description = [{
    `result = T((H_n x) / sqrt(n))` with `H_n` the natural-order (Sylvester)
    +-1 Hadamard matrix and no random signs (section 7.4); `n`, the last
    dimension, must be a static power of two. Computed in fp32.

    No `hadamard(hadamard(x)) -> x` fold: `H/sqrt(n)` is an involution only
    in exact arithmetic; the intermediate rounding to bf16 makes the pair
    differ from `x` in the last bits, which the contract counts.

    ```mlir
    %k = v4.hadamard %k0 : tensor<1x?x128xbf16>
    ```
  }];
  let arguments = (ins V4_FloatTensor:$input);
  let results = (outs V4_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def V4_SwigluOp : V4_PureOp<"swiglu", [V4_ReifyResultShapes,
    AllTypesMatch<["gate", "up"]>]> {
  let summary = "clamped SwiGLU with optional per-row routing weight";
  let description = [{
    In fp32: `g = min(gate, limit)` (one-sided), `u = clamp(up, -limit,
    limit)`, `h = silu(g) * u`, times `weights` (one fp32 routing weight per
    row, routed experts only) before the result rounding (section 8.2). The
    result (bf16 in V4) feeds the `w2` GEMM. `limit` must be positive.

    ```mlir
    %h = v4.swiglu %g, %u weights %rw limit 10.0
        : tensor<?x2048xbf16>, tensor<?xf32> -> tensor<?x2048xbf16>
    ```
  }];
  let arguments = (ins V4_FloatTensor:$gate, V4_FloatTensor:$up,
                       Optional<V4_F32Tensor>:$weights, F64Attr:$limit);
  let results = (outs V4_FloatTensor:$result);
  let assemblyFormat = [{
    $gate `,` $up (`weights` $weights^)? `limit` $limit attr-dict `:`
    type($gate) (`,` type($weights)^)? `->` type($result)
  }];
}

def V4_GroupedLinearOp : V4_PureOp<"grouped_linear", [V4_ReifyResultShapes]> {
  let summary = "grouped low-rank output projection (wo_a)";
  let description = [{
    Splits the `H` heads of `input [..., H, D]` into `groups` contiguous
    groups of `H/groups` heads and multiplies each group's flattened
    `(H/groups)*D` vector by its own weight slice (section 7.8):
    `result[..., g, :] = input[..., g, :, :].flatten() @ weight[g]^T` with
    `weight [groups, R, (H/groups)*D]`, fp32 accumulation, one rounding.
    `H` must be divisible by `groups`.

    ```mlir
    %z = v4.grouped_linear %o, %wa groups 8
        : tensor<1x?x64x512xbf16>, tensor<8x1024x4096xbf16> -> tensor<1x?x8x1024xbf16>
    ```
  }];
  let arguments = (ins V4_FloatTensor:$input, V4_FloatTensor:$weight,
                       I64Attr:$groups);
  let results = (outs V4_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight `groups` $groups attr-dict `:` type($input) `,`
    type($weight) `->` type($result)
  }];
}

} // opDocGroup V4_LayerGroup

//===----------------------------------------------------------------------===//
// Hyper-connections (section 5)
//===----------------------------------------------------------------------===//

let opDocGroup = V4_HCGroup in {

def V4_HcPreOp : V4_PureOp<"hc_pre", [V4_ReifyResultShapes,
    V4_InferResultTypes]> {
  let summary = "hyper-connection pre-mix with Sinkhorn-normalized combine";
  let description = [{
    For `n` residual streams `streams [..., n, D]` and parameters
    `fn [(2+n)*n, n*D]`, `base [(2+n)*n]`, `scale [3]` (all fp32), computes
    per token (section 5.1): `m = (X fn^T) * rsqrt(mean(X^2) + norm_eps)`
    over the flattened `n*D` values, `pre = sigmoid(m[0:n]*scale[0] + base)
    + eps`, `post = 2 * sigmoid(m[n:2n]*scale[1] + base)`,
    `comb = Sinkhorn(m[2n:]*scale[2] + base)` with `sinkhorn_iters`
    iterations (softmax + eps, column normalization, then `iters - 1` row/
    column rounds, section 5.2), and returns `output = sum_i pre_i *
    streams_i [..., D]`, `post [..., n]` and `comb [..., n, n]`.

    ```mlir
    %a, %post, %comb = v4.hc_pre %h, %fn, %base, %scale
        iters 20 eps 1.0e-06 norm_eps 1.0e-06
        : (tensor<1x?x4x4096xbf16>, tensor<24x16384xf32>, tensor<24xf32>,
           tensor<3xf32>) -> (tensor<1x?x4096xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>)
    ```
  }];
  let arguments = (ins V4_FloatTensor:$streams, V4_F32Tensor:$fn,
                       V4_F32Tensor:$base, V4_F32Tensor:$scale,
                       I64Attr:$sinkhorn_iters, F64Attr:$eps, F64Attr:$norm_eps);
  let results = (outs V4_FloatTensor:$output, V4_F32Tensor:$post,
                      V4_F32Tensor:$comb);
  let assemblyFormat = [{
    $streams `,` $fn `,` $base `,` $scale `iters` $sinkhorn_iters `eps` $eps
    `norm_eps` $norm_eps attr-dict `:` functional-type(operands, results)
  }];
}

def V4_HcPostOp : V4_PureOp<"hc_post", [V4_ReifyResultShapes,
    AllTypesMatch<["streams", "result"]>]> {
  let summary = "hyper-connection post-mix";
  let description = [{
    `result[..., j, :] = T(post_j * input + sum_i comb[i, j] * streams_i)`
    in fp32 (section 5.3; note the transpose: stream `j` receives column `j`
    of `comb`). `input [..., D]` is the sub-layer output, `streams
    [..., n, D]` the residual streams, `post [..., n]`, `comb [..., n, n]`.

    ```mlir
    %h2 = v4.hc_post %a, %h, %post, %comb : tensor<1x?x4096xbf16>,
        tensor<1x?x4x4096xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>
    ```
  }];
  let arguments = (ins V4_FloatTensor:$input, V4_FloatTensor:$streams,
                       V4_F32Tensor:$post, V4_F32Tensor:$comb);
  let results = (outs V4_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $streams `,` $post `,` $comb attr-dict `:` type($input) `,`
    type($streams) `,` type($post) `,` type($comb)
  }];
}

def V4_HcHeadOp : V4_PureOp<"hc_head", [V4_ReifyResultShapes,
    V4_InferResultTypes]> {
  let summary = "final hyper-connection merge (model and MTP head)";
  let description = [{
    `m = (X fn^T) * rsqrt(mean(X^2) + norm_eps)`, `w_i = sigmoid(m_i *
    scale[0] + base_i) + eps`, `result = T(sum_i w_i * streams_i)` with
    `fn [n, n*D]`, `base [n]`, `scale [1]` fp32 (section 5.4).

    ```mlir
    %y = v4.hc_head %h, %fn, %base, %scale eps 1.0e-06 norm_eps 1.0e-06
        : (tensor<1x?x4x4096xbf16>, tensor<4x16384xf32>, tensor<4xf32>,
           tensor<1xf32>) -> tensor<1x?x4096xbf16>
    ```
  }];
  let arguments = (ins V4_FloatTensor:$streams, V4_F32Tensor:$fn,
                       V4_F32Tensor:$base, V4_F32Tensor:$scale,
                       F64Attr:$eps, F64Attr:$norm_eps);
  let results = (outs V4_FloatTensor:$result);
  let assemblyFormat = [{
    $streams `,` $fn `,` $base `,` $scale `eps` $eps `norm_eps` $norm_eps
    attr-dict `:` functional-type(operands, results)
  }];
}

} // opDocGroup V4_HCGroup

//===----------------------------------------------------------------------===//
// Compressed KV and typed caches (sections 7.3, 7.4, 11)
//===----------------------------------------------------------------------===//

let opDocGroup = V4_CacheGroup in {

def V4_CompressOp : V4_PureOp<"compress", [V4_ReifyResultShapes,
    AllTypesMatch<["kv", "score"]>,
                                            AllTypesMatch<["state", "new_state"]>,
                                            V4_InferResultTypes]> {
  let summary = "token compressor: softmax-gated pooling of groups of tokens";
  let description = [{
    Feeds the tokens `p ..< p + S` of each batch row (`p = positions[b]`,
    the row's start position) through the compressor of section 7.4, in
    order. `kv` and `score` are the fp32 projections `[B, S, coff*d]`
    (`wkv x`, `wgate x`, computed upstream); `ape [ratio, coff*d]` is added
    to the scores by slot `t mod ratio`. Row `b` uses state row `slots[b]`
    (or `b` without `slots`, see `v4.window_append`). Each token
    is written to its state slot; when token `t` completes a group
    (`(t+1) mod ratio == 0`) entry `c = t / ratio` is the per-channel
    softmax-weighted sum over the group (`overlap`, ratio 4: the previous
    group's first halves and this group's second halves, 8 slots), and the
    overlapping state shifts. `entries [B, ceil(S/ratio), d]` holds the
    entries completed by this chunk in order (the first
    `(p+S)/ratio - p/ratio` rows; the rest are zero), before
    RMSNorm/RoPE/quantization. The same semantics cover prefill (fresh
    state) and decode (S = 1). `ratio` and `overlap` must match the state
    type (`overlap` iff ratio 4).

    ```mlir
    %entries, %s1 = v4.compress %kv, %score, %ape, %s0 at %pos ratio 4 overlap
        : tensor<1x?x1024xf32>, tensor<4x1024xf32>,
          !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 512>,
          tensor<1xi32> -> tensor<1x?x512xf32>
    ```
  }];
  let arguments = (ins V4_F32Tensor:$kv, V4_F32Tensor:$score,
                       V4_F32Tensor:$ape, V4_CompressorStateType:$state,
                       V4_I32Tensor:$positions, Optional<V4_I32Tensor>:$slots,
                       I64Attr:$ratio, UnitAttr:$overlap);
  let results = (outs V4_F32Tensor:$entries,
                      V4_CompressorStateType:$new_state);
  let assemblyFormat = [{
    $kv `,` $score `,` $ape `,` $state `at` $positions (`slots` $slots^)?
    `ratio` $ratio (`overlap` $overlap^)? attr-dict `:` type($kv) `,`
    type($ape) `,` qualified(type($state)) `,` type($positions)
    (`,` type($slots)^)? `->` type($entries)
  }];
}

def V4_CacheInitOp : V4_Op<"cache_init"> {
  let summary = "a fresh cache value";
  let description = [{
    The cache at sequence start: zeros for KV and key caches; kv = 0 and
    score = -inf for compressor state (section 7.4 recommends this reset,
    which the reference omits).

    Each `v4.cache_init` is its own storage (an allocation effect, like
    `bufferization.alloc_tensor`): two layers' identical fresh caches must not
    be CSE'd into one value, which bufferization would then make one buffer
    that both layers write in place. An unused one is still removed.

    ```mlir
    %w = v4.cache_init : !v4.window<batch = 1, rows = 128, dim = 512, element = bf16>
    ```
  }];
  let results = (outs Res<V4_AnyCache, "", [MemAlloc]>:$cache);
  let assemblyFormat = "attr-dict `:` type($cache)";
}

def V4_CacheReadOp : V4_PureOp<"cache_read", [V4_ReifyResultShapes,
    V4_InferResultTypes]> {
  let summary = "the contents of a cache as a tensor";
  let description = [{
    Returns the values the cache holds (its contents type): `[B, rows, dim]`
    bf16 for a window ring (slot order), `[B, capacity, dim]` bf16 for
    compressed entries and indexer keys, whatever their row encoding (FP8 or
    MXFP4 rows are decoded), `[2, B, coff*ratio, coff*dim]` fp32 (kv, score)
    for compressor state. Rows that were never written hold their initial
    value. With `slots [B']` the read gathers cache rows `slots[b]` into
    batch row `b` (B' rows instead of the cache's B).

    Fold: reading a fresh zero-initialized cache gives a zero splat constant.

    ```mlir
    %kv = v4.cache_read %w : !v4.window<batch = 1, rows = 128, dim = 512,
        element = bf16> -> tensor<1x128x512xbf16>
    ```
  }];
  let arguments = (ins V4_AnyCache:$cache, Optional<V4_I32Tensor>:$slots);
  let results = (outs AnyRankedTensor:$contents);
  let assemblyFormat = [{
    $cache (`slots` $slots^)? attr-dict `:` type($cache) (`,` type($slots)^)?
    `->` type($contents)
  }];
  let hasFolder = 1;
}

def V4_WindowAppendOp : V4_PureOp<"window_append",
    [AllTypesMatch<["cache", "result"]>]> {
  let summary = "write KV rows into the raw window ring";
  let description = [{
    Row `s` of batch row `b` of `rows [B, S, dim]` (position `p + s` with
    `p = positions[b]`) goes to ring slot `(p + s) mod window`; when
    `S > window` only the last `window` rows survive (section 7.3, 7.10).

    Batch rows and cache rows: without `slots`, batch row `b` is cache row
    `b` (B equals the cache's batch). With `slots [B]`, batch row `b` is
    cache row `slots[b]`: the B sequences of a call (B may be dynamic) live
    anywhere in a cache of `batch` slots, the layout of continuous
    batching. Slots must be distinct and in `[0, batch)`; rows outside that
    range are not written (lowerings check it). Every cache op takes the
    same `positions` and `slots` operands.

    Fold: appending zero rows returns the cache.

    ```mlir
    %w1 = v4.window_append %w0, %kv at %pos
        : !v4.window<batch = 1, rows = 128, dim = 512, element = bf16>,
          tensor<1x1x512xbf16>, tensor<1xi32>
    %w2 = v4.window_append %w1, %kv2 at %positions slots %slots
        : !v4.window<batch = 8, rows = 128, dim = 512, element = bf16>,
          tensor<?x1x512xbf16>, tensor<?xi32>, tensor<?xi32>
    ```
  }];
  let arguments = (ins V4_WindowCacheType:$cache, V4_FloatTensor:$rows,
                       V4_I32Tensor:$positions, Optional<V4_I32Tensor>:$slots);
  let results = (outs V4_WindowCacheType:$result);
  let assemblyFormat = [{
    $cache `,` $rows `at` $positions (`slots` $slots^)? attr-dict `:`
    qualified(type($cache)) `,` type($rows) `,` type($positions)
    (`,` type($slots)^)?
  }];
  let hasFolder = 1;
}

def V4_CompressedAppendOp : V4_PureOp<"compressed_append",
    [AllTypesMatch<["cache", "result"]>]> {
  let summary = "store the entries a compressor chunk completed";
  let description = [{
    For a chunk of `num_tokens` tokens starting at `p = positions[b]` in
    batch row `b`, row `j` of `entries [B, M, dim]` is entry `p / ratio + j`
    for `j < (p + num_tokens) / ratio - p / ratio`; other rows are ignored
    (the layout `v4.compress` produces). Works on compressed KV caches and
    on indexer key caches (ratio 4). Entries past the capacity are dropped.
    `slots` maps batch rows to cache rows as in `v4.window_append`.

    Fold: appending a chunk with zero entry rows returns the cache.

    ```mlir
    %c1 = v4.compressed_append %c0, %k at %pos tokens %n
        : !v4.compressed<batch = 1, ratio = 128, capacity = 8192, dim = 512,
          element = bf16>, tensor<1x1x512xbf16>, tensor<1xi32>
    ```
  }];
  let arguments = (ins AnyTypeOf<[V4_CompressedCacheType,
                                  V4_IndexerCacheType]>:$cache,
                       V4_FloatTensor:$entries, V4_I32Tensor:$positions,
                       Optional<V4_I32Tensor>:$slots, Index:$num_tokens);
  let results = (outs AnyTypeOf<[V4_CompressedCacheType,
                                 V4_IndexerCacheType]>:$result);
  let assemblyFormat = [{
    $cache `,` $entries `at` $positions (`slots` $slots^)? `tokens`
    $num_tokens attr-dict `:` type($cache) `,` type($entries) `,`
    type($positions) (`,` type($slots)^)?
  }];
  let hasFolder = 1;
}

def V4_WindowIndicesOp : V4_PureOp<"window_indices", [V4_ReifyResultShapes]> {
  let summary = "sliding-window key indices with -1 padding";
  let description = [{
    For query row `s` of batch row `b` at position `i = start + s` (`start =
    positions[b]`), lists the keys at positions `max(lo, i - window + 1) ..
    i` in ascending order, then `-1` up to `window` entries (section 7.3).
    With `layout chunk`, `lo = start` and a position `p` maps to row `p -
    start` of the chunk's own KV rows (prefill). With `layout ring`, `lo = 0`
    and `p` maps to ring slot `p mod window` (decode; needs one query row,
    since a longer chunk would have overwritten older slots). With `layout
    ring_chunk`, `lo = 0` and `p` maps to a row of the ring as it was before
    the chunk followed by the chunk's rows (`p < start`: slot `p mod window`;
    otherwise row `window + p - start`), the layout of a prefill chunk at any
    start. `positions [B]` gives each batch row its start (batched decode
    rows are at different positions). Result: `[B, S, window]` i32.

    `rows` gives `S` when the result's query dimension is dynamic (a prefill
    chunk of run-time length): nothing else in the op determines it, so
    lowerings need it to size the result. It is required with `layout chunk`
    or `ring_chunk` and a dynamic `S` (the verifier rejects the op without
    it).

    ```mlir
    %wi = v4.window_indices %pos window 128 layout ring
        : tensor<?xi32> -> tensor<?x1x128xi32>
    %wc = v4.window_indices %pos rows %s window 128 layout chunk
        : tensor<1xi32> -> tensor<1x?x128xi32>
    %wr = v4.window_indices %pos rows %s window 128 layout ring_chunk
        : tensor<1xi32> -> tensor<1x?x128xi32>
    ```
  }];
  let arguments = (ins V4_I32Tensor:$positions, Optional<Index>:$rows,
                       I64Attr:$window, V4_WindowLayoutAttr:$layout);
  let results = (outs V4_I32Tensor:$indices);
  let assemblyFormat = [{
    $positions (`rows` $rows^)? `window` $window `layout` `` $layout attr-dict
    `:` type($positions) `->` type($indices)
  }];
}

} // opDocGroup V4_CacheGroup

//===----------------------------------------------------------------------===//
// Indexer and attention (sections 7.5 - 7.7)
//===----------------------------------------------------------------------===//

let opDocGroup = V4_AttentionGroup in {

def V4_IndexerScoreOp : V4_PureOp<"indexer_score", [V4_ReifyResultShapes]> {
  let summary = "lightning-indexer scores of the cached compressed keys";
  let description = [{
    `scores[b, s, c] = sum_h weights[b, s, h] * relu(queries[b, s, h, :] .
    keys[b, c, :])` (section 7.5) for `queries [B, S, H, D]`, the indexer key
    cache `keys` (`!v4.indexer_keys` with batch B, capacity C, dim D) and
    `weights [B, S, H]` (which already carry `128^-0.5 * 64^-0.5`). The keys
    are read from the cache itself: no copy of the whole cache is made
    (with `slots`, batch row `b` reads cache row `slots[b]`). The
    reference evaluates each step on bf16 tensors. Causality is applied by
    `v4.topk`; entries past the last finished one score on zero keys and are
    never selected.

    ```mlir
    %sc = v4.indexer_score %qi, %keys, %wi
        : tensor<1x?x64x128xbf16>,
          !v4.indexer_keys<batch = 1, capacity = 1024, dim = 128, element = bf16>,
          tensor<1x?x64xbf16> -> tensor<1x?x1024xbf16>
    ```
  }];
  let arguments = (ins V4_FloatTensor:$queries, V4_IndexerCacheType:$keys,
                       V4_FloatTensor:$weights, Optional<V4_I32Tensor>:$slots);
  let results = (outs V4_FloatTensor:$scores);
  let assemblyFormat = [{
    $queries `,` $keys `,` $weights (`slots` $slots^)? attr-dict `:`
    type($queries) `,` qualified(type($keys)) `,` type($weights)
    (`,` type($slots)^)? `->` type($scores)
  }];
}

def V4_TopkOp : V4_PureOp<"topk", [V4_ReifyResultShapes,
    V4_InferResultTypes]> {
  let summary = "causal top-k selection of compressed entries, -1 padded";
  let description = [{
    For query row `s` of batch row `b` at position `i = positions[b] + s`,
    the candidates are entries `c < (i + 1) / ratio` (causality of section
    7.5, pitfall 9).
    Returns the indices of the `k` highest-scoring candidates in descending
    score order (ties: lower index first), `-1` where fewer than `k`
    candidates exist. The indices address the compressed entries
    themselves (the `entry_indices` of `v4.sparse_attention`). `scores [B,
    S, C]` float, result `[B, S, k]` i32; `k` must be positive and `ratio` a
    valid compression ratio (4, or a power of two in [8, 128]).

    ```mlir
    %sel = v4.topk %sc at %pos k 512 ratio 4
        : tensor<1x?x?xbf16>, tensor<1xi32> -> tensor<1x?x512xi32>
    ```
  }];
  let arguments = (ins V4_FloatTensor:$scores, V4_I32Tensor:$positions,
                       I64Attr:$k, I64Attr:$ratio);
  let results = (outs V4_I32Tensor:$indices);
  let assemblyFormat = [{
    $scores `at` $positions `k` $k `ratio` $ratio attr-dict `:` type($scores)
    `,` type($positions) `->` type($indices)
  }];
}

def V4_SparseAttentionOp : V4_PureOp<"sparse_attention",
    [V4_ReifyResultShapes,
    AllTypesMatch<["query", "result"]>, AttrSizedOperandSegments]> {
  let summary = "gather attention over window rows and selected compressed entries";
  let description = [{
    For each query `q [B, S, H, D]` row and head, attends two KV sources
    with K = V (section 7.7): the window rows `window [B, W, D]` named by
    `window_indices [B, S, Kw]` (the chunk's own rows in prefill, the ring in
    decode), and, for CSA, the compressed entries of the cache `entries`
    (`!v4.compressed`, read in place) named by `entry_indices [B, S, Ke]`
    (the top-k selection; with `slots`, batch row `b` reads cache row
    `slots[b]`). Indices `< 0` are skipped. The keys are taken in
    the order of the window list followed by the entry list:
    `s_j = fp32(q . kv_j) * scale`, online softmax in blocks of 64 keys of
    that joint order, `P` rounded to bf16 for `P V`, fp32 denominator
    enlarged by `exp(sink_h - m)` with one fp32 sink logit per head (`sink
    [H]`). `scale` (`1/sqrt(512)` in V4) must be positive. Without `entries`
    (sliding-window layers) only the window is attended.

    ```mlir
    %o = v4.sparse_attention %q, %win[%wi], %sink scale 0.044194173824159216
        : tensor<1x1x64x512xbf16>, tensor<1x128x512xbf16>, tensor<1x1x128xi32>, tensor<64xf32>
    %o = v4.sparse_attention %q, %win[%wi], %sink entries %c[%sel]
        scale 0.044194173824159216
        : tensor<1x?x64x512xbf16>, tensor<1x?x512xbf16>, tensor<1x?x128xi32>,
          tensor<64xf32>,
          !v4.compressed<batch = 1, ratio = 4, capacity = 1024, dim = 512, element = bf16>,
          tensor<1x?x512xi32>
    ```
  }];
  let arguments = (ins V4_Bf16Tensor:$query, V4_Bf16Tensor:$window,
                       V4_I32Tensor:$window_indices,
                       Optional<V4_CompressedCacheType>:$entries,
                       Optional<V4_I32Tensor>:$entry_indices,
                       Optional<V4_I32Tensor>:$slots,
                       V4_F32Tensor:$sink, F64Attr:$scale);
  let results = (outs V4_Bf16Tensor:$result);
  let assemblyFormat = [{
    $query `,` $window `[` $window_indices `]` `,` $sink
    (`entries` $entries^ `[` $entry_indices `]`)? (`slots` $slots^)?
    `scale` $scale attr-dict `:`
    type($query) `,` type($window) `,` type($window_indices) `,` type($sink)
    (`,` qualified(type($entries))^ `,` type($entry_indices))?
    (`,` type($slots)^)?
  }];
}

def V4_HcaAttentionOp : V4_PureOp<"hca_attention",
    [V4_ReifyResultShapes,
    AllTypesMatch<["query", "result"]>]> {
  let summary = "attention over the window plus every visible compressed entry";
  let description = [{
    Heavily compressed attention (section 7.6): one softmax with sink, as in
    `v4.sparse_attention`, over the window rows `window[b, j]` named by
    `window_indices [B, S, W]` and all entries `c < (positions[b] + s + 1) /
    ratio` of the compressed cache `entries` (read in place, from cache row
    `slots[b]` with `slots`; the ratio is the cache type's), window rows
    first, entries in ascending order. Dense over entries, so no index list
    is materialized.

    ```mlir
    %o = v4.hca_attention %q, %win[%wi] entries %c, %sink at %pos
        scale 0.044194173824159216
        : tensor<1x1x64x512xbf16>, tensor<1x128x512xbf16>, tensor<1x1x128xi32>,
          !v4.compressed<batch = 1, ratio = 128, capacity = 8192, dim = 512, element = bf16>,
          tensor<64xf32>, tensor<1xi32>
    ```
  }];
  let arguments = (ins V4_Bf16Tensor:$query, V4_Bf16Tensor:$window,
                       V4_I32Tensor:$window_indices,
                       V4_CompressedCacheType:$entries, V4_F32Tensor:$sink,
                       V4_I32Tensor:$positions, Optional<V4_I32Tensor>:$slots,
                       F64Attr:$scale);
  let results = (outs V4_Bf16Tensor:$result);
  let assemblyFormat = [{
    $query `,` $window `[` $window_indices `]` `entries` $entries `,` $sink
    `at` $positions (`slots` $slots^)? `scale` $scale attr-dict `:`
    type($query) `,` type($window) `,` type($window_indices) `,`
    qualified(type($entries)) `,` type($sink) `,` type($positions)
    (`,` type($slots)^)?
  }];
}

} // opDocGroup V4_AttentionGroup

//===----------------------------------------------------------------------===//
// Mixture of experts (section 8)
//===----------------------------------------------------------------------===//

let opDocGroup = V4_MoEGroup in {

def V4_MoeRouteOp : V4_PureOp<"moe_route", [V4_ReifyResultShapes,
    V4_InferResultTypes]> {
  let summary = "sqrt-softplus score routing with a selection bias";
  let description = [{
    `s = sqrt(softplus(logits))` (softplus threshold 20), experts =
    top-`k` of `s + bias` (the bias only selects), weights = `s` gathered at
    the experts, divided by their sum when `normalize`, times `route_scale`
    (section 8.1). `logits [T, E]` and `bias [E]` fp32; results `[T, k]`
    (fp32 weights, i32 expert ids). `0 < k <= E`, `route_scale > 0`.

    ```mlir
    %w, %e = v4.moe_route %logits, %bias k 6 route_scale 1.5 normalize
        : tensor<?x256xf32>, tensor<256xf32> -> tensor<?x6xf32>, tensor<?x6xi32>
    ```
  }];
  let arguments = (ins V4_F32Tensor:$logits, V4_F32Tensor:$bias, I64Attr:$k,
                       F64Attr:$route_scale, UnitAttr:$normalize);
  let results = (outs V4_F32Tensor:$weights, V4_I32Tensor:$experts);
  let assemblyFormat = [{
    $logits `,` $bias `k` $k `route_scale` $route_scale
    (`normalize` $normalize^)? attr-dict `:` type($logits) `,` type($bias)
    `->` type($weights) `,` type($experts)
  }];
}

def V4_MoeHashRouteOp : V4_PureOp<"moe_hash_route", [V4_ReifyResultShapes,
    V4_InferResultTypes]> {
  let summary = "hash routing by token id (tid2eid table)";
  let description = [{
    Experts are `table[token]` (`table [V, k]` i32 or i64, the checkpoint's
    tid2eid as stored, read in place; `tokens [T]` i32; no bias), weights are `sqrt(softplus(logits))` gathered at them, divided by
    their sum when `normalize`, times `route_scale` (section 8.1, layers
    below `n_hash_layers`). Out-of-range token ids or table entries are
    undefined behaviour of the graph; the runtime validates the table at
    load time.

    ```mlir
    %w, %e = v4.moe_hash_route %logits, %tok, %tid2eid route_scale 1.5 normalize
        : tensor<?x256xf32>, tensor<?xi32>, tensor<129280x6xi32>
          -> tensor<?x6xf32>, tensor<?x6xi32>
    ```
  }];
  let arguments = (ins V4_F32Tensor:$logits, V4_I32Tensor:$tokens,
                       RankedTensorOf<[I32, I64]>:$table, F64Attr:$route_scale,
                       UnitAttr:$normalize);
  let results = (outs V4_F32Tensor:$weights, V4_I32Tensor:$experts);
  let assemblyFormat = [{
    $logits `,` $tokens `,` $table `route_scale` $route_scale
    (`normalize` $normalize^)? attr-dict `:` type($logits) `,` type($tokens)
    `,` type($table) `->` type($weights) `,` type($experts)
  }];
}

def V4_MoeDispatchOp : V4_PureOp<"moe_dispatch", [V4_ReifyResultShapes,
    V4_InferResultTypes]> {
  let summary = "sort token copies by expert for grouped GEMMs";
  let description = [{
    Makes `k` copies of each row of `input [T, D]` and orders them by expert
    id (stable: by token, then slot, within an expert). Returns `rows
    [T*k, D]`, their routing weights `row_weights [T*k]`, `permutation
    [T*k]` (sorted row -> source `t*k + slot`) and `expert_offsets
    [num_experts + 1]` (exclusive prefix sums of the per-expert counts) for
    the `groups` operand of the matmuls.

    ```mlir
    %rows, %rw, %perm, %off = v4.moe_dispatch %x, %e, %w num_experts 256
        : (tensor<?x4096xbf16>, tensor<?x6xi32>, tensor<?x6xf32>)
          -> (tensor<?x4096xbf16>, tensor<?xf32>, tensor<?xi32>, tensor<257xi32>)
    ```
  }];
  let arguments = (ins V4_FloatTensor:$input, V4_I32Tensor:$experts,
                       V4_F32Tensor:$weights, I64Attr:$num_experts);
  let results = (outs V4_FloatTensor:$rows, V4_F32Tensor:$row_weights,
                      V4_I32Tensor:$permutation, V4_I32Tensor:$expert_offsets);
  let assemblyFormat = [{
    $input `,` $experts `,` $weights `num_experts` $num_experts attr-dict `:`
    functional-type(operands, results)
  }];
}

def V4_MoeCombineOp : V4_PureOp<"moe_combine", [V4_ReifyResultShapes]> {
  let summary = "sum expert outputs back per token, then the shared expert";
  let description = [{
    `y[t] = sum of rows[r]` over the sorted rows with `permutation[r] / k ==
    t` (`k = R / T`), accumulated in fp32 in row order, i.e. by ascending
    expert id; then `+ shared[t]` when given; one rounding to the result
    type (section 8.3). `rows [R, D]`, `permutation [R]`, `shared` and the
    result `[T, D]`; `R` must be a multiple of `T`.

    ```mlir
    %y = v4.moe_combine %out, %perm shared %sh
        : (tensor<?x4096xbf16>, tensor<?xi32>, tensor<?x4096xbf16>) -> tensor<?x4096xbf16>
    ```
  }];
  let arguments = (ins V4_FloatTensor:$rows, V4_I32Tensor:$permutation,
                       Optional<V4_FloatTensor>:$shared);
  let results = (outs V4_FloatTensor:$result);
  let assemblyFormat = [{
    $rows `,` $permutation (`shared` $shared^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

} // opDocGroup V4_MoEGroup

//===----------------------------------------------------------------------===//
// Parameters (section 10)
//===----------------------------------------------------------------------===//

let opDocGroup = V4_ParamGroup in {

def V4_ParamOp : V4_Op<"param", [Pure]> {
  let summary = "a weight tensor bound by its official checkpoint name";
  let description = [{
    The value of the checkpoint tensor `name` (the official DeepSeek-V4 name
    of section 10, e.g. `"layers.0.attn.wq_a.weight"`). Weights live outside
    the module: the runtime binds each parameter by name when it loads a
    checkpoint, so a graph never holds weight data and its size does not
    depend on the model's.

    The result type is the *logical* tensor, in the element types of the op
    signatures; the stored safetensors tensor it binds to is:

    | result element | stored dtype | stored shape |
    | --- | --- | --- |
    | `bf16`, `f16`, `f32` | `BF16`, `F16`, `F32` | the result shape |
    | `f8E4M3FN` | `F8_E4M3` | the result shape |
    | `f8E8M0FNU` | `F8_E8M0` | the result shape |
    | `f4E2M1FN` | `I8`, two codes per byte (low nibble first) | last dim / 2 |
    | `i8`, `i32`, `i64` | `I8`, `I32`, `I64` | the result shape |

    **Stacked parameters.** A name with one `*` component, such as
    `"layers.3.ffn.experts.*.w1.weight"`, stacks the tensors named with `*`
    replaced by `0, 1, ..., N-1` along a new leading dimension `N` (the
    routed experts of a layer, consumed by the `groups` form of
    `v4.mxfp4_matmul` / `v4.fp8_matmul`). The binder may map the members in
    place or gather them; the graph sees one `[N, ...]` tensor.

    Parameters are pure: identical ones are merged by CSE and unused ones are
    removed. The result shape must be static.

    ```mlir
    %wq_a = v4.param "layers.0.attn.wq_a.weight" : tensor<1024x4096xf8E4M3FN>
    %w1 = v4.param "layers.3.ffn.experts.*.w1.weight"
        : tensor<256x2048x4096xf4E2M1FN>
    ```
  }];
  let arguments = (ins StrAttr:$name);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Whether `name` has a `*` component (a stack of tensors).
    bool isStacked();
    /// Members of a stacked parameter (the leading dimension); 1 otherwise.
    int64_t getNumMembers();
    /// The stored tensor name of member `index` (`*` replaced by the index);
    /// `name` itself for an unstacked parameter.
    std::string getMemberName(int64_t index);
  }];
}

} // opDocGroup V4_ParamGroup

#endif // SIEVE_V4_OPS_TD
