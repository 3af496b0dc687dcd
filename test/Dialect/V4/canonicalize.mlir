// RUN: sieve-opt %s --split-input-file --canonicalize | FileCheck %s

// Simulating an already simulated value with the same format, block and rule is idempotent.
// CHECK-LABEL: func @simulate_twice
// CHECK-SAME: (%[[X:.*]]: tensor<4x448xbf16>)
// CHECK: %[[S:.*]] = v4.simulate_quant %[[X]] format f8E4M3FN block 64 rule ceil
// CHECK-NOT: v4.simulate_quant
// CHECK: return %[[S]]
func.func @simulate_twice(%x: tensor<4x448xbf16>) -> tensor<4x448xbf16> {
  %0 = v4.simulate_quant %x format f8E4M3FN block 64 rule ceil : tensor<4x448xbf16>
  %1 = v4.simulate_quant %0 format f8E4M3FN block 64 rule ceil : tensor<4x448xbf16>
  return %1 : tensor<4x448xbf16>
}

// -----

// A different block, format or rule is a different rounding, so nothing folds.
// CHECK-LABEL: func @simulate_different
// CHECK-COUNT-4: v4.simulate_quant
func.func @simulate_different(%x: tensor<4x128xbf16>) -> tensor<4x128xbf16> {
  %0 = v4.simulate_quant %x format f8E4M3FN block 64 rule ceil : tensor<4x128xbf16>
  %1 = v4.simulate_quant %0 format f8E4M3FN block 128 rule ceil : tensor<4x128xbf16>
  %2 = v4.simulate_quant %1 format f4E2M1FN block 128 rule ceil : tensor<4x128xbf16>
  %3 = v4.simulate_quant %2 format f4E2M1FN block 128 rule floor : tensor<4x128xbf16>
  return %3 : tensor<4x128xbf16>
}

// -----

// Dequantizing fresh quantization codes is the quantize-dequantize op.
// CHECK-LABEL: func @dequantize_of_quantize
// CHECK-SAME: (%[[X:.*]]: tensor<?x128xbf16>)
// CHECK-NOT: v4.quantize
// CHECK-NOT: v4.dequantize
// CHECK: %[[S:.*]] = v4.simulate_quant %[[X]] format f4E2M1FN block 32 rule floor : tensor<?x128xbf16>
// CHECK: return %[[S]]
func.func @dequantize_of_quantize(%x: tensor<?x128xbf16>) -> tensor<?x128xbf16> {
  %c, %s = v4.quantize %x block 32 rule floor : tensor<?x128xbf16> -> tensor<?x128xf4E2M1FN>, tensor<?x4xf8E8M0FNU>
  %y = v4.dequantize %c, %s block 32 : tensor<?x128xf4E2M1FN>, tensor<?x4xf8E8M0FNU> -> tensor<?x128xbf16>
  return %y : tensor<?x128xbf16>
}

// -----

// Dequantizing to another element type rounds differently and stays as is.
// CHECK-LABEL: func @dequantize_other_type
// CHECK: v4.quantize
// CHECK: v4.dequantize
// CHECK-NOT: v4.simulate_quant
func.func @dequantize_other_type(%x: tensor<4x128xbf16>) -> tensor<4x128xf32> {
  %c, %s = v4.quantize %x block 128 rule ceil : tensor<4x128xbf16> -> tensor<4x128xf8E4M3FN>, tensor<4x1xf8E8M0FNU>
  %y = v4.dequantize %c, %s block 128 : tensor<4x128xf8E4M3FN>, tensor<4x1xf8E8M0FNU> -> tensor<4x128xf32>
  return %y : tensor<4x128xf32>
}

// -----

// Scales from another quantization do not pair with these codes.
// CHECK-LABEL: func @dequantize_foreign_scales
// CHECK: v4.dequantize
// CHECK-NOT: v4.simulate_quant
func.func @dequantize_foreign_scales(%x: tensor<4x128xbf16>, %s2: tensor<4x1xf8E8M0FNU>) -> tensor<4x128xbf16> {
  %c, %s = v4.quantize %x block 128 rule ceil : tensor<4x128xbf16> -> tensor<4x128xf8E4M3FN>, tensor<4x1xf8E8M0FNU>
  %y = v4.dequantize %c, %s2 block 128 : tensor<4x128xf8E4M3FN>, tensor<4x1xf8E8M0FNU> -> tensor<4x128xbf16>
  return %y : tensor<4x128xbf16>
}

// -----

// Rotating by position zero is the identity.
// CHECK-LABEL: func @rope_zero_positions
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x8x64xbf16>)
// CHECK-NOT: v4.rope
// CHECK: return %[[X]]
func.func @rope_zero_positions(%x: tensor<1x4x8x64xbf16>) -> tensor<1x4x8x64xbf16> {
  %pos = arith.constant dense<0> : tensor<1x4xi32>
  %y = v4.rope %x, %pos <base = 10000.0, rope_dim = 64, factor = 1.0, original_seq_len = 65536, beta_fast = 32.0, beta_slow = 1.0> inverse
      : tensor<1x4x8x64xbf16>, tensor<1x4xi32>
  return %y : tensor<1x4x8x64xbf16>
}

// -----

// Non-zero positions rotate.
// CHECK-LABEL: func @rope_nonzero_positions
// CHECK: v4.rope
func.func @rope_nonzero_positions(%x: tensor<1x2x64xbf16>) -> tensor<1x2x64xbf16> {
  %pos = arith.constant dense<[[0, 1]]> : tensor<1x2xi32>
  %y = v4.rope %x, %pos <base = 10000.0, rope_dim = 64, factor = 1.0, original_seq_len = 65536, beta_fast = 32.0, beta_slow = 1.0>
      : tensor<1x2x64xbf16>, tensor<1x2xi32>
  return %y : tensor<1x2x64xbf16>
}

// -----

// A fresh KV cache reads as zeros; compressor state (score = -inf) is not a splat and stays.
// CHECK-LABEL: func @read_fresh_cache
// CHECK-DAG: %[[W:.*]] = arith.constant dense<0.000000e+00> : tensor<1x16x64xbf16>
// CHECK-DAG: %[[K:.*]] = arith.constant dense<0.000000e+00> : tensor<1x8x128xbf16>
// CHECK-DAG: %[[S:.*]] = v4.cache_read %{{.*}} : !v4.compressor_state
// CHECK: return %[[W]], %[[K]], %[[S]]
func.func @read_fresh_cache() -> (tensor<1x16x64xbf16>, tensor<1x8x128xbf16>, tensor<2x1x8x128xf32>) {
  %w = v4.cache_init : !v4.window<batch = 1, rows = 16, dim = 64, element = bf16>
  %0 = v4.cache_read %w : !v4.window<batch = 1, rows = 16, dim = 64, element = bf16> -> tensor<1x16x64xbf16>
  %k = v4.cache_init : !v4.indexer_keys<batch = 1, capacity = 8, dim = 128, element = bf16>
  %1 = v4.cache_read %k : !v4.indexer_keys<batch = 1, capacity = 8, dim = 128, element = bf16> -> tensor<1x8x128xbf16>
  %s = v4.cache_init : !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 64>
  %2 = v4.cache_read %s : !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 64> -> tensor<2x1x8x128xf32>
  return %0, %1, %2 : tensor<1x16x64xbf16>, tensor<1x8x128xbf16>, tensor<2x1x8x128xf32>
}

// -----

// Appending no rows or no entries leaves a cache unchanged.
// CHECK-LABEL: func @append_nothing
// CHECK-SAME: (%[[W:[^:]*]]: !v4.window{{.*}}, %[[C:[^:]*]]: !v4.compressed
// CHECK-NOT: v4.window_append
// CHECK-NOT: v4.compressed_append
// CHECK: return %[[W]], %[[C]]
func.func @append_nothing(%w: !v4.window<batch = 1, rows = 16, dim = 64, element = bf16>,
                          %c: !v4.compressed<batch = 1, ratio = 4, capacity = 8, dim = 64, element = bf16>,
                          %rows: tensor<1x0x64xbf16>, %p: tensor<1xi32>, %n: index)
    -> (!v4.window<batch = 1, rows = 16, dim = 64, element = bf16>,
        !v4.compressed<batch = 1, ratio = 4, capacity = 8, dim = 64, element = bf16>) {
  %w1 = v4.window_append %w, %rows at %p : !v4.window<batch = 1, rows = 16, dim = 64, element = bf16>, tensor<1x0x64xbf16>, tensor<1xi32>
  %c1 = v4.compressed_append %c, %rows at %p tokens %n
      : !v4.compressed<batch = 1, ratio = 4, capacity = 8, dim = 64, element = bf16>, tensor<1x0x64xbf16>, tensor<1xi32>
  return %w1, %c1 : !v4.window<batch = 1, rows = 16, dim = 64, element = bf16>,
      !v4.compressed<batch = 1, ratio = 4, capacity = 8, dim = 64, element = bf16>
}

// -----

// Appending real rows is kept.
// CHECK-LABEL: func @append_rows
// CHECK: v4.window_append
func.func @append_rows(%w: !v4.window<batch = 1, rows = 16, dim = 64, element = bf16>, %rows: tensor<1x1x64xbf16>, %p: tensor<1xi32>)
    -> !v4.window<batch = 1, rows = 16, dim = 64, element = bf16> {
  %w1 = v4.window_append %w, %rows at %p : !v4.window<batch = 1, rows = 16, dim = 64, element = bf16>, tensor<1x1x64xbf16>, tensor<1xi32>
  return %w1 : !v4.window<batch = 1, rows = 16, dim = 64, element = bf16>
}

// -----

// Pure ops without uses are erased.
// CHECK-LABEL: func @dead_ops
// CHECK-NOT: v4.
// CHECK: return
func.func @dead_ops(%x: tensor<4x128xbf16>) {
  %0 = v4.hadamard %x : tensor<4x128xbf16>
  %c, %s = v4.quantize %x block 128 rule ceil : tensor<4x128xbf16> -> tensor<4x128xf8E4M3FN>, tensor<4x1xf8E8M0FNU>
  return
}
