// RUN: sieve-opt %s --split-input-file --v4-cache-layout | FileCheck %s
// RUN: sieve-opt %s --split-input-file --v4-cache-layout=print=true -o /dev/null | FileCheck %s --check-prefix=TABLE
// RUN: sieve-opt %s --split-input-file --verify-diagnostics --v4-cache-layout="entry=broken" -o /dev/null

// One layer of each kind with V4's shapes (window 128, max_seq_len 4096):
// CSA grows by 512*2/4 + 128*2/4 = 320 bytes per token, HCA by 512*2/128 = 8,
// SWA by nothing. Arguments are grouped per layer by their v4.cache names.
// CHECK-LABEL: func.func @decode(
// CHECK-SAME: attributes {v4.cache_layout = {bytes_per_token = 328 : i64, capacity_bytes = 2342912 : i64, fixed_bytes = 999424 : i64, layers = 3 : i64, slots = 1 : i64}}
// TABLE: cache layout of @decode: 3 layers, 1 sequence slots (bytes per sequence)
// TABLE-NEXT: layer        kind  ratio  bytes/token      entry     window      state     capacity
// TABLE-NEXT: layers.0     swa       0            0          0     131072          0       131072
// TABLE-NEXT: layers.2     csa       4          320       1280     131072      81920      1523712
// TABLE-NEXT: layers.3     hca     128            8       1024     131072     524288       688128
// TABLE-NEXT: total: 328 bytes/token, 976.0 KiB (999424 bytes) fixed, 2.2 MiB (2342912 bytes) at capacity; 2.2 MiB (2342912 bytes) for all 1 slot
func.func @decode(
    %t: tensor<1xi32>, %p: index,
    %w0: !v4.window<batch = 1, rows = 128, dim = 512, element = bf16> {v4.cache = "layers.0.window"},
    %w2: !v4.window<batch = 1, rows = 128, dim = 512, element = bf16> {v4.cache = "layers.2.window"},
    %c2: !v4.compressed<batch = 1, ratio = 4, capacity = 1024, dim = 512, element = bf16> {v4.cache = "layers.2.compressed"},
    %s2: !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 512> {v4.cache = "layers.2.compressor_state"},
    %k2: !v4.indexer_keys<batch = 1, capacity = 1024, dim = 128, element = bf16> {v4.cache = "layers.2.indexer_keys"},
    %i2: !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128> {v4.cache = "layers.2.indexer_state"},
    %w3: !v4.window<batch = 1, rows = 128, dim = 512, element = bf16> {v4.cache = "layers.3.window"},
    %c3: !v4.compressed<batch = 1, ratio = 128, capacity = 32, dim = 512, element = bf16> {v4.cache = "layers.3.compressed"},
    %s3: !v4.compressor_state<batch = 1, ratio = 128, coff = 1, dim = 512> {v4.cache = "layers.3.compressor_state"}) {
  return
}

// -----

// Unnamed cache arguments form one group each; fractional growth is kept
// (a ratio-8 cache of 4-element rows grows by 1 byte per token; ratio 16, 0.5).
// CHECK-LABEL: func.func @decode(
// CHECK-SAME: attributes {v4.cache_layout = {bytes_per_token = 1.500000e+00 : f64, capacity_bytes = 48 : i64, fixed_bytes = 0 : i64, layers = 2 : i64, slots = 1 : i64}}
// TABLE: cache layout of @decode: 2 layers
// TABLE: arg0 hca 8 1 8 0 0 32
// TABLE-NEXT: arg1 hca 16 0.50 8 0 0 16
// TABLE-NEXT: total: 1.50 bytes/token, 0 bytes fixed, 48 bytes at capacity; 48 bytes for all 1 slot
func.func @decode(
    %a: !v4.compressed<batch = 1, ratio = 8, capacity = 4, dim = 4, element = bf16>,
    %b: !v4.compressed<batch = 1, ratio = 16, capacity = 2, dim = 4, element = bf16>) {
  return
}

// -----

// Caches with 4 sequence slots (batched decode): the figures stay per
// sequence (the 128-row window is 128*512*2 bytes whatever the slots), the
// total for all slots is 4x.
// CHECK-LABEL: func.func @decode(
// CHECK-SAME: attributes {v4.cache_layout = {bytes_per_token = 8 : i64, capacity_bytes = 688128 : i64, fixed_bytes = 655360 : i64, layers = 1 : i64, slots = 4 : i64}}
// TABLE: cache layout of @decode: 1 layers, 4 sequence slots (bytes per sequence)
// TABLE: layers.3     hca     128            8       1024     131072     524288       688128
// TABLE-NEXT: total: 8 bytes/token, 640.0 KiB (655360 bytes) fixed, 672.0 KiB (688128 bytes) at capacity; 2.6 MiB (2752512 bytes) for all 4 slots
func.func @decode(
    %w3: !v4.window<batch = 4, rows = 128, dim = 512, element = bf16> {v4.cache = "layers.3.window"},
    %c3: !v4.compressed<batch = 4, ratio = 128, capacity = 32, dim = 512, element = bf16> {v4.cache = "layers.3.compressed"},
    %s3: !v4.compressor_state<batch = 4, ratio = 128, coff = 1, dim = 512> {v4.cache = "layers.3.compressor_state"}) {
  return
}

// -----

// Without the entry function the pass changes nothing.
// CHECK-LABEL: func.func @prefill(
// CHECK-NOT: v4.cache_layout
func.func @prefill(%w: !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.0.window"}) {
  return
}

// -----

// A v4.cache name must be a string.
// expected-error @+1 {{v4-cache-layout: argument 0 of @broken has a v4.cache attribute that is not a string ("layers.N.role"): 7 : i64}}
func.func @broken(%w: !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = 7 : i64}) {
  return
}

// -----

// The caches of one function hold the same sequences.
func.func @broken(%w: !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.0.window"},
// expected-error @+1 {{v4-cache-layout: the caches of @broken hold different numbers of sequences: argument 1 has batch 4, earlier ones 2}}
                  %c: !v4.compressed<batch = 4, ratio = 4, capacity = 8, dim = 128, element = bf16> {v4.cache = "layers.0.compressed"}) {
  return
}
