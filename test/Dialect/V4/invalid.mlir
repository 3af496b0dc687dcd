// RUN: sieve-opt %s --split-input-file --verify-diagnostics

//===----------------------------------------------------------------------===//
// quantize / dequantize / simulate_quant
//===----------------------------------------------------------------------===//

// Quantization blocks are 32, 64 or 128 values.
func.func @quantize_block(%x: tensor<4x96xbf16>) {
  // expected-error @+1 {{expects block in {32, 64, 128}, got 48}}
  %c, %s = v4.quantize %x block 48 rule ceil : tensor<4x96xbf16> -> tensor<4x96xf8E4M3FN>, tensor<4x2xf8E8M0FNU>
  return
}

// -----

// A scalar has no last dimension to block.
func.func @quantize_rank(%x: tensor<bf16>) {
  // expected-error @+1 {{expects input of rank >= 1, got rank 0}}
  %c, %s = v4.quantize %x block 32 rule ceil : tensor<bf16> -> tensor<f8E4M3FN>, tensor<f8E8M0FNU>
  return
}

// -----

// The last dimension must split into whole blocks.
func.func @quantize_partial_block(%x: tensor<4x100xbf16>) {
  // expected-error @+1 {{expects the last dimension (100) to be a multiple of the block size 32}}
  %c, %s = v4.quantize %x block 32 rule ceil : tensor<4x100xbf16> -> tensor<4x100xf8E4M3FN>, tensor<4x4xf8E8M0FNU>
  return
}

// -----

// One scale per block of the last dimension.
func.func @quantize_scales(%x: tensor<?x4096xbf16>) {
  // expected-error @+1 {{expects scales of shape ?x32 (one per block of the last dimension), got ?x31}}
  %c, %s = v4.quantize %x block 128 rule ceil : tensor<?x4096xbf16> -> tensor<?x4096xf8E4M3FN>, tensor<?x31xf8E8M0FNU>
  return
}

// -----

// Codes keep the input shape.
func.func @quantize_codes(%x: tensor<4x128xbf16>) {
  // expected-error @+1 {{expects codes of shape 4x128 (the input shape), got 4x64}}
  %c, %s = v4.quantize %x block 32 rule ceil : tensor<4x128xbf16> -> tensor<4x64xf8E4M3FN>, tensor<4x4xf8E8M0FNU>
  return
}

// -----

// Codes are small floats, never packed integers.
func.func @quantize_packed_codes(%x: tensor<4x128xbf16>) {
  // expected-error @+1 {{result #0 must be ranked tensor of f8E4M3FN type or f4E2M1FN type values}}
  %c, %s = v4.quantize %x block 32 rule ceil : tensor<4x128xbf16> -> tensor<4x64xi8>, tensor<4x4xf8E8M0FNU>
  return
}

// -----

// Dequantization checks the same block rules on its codes.
func.func @dequantize_rank(%c: tensor<f4E2M1FN>, %s: tensor<f8E8M0FNU>) {
  // expected-error @+1 {{expects codes of rank >= 1, got rank 0}}
  %w = v4.dequantize %c, %s block 32 : tensor<f4E2M1FN>, tensor<f8E8M0FNU> -> tensor<bf16>
  return
}

// -----

// Dequantized values keep the codes' shape.
func.func @dequantize_result(%c: tensor<64x256xf4E2M1FN>, %s: tensor<64x8xf8E8M0FNU>) {
  // expected-error @+1 {{expects result of shape 64x256 (the codes shape), got 64x128}}
  %w = v4.dequantize %c, %s block 32 : tensor<64x256xf4E2M1FN>, tensor<64x8xf8E8M0FNU> -> tensor<64x128xbf16>
  return
}

// -----

// Simulation rounds to FP8 E4M3 or FP4 E2M1 only.
func.func @simulate_format(%x: tensor<4x64xbf16>) {
  // expected-error @+1 {{expects format f8E4M3FN or f4E2M1FN, got 'f16'}}
  %y = v4.simulate_quant %x format f16 block 64 rule ceil : tensor<4x64xbf16>
  return
}

// -----

// Simulation blocks are 32, 64 or 128 values.
func.func @simulate_block(%x: tensor<4x64xbf16>) {
  // expected-error @+1 {{expects block in {32, 64, 128}, got 16}}
  %y = v4.simulate_quant %x format f8E4M3FN block 16 rule ceil : tensor<4x64xbf16>
  return
}

// -----

// Simulation needs a last dimension.
func.func @simulate_rank(%x: tensor<bf16>) {
  // expected-error @+1 {{expects input of rank >= 1, got rank 0}}
  %y = v4.simulate_quant %x format f8E4M3FN block 64 rule ceil : tensor<bf16>
  return
}

// -----

// The 448 nope dims do not split into 128-wide blocks.
func.func @simulate_partial_block(%x: tensor<4x448xbf16>) {
  // expected-error @+1 {{expects the last dimension (448) to be a multiple of the block size 128}}
  %y = v4.simulate_quant %x format f8E4M3FN block 128 rule ceil : tensor<4x448xbf16>
  return
}

//===----------------------------------------------------------------------===//
// fp8_matmul / mxfp4_matmul
//===----------------------------------------------------------------------===//

// -----

// The FP8 weight block is two sizes, [N block, K block].
func.func @fp8_block_arity(%a: tensor<4x256xf8E4M3FN>, %as: tensor<4x2xf8E8M0FNU>, %w: tensor<64x256xf8E4M3FN>, %ws: tensor<1x2xf8E8M0FNU>) {
  // expected-error @+1 {{expects block to have 2 entries [N block, K block], got 3}}
  %y = v4.fp8_matmul %a, %as, %w, %ws block [128, 128, 128]
      : (tensor<4x256xf8E4M3FN>, tensor<4x2xf8E8M0FNU>, tensor<64x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<4x64xbf16>
  return
}

// -----

// The N block must be 32, 64 or 128.
func.func @fp8_block_n(%a: tensor<4x256xf8E4M3FN>, %as: tensor<4x2xf8E8M0FNU>, %w: tensor<64x256xf8E4M3FN>, %ws: tensor<1x2xf8E8M0FNU>) {
  // expected-error @+1 {{expects weight N block in {32, 64, 128}, got 256}}
  %y = v4.fp8_matmul %a, %as, %w, %ws block [256, 128]
      : (tensor<4x256xf8E4M3FN>, tensor<4x2xf8E8M0FNU>, tensor<64x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<4x64xbf16>
  return
}

// -----

// The K block must be 32, 64 or 128.
func.func @fp8_block_k(%a: tensor<4x256xf8E4M3FN>, %as: tensor<4x2xf8E8M0FNU>, %w: tensor<64x256xf8E4M3FN>, %ws: tensor<1x2xf8E8M0FNU>) {
  // expected-error @+1 {{expects weight K block in {32, 64, 128}, got 100}}
  %y = v4.fp8_matmul %a, %as, %w, %ws block [128, 100]
      : (tensor<4x256xf8E4M3FN>, tensor<4x2xf8E8M0FNU>, tensor<64x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<4x64xbf16>
  return
}

// -----

// A grouped GEMM takes a stacked [E, N, K] weight.
func.func @fp8_grouped_weight_rank(%a: tensor<4x256xf8E4M3FN>, %as: tensor<4x2xf8E8M0FNU>, %w: tensor<64x256xf8E4M3FN>,
                                   %ws: tensor<1x2xf8E8M0FNU>, %off: tensor<2xi32>) {
  // expected-error @+1 {{expects weight of rank 3 ([E, N, K] with `groups`), got rank 2}}
  %y = v4.fp8_matmul %a, %as, %w, %ws groups %off block [128, 128]
      : (tensor<4x256xf8E4M3FN>, tensor<4x2xf8E8M0FNU>, tensor<64x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>, tensor<2xi32>) -> tensor<4x64xbf16>
  return
}

// -----

// A grouped GEMM takes flat [M, K] activation rows.
func.func @fp8_grouped_input_rank(%a: tensor<1x4x256xf8E4M3FN>, %as: tensor<1x4x2xf8E8M0FNU>, %w: tensor<2x64x256xf8E4M3FN>,
                                  %ws: tensor<2x1x2xf8E8M0FNU>, %off: tensor<3xi32>) {
  // expected-error @+1 {{expects input of rank 2 ([M, K] with `groups`), got rank 3}}
  %y = v4.fp8_matmul %a, %as, %w, %ws groups %off block [128, 128]
      : (tensor<1x4x256xf8E4M3FN>, tensor<1x4x2xf8E8M0FNU>, tensor<2x64x256xf8E4M3FN>, tensor<2x1x2xf8E8M0FNU>, tensor<3xi32>) -> tensor<1x4x64xbf16>
  return
}

// -----

// A stacked weight without group offsets is an error.
func.func @fp8_stacked_without_groups(%a: tensor<4x256xf8E4M3FN>, %as: tensor<4x2xf8E8M0FNU>, %w: tensor<2x64x256xf8E4M3FN>, %ws: tensor<2x1x2xf8E8M0FNU>) {
  // expected-error @+1 {{expects weight of rank 2 ([N, K]; stacked weights need `groups`), got rank 3}}
  %y = v4.fp8_matmul %a, %as, %w, %ws block [128, 128]
      : (tensor<4x256xf8E4M3FN>, tensor<4x2xf8E8M0FNU>, tensor<2x64x256xf8E4M3FN>, tensor<2x1x2xf8E8M0FNU>) -> tensor<4x64xbf16>
  return
}

// -----

// Activations are at least [M, K].
func.func @fp8_input_rank(%a: tensor<256xf8E4M3FN>, %as: tensor<2xf8E8M0FNU>, %w: tensor<64x256xf8E4M3FN>, %ws: tensor<1x2xf8E8M0FNU>) {
  // expected-error @+1 {{expects input of rank >= 2 ([..., M, K]), got rank 1}}
  %y = v4.fp8_matmul %a, %as, %w, %ws block [128, 128]
      : (tensor<256xf8E4M3FN>, tensor<2xf8E8M0FNU>, tensor<64x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<64xbf16>
  return
}

// -----

// Weights are parameters with static shapes.
func.func @fp8_dynamic_weight(%a: tensor<4x256xf8E4M3FN>, %as: tensor<4x2xf8E8M0FNU>, %w: tensor<?x256xf8E4M3FN>, %ws: tensor<1x2xf8E8M0FNU>) {
  // expected-error @+1 {{expects a static weight shape, got ?x256}}
  %y = v4.fp8_matmul %a, %as, %w, %ws block [128, 128]
      : (tensor<4x256xf8E4M3FN>, tensor<4x2xf8E8M0FNU>, tensor<?x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<4x?xbf16>
  return
}

// -----

// The reduction dimension must agree.
func.func @fp8_k_mismatch(%a: tensor<4x384xf8E4M3FN>, %as: tensor<4x3xf8E8M0FNU>, %w: tensor<64x256xf8E4M3FN>, %ws: tensor<1x2xf8E8M0FNU>) {
  // expected-error @+1 {{expects input K (384) to match weight K (256)}}
  %y = v4.fp8_matmul %a, %as, %w, %ws block [128, 128]
      : (tensor<4x384xf8E4M3FN>, tensor<4x3xf8E8M0FNU>, tensor<64x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<4x64xbf16>
  return
}

// -----

// K must be a multiple of the activation block.
func.func @fp8_k_block(%a: tensor<4x320xf8E4M3FN>, %as: tensor<4x3xf8E8M0FNU>, %w: tensor<64x320xf8E4M3FN>, %ws: tensor<1x3xf8E8M0FNU>) {
  // expected-error @+1 {{expects K (320) to be a multiple of the activation block 128}}
  %y = v4.fp8_matmul %a, %as, %w, %ws block [128, 128]
      : (tensor<4x320xf8E4M3FN>, tensor<4x3xf8E8M0FNU>, tensor<64x320xf8E4M3FN>, tensor<1x3xf8E8M0FNU>) -> tensor<4x64xbf16>
  return
}

// -----

// One activation scale per row and 128-wide K block.
func.func @fp8_input_scales(%a: tensor<?x256xf8E4M3FN>, %as: tensor<?x4xf8E8M0FNU>, %w: tensor<64x256xf8E4M3FN>, %ws: tensor<1x2xf8E8M0FNU>) {
  // expected-error @+1 {{expects input scales of shape ?x2 (one per activation block of K), got ?x4}}
  %y = v4.fp8_matmul %a, %as, %w, %ws block [128, 128]
      : (tensor<?x256xf8E4M3FN>, tensor<?x4xf8E8M0FNU>, tensor<64x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x64xbf16>
  return
}

// -----

// The weight scale grid is the ceil-div of the weight by the block.
func.func @fp8_weight_scales(%a: tensor<4x4096xf8E4M3FN>, %as: tensor<4x32xf8E8M0FNU>, %w: tensor<1000x4096xf8E4M3FN>, %ws: tensor<7x32xf8E8M0FNU>) {
  // expected-error @+1 {{expects weight scales of shape 8x32 (ceil-div of the weight 1000x4096 by the block 128x128), got 7x32}}
  %y = v4.fp8_matmul %a, %as, %w, %ws block [128, 128]
      : (tensor<4x4096xf8E4M3FN>, tensor<4x32xf8E8M0FNU>, tensor<1000x4096xf8E4M3FN>, tensor<7x32xf8E8M0FNU>) -> tensor<4x1000xbf16>
  return
}

// -----

// Stacked weights have one scale grid per expert.
func.func @fp8_grouped_weight_scales(%a: tensor<4x256xf8E4M3FN>, %as: tensor<4x2xf8E8M0FNU>, %w: tensor<2x64x256xf8E4M3FN>,
                                     %ws: tensor<1x1x2xf8E8M0FNU>, %off: tensor<3xi32>) {
  // expected-error @+1 {{expects weight scales of shape 2x1x2 (ceil-div of the weight 64x256 by the block 128x128), got 1x1x2}}
  %y = v4.fp8_matmul %a, %as, %w, %ws groups %off block [128, 128]
      : (tensor<4x256xf8E4M3FN>, tensor<4x2xf8E8M0FNU>, tensor<2x64x256xf8E4M3FN>, tensor<1x1x2xf8E8M0FNU>, tensor<3xi32>) -> tensor<4x64xbf16>
  return
}

// -----

// Group offsets have one entry per expert plus the end.
func.func @fp8_group_offsets(%a: tensor<4x256xf8E4M3FN>, %as: tensor<4x2xf8E8M0FNU>, %w: tensor<2x64x256xf8E4M3FN>,
                             %ws: tensor<2x1x2xf8E8M0FNU>, %off: tensor<2xi32>) {
  // expected-error @+1 {{expects group offsets of shape 3 (experts + 1), got 2}}
  %y = v4.fp8_matmul %a, %as, %w, %ws groups %off block [128, 128]
      : (tensor<4x256xf8E4M3FN>, tensor<4x2xf8E8M0FNU>, tensor<2x64x256xf8E4M3FN>, tensor<2x1x2xf8E8M0FNU>, tensor<2xi32>) -> tensor<4x64xbf16>
  return
}

// -----

// The result is [..., M, N].
func.func @fp8_result(%a: tensor<4x256xf8E4M3FN>, %as: tensor<4x2xf8E8M0FNU>, %w: tensor<64x256xf8E4M3FN>, %ws: tensor<1x2xf8E8M0FNU>) {
  // expected-error @+1 {{expects result of shape 4x64, got 4x128}}
  %y = v4.fp8_matmul %a, %as, %w, %ws block [128, 128]
      : (tensor<4x256xf8E4M3FN>, tensor<4x2xf8E8M0FNU>, tensor<64x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<4x128xbf16>
  return
}

// -----

// The MXFP4 activation block must be 32, 64 or 128.
func.func @mxfp4_act_block(%a: tensor<4x256xf8E4M3FN>, %as: tensor<4x1xf8E8M0FNU>, %w: tensor<64x256xf4E2M1FN>, %ws: tensor<64x8xf8E8M0FNU>) {
  // expected-error @+1 {{expects act_block in {32, 64, 128}, got 256}}
  %y = v4.mxfp4_matmul %a, %as, %w, %ws act_block 256
      : (tensor<4x256xf8E4M3FN>, tensor<4x1xf8E8M0FNU>, tensor<64x256xf4E2M1FN>, tensor<64x8xf8E8M0FNU>) -> tensor<4x64xbf16>
  return
}

// -----

// MXFP4 weights have one scale per row and 32 values of K.
func.func @mxfp4_weight_scales(%a: tensor<4x256xf8E4M3FN>, %as: tensor<4x2xf8E8M0FNU>, %w: tensor<64x256xf4E2M1FN>, %ws: tensor<64x2xf8E8M0FNU>) {
  // expected-error @+1 {{expects weight scales of shape 64x8 (ceil-div of the weight 64x256 by the block 1x32), got 64x2}}
  %y = v4.mxfp4_matmul %a, %as, %w, %ws act_block 128
      : (tensor<4x256xf8E4M3FN>, tensor<4x2xf8E8M0FNU>, tensor<64x256xf4E2M1FN>, tensor<64x2xf8E8M0FNU>) -> tensor<4x64xbf16>
  return
}

// -----

// MXFP4 weights are E2M1 codes, not FP8.
func.func @mxfp4_weight_type(%a: tensor<4x256xf8E4M3FN>, %as: tensor<4x2xf8E8M0FNU>, %w: tensor<64x256xf8E4M3FN>, %ws: tensor<64x8xf8E8M0FNU>) {
  // expected-error @+1 {{operand #2 must be ranked tensor of f4E2M1FN type values}}
  %y = v4.mxfp4_matmul %a, %as, %w, %ws act_block 128
      : (tensor<4x256xf8E4M3FN>, tensor<4x2xf8E8M0FNU>, tensor<64x256xf8E4M3FN>, tensor<64x8xf8E8M0FNU>) -> tensor<4x64xbf16>
  return
}

//===----------------------------------------------------------------------===//
// rms_norm / rope / hadamard / swiglu / grouped_linear
//===----------------------------------------------------------------------===//

// -----

// The RMSNorm epsilon must be positive.
func.func @rms_norm_eps(%x: tensor<4x64xbf16>) {
  // expected-error @+1 {{expects eps > 0, got 0}}
  %y = v4.rms_norm %x eps 0.0 : tensor<4x64xbf16>
  return
}

// -----

// RMSNorm needs a dimension to normalize.
func.func @rms_norm_rank(%x: tensor<bf16>) {
  // expected-error @+1 {{expects input of rank >= 1, got rank 0}}
  %y = v4.rms_norm %x eps 1.0e-6 : tensor<bf16>
  return
}

// -----

// The norm weight covers the last dimension.
func.func @rms_norm_weight(%x: tensor<4x64xbf16>, %w: tensor<32xf32>) {
  // expected-error @+1 {{expects weight of shape 64 (the normalized dimension), got 32}}
  %y = v4.rms_norm %x weight %w eps 1.0e-6 : tensor<4x64xbf16>, tensor<32xf32>
  return
}

// -----

// RoPE needs token dims and a feature dim.
func.func @rope_rank(%x: tensor<64xbf16>, %p: tensor<1xi32>) {
  // expected-error @+1 {{expects input of rank >= 2 ([tokens..., D]), got rank 1}}
  %y = v4.rope %x, %p <base = 10000.0, rope_dim = 64, factor = 1.0, original_seq_len = 65536, beta_fast = 32.0, beta_slow = 1.0>
      : tensor<64xbf16>, tensor<1xi32>
  return
}

// -----

// Every token needs a position.
func.func @rope_positions_rank(%x: tensor<4x64xbf16>, %p: tensor<i32>) {
  // expected-error @+1 {{expects positions of rank >= 1, got rank 0}}
  %y = v4.rope %x, %p <base = 10000.0, rope_dim = 64, factor = 1.0, original_seq_len = 65536, beta_fast = 32.0, beta_slow = 1.0>
      : tensor<4x64xbf16>, tensor<i32>
  return
}

// -----

// Positions cannot cover the feature dimension.
func.func @rope_positions_too_deep(%x: tensor<4x64xbf16>, %p: tensor<4x64xi32>) {
  // expected-error @+1 {{expects positions of rank < input rank (2), got rank 2}}
  %y = v4.rope %x, %p <base = 10000.0, rope_dim = 64, factor = 1.0, original_seq_len = 65536, beta_fast = 32.0, beta_slow = 1.0>
      : tensor<4x64xbf16>, tensor<4x64xi32>
  return
}

// -----

// Positions match the leading (token) dims.
func.func @rope_positions_shape(%x: tensor<1x4x8x64xbf16>, %p: tensor<1x5xi32>) {
  // expected-error @+1 {{expects positions of shape 1x4 (the leading dims of the input), got 1x5}}
  %y = v4.rope %x, %p <base = 10000.0, rope_dim = 64, factor = 1.0, original_seq_len = 65536, beta_fast = 32.0, beta_slow = 1.0>
      : tensor<1x4x8x64xbf16>, tensor<1x5xi32>
  return
}

// -----

// The rotated dims are a suffix of the head dim.
func.func @rope_dim_too_large(%x: tensor<4x32xbf16>, %p: tensor<4xi32>) {
  // expected-error @+1 {{expects rope_dim (64) <= the last dimension (32)}}
  %y = v4.rope %x, %p <base = 10000.0, rope_dim = 64, factor = 1.0, original_seq_len = 65536, beta_fast = 32.0, beta_slow = 1.0>
      : tensor<4x32xbf16>, tensor<4xi32>
  return
}

// -----

// Hadamard needs a last dimension.
func.func @hadamard_rank(%x: tensor<bf16>) {
  // expected-error @+1 {{expects input of rank >= 1, got rank 0}}
  %y = v4.hadamard %x : tensor<bf16>
  return
}

// -----

// The Hadamard size must be known.
func.func @hadamard_dynamic(%x: tensor<4x?xbf16>) {
  // expected-error @+1 {{expects a static last dimension (the Hadamard size)}}
  %y = v4.hadamard %x : tensor<4x?xbf16>
  return
}

// -----

// Sylvester Hadamard matrices exist for powers of two only.
func.func @hadamard_size(%x: tensor<4x96xbf16>) {
  // expected-error @+1 {{expects the Hadamard size (last dimension) to be a power of two, got 96}}
  %y = v4.hadamard %x : tensor<4x96xbf16>
  return
}

// -----

// The SwiGLU clamp limit must be positive.
func.func @swiglu_limit(%g: tensor<4x64xbf16>, %u: tensor<4x64xbf16>) {
  // expected-error @+1 {{expects limit > 0, got -1}}
  %y = v4.swiglu %g, %u limit -1.0 : tensor<4x64xbf16> -> tensor<4x64xbf16>
  return
}

// -----

// SwiGLU needs a last dimension.
func.func @swiglu_rank(%g: tensor<bf16>, %u: tensor<bf16>) {
  // expected-error @+1 {{expects gate of rank >= 1, got rank 0}}
  %y = v4.swiglu %g, %u limit 10.0 : tensor<bf16> -> tensor<bf16>
  return
}

// -----

// The result keeps the gate shape.
func.func @swiglu_result(%g: tensor<4x64xbf16>, %u: tensor<4x64xbf16>) {
  // expected-error @+1 {{expects result of shape 4x64 (the gate shape), got 4x32}}
  %y = v4.swiglu %g, %u limit 10.0 : tensor<4x64xbf16> -> tensor<4x32xbf16>
  return
}

// -----

// Routing weights are one per row.
func.func @swiglu_weights(%g: tensor<4x64xbf16>, %u: tensor<4x64xbf16>, %w: tensor<4x64xf32>) {
  // expected-error @+1 {{expects weights of shape 4 (one per row), got 4x64}}
  %y = v4.swiglu %g, %u weights %w limit 10.0 : tensor<4x64xbf16>, tensor<4x64xf32> -> tensor<4x64xbf16>
  return
}

// -----

// Gate and up projections have the same type.
func.func @swiglu_gate_up(%g: tensor<4x64xbf16>, %u: tensor<4x64xf32>) {
  // expected-error @+1 {{failed to verify that all of {gate, up} have same type}}
  %y = "v4.swiglu"(%g, %u) <{limit = 10.0 : f64}> : (tensor<4x64xbf16>, tensor<4x64xf32>) -> tensor<4x64xbf16>
  return
}

// -----

// At least one group.
func.func @grouped_linear_groups(%o: tensor<4x8x16xbf16>, %w: tensor<1x8x128xbf16>) {
  // expected-error @+1 {{expects groups > 0, got 0}}
  %z = v4.grouped_linear %o, %w groups 0 : tensor<4x8x16xbf16>, tensor<1x8x128xbf16> -> tensor<4x1x8xbf16>
  return
}

// -----

// The input is [..., H, D].
func.func @grouped_linear_rank(%o: tensor<128xbf16>, %w: tensor<1x8x128xbf16>) {
  // expected-error @+1 {{expects input of rank >= 2 ([..., H, D]), got rank 1}}
  %z = v4.grouped_linear %o, %w groups 1 : tensor<128xbf16>, tensor<1x8x128xbf16> -> tensor<1x8xbf16>
  return
}

// -----

// The head count is static.
func.func @grouped_linear_dynamic_heads(%o: tensor<4x?x16xbf16>, %w: tensor<1x8x128xbf16>) {
  // expected-error @+1 {{expects a static head count}}
  %z = v4.grouped_linear %o, %w groups 1 : tensor<4x?x16xbf16>, tensor<1x8x128xbf16> -> tensor<4x1x8xbf16>
  return
}

// -----

// The head dimension is static.
func.func @grouped_linear_dynamic_dim(%o: tensor<4x8x?xbf16>, %w: tensor<1x8x128xbf16>) {
  // expected-error @+1 {{expects a static head dimension}}
  %z = v4.grouped_linear %o, %w groups 1 : tensor<4x8x?xbf16>, tensor<1x8x128xbf16> -> tensor<4x1x8xbf16>
  return
}

// -----

// Heads split evenly into groups.
func.func @grouped_linear_divisible(%o: tensor<4x8x16xbf16>, %w: tensor<3x8x32xbf16>) {
  // expected-error @+1 {{expects the head count (8) to be divisible by groups (3)}}
  %z = v4.grouped_linear %o, %w groups 3 : tensor<4x8x16xbf16>, tensor<3x8x32xbf16> -> tensor<4x3x8xbf16>
  return
}

// -----

// The weight is one [R, (H/G)*D] matrix per group.
func.func @grouped_linear_weight_rank(%o: tensor<4x8x16xbf16>, %w: tensor<8x64xbf16>) {
  // expected-error @+1 {{expects weight of rank 3 ([groups, R, H/groups*D]), got rank 2}}
  %z = v4.grouped_linear %o, %w groups 2 : tensor<4x8x16xbf16>, tensor<8x64xbf16> -> tensor<4x2x8xbf16>
  return
}

// -----

// Each group's weight has (H/G)*D columns.
func.func @grouped_linear_weight_shape(%o: tensor<4x8x16xbf16>, %w: tensor<2x8x128xbf16>) {
  // expected-error @+1 {{expects weight of shape 2x8x64, got 2x8x128}}
  %z = v4.grouped_linear %o, %w groups 2 : tensor<4x8x16xbf16>, tensor<2x8x128xbf16> -> tensor<4x2x8xbf16>
  return
}

// -----

// The result is [..., G, R].
func.func @grouped_linear_result(%o: tensor<4x8x16xbf16>, %w: tensor<2x8x64xbf16>) {
  // expected-error @+1 {{expects result of shape 4x2x8, got 4x8x2}}
  %z = v4.grouped_linear %o, %w groups 2 : tensor<4x8x16xbf16>, tensor<2x8x64xbf16> -> tensor<4x8x2xbf16>
  return
}

//===----------------------------------------------------------------------===//
// hc_pre / hc_post / hc_head
//===----------------------------------------------------------------------===//

// -----

// Residual streams are [..., n, D].
func.func @hc_streams_rank(%h: tensor<4x64xbf16>, %fn: tensor<24x256xf32>, %b: tensor<24xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{expects streams of rank >= 3 ([..., n, D]), got rank 2}}
  %a, %p, %c = v4.hc_pre %h, %fn, %b, %s iters 20 eps 1.0e-6 norm_eps 1.0e-6
      : (tensor<4x64xbf16>, tensor<24x256xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<64xbf16>, tensor<4xf32>, tensor<4x4xf32>)
  return
}

// -----

// The stream count is static.
func.func @hc_dynamic_streams(%h: tensor<1x?x64xbf16>, %fn: tensor<24x256xf32>, %b: tensor<24xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{expects a static stream count}}
  %a, %p, %c = v4.hc_pre %h, %fn, %b, %s iters 20 eps 1.0e-6 norm_eps 1.0e-6
      : (tensor<1x?x64xbf16>, tensor<24x256xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x64xbf16>, tensor<1x4xf32>, tensor<1x4x4xf32>)
  return
}

// -----

// The stream width is static.
func.func @hc_dynamic_width(%h: tensor<1x4x?xbf16>, %fn: tensor<24x256xf32>, %b: tensor<24xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{expects a static stream width}}
  %a, %p, %c = v4.hc_pre %h, %fn, %b, %s iters 20 eps 1.0e-6 norm_eps 1.0e-6
      : (tensor<1x4x?xbf16>, tensor<24x256xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x?xbf16>, tensor<1x4xf32>, tensor<1x4x4xf32>)
  return
}

// -----

// Sinkhorn runs at least once.
func.func @hc_iters(%h: tensor<1x4x64xbf16>, %fn: tensor<24x256xf32>, %b: tensor<24xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{expects sinkhorn_iters > 0, got 0}}
  %a, %p, %c = v4.hc_pre %h, %fn, %b, %s iters 0 eps 1.0e-6 norm_eps 1.0e-6
      : (tensor<1x4x64xbf16>, tensor<24x256xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x64xbf16>, tensor<1x4xf32>, tensor<1x4x4xf32>)
  return
}

// -----

// The Sinkhorn epsilon must be positive.
func.func @hc_eps(%h: tensor<1x4x64xbf16>, %fn: tensor<24x256xf32>, %b: tensor<24xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{expects eps > 0, got 0}}
  %a, %p, %c = v4.hc_pre %h, %fn, %b, %s iters 20 eps 0.0 norm_eps 1.0e-6
      : (tensor<1x4x64xbf16>, tensor<24x256xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x64xbf16>, tensor<1x4xf32>, tensor<1x4x4xf32>)
  return
}

// -----

// The RMS epsilon must be positive.
func.func @hc_norm_eps(%h: tensor<1x4x64xbf16>, %fn: tensor<24x256xf32>, %b: tensor<24xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{expects norm_eps > 0, got -1}}
  %a, %p, %c = v4.hc_pre %h, %fn, %b, %s iters 20 eps 1.0e-6 norm_eps -1.0
      : (tensor<1x4x64xbf16>, tensor<24x256xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x64xbf16>, tensor<1x4xf32>, tensor<1x4x4xf32>)
  return
}

// -----

// hc_pre mixes (2+n)*n values from the n*D flattened streams.
func.func @hc_fn(%h: tensor<1x4x64xbf16>, %fn: tensor<16x256xf32>, %b: tensor<24xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{expects fn of shape 24x256 ([mixes, n*D]), got 16x256}}
  %a, %p, %c = v4.hc_pre %h, %fn, %b, %s iters 20 eps 1.0e-6 norm_eps 1.0e-6
      : (tensor<1x4x64xbf16>, tensor<16x256xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x64xbf16>, tensor<1x4xf32>, tensor<1x4x4xf32>)
  return
}

// -----

// One bias per mix.
func.func @hc_base(%h: tensor<1x4x64xbf16>, %fn: tensor<24x256xf32>, %b: tensor<4xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{expects base of shape 24 (one per mix), got 4}}
  %a, %p, %c = v4.hc_pre %h, %fn, %b, %s iters 20 eps 1.0e-6 norm_eps 1.0e-6
      : (tensor<1x4x64xbf16>, tensor<24x256xf32>, tensor<4xf32>, tensor<3xf32>) -> (tensor<1x64xbf16>, tensor<1x4xf32>, tensor<1x4x4xf32>)
  return
}

// -----

// hc_pre has three scales (pre, post, comb).
func.func @hc_scale(%h: tensor<1x4x64xbf16>, %fn: tensor<24x256xf32>, %b: tensor<24xf32>, %s: tensor<1xf32>) {
  // expected-error @+1 {{expects scale of shape 3, got 1}}
  %a, %p, %c = v4.hc_pre %h, %fn, %b, %s iters 20 eps 1.0e-6 norm_eps 1.0e-6
      : (tensor<1x4x64xbf16>, tensor<24x256xf32>, tensor<24xf32>, tensor<1xf32>) -> (tensor<1x64xbf16>, tensor<1x4xf32>, tensor<1x4x4xf32>)
  return
}

// -----

// The pre-mixed output is one stream wide.
func.func @hc_output(%h: tensor<1x4x64xbf16>, %fn: tensor<24x256xf32>, %b: tensor<24xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{expects output of shape 1x64 ([..., D]), got 1x256}}
  %a, %p, %c = v4.hc_pre %h, %fn, %b, %s iters 20 eps 1.0e-6 norm_eps 1.0e-6
      : (tensor<1x4x64xbf16>, tensor<24x256xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x256xbf16>, tensor<1x4xf32>, tensor<1x4x4xf32>)
  return
}

// -----

// post has one weight per stream.
func.func @hc_post_result(%h: tensor<1x4x64xbf16>, %fn: tensor<24x256xf32>, %b: tensor<24xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{expects post of shape 1x4 ([..., n]), got 1x8}}
  %a, %p, %c = v4.hc_pre %h, %fn, %b, %s iters 20 eps 1.0e-6 norm_eps 1.0e-6
      : (tensor<1x4x64xbf16>, tensor<24x256xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x64xbf16>, tensor<1x8xf32>, tensor<1x4x4xf32>)
  return
}

// -----

// comb is n x n per token.
func.func @hc_comb_result(%h: tensor<1x4x64xbf16>, %fn: tensor<24x256xf32>, %b: tensor<24xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{expects comb of shape 1x4x4 ([..., n, n]), got 1x16}}
  %a, %p, %c = v4.hc_pre %h, %fn, %b, %s iters 20 eps 1.0e-6 norm_eps 1.0e-6
      : (tensor<1x4x64xbf16>, tensor<24x256xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x64xbf16>, tensor<1x4xf32>, tensor<1x16xf32>)
  return
}

// -----

// hc_post's sub-layer output is one stream wide.
func.func @hc_post_input(%x: tensor<1x128xbf16>, %h: tensor<1x4x64xbf16>, %p: tensor<1x4xf32>, %c: tensor<1x4x4xf32>) {
  // expected-error @+1 {{expects input of shape 1x64, got 1x128}}
  %y = v4.hc_post %x, %h, %p, %c : tensor<1x128xbf16>, tensor<1x4x64xbf16>, tensor<1x4xf32>, tensor<1x4x4xf32>
  return
}

// -----

// hc_post takes one post weight per stream.
func.func @hc_post_post(%x: tensor<1x64xbf16>, %h: tensor<1x4x64xbf16>, %p: tensor<1x2xf32>, %c: tensor<1x4x4xf32>) {
  // expected-error @+1 {{expects post of shape 1x4, got 1x2}}
  %y = v4.hc_post %x, %h, %p, %c : tensor<1x64xbf16>, tensor<1x4x64xbf16>, tensor<1x2xf32>, tensor<1x4x4xf32>
  return
}

// -----

// hc_post takes the n x n combine matrix.
func.func @hc_post_comb(%x: tensor<1x64xbf16>, %h: tensor<1x4x64xbf16>, %p: tensor<1x4xf32>, %c: tensor<1x2x2xf32>) {
  // expected-error @+1 {{expects comb of shape 1x4x4, got 1x2x2}}
  %y = v4.hc_post %x, %h, %p, %c : tensor<1x64xbf16>, tensor<1x4x64xbf16>, tensor<1x4xf32>, tensor<1x2x2xf32>
  return
}

// -----

// hc_head mixes n values.
func.func @hc_head_fn(%h: tensor<1x4x64xbf16>, %fn: tensor<24x256xf32>, %b: tensor<4xf32>, %s: tensor<1xf32>) {
  // expected-error @+1 {{expects fn of shape 4x256 ([mixes, n*D]), got 24x256}}
  %y = v4.hc_head %h, %fn, %b, %s eps 1.0e-6 norm_eps 1.0e-6
      : (tensor<1x4x64xbf16>, tensor<24x256xf32>, tensor<4xf32>, tensor<1xf32>) -> tensor<1x64xbf16>
  return
}

// -----

// hc_head has a single scale.
func.func @hc_head_scale(%h: tensor<1x4x64xbf16>, %fn: tensor<4x256xf32>, %b: tensor<4xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{expects scale of shape 1, got 3}}
  %y = v4.hc_head %h, %fn, %b, %s eps 1.0e-6 norm_eps 1.0e-6
      : (tensor<1x4x64xbf16>, tensor<4x256xf32>, tensor<4xf32>, tensor<3xf32>) -> tensor<1x64xbf16>
  return
}

// -----

// hc_head returns one stream.
func.func @hc_head_result(%h: tensor<1x4x64xbf16>, %fn: tensor<4x256xf32>, %b: tensor<4xf32>, %s: tensor<1xf32>) {
  // expected-error @+1 {{expects result of shape 1x64 ([..., D]), got 1x4x64}}
  %y = v4.hc_head %h, %fn, %b, %s eps 1.0e-6 norm_eps 1.0e-6
      : (tensor<1x4x64xbf16>, tensor<4x256xf32>, tensor<4xf32>, tensor<1xf32>) -> tensor<1x4x64xbf16>
  return
}

//===----------------------------------------------------------------------===//
// compress and caches
//===----------------------------------------------------------------------===//

// -----

// Only ratio 4 and powers of two in [8, 128] compress.
func.func @compress_ratio(%kv: tensor<1x4x64xf32>, %ape: tensor<3x64xf32>, %s: !v4.compressor_state<batch = 1, ratio = 8, coff = 1, dim = 64>, %p: tensor<1xi32>) {
  // expected-error @+1 {{expects ratio 4 (CSA) or a power of two in [8, 128] (HCA), got 3}}
  %e, %s1 = v4.compress %kv, %kv, %ape, %s at %p ratio 3
      : tensor<1x4x64xf32>, tensor<3x64xf32>, !v4.compressor_state<batch = 1, ratio = 8, coff = 1, dim = 64>, tensor<1xi32> -> tensor<1x2x64xf32>
  return
}

// -----

// Ratio 4 is the overlapping compressor.
func.func @compress_missing_overlap(%kv: tensor<1x4x128xf32>, %ape: tensor<4x128xf32>, %s: !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 64>, %p: tensor<1xi32>) {
  // expected-error @+1 {{expects `overlap` exactly when ratio is 4, got no overlap with ratio 4}}
  %e, %s1 = v4.compress %kv, %kv, %ape, %s at %p ratio 4
      : tensor<1x4x128xf32>, tensor<4x128xf32>, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 64>, tensor<1xi32> -> tensor<1x1x64xf32>
  return
}

// -----

// Other ratios never overlap.
func.func @compress_extra_overlap(%kv: tensor<1x8x64xf32>, %ape: tensor<8x64xf32>, %s: !v4.compressor_state<batch = 1, ratio = 8, coff = 1, dim = 64>, %p: tensor<1xi32>) {
  // expected-error @+1 {{expects `overlap` exactly when ratio is 4, got overlap with ratio 8}}
  %e, %s1 = v4.compress %kv, %kv, %ape, %s at %p ratio 8 overlap
      : tensor<1x8x64xf32>, tensor<8x64xf32>, !v4.compressor_state<batch = 1, ratio = 8, coff = 1, dim = 64>, tensor<1xi32> -> tensor<1x1x64xf32>
  return
}

// -----

// The state belongs to a compressor of the same ratio.
func.func @compress_state_ratio(%kv: tensor<1x8x64xf32>, %ape: tensor<8x64xf32>, %s: !v4.compressor_state<batch = 1, ratio = 16, coff = 1, dim = 64>, %p: tensor<1xi32>) {
  // expected-error @+1 {{expects a compressor state of ratio 8, got ratio 16}}
  %e, %s1 = v4.compress %kv, %kv, %ape, %s at %p ratio 8
      : tensor<1x8x64xf32>, tensor<8x64xf32>, !v4.compressor_state<batch = 1, ratio = 16, coff = 1, dim = 64>, tensor<1xi32> -> tensor<1x1x64xf32>
  return
}

// -----

// Projections are [B, S, coff*d].
func.func @compress_kv_rank(%kv: tensor<8x64xf32>, %ape: tensor<8x64xf32>, %s: !v4.compressor_state<batch = 1, ratio = 8, coff = 1, dim = 64>, %p: tensor<1xi32>) {
  // expected-error @+1 {{expects kv of rank 3 ([B, S, coff*d]), got rank 2}}
  %e, %s1 = v4.compress %kv, %kv, %ape, %s at %p ratio 8
      : tensor<8x64xf32>, tensor<8x64xf32>, !v4.compressor_state<batch = 1, ratio = 8, coff = 1, dim = 64>, tensor<1xi32> -> tensor<1x1x64xf32>
  return
}

// -----

// The overlapping compressor projects to 2*d channels.
func.func @compress_kv_width(%kv: tensor<1x4x64xf32>, %ape: tensor<4x128xf32>, %s: !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 64>, %p: tensor<1xi32>) {
  // expected-error @+1 {{expects kv of shape 1x4x128 (batch and coff*dim of the state), got 1x4x64}}
  %e, %s1 = v4.compress %kv, %kv, %ape, %s at %p ratio 4 overlap
      : tensor<1x4x64xf32>, tensor<4x128xf32>, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 64>, tensor<1xi32> -> tensor<1x1x64xf32>
  return
}

// -----

// ape has one row per slot of a group.
func.func @compress_ape(%kv: tensor<1x8x64xf32>, %ape: tensor<4x64xf32>, %s: !v4.compressor_state<batch = 1, ratio = 8, coff = 1, dim = 64>, %p: tensor<1xi32>) {
  // expected-error @+1 {{expects ape of shape 8x64 ([ratio, coff*d]), got 4x64}}
  %e, %s1 = v4.compress %kv, %kv, %ape, %s at %p ratio 8
      : tensor<1x8x64xf32>, tensor<4x64xf32>, !v4.compressor_state<batch = 1, ratio = 8, coff = 1, dim = 64>, tensor<1xi32> -> tensor<1x1x64xf32>
  return
}

// -----

// A chunk of S tokens completes at most ceil(S / ratio) entries.
func.func @compress_entries(%kv: tensor<1x37x128xf32>, %ape: tensor<4x128xf32>, %s: !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 64>, %p: tensor<1xi32>) {
  // expected-error @+1 {{expects entries of shape 1x10x64 ([B, ceil(S/ratio), d]), got 1x9x64}}
  %e, %s1 = v4.compress %kv, %kv, %ape, %s at %p ratio 4 overlap
      : tensor<1x37x128xf32>, tensor<4x128xf32>, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 64>, tensor<1xi32> -> tensor<1x9x64xf32>
  return
}

// -----

// Reads return exactly the cache storage.
func.func @cache_read_type(%w: !v4.window<batch = 1, rows = 128, dim = 512, element = bf16>) {
  // expected-error @+1 {{expects result type 'tensor<1x128x512xbf16>' (the contents of '!v4.window<batch = 1, rows = 128, dim = 512, element = bf16>'), got 'tensor<1x128x512xf32>'}}
  %t = v4.cache_read %w : !v4.window<batch = 1, rows = 128, dim = 512, element = bf16> -> tensor<1x128x512xf32>
  return
}

// -----

// Appended KV rows are [B, S, dim].
func.func @window_append_rank(%w: !v4.window<batch = 1, rows = 128, dim = 512, element = bf16>, %kv: tensor<1x512xbf16>, %p: tensor<1xi32>) {
  // expected-error @+1 {{expects rows of rank 3 ([B, rows, dim]), got rank 2}}
  %w1 = v4.window_append %w, %kv at %p : !v4.window<batch = 1, rows = 128, dim = 512, element = bf16>, tensor<1x512xbf16>, tensor<1xi32>
  return
}

// -----

// Appended rows match the ring's batch and row width.
func.func @window_append_shape(%w: !v4.window<batch = 1, rows = 128, dim = 512, element = bf16>, %kv: tensor<2x1x512xbf16>, %p: tensor<1xi32>) {
  // expected-error @+1 {{expects rows of shape 1x1x512 (batch and dim of the cache), got 2x1x512}}
  %w1 = v4.window_append %w, %kv at %p : !v4.window<batch = 1, rows = 128, dim = 512, element = bf16>, tensor<2x1x512xbf16>, tensor<1xi32>
  return
}

// -----

// Appended rows have the cache's element type.
func.func @window_append_dtype(%w: !v4.window<batch = 1, rows = 128, dim = 512, element = bf16>, %kv: tensor<1x1x512xf32>, %p: tensor<1xi32>) {
  // expected-error @+1 {{expects rows of element type 'bf16' (the cache's), got 'f32'}}
  %w1 = v4.window_append %w, %kv at %p : !v4.window<batch = 1, rows = 128, dim = 512, element = bf16>, tensor<1x1x512xf32>, tensor<1xi32>
  return
}

// -----

// Indexer keys are appended with the key width.
func.func @compressed_append_shape(%k: !v4.indexer_keys<batch = 1, capacity = 64, dim = 128, element = bf16>, %e: tensor<1x1x512xbf16>, %p: tensor<1xi32>, %n: index) {
  // expected-error @+1 {{expects entries of shape 1x1x128 (batch and dim of the cache), got 1x1x512}}
  %k1 = v4.compressed_append %k, %e at %p tokens %n : !v4.indexer_keys<batch = 1, capacity = 64, dim = 128, element = bf16>, tensor<1x1x512xbf16>, tensor<1xi32>
  return
}

// -----

// Compressed entries are bf16 like the cache.
func.func @compressed_append_dtype(%c: !v4.compressed<batch = 1, ratio = 128, capacity = 64, dim = 512, element = bf16>, %e: tensor<1x1x512xf32>, %p: tensor<1xi32>, %n: index) {
  // expected-error @+1 {{expects entries of element type 'bf16' (the cache's), got 'f32'}}
  %c1 = v4.compressed_append %c, %e at %p tokens %n : !v4.compressed<batch = 1, ratio = 128, capacity = 64, dim = 512, element = bf16>, tensor<1x1x512xf32>, tensor<1xi32>
  return
}

// -----

// Appending to a window ring is window_append's job.
func.func @compressed_append_window(%w: !v4.window<batch = 1, rows = 128, dim = 512, element = bf16>, %e: tensor<1x1x512xbf16>, %p: tensor<1xi32>, %n: index) {
  // expected-error @+1 {{operand #0 must be}}
  %w1 = "v4.compressed_append"(%w, %e, %p, %n) : (!v4.window<batch = 1, rows = 128, dim = 512, element = bf16>, tensor<1x1x512xbf16>, tensor<1xi32>, index) -> !v4.window<batch = 1, rows = 128, dim = 512, element = bf16>
  return
}

// -----

// The window holds at least one row.
func.func @window_indices_window(%p: tensor<1xi32>) {
  // expected-error @+1 {{expects window > 0, got 0}}
  %i = v4.window_indices %p window 0 layout chunk : tensor<1xi32> -> tensor<1x4x0xi32>
  return
}

// -----

// A chunk of run-time length needs `rows` to give S.
func.func @window_indices_chunk_rows(%p: tensor<1xi32>) {
  // expected-error @+1 {{expects a `rows` operand with layout chunk and a dynamic query dimension (nothing else gives S)}}
  %i = v4.window_indices %p window 128 layout chunk : tensor<1xi32> -> tensor<1x?x128xi32>
  return
}

// -----

// So does a chunk that continues a sequence.
func.func @window_ring_chunk_rows(%p: tensor<1xi32>) {
  // expected-error @+1 {{expects a `rows` operand with layout ring_chunk and a dynamic query dimension (nothing else gives S)}}
  %i = v4.window_indices %p window 128 layout ring_chunk : tensor<1xi32> -> tensor<1x?x128xi32>
  return
}

// -----

// Window indices are [B, S, window].
func.func @window_indices_rank(%p: tensor<1xi32>) {
  // expected-error @+1 {{expects result of rank 3 ([B, S, window]), got rank 2}}
  %i = v4.window_indices %p window 128 layout chunk : tensor<1xi32> -> tensor<4x128xi32>
  return
}

// -----

// Each query gets exactly `window` indices.
func.func @window_indices_width(%p: tensor<1xi32>) {
  // expected-error @+1 {{expects result of shape 1x4x128 (one row of `window` indices per query), got 1x4x64}}
  %i = v4.window_indices %p window 128 layout chunk : tensor<1xi32> -> tensor<1x4x64xi32>
  return
}

// -----

// Ring slots are only meaningful for a single decoded token.
func.func @window_indices_ring(%p: tensor<1xi32>) {
  // expected-error @+1 {{expects a single query row with layout ring (older slots are overwritten by longer chunks), got 4}}
  %i = v4.window_indices %p window 128 layout ring : tensor<1xi32> -> tensor<1x4x128xi32>
  return
}

//===----------------------------------------------------------------------===//
// indexer_score / topk / attention
//===----------------------------------------------------------------------===//

// -----

// Indexer queries are [B, S, H, D].
func.func @indexer_query_rank(%q: tensor<1x4x128xbf16>, %k: !v4.indexer_keys<batch = 1, capacity = 8, dim = 128, element = bf16>, %w: tensor<1x4x64xbf16>) {
  // expected-error @+1 {{expects queries of rank 4 ([B, S, H, D]), got rank 3}}
  %s = v4.indexer_score %q, %k, %w : tensor<1x4x128xbf16>, !v4.indexer_keys<batch = 1, capacity = 8, dim = 128, element = bf16>, tensor<1x4x64xbf16> -> tensor<1x4x8xbf16>
  return
}

// -----

// Keys and queries share the head dim and the batch (the key cache's).
func.func @indexer_key_dim(%q: tensor<1x4x64x64xbf16>, %k: !v4.indexer_keys<batch = 1, capacity = 8, dim = 128, element = bf16>, %w: tensor<1x4x64xbf16>) {
  // expected-error @+1 {{expects queries of shape 1x4x64x128 (the key cache's batch and dim), got 1x4x64x64}}
  %s = v4.indexer_score %q, %k, %w : tensor<1x4x64x64xbf16>, !v4.indexer_keys<batch = 1, capacity = 8, dim = 128, element = bf16>, tensor<1x4x64xbf16> -> tensor<1x4x8xbf16>
  return
}

// -----

// One weight per query head.
func.func @indexer_weights(%q: tensor<1x4x64x128xbf16>, %k: !v4.indexer_keys<batch = 1, capacity = 8, dim = 128, element = bf16>, %w: tensor<1x4x32xbf16>) {
  // expected-error @+1 {{expects weights of shape 1x4x64 ([B, S, H]), got 1x4x32}}
  %s = v4.indexer_score %q, %k, %w : tensor<1x4x64x128xbf16>, !v4.indexer_keys<batch = 1, capacity = 8, dim = 128, element = bf16>, tensor<1x4x32xbf16> -> tensor<1x4x8xbf16>
  return
}

// -----

// One score per query and cached entry (the capacity of the key cache).
func.func @indexer_scores(%q: tensor<1x4x64x128xbf16>, %k: !v4.indexer_keys<batch = 1, capacity = 8, dim = 128, element = bf16>, %w: tensor<1x4x64xbf16>) {
  // expected-error @+1 {{expects scores of shape 1x4x8 ([B, S, capacity of the key cache]), got 1x4x64}}
  %s = v4.indexer_score %q, %k, %w : tensor<1x4x64x128xbf16>, !v4.indexer_keys<batch = 1, capacity = 8, dim = 128, element = bf16>, tensor<1x4x64xbf16> -> tensor<1x4x64xbf16>
  return
}

// -----

// Top-k selects at least one entry.
func.func @topk_k(%s: tensor<1x4x8xbf16>, %p: tensor<1xi32>) {
  // expected-error @+1 {{expects k > 0, got 0}}
  %i = v4.topk %s at %p k 0 ratio 4 : tensor<1x4x8xbf16>, tensor<1xi32> -> tensor<1x4x0xi32>
  return
}

// -----

// The causal limit needs a valid compression ratio.
func.func @topk_ratio(%s: tensor<1x4x8xbf16>, %p: tensor<1xi32>) {
  // expected-error @+1 {{expects ratio 4 (CSA) or a power of two in [8, 128] (HCA), got 0}}
  %i = v4.topk %s at %p k 4 ratio 0 : tensor<1x4x8xbf16>, tensor<1xi32> -> tensor<1x4x4xi32>
  return
}

// -----

// A ratio that no compressor produces is rejected like the cache types do.
func.func @topk_ratio_invalid(%s: tensor<1x4x8xbf16>, %p: tensor<1xi32>) {
  // expected-error @+1 {{expects ratio 4 (CSA) or a power of two in [8, 128] (HCA), got 6}}
  %i = v4.topk %s at %p k 4 ratio 6 : tensor<1x4x8xbf16>, tensor<1xi32> -> tensor<1x4x4xi32>
  return
}

// -----

// Scores are [B, S, C].
func.func @topk_rank(%s: tensor<4x8xbf16>, %p: tensor<1xi32>) {
  // expected-error @+1 {{expects scores of rank 3 ([B, S, C]), got rank 2}}
  %i = v4.topk %s at %p k 4 ratio 4 : tensor<4x8xbf16>, tensor<1xi32> -> tensor<1x4x4xi32>
  return
}

// -----

// The index list has a fixed width k (with -1 padding).
func.func @topk_result(%s: tensor<1x4x8xbf16>, %p: tensor<1xi32>) {
  // expected-error @+1 {{expects result of shape 1x4x4 ([B, S, k]), got 1x4x8}}
  %i = v4.topk %s at %p k 4 ratio 4 : tensor<1x4x8xbf16>, tensor<1xi32> -> tensor<1x4x8xi32>
  return
}

// -----

// The softmax scale must be positive.
func.func @attention_scale(%q: tensor<1x4x8x64xbf16>, %w: tensor<1x16x64xbf16>, %i: tensor<1x4x16xi32>, %sink: tensor<8xf32>) {
  // expected-error @+1 {{expects scale > 0, got 0}}
  %o = v4.sparse_attention %q, %w[%i], %sink scale 0.0 : tensor<1x4x8x64xbf16>, tensor<1x16x64xbf16>, tensor<1x4x16xi32>, tensor<8xf32>
  return
}

// -----

// Queries are [B, S, H, D].
func.func @attention_query_rank(%q: tensor<1x4x64xbf16>, %w: tensor<1x16x64xbf16>, %i: tensor<1x4x16xi32>, %sink: tensor<8xf32>) {
  // expected-error @+1 {{expects query of rank 4 ([B, S, H, D]), got rank 3}}
  %o = v4.sparse_attention %q, %w[%i], %sink scale 0.125 : tensor<1x4x64xbf16>, tensor<1x16x64xbf16>, tensor<1x4x16xi32>, tensor<8xf32>
  return
}

// -----

// Window rows are [B, W, D] (one shared KV head).
func.func @attention_window_rank(%q: tensor<1x4x8x64xbf16>, %w: tensor<1x16x1x64xbf16>, %i: tensor<1x4x16xi32>, %sink: tensor<8xf32>) {
  // expected-error @+1 {{expects window of rank 3 ([B, W, D]), got rank 4}}
  %o = v4.sparse_attention %q, %w[%i], %sink scale 0.125 : tensor<1x4x8x64xbf16>, tensor<1x16x1x64xbf16>, tensor<1x4x16xi32>, tensor<8xf32>
  return
}

// -----

// Window indices are [B, S, K].
func.func @attention_indices_rank(%q: tensor<1x4x8x64xbf16>, %w: tensor<1x16x64xbf16>, %i: tensor<4x16xi32>, %sink: tensor<8xf32>) {
  // expected-error @+1 {{expects window indices of rank 3 ([B, S, K]), got rank 2}}
  %o = v4.sparse_attention %q, %w[%i], %sink scale 0.125 : tensor<1x4x8x64xbf16>, tensor<1x16x64xbf16>, tensor<4x16xi32>, tensor<8xf32>
  return
}

// -----

// K = V rows have the query head dim.
func.func @attention_window_dim(%q: tensor<1x4x8x64xbf16>, %w: tensor<1x16x32xbf16>, %i: tensor<1x4x16xi32>, %sink: tensor<8xf32>) {
  // expected-error @+1 {{expects window of shape 1x16x64 (batch and head dim of the query), got 1x16x32}}
  %o = v4.sparse_attention %q, %w[%i], %sink scale 0.125 : tensor<1x4x8x64xbf16>, tensor<1x16x32xbf16>, tensor<1x4x16xi32>, tensor<8xf32>
  return
}

// -----

// One index row per query.
func.func @attention_indices_shape(%q: tensor<1x4x8x64xbf16>, %w: tensor<1x16x64xbf16>, %i: tensor<1x3x16xi32>, %sink: tensor<8xf32>) {
  // expected-error @+1 {{expects window indices of shape 1x4x16 (batch and sequence of the query), got 1x3x16}}
  %o = v4.sparse_attention %q, %w[%i], %sink scale 0.125 : tensor<1x4x8x64xbf16>, tensor<1x16x64xbf16>, tensor<1x3x16xi32>, tensor<8xf32>
  return
}

// -----

// One sink logit per head.
func.func @attention_sink(%q: tensor<1x4x8x64xbf16>, %w: tensor<1x16x64xbf16>, %i: tensor<1x4x16xi32>, %sink: tensor<4xf32>) {
  // expected-error @+1 {{expects sink of shape 8 (one logit per head), got 4}}
  %o = v4.sparse_attention %q, %w[%i], %sink scale 0.125 : tensor<1x4x8x64xbf16>, tensor<1x16x64xbf16>, tensor<1x4x16xi32>, tensor<4xf32>
  return
}

// -----

// The compressed entries have the query's head dim.
func.func @attention_entries_dim(%q: tensor<1x4x8x32xbf16>, %w: tensor<1x16x32xbf16>, %i: tensor<1x4x16xi32>, %sink: tensor<8xf32>,
                                 %c: !v4.compressed<batch = 1, ratio = 4, capacity = 4, dim = 64, element = bf16>, %e: tensor<1x4x4xi32>) {
  // expected-error @+1 {{expects query of shape 1x4x8x64 (the compressed cache's batch and dim), got 1x4x8x32}}
  %o = v4.sparse_attention %q, %w[%i], %sink entries %c[%e] scale 0.125
      : tensor<1x4x8x32xbf16>, tensor<1x16x32xbf16>, tensor<1x4x16xi32>, tensor<8xf32>, !v4.compressed<batch = 1, ratio = 4, capacity = 4, dim = 64, element = bf16>, tensor<1x4x4xi32>
  return
}

// -----

// One entry index row per query.
func.func @attention_entry_indices(%q: tensor<1x4x8x64xbf16>, %w: tensor<1x16x64xbf16>, %i: tensor<1x4x16xi32>, %sink: tensor<8xf32>,
                                   %c: !v4.compressed<batch = 1, ratio = 4, capacity = 4, dim = 64, element = bf16>, %e: tensor<1x2x4xi32>) {
  // expected-error @+1 {{expects entry indices of shape 1x4x4 (batch and sequence of the query), got 1x2x4}}
  %o = v4.sparse_attention %q, %w[%i], %sink entries %c[%e] scale 0.125
      : tensor<1x4x8x64xbf16>, tensor<1x16x64xbf16>, tensor<1x4x16xi32>, tensor<8xf32>, !v4.compressed<batch = 1, ratio = 4, capacity = 4, dim = 64, element = bf16>, tensor<1x2x4xi32>
  return
}

// -----

// Compressed entries come with their index list (the generic form can state
// one without the other).
func.func @attention_entries_alone(%q: tensor<1x4x8x64xbf16>, %w: tensor<1x16x64xbf16>, %i: tensor<1x4x16xi32>, %sink: tensor<8xf32>,
                                   %c: !v4.compressed<batch = 1, ratio = 4, capacity = 4, dim = 64, element = bf16>) {
  // expected-error @+1 {{expects compressed entries and their indices together}}
  %o = "v4.sparse_attention"(%q, %w, %i, %c, %sink) <{scale = 1.250000e-01 : f64, operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 0, 1>}>
      : (tensor<1x4x8x64xbf16>, tensor<1x16x64xbf16>, tensor<1x4x16xi32>, !v4.compressed<batch = 1, ratio = 4, capacity = 4, dim = 64, element = bf16>, tensor<8xf32>) -> tensor<1x4x8x64xbf16>
  return
}

// -----

// HCA reads the compressed cache in place; its entries have the query head dim.
func.func @hca_entries_dim(%q: tensor<1x1x8x32xbf16>, %w: tensor<1x16x32xbf16>, %i: tensor<1x1x16xi32>, %c: !v4.compressed<batch = 1, ratio = 128, capacity = 4, dim = 64, element = bf16>, %sink: tensor<8xf32>, %p: tensor<1xi32>) {
  // expected-error @+1 {{expects query of shape 1x1x8x64 (the compressed cache's batch and dim), got 1x1x8x32}}
  %o = v4.hca_attention %q, %w[%i] entries %c, %sink at %p scale 0.125
      : tensor<1x1x8x32xbf16>, tensor<1x16x32xbf16>, tensor<1x1x16xi32>, !v4.compressed<batch = 1, ratio = 128, capacity = 4, dim = 64, element = bf16>, tensor<8xf32>, tensor<1xi32>
  return
}

// -----

// HCA's entries come from a compressed cache, not a tensor copy of one.
func.func @hca_entries_type(%q: tensor<1x1x8x64xbf16>, %w: tensor<1x16x64xbf16>, %i: tensor<1x1x16xi32>, %c: tensor<1x4x64xbf16>, %sink: tensor<8xf32>, %p: tensor<1xi32>) {
  // expected-error @+1 {{operand #3 must be compressed main KV entries of a CSA or HCA layer, but got 'tensor<1x4x64xbf16>'}}
  %o = v4.hca_attention %q, %w[%i] entries %c, %sink at %p scale 0.125
      : tensor<1x1x8x64xbf16>, tensor<1x16x64xbf16>, tensor<1x1x16xi32>, tensor<1x4x64xbf16>, tensor<8xf32>, tensor<1xi32>
  return
}

//===----------------------------------------------------------------------===//
// MoE
//===----------------------------------------------------------------------===//

// -----

// The route scale must be positive.
func.func @route_scale(%l: tensor<4x8xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{expects route_scale > 0, got 0}}
  %w, %e = v4.moe_route %l, %b k 2 route_scale 0.0 : tensor<4x8xf32>, tensor<8xf32> -> tensor<4x2xf32>, tensor<4x2xi32>
  return
}

// -----

// Each token picks at least one expert.
func.func @route_k(%l: tensor<4x8xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{expects k > 0, got 0}}
  %w, %e = v4.moe_route %l, %b k 0 route_scale 1.5 : tensor<4x8xf32>, tensor<8xf32> -> tensor<4x0xf32>, tensor<4x0xi32>
  return
}

// -----

// Router logits are [T, E].
func.func @route_logits_rank(%l: tensor<1x4x8xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{expects logits of rank 2 ([T, E]), got rank 3}}
  %w, %e = v4.moe_route %l, %b k 2 route_scale 1.5 : tensor<1x4x8xf32>, tensor<8xf32> -> tensor<4x2xf32>, tensor<4x2xi32>
  return
}

// -----

// A token cannot pick more experts than exist.
func.func @route_k_too_large(%l: tensor<4x8xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{expects k (9) <= the number of experts (8)}}
  %w, %e = v4.moe_route %l, %b k 9 route_scale 1.5 : tensor<4x8xf32>, tensor<8xf32> -> tensor<4x9xf32>, tensor<4x9xi32>
  return
}

// -----

// Routing weights are [T, k].
func.func @route_weights(%l: tensor<4x8xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{expects weights of shape 4x2 ([T, k]), got 4x8}}
  %w, %e = v4.moe_route %l, %b k 2 route_scale 1.5 : tensor<4x8xf32>, tensor<8xf32> -> tensor<4x8xf32>, tensor<4x2xi32>
  return
}

// -----

// Expert ids are [T, k].
func.func @route_experts(%l: tensor<4x8xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{expects experts of shape 4x2 ([T, k]), got 2x4}}
  %w, %e = v4.moe_route %l, %b k 2 route_scale 1.5 : tensor<4x8xf32>, tensor<8xf32> -> tensor<4x2xf32>, tensor<2x4xi32>
  return
}

// -----

// The selection bias has one value per expert.
func.func @route_bias(%l: tensor<4x8xf32>, %b: tensor<6xf32>) {
  // expected-error @+1 {{expects bias of shape 8 (one per expert), got 6}}
  %w, %e = v4.moe_route %l, %b k 2 route_scale 1.5 : tensor<4x8xf32>, tensor<6xf32> -> tensor<4x2xf32>, tensor<4x2xi32>
  return
}

// -----

// The tid2eid table is [vocab, k].
func.func @hash_table_rank(%l: tensor<4x8xf32>, %t: tensor<4xi32>, %tab: tensor<512xi32>) {
  // expected-error @+1 {{expects table of rank 2 ([vocab, k]), got rank 1}}
  %w, %e = v4.moe_hash_route %l, %t, %tab route_scale 1.5 : tensor<4x8xf32>, tensor<4xi32>, tensor<512xi32> -> tensor<4x2xf32>, tensor<4x2xi32>
  return
}

// -----

// The table holds expert ids as i32 or i64, nothing else.
func.func @hash_table_f32(%l: tensor<4x8xf32>, %t: tensor<4xi32>, %tab: tensor<512x2xf32>) {
  // expected-error @+1 {{operand #2 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values}}
  %w, %e = v4.moe_hash_route %l, %t, %tab route_scale 1.5 : tensor<4x8xf32>, tensor<4xi32>, tensor<512x2xf32> -> tensor<4x2xf32>, tensor<4x2xi32>
  return
}

// -----

// The table fixes k statically.
func.func @hash_table_dynamic_k(%l: tensor<4x8xf32>, %t: tensor<4xi32>, %tab: tensor<512x?xi32>) {
  // expected-error @+1 {{expects a static experts-per-token dimension of the table}}
  %w, %e = v4.moe_hash_route %l, %t, %tab route_scale 1.5 : tensor<4x8xf32>, tensor<4xi32>, tensor<512x?xi32> -> tensor<4x2xf32>, tensor<4x2xi32>
  return
}

// -----

// Hash routing shares the [T, k] result checks, with k from the table.
func.func @hash_results(%l: tensor<4x8xf32>, %t: tensor<4xi32>, %tab: tensor<512x2xi32>) {
  // expected-error @+1 {{expects weights of shape 4x2 ([T, k]), got 4x6}}
  %w, %e = v4.moe_hash_route %l, %t, %tab route_scale 1.5 : tensor<4x8xf32>, tensor<4xi32>, tensor<512x2xi32> -> tensor<4x6xf32>, tensor<4x2xi32>
  return
}

// -----

// One token id per token.
func.func @hash_tokens(%l: tensor<4x8xf32>, %t: tensor<3xi32>, %tab: tensor<512x2xi32>) {
  // expected-error @+1 {{expects tokens of shape 4 (one id per token), got 3}}
  %w, %e = v4.moe_hash_route %l, %t, %tab route_scale 1.5 : tensor<4x8xf32>, tensor<3xi32>, tensor<512x2xi32> -> tensor<4x2xf32>, tensor<4x2xi32>
  return
}

// -----

// Dispatch needs at least one expert.
func.func @dispatch_experts_count(%x: tensor<3x16xbf16>, %e: tensor<3x2xi32>, %w: tensor<3x2xf32>) {
  // expected-error @+1 {{expects num_experts > 0, got 0}}
  %r, %rw, %p, %o = v4.moe_dispatch %x, %e, %w num_experts 0
      : (tensor<3x16xbf16>, tensor<3x2xi32>, tensor<3x2xf32>) -> (tensor<6x16xbf16>, tensor<6xf32>, tensor<6xi32>, tensor<1xi32>)
  return
}

// -----

// Dispatched tokens are [T, D].
func.func @dispatch_input_rank(%x: tensor<1x3x16xbf16>, %e: tensor<3x2xi32>, %w: tensor<3x2xf32>) {
  // expected-error @+1 {{expects input of rank 2 ([T, D]), got rank 3}}
  %r, %rw, %p, %o = v4.moe_dispatch %x, %e, %w num_experts 8
      : (tensor<1x3x16xbf16>, tensor<3x2xi32>, tensor<3x2xf32>) -> (tensor<6x16xbf16>, tensor<6xf32>, tensor<6xi32>, tensor<9xi32>)
  return
}

// -----

// Expert ids are [T, k].
func.func @dispatch_experts_rank(%x: tensor<3x16xbf16>, %e: tensor<6xi32>, %w: tensor<3x2xf32>) {
  // expected-error @+1 {{expects experts of rank 2 ([T, k]), got rank 1}}
  %r, %rw, %p, %o = v4.moe_dispatch %x, %e, %w num_experts 8
      : (tensor<3x16xbf16>, tensor<6xi32>, tensor<3x2xf32>) -> (tensor<6x16xbf16>, tensor<6xf32>, tensor<6xi32>, tensor<9xi32>)
  return
}

// -----

// k fixes the number of copies statically.
func.func @dispatch_dynamic_k(%x: tensor<3x16xbf16>, %e: tensor<3x?xi32>, %w: tensor<3x2xf32>) {
  // expected-error @+1 {{expects a static experts-per-token dimension}}
  %r, %rw, %p, %o = v4.moe_dispatch %x, %e, %w num_experts 8
      : (tensor<3x16xbf16>, tensor<3x?xi32>, tensor<3x2xf32>) -> (tensor<6x16xbf16>, tensor<6xf32>, tensor<6xi32>, tensor<9xi32>)
  return
}

// -----

// Expert ids have one row per token.
func.func @dispatch_experts_shape(%x: tensor<3x16xbf16>, %e: tensor<4x2xi32>, %w: tensor<3x2xf32>) {
  // expected-error @+1 {{expects experts of shape 3x2 ([T, k]), got 4x2}}
  %r, %rw, %p, %o = v4.moe_dispatch %x, %e, %w num_experts 8
      : (tensor<3x16xbf16>, tensor<4x2xi32>, tensor<3x2xf32>) -> (tensor<6x16xbf16>, tensor<6xf32>, tensor<6xi32>, tensor<9xi32>)
  return
}

// -----

// Dispatched rows are copies of the input rows, in its element type.
func.func @dispatch_rows_dtype(%x: tensor<3x16xbf16>, %e: tensor<3x2xi32>, %w: tensor<3x2xf32>) {
  // expected-error @+1 {{expects rows of element type 'bf16', got 'f32'}}
  %r, %rw, %p, %o = v4.moe_dispatch %x, %e, %w num_experts 8
      : (tensor<3x16xbf16>, tensor<3x2xi32>, tensor<3x2xf32>) -> (tensor<6x16xf32>, tensor<6xf32>, tensor<6xi32>, tensor<9xi32>)
  return
}

// -----

// Routing weights pair with expert ids.
func.func @dispatch_weights(%x: tensor<3x16xbf16>, %e: tensor<3x2xi32>, %w: tensor<3x1xf32>) {
  // expected-error @+1 {{expects weights of shape 3x2 ([T, k]), got 3x1}}
  %r, %rw, %p, %o = v4.moe_dispatch %x, %e, %w num_experts 8
      : (tensor<3x16xbf16>, tensor<3x2xi32>, tensor<3x1xf32>) -> (tensor<6x16xbf16>, tensor<6xf32>, tensor<6xi32>, tensor<9xi32>)
  return
}

// -----

// Each token is copied k times.
func.func @dispatch_rows(%x: tensor<3x16xbf16>, %e: tensor<3x2xi32>, %w: tensor<3x2xf32>) {
  // expected-error @+1 {{expects rows of shape 6x16 ([T*k, D]), got 3x16}}
  %r, %rw, %p, %o = v4.moe_dispatch %x, %e, %w num_experts 8
      : (tensor<3x16xbf16>, tensor<3x2xi32>, tensor<3x2xf32>) -> (tensor<3x16xbf16>, tensor<6xf32>, tensor<6xi32>, tensor<9xi32>)
  return
}

// -----

// One routing weight per copy.
func.func @dispatch_row_weights(%x: tensor<3x16xbf16>, %e: tensor<3x2xi32>, %w: tensor<3x2xf32>) {
  // expected-error @+1 {{expects row weights of shape 6 ([T*k]), got 3}}
  %r, %rw, %p, %o = v4.moe_dispatch %x, %e, %w num_experts 8
      : (tensor<3x16xbf16>, tensor<3x2xi32>, tensor<3x2xf32>) -> (tensor<6x16xbf16>, tensor<3xf32>, tensor<6xi32>, tensor<9xi32>)
  return
}

// -----

// One source index per copy.
func.func @dispatch_permutation(%x: tensor<3x16xbf16>, %e: tensor<3x2xi32>, %w: tensor<3x2xf32>) {
  // expected-error @+1 {{expects permutation of shape 6 ([T*k]), got 12}}
  %r, %rw, %p, %o = v4.moe_dispatch %x, %e, %w num_experts 8
      : (tensor<3x16xbf16>, tensor<3x2xi32>, tensor<3x2xf32>) -> (tensor<6x16xbf16>, tensor<6xf32>, tensor<12xi32>, tensor<9xi32>)
  return
}

// -----

// Offsets are prefix sums over experts, plus the end.
func.func @dispatch_offsets(%x: tensor<3x16xbf16>, %e: tensor<3x2xi32>, %w: tensor<3x2xf32>) {
  // expected-error @+1 {{expects expert offsets of shape 9 (num_experts + 1), got 8}}
  %r, %rw, %p, %o = v4.moe_dispatch %x, %e, %w num_experts 8
      : (tensor<3x16xbf16>, tensor<3x2xi32>, tensor<3x2xf32>) -> (tensor<6x16xbf16>, tensor<6xf32>, tensor<6xi32>, tensor<8xi32>)
  return
}

// -----

// Expert outputs are [R, D].
func.func @combine_rows_rank(%r: tensor<6xbf16>, %p: tensor<6xi32>) {
  // expected-error @+1 {{expects rows of rank 2 ([R, D]), got rank 1}}
  %y = v4.moe_combine %r, %p : (tensor<6xbf16>, tensor<6xi32>) -> tensor<3x16xbf16>
  return
}

// -----

// The combined result is [T, D].
func.func @combine_result_rank(%r: tensor<6x16xbf16>, %p: tensor<6xi32>) {
  // expected-error @+1 {{expects result of rank 2 ([T, D]), got rank 3}}
  %y = v4.moe_combine %r, %p : (tensor<6x16xbf16>, tensor<6xi32>) -> tensor<1x3x16xbf16>
  return
}

// -----

// One source index per expert output row.
func.func @combine_permutation(%r: tensor<6x16xbf16>, %p: tensor<5xi32>) {
  // expected-error @+1 {{expects permutation of shape 6 (one per row), got 5}}
  %y = v4.moe_combine %r, %p : (tensor<6x16xbf16>, tensor<5xi32>) -> tensor<3x16xbf16>
  return
}

// -----

// Combining keeps the row width.
func.func @combine_width(%r: tensor<6x16xbf16>, %p: tensor<6xi32>) {
  // expected-error @+1 {{expects result of shape 3x16 (the row width), got 3x32}}
  %y = v4.moe_combine %r, %p : (tensor<6x16xbf16>, tensor<6xi32>) -> tensor<3x32xbf16>
  return
}

// -----

// Every token has the same number of expert rows.
func.func @combine_multiple(%r: tensor<7x16xbf16>, %p: tensor<7xi32>) {
  // expected-error @+1 {{expects the row count (7) to be a multiple of the token count (3)}}
  %y = v4.moe_combine %r, %p : (tensor<7x16xbf16>, tensor<7xi32>) -> tensor<3x16xbf16>
  return
}

// -----

// The shared expert output has the result shape.
func.func @combine_shared(%r: tensor<6x16xbf16>, %p: tensor<6xi32>, %s: tensor<6x16xbf16>) {
  // expected-error @+1 {{expects shared of shape 3x16 (the result shape), got 6x16}}
  %y = v4.moe_combine %r, %p shared %s : (tensor<6x16xbf16>, tensor<6xi32>, tensor<6x16xbf16>) -> tensor<3x16xbf16>
  return
}

// -----

// The shared expert output is added in the result's element type.
func.func @combine_shared_dtype(%r: tensor<6x16xbf16>, %p: tensor<6xi32>, %s: tensor<3x16xf32>) {
  // expected-error @+1 {{expects shared of element type 'bf16' (the result's), got 'f32'}}
  %y = v4.moe_combine %r, %p shared %s : (tensor<6x16xbf16>, tensor<6xi32>, tensor<3x16xf32>) -> tensor<3x16xbf16>
  return
}

//===----------------------------------------------------------------------===//
// param / window_indices rows
//===----------------------------------------------------------------------===//

// -----

// A parameter needs a tensor name.
func.func @param_empty() {
  // expected-error @+1 {{expects a non-empty tensor name}}
  %w = v4.param "" : tensor<4xbf16>
  return
}

// -----

// Names are dot-separated components.
func.func @param_component() {
  // expected-error @+1 {{expects dot-separated non-empty components in "layers..attn"}}
  %w = v4.param "layers..attn" : tensor<4xbf16>
  return
}

// -----

// Names have no spaces (they are safetensors keys).
func.func @param_space() {
  // expected-error @+1 {{expects a tensor name of printable characters without spaces}}
  %w = v4.param "layers.0 attn" : tensor<4xbf16>
  return
}

// -----

// `*` stands for a whole component (the member index).
func.func @param_star_component() {
  // expected-error @+1 {{expects `*` to be a whole component of "experts.e*.w1"}}
  %w = v4.param "experts.e*.w1" : tensor<4x4xbf16>
  return
}

// -----

// One stacked dimension at most.
func.func @param_two_stars() {
  // expected-error @+1 {{expects at most one `*` component, got 2}}
  %w = v4.param "layers.*.experts.*.w1" : tensor<2x4x4xbf16>
  return
}

// -----

// A stacked parameter has a leading member dimension.
func.func @param_stacked_rank() {
  // expected-error @+1 {{expects a stacked parameter to have a leading dimension of at least 1 (the members), got scalar}}
  %w = v4.param "experts.*.w1" : tensor<bf16>
  return
}

// -----

// Weights have static shapes.
func.func @param_dynamic() {
  // expected-error @+1 {{expects a static shape, got ?x4}}
  %w = v4.param "w" : tensor<?x4xbf16>
  return
}

// -----

// Only element types a checkpoint dtype maps to.
func.func @param_element() {
  // expected-error @+1 {{expects an element type a checkpoint tensor can bind to}}
  %w = v4.param "w" : tensor<4xf64>
  return
}

// -----

// FP4 codes are stored two per byte.
func.func @param_fp4_odd() {
  // expected-error @+1 {{expects an even last dimension for f4E2M1FN (two codes per stored byte), got 4x3}}
  %w = v4.param "w" : tensor<4x3xf4E2M1FN>
  return
}

// -----

// A constant row count must match a static query dimension.
func.func @window_indices_rows(%p: tensor<1xi32>) {
  %c3 = arith.constant 3 : index
  // expected-error @+1 {{expects rows (3) to match the query dimension of the result (4)}}
  %i = v4.window_indices %p rows %c3 window 128 layout chunk : tensor<1xi32> -> tensor<1x4x128xi32>
  return
}

// -----

// The result types follow from the operands: an expert count whose offsets
// tensor (num_experts + 1) would not exist is rejected by the inference.
func.func @dispatch_experts_overflow(%x: tensor<3x16xbf16>, %e: tensor<3x2xi32>, %w: tensor<3x2xf32>) {
  // expected-error @+1 {{expects num_experts in [1, 2^63 - 2], got 9223372036854775807}}
  %r, %rw, %p, %o = v4.moe_dispatch %x, %e, %w num_experts 9223372036854775807
      : (tensor<3x16xbf16>, tensor<3x2xi32>, tensor<3x2xf32>) -> (tensor<6x16xbf16>, tensor<6xf32>, tensor<6xi32>, tensor<9xi32>)
  return
}

// -----

// T*k copies that do not fit in 64 bits.
func.func @dispatch_copies_overflow(%x: tensor<4611686018427387904x16xbf16>, %e: tensor<4611686018427387904x4xi32>, %w: tensor<4611686018427387904x4xf32>) {
  // expected-error @+1 {{expects T*k to fit in 64 bits, got 4611686018427387904*4}}
  %r, %rw, %p, %o = v4.moe_dispatch %x, %e, %w num_experts 8
      : (tensor<4611686018427387904x16xbf16>, tensor<4611686018427387904x4xi32>, tensor<4611686018427387904x4xf32>) -> (tensor<?x16xbf16>, tensor<?xf32>, tensor<?xi32>, tensor<9xi32>)
  return
}

// -----

// The pre-mixed output keeps the streams' element type.
func.func @hc_output_element(%h: tensor<1x4x64xbf16>, %fn: tensor<24x256xf32>, %b: tensor<24xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{expects output of element type 'bf16', got 'f32'}}
  %a, %p, %c = v4.hc_pre %h, %fn, %b, %s iters 20 eps 1.0e-6 norm_eps 1.0e-6
      : (tensor<1x4x64xbf16>, tensor<24x256xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x64xf32>, tensor<1x4xf32>, tensor<1x4x4xf32>)
  return
}

//===----------------------------------------------------------------------===//
// Per-row positions and cache slots (batched decode)
//===----------------------------------------------------------------------===//

// -----

// Positions are one start per batch row.
func.func @positions_rank(%w: !v4.window<batch = 1, rows = 128, dim = 512, element = bf16>, %kv: tensor<1x1x512xbf16>, %p: tensor<1x1xi32>) {
  // expected-error @+1 {{expects positions of rank 1 ([B], one per batch row), got rank 2}}
  %w1 = v4.window_append %w, %kv at %p : !v4.window<batch = 1, rows = 128, dim = 512, element = bf16>, tensor<1x1x512xbf16>, tensor<1x1xi32>
  return
}

// -----

func.func @positions_count(%w: !v4.window<batch = 2, rows = 128, dim = 512, element = bf16>, %kv: tensor<2x1x512xbf16>, %p: tensor<3xi32>) {
  // expected-error @+1 {{expects positions of shape 2 (one per batch row), got 3}}
  %w1 = v4.window_append %w, %kv at %p : !v4.window<batch = 2, rows = 128, dim = 512, element = bf16>, tensor<2x1x512xbf16>, tensor<3xi32>
  return
}

// -----

// Slots are one cache row per batch row.
func.func @slots_count(%c: !v4.compressed<batch = 8, ratio = 128, capacity = 64, dim = 512, element = bf16>, %e: tensor<?x1x512xbf16>,
                       %p: tensor<2xi32>, %s: tensor<3xi32>, %n: index) {
  // expected-error @+1 {{expects slots of shape 2 (one per batch row), got 3}}
  %c1 = v4.compressed_append %c, %e at %p slots %s tokens %n : !v4.compressed<batch = 8, ratio = 128, capacity = 64, dim = 512, element = bf16>, tensor<?x1x512xbf16>, tensor<2xi32>, tensor<3xi32>
  return
}

// -----

// With slots the rows may be fewer than the cache's, never more.
func.func @slots_too_many_rows(%w: !v4.window<batch = 2, rows = 128, dim = 512, element = bf16>, %kv: tensor<3x1x512xbf16>,
                               %p: tensor<3xi32>, %s: tensor<3xi32>) {
  // expected-error @+1 {{expects at most 2 batch rows (distinct slots of the cache), got 3}}
  %w1 = v4.window_append %w, %kv at %p slots %s : !v4.window<batch = 2, rows = 128, dim = 512, element = bf16>, tensor<3x1x512xbf16>, tensor<3xi32>, tensor<3xi32>
  return
}

// -----

// The compressor's rows follow the slots, not the state's batch.
func.func @compress_slots_batch(%kv: tensor<2x4x64xf32>, %ape: tensor<8x64xf32>, %st: !v4.compressor_state<batch = 4, ratio = 8, coff = 1, dim = 64>,
                                %p: tensor<3xi32>, %s: tensor<3xi32>) {
  // expected-error @+1 {{expects kv of shape 3x4x64 (batch of the slots and coff*dim of the state), got 2x4x64}}
  %e, %s1 = v4.compress %kv, %kv, %ape, %st at %p slots %s ratio 8
      : tensor<2x4x64xf32>, tensor<8x64xf32>, !v4.compressor_state<batch = 4, ratio = 8, coff = 1, dim = 64>, tensor<3xi32>, tensor<3xi32> -> tensor<2x1x64xf32>
  return
}

// -----

// A read at slots has one batch row per slot.
func.func @cache_read_slots_result(%w: !v4.window<batch = 8, rows = 128, dim = 512, element = bf16>, %s: tensor<2xi32>) {
  // expected-error @+1 {{expects result type 'tensor<2x128x512xbf16>' (the contents of '!v4.window<batch = 8, rows = 128, dim = 512, element = bf16>' at the slots), got 'tensor<8x128x512xbf16>'}}
  %r = v4.cache_read %w slots %s : !v4.window<batch = 8, rows = 128, dim = 512, element = bf16>, tensor<2xi32> -> tensor<8x128x512xbf16>
  return
}

// -----

func.func @cache_read_slots_rank(%w: !v4.window<batch = 8, rows = 128, dim = 512, element = bf16>, %s: tensor<i32>) {
  // expected-error @+1 {{expects slots of rank 1 ([B], one per batch row), got rank 0}}
  %r = v4.cache_read %w slots %s : !v4.window<batch = 8, rows = 128, dim = 512, element = bf16>, tensor<i32> -> tensor<?x128x512xbf16>
  return
}

// -----

// Window indices: one start position per batch row of the result.
func.func @window_indices_positions(%p: tensor<2xi32>) {
  // expected-error @+1 {{expects positions of shape 3 (one per batch row), got 2}}
  %i = v4.window_indices %p window 128 layout ring : tensor<2xi32> -> tensor<3x1x128xi32>
  return
}

// -----

func.func @topk_positions(%s: tensor<2x1x8xbf16>, %p: tensor<1xi32>) {
  // expected-error @+1 {{expects positions of shape 2 (one per batch row), got 1}}
  %i = v4.topk %s at %p k 4 ratio 4 : tensor<2x1x8xbf16>, tensor<1xi32> -> tensor<2x1x4xi32>
  return
}

// -----

// Indexer scores with slots: queries follow the slots, keys keep their dim.
func.func @indexer_score_slots(%q: tensor<2x1x8x128xbf16>, %k: !v4.indexer_keys<batch = 4, capacity = 64, dim = 128, element = bf16>,
                               %w: tensor<2x1x8xbf16>, %s: tensor<3xi32>) {
  // expected-error @+1 {{expects queries of shape 3x1x8x128 (batch of the slots, dim of the key cache), got 2x1x8x128}}
  %sc = v4.indexer_score %q, %k, %w slots %s : tensor<2x1x8x128xbf16>, !v4.indexer_keys<batch = 4, capacity = 64, dim = 128, element = bf16>, tensor<2x1x8xbf16>, tensor<3xi32> -> tensor<2x1x64xbf16>
  return
}

// -----

// Slots address the entry cache; window-only attention has none (only the
// generic form can state it).
func.func @attention_slots_without_entries(%q: tensor<1x1x8x64xbf16>, %w: tensor<1x16x64xbf16>, %i: tensor<1x1x16xi32>, %sink: tensor<8xf32>, %s: tensor<1xi32>) {
  // expected-error @+1 {{expects `slots` only with compressed entries (they address the entry cache's rows)}}
  %o = "v4.sparse_attention"(%q, %w, %i, %s, %sink) <{scale = 1.250000e-01 : f64, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 1, 1>}>
      : (tensor<1x1x8x64xbf16>, tensor<1x16x64xbf16>, tensor<1x1x16xi32>, tensor<1xi32>, tensor<8xf32>) -> tensor<1x1x8x64xbf16>
  return
}

// -----

func.func @hca_positions(%q: tensor<2x1x8x64xbf16>, %w: tensor<2x16x64xbf16>, %i: tensor<2x1x16xi32>,
                         %c: !v4.compressed<batch = 4, ratio = 128, capacity = 4, dim = 64, element = bf16>, %sink: tensor<8xf32>,
                         %p: tensor<1xi32>, %s: tensor<2xi32>) {
  // expected-error @+1 {{expects positions of shape 2 (one per batch row), got 1}}
  %o = v4.hca_attention %q, %w[%i] entries %c, %sink at %p slots %s scale 0.125
      : tensor<2x1x8x64xbf16>, tensor<2x16x64xbf16>, tensor<2x1x16xi32>, !v4.compressed<batch = 4, ratio = 128, capacity = 4, dim = 64, element = bf16>, tensor<8xf32>, tensor<1xi32>, tensor<2xi32>
  return
}
