// RUN: sieve-opt %s --split-input-file --verify-diagnostics

// Cache types: verifiers of !v4.window, !v4.compressed, !v4.indexer_keys and
// !v4.compressor_state; attribute verifier of #v4.rope.

// A cache has at least one batch row.
// expected-error @+1 {{batch must be positive, got 0}}
func.func private @window_batch(!v4.window<batch = 0, rows = 128, dim = 512, element = bf16>)

// -----

// The ring has at least one row.
// expected-error @+1 {{window rows must be positive, got 0}}
func.func private @window_rows(!v4.window<batch = 1, rows = 0, dim = 512, element = bf16>)

// -----

// Rows have a positive width.
// expected-error @+1 {{dim must be positive, got -1}}
func.func private @window_dim(!v4.window<batch = 1, rows = 128, dim = -1, element = bf16>)

// -----

// The FP8 row layout keeps the RoPE dims in bf16: it needs their count.
// expected-error @+1 {{FP8 rows need an even rope in (0, dim) with dim - rope a multiple of 64 (the scale block), got dim 512, rope 0}}
func.func private @window_fp8_without_rope(!v4.window<batch = 1, rows = 128, dim = 512, element = f8E4M3FN>)

// -----

// The non-RoPE part comes in whole 64-value scale blocks.
// expected-error @+1 {{FP8 rows need an even rope in (0, dim) with dim - rope a multiple of 64 (the scale block), got dim 512, rope 96}}
func.func private @window_fp8_rope_blocks(!v4.window<batch = 1, rows = 128, dim = 512, element = f8E4M3FN, rope = 96>)

// -----

// bf16 rows have no separate RoPE part.
// expected-error @+1 {{bf16 rows keep every dim in bf16: rope must be 0, got 64}}
func.func private @window_bf16_rope(!v4.window<batch = 1, rows = 128, dim = 512, element = bf16, rope = 64>)

// -----

// Rows are bf16 or the FP8 layout, nothing else.
// expected-error @+1 {{cache rows are stored as bf16 or f8E4M3FN, got 'f16'}}
func.func private @window_element(!v4.window<batch = 1, rows = 128, dim = 512, element = f16>)

// -----

// Storage whose byte count overflows int64 cannot exist (2^62 rows of 512
// bf16 values once wrapped to a small size in the cache layout).
// expected-error @+1 {{cache storage of shape [1, 4611686018427387904, 512] needs more than 2^63 bytes}}
func.func private @window_too_large(!v4.window<batch = 1, rows = 4611686018427387904, dim = 512, element = bf16>)

// -----

// expected-error @+1 {{cache storage of shape [65536, 4294967296, 65536] needs more than 2^63 bytes}}
func.func private @compressed_too_large(!v4.compressed<batch = 65536, ratio = 4, capacity = 4294967296, dim = 65536, element = bf16>)

// -----

// expected-error @+1 {{cache storage of shape [1, 9223372036854775807, 128] needs more than 2^63 bytes}}
func.func private @indexer_too_large(!v4.indexer_keys<batch = 1, capacity = 9223372036854775807, dim = 128, element = bf16>)

// -----

// expected-error @+1 {{cache storage of shape [2, 4611686018427387904, 8, 2, 512] needs more than 2^63 bytes}}
func.func private @state_too_large(!v4.compressor_state<batch = 4611686018427387904, ratio = 4, coff = 2, dim = 512>)

// -----

// Indexer keys are bf16, FP8 or MXFP4.
// expected-error @+1 {{indexer keys are stored as bf16, f8E4M3FN or f4E2M1FN, got 'f16'}}
func.func private @indexer_element(!v4.indexer_keys<batch = 1, capacity = 8, dim = 128, element = f16>)

// -----

// Compressed entries come from a ratio-4 or power-of-two HCA compressor.
// expected-error @+1 {{compression ratio must be 4 (CSA) or a power of two in [8, 128] (HCA), got 0}}
func.func private @compressed_ratio_zero(!v4.compressed<batch = 1, ratio = 0, capacity = 8, dim = 512, element = bf16>)

// -----

// Ratio 256 is beyond V4's heaviest compression.
// expected-error @+1 {{compression ratio must be 4 (CSA) or a power of two in [8, 128] (HCA), got 256}}
func.func private @compressed_ratio_large(!v4.compressed<batch = 1, ratio = 256, capacity = 8, dim = 512, element = bf16>)

// -----

// The capacity is the maximum number of entries, at least one.
// expected-error @+1 {{capacity must be positive, got 0}}
func.func private @compressed_capacity(!v4.compressed<batch = 1, ratio = 4, capacity = 0, dim = 512, element = bf16>)

// -----

// Compressed entries are encoded as the window's rows.
// expected-error @+1 {{cache rows are stored as bf16 or f8E4M3FN, got 'f32'}}
func.func private @compressed_element(!v4.compressed<batch = 1, ratio = 128, capacity = 8, dim = 512, element = f32>)

// -----

// Indexer keys go through a Hadamard and FP4 blocks of 32.
// expected-error @+1 {{indexer key dim must be a power of two >= 32 (Hadamard size, FP4 block 32), got 96}}
func.func private @indexer_dim(!v4.indexer_keys<batch = 1, capacity = 8, dim = 96, element = bf16>)

// -----

// 16-wide keys would not fill one FP4 block.
// expected-error @+1 {{indexer key dim must be a power of two >= 32 (Hadamard size, FP4 block 32), got 16}}
func.func private @indexer_dim_small(!v4.indexer_keys<batch = 1, capacity = 8, dim = 16, element = bf16>)

// -----

// Indexer key caches have a positive capacity.
// expected-error @+1 {{capacity must be positive, got 0}}
func.func private @indexer_capacity(!v4.indexer_keys<batch = 1, capacity = 0, dim = 128, element = bf16>)

// -----

// Compressor state exists for valid ratios only.
// expected-error @+1 {{compression ratio must be 4 (CSA) or a power of two in [8, 128] (HCA), got 6}}
func.func private @state_ratio(!v4.compressor_state<batch = 1, ratio = 6, coff = 1, dim = 512>)

// -----

// The overlapping ratio-4 compressor keeps two halves per slot.
// expected-error @+1 {{compressor state coff must be 2 for ratio 4 (2 only for the overlapping ratio-4 compressor), got 1}}
func.func private @state_coff_csa(!v4.compressor_state<batch = 1, ratio = 4, coff = 1, dim = 512>)

// -----

// HCA compressors do not overlap.
// expected-error @+1 {{compressor state coff must be 1 for ratio 128 (2 only for the overlapping ratio-4 compressor), got 2}}
func.func private @state_coff_hca(!v4.compressor_state<batch = 1, ratio = 128, coff = 2, dim = 512>)

// -----

// The compressed width is positive.
// expected-error @+1 {{dim must be positive, got 0}}
func.func private @state_dim(!v4.compressor_state<batch = 1, ratio = 128, coff = 1, dim = 0>)

// -----

// RoPE frequencies need base > 1.
func.func @rope_base(%x: tensor<4x64xbf16>, %p: tensor<4xi32>) {
  // expected-error @+1 {{rope base must be > 1, got 1}}
  %y = v4.rope %x, %p <base = 1.0, rope_dim = 64, factor = 1.0, original_seq_len = 65536, beta_fast = 32.0, beta_slow = 1.0>
      : tensor<4x64xbf16>, tensor<4xi32>
  return
}

// -----

// Rotations act on pairs of dims.
func.func @rope_dim_odd(%x: tensor<4x64xbf16>, %p: tensor<4xi32>) {
  // expected-error @+1 {{rope_dim must be positive and even, got 63}}
  %y = v4.rope %x, %p <base = 10000.0, rope_dim = 63, factor = 1.0, original_seq_len = 65536, beta_fast = 32.0, beta_slow = 1.0>
      : tensor<4x64xbf16>, tensor<4xi32>
  return
}

// -----

// YaRN only stretches wavelengths (factor 1 disables it).
func.func @rope_factor(%x: tensor<4x64xbf16>, %p: tensor<4xi32>) {
  // expected-error @+1 {{YaRN factor must be >= 1 (1 disables YaRN), got 0.5}}
  %y = v4.rope %x, %p <base = 10000.0, rope_dim = 64, factor = 0.5, original_seq_len = 65536, beta_fast = 32.0, beta_slow = 1.0>
      : tensor<4x64xbf16>, tensor<4xi32>
  return
}

// -----

// The YaRN correction range needs the original context length.
func.func @rope_original_len(%x: tensor<4x64xbf16>, %p: tensor<4xi32>) {
  // expected-error @+1 {{original_seq_len must be positive, got 0}}
  %y = v4.rope %x, %p <base = 10000.0, rope_dim = 64, factor = 16.0, original_seq_len = 0, beta_fast = 32.0, beta_slow = 1.0>
      : tensor<4x64xbf16>, tensor<4xi32>
  return
}

// -----

// The YaRN ramp goes from beta_fast down to beta_slow.
func.func @rope_betas(%x: tensor<4x64xbf16>, %p: tensor<4xi32>) {
  // expected-error @+1 {{YaRN betas must satisfy beta_fast > beta_slow > 0, got beta_fast = 1, beta_slow = 32}}
  %y = v4.rope %x, %p <base = 10000.0, rope_dim = 64, factor = 16.0, original_seq_len = 65536, beta_fast = 1.0, beta_slow = 32.0>
      : tensor<4x64xbf16>, tensor<4xi32>
  return
}
