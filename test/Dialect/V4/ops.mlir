// RUN: sieve-opt %s --split-input-file | FileCheck %s
// Round trip through the generic form and through bytecode.
// RUN: sieve-opt %s --split-input-file --mlir-print-op-generic | sieve-opt --split-input-file | FileCheck %s
// RUN: sieve-opt %s --emit-bytecode | sieve-opt | FileCheck %s

// Per-token activation quantization to FP8 codes with E8M0 scales.
// CHECK-LABEL: func @quantize_fp8
// CHECK: %{{.*}}, %{{.*}} = v4.quantize %{{.*}} block 128 rule ceil : tensor<?x4096xbf16> -> tensor<?x4096xf8E4M3FN>, tensor<?x32xf8E8M0FNU>
func.func @quantize_fp8(%x: tensor<?x4096xbf16>) -> (tensor<?x4096xf8E4M3FN>, tensor<?x32xf8E8M0FNU>) {
  %codes, %scales = v4.quantize %x block 128 rule ceil
      : tensor<?x4096xbf16> -> tensor<?x4096xf8E4M3FN>, tensor<?x32xf8E8M0FNU>
  return %codes, %scales : tensor<?x4096xf8E4M3FN>, tensor<?x32xf8E8M0FNU>
}

// -----

// FP4 codes with the OCP floor rule and 32-wide blocks.
// CHECK-LABEL: func @quantize_fp4_floor
// CHECK: v4.quantize %{{.*}} block 32 rule floor : tensor<2x128xf32> -> tensor<2x128xf4E2M1FN>, tensor<2x4xf8E8M0FNU>
func.func @quantize_fp4_floor(%x: tensor<2x128xf32>) -> (tensor<2x128xf4E2M1FN>, tensor<2x4xf8E8M0FNU>) {
  %codes, %scales = v4.quantize %x block 32 rule floor
      : tensor<2x128xf32> -> tensor<2x128xf4E2M1FN>, tensor<2x4xf8E8M0FNU>
  return %codes, %scales : tensor<2x128xf4E2M1FN>, tensor<2x4xf8E8M0FNU>
}

// -----

// Dequantization of an MXFP4 weight to bf16.
// CHECK-LABEL: func @dequantize
// CHECK: v4.dequantize %{{.*}}, %{{.*}} block 32 : tensor<64x256xf4E2M1FN>, tensor<64x8xf8E8M0FNU> -> tensor<64x256xbf16>
func.func @dequantize(%c: tensor<64x256xf4E2M1FN>, %s: tensor<64x8xf8E8M0FNU>) -> tensor<64x256xbf16> {
  %w = v4.dequantize %c, %s block 32 : tensor<64x256xf4E2M1FN>, tensor<64x8xf8E8M0FNU> -> tensor<64x256xbf16>
  return %w : tensor<64x256xbf16>
}

// -----

// FP8sim64 on the nope dims of a KV row and FP4sim32 on indexer keys.
// CHECK-LABEL: func @simulate_quant
// CHECK: v4.simulate_quant %{{.*}} format f8E4M3FN block 64 rule ceil : tensor<1x?x448xbf16>
// CHECK: v4.simulate_quant %{{.*}} format f4E2M1FN block 32 rule ceil : tensor<1x?x128xbf16>
func.func @simulate_quant(%nope: tensor<1x?x448xbf16>, %k: tensor<1x?x128xbf16>) -> (tensor<1x?x448xbf16>, tensor<1x?x128xbf16>) {
  %0 = v4.simulate_quant %nope format f8E4M3FN block 64 rule ceil : tensor<1x?x448xbf16>
  %1 = v4.simulate_quant %k format f4E2M1FN block 32 rule ceil : tensor<1x?x128xbf16>
  return %0, %1 : tensor<1x?x448xbf16>, tensor<1x?x128xbf16>
}

// -----

// Block-scaled FP8 GEMM; N = 1000 is not a multiple of 128, so the scale grid rounds up.
// CHECK-LABEL: func @fp8_matmul
// CHECK: v4.fp8_matmul %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} block [128, 128] : (tensor<1x?x4096xf8E4M3FN>, tensor<1x?x32xf8E8M0FNU>, tensor<1000x4096xf8E4M3FN>, tensor<8x32xf8E8M0FNU>) -> tensor<1x?x1000xbf16>
func.func @fp8_matmul(%a: tensor<1x?x4096xf8E4M3FN>, %as: tensor<1x?x32xf8E8M0FNU>,
                      %w: tensor<1000x4096xf8E4M3FN>, %ws: tensor<8x32xf8E8M0FNU>) -> tensor<1x?x1000xbf16> {
  %y = v4.fp8_matmul %a, %as, %w, %ws block [128, 128]
      : (tensor<1x?x4096xf8E4M3FN>, tensor<1x?x32xf8E8M0FNU>, tensor<1000x4096xf8E4M3FN>, tensor<8x32xf8E8M0FNU>) -> tensor<1x?x1000xbf16>
  return %y : tensor<1x?x1000xbf16>
}

// -----

// Grouped FP8 GEMM over stacked expert weights with 32x32 blocks (V4.1 layout).
// CHECK-LABEL: func @fp8_matmul_grouped
// CHECK: v4.fp8_matmul %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} groups %{{.*}} block [32, 32] : (tensor<?x256xf8E4M3FN>, tensor<?x8xf8E8M0FNU>, tensor<4x64x256xf8E4M3FN>, tensor<4x2x8xf8E8M0FNU>, tensor<5xi32>) -> tensor<?x64xf32>
func.func @fp8_matmul_grouped(%a: tensor<?x256xf8E4M3FN>, %as: tensor<?x8xf8E8M0FNU>, %w: tensor<4x64x256xf8E4M3FN>,
                              %ws: tensor<4x2x8xf8E8M0FNU>, %off: tensor<5xi32>) -> tensor<?x64xf32> {
  %y = v4.fp8_matmul %a, %as, %w, %ws groups %off block [32, 32]
      : (tensor<?x256xf8E4M3FN>, tensor<?x8xf8E8M0FNU>, tensor<4x64x256xf8E4M3FN>, tensor<4x2x8xf8E8M0FNU>, tensor<5xi32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

// Dense FP8 x MXFP4 GEMM (shared layout of a routed expert weight).
// CHECK-LABEL: func @mxfp4_matmul
// CHECK: v4.mxfp4_matmul %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} act_block 128 : (tensor<?x4096xf8E4M3FN>, tensor<?x32xf8E8M0FNU>, tensor<2048x4096xf4E2M1FN>, tensor<2048x128xf8E8M0FNU>) -> tensor<?x2048xbf16>
func.func @mxfp4_matmul(%a: tensor<?x4096xf8E4M3FN>, %as: tensor<?x32xf8E8M0FNU>,
                        %w: tensor<2048x4096xf4E2M1FN>, %ws: tensor<2048x128xf8E8M0FNU>) -> tensor<?x2048xbf16> {
  %y = v4.mxfp4_matmul %a, %as, %w, %ws act_block 128
      : (tensor<?x4096xf8E4M3FN>, tensor<?x32xf8E8M0FNU>, tensor<2048x4096xf4E2M1FN>, tensor<2048x128xf8E8M0FNU>) -> tensor<?x2048xbf16>
  return %y : tensor<?x2048xbf16>
}

// -----

// Grouped MXFP4 GEMM over routed experts.
// CHECK-LABEL: func @mxfp4_matmul_grouped
// CHECK: v4.mxfp4_matmul %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} groups %{{.*}} act_block 128 : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x128xbf16>
func.func @mxfp4_matmul_grouped(%a: tensor<?x256xf8E4M3FN>, %as: tensor<?x2xf8E8M0FNU>, %w: tensor<8x128x256xf4E2M1FN>,
                                %ws: tensor<8x128x8xf8E8M0FNU>, %off: tensor<9xi32>) -> tensor<?x128xbf16> {
  %y = v4.mxfp4_matmul %a, %as, %w, %ws groups %off act_block 128
      : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x128xbf16>
  return %y : tensor<?x128xbf16>
}

// -----

// RMSNorm with a weight, a weightless one, and the per-head query norm that
// rounds each step to the element type.
// CHECK-LABEL: func @rms_norm
// CHECK: v4.rms_norm %{{.*}} weight %{{.*}} eps 9.9999999999999995E-7 : tensor<1x?x4096xbf16>, tensor<4096xbf16>
// CHECK: v4.rms_norm %{{.*}} eps 9.9999999999999995E-7 : tensor<1x?x64x512xbf16>
// CHECK: v4.rms_norm %{{.*}} round_each_step eps 9.9999999999999995E-7 : tensor<1x?x64x512xbf16>
// CHECK: v4.rms_norm %{{.*}} weight %{{.*}} round_each_step eps 9.9999999999999995E-7 : tensor<1x?x4096xbf16>, tensor<4096xbf16>
func.func @rms_norm(%x: tensor<1x?x4096xbf16>, %w: tensor<4096xbf16>, %q: tensor<1x?x64x512xbf16>) -> (tensor<1x?x4096xbf16>, tensor<1x?x64x512xbf16>, tensor<1x?x64x512xbf16>, tensor<1x?x4096xbf16>) {
  %0 = v4.rms_norm %x weight %w eps 1.0e-6 : tensor<1x?x4096xbf16>, tensor<4096xbf16>
  %1 = v4.rms_norm %q eps 1.0e-6 : tensor<1x?x64x512xbf16>
  %2 = v4.rms_norm %q round_each_step eps 1.0e-6 : tensor<1x?x64x512xbf16>
  %3 = v4.rms_norm %x weight %w round_each_step eps 1.0e-6 : tensor<1x?x4096xbf16>, tensor<4096xbf16>
  return %0, %1, %2, %3 : tensor<1x?x4096xbf16>, tensor<1x?x64x512xbf16>, tensor<1x?x64x512xbf16>, tensor<1x?x4096xbf16>
}

// -----

// RoPE with YaRN on queries, and the inverse rotation of attention outputs.
// CHECK-LABEL: func @rope
// CHECK: v4.rope %{{.*}}, %{{.*}} <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<1x?x64x512xbf16>, tensor<1x?xi32>
// CHECK: v4.rope %{{.*}}, %{{.*}} <base = 1.000000e+04, rope_dim = 64, factor = 1.000000e+00, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> inverse : tensor<1x?x64x512xbf16>, tensor<1x?xi32>
func.func @rope(%q: tensor<1x?x64x512xbf16>, %pos: tensor<1x?xi32>) -> tensor<1x?x64x512xbf16> {
  %0 = v4.rope %q, %pos <base = 160000.0, rope_dim = 64, factor = 16.0, original_seq_len = 65536, beta_fast = 32.0, beta_slow = 1.0>
      : tensor<1x?x64x512xbf16>, tensor<1x?xi32>
  %1 = v4.rope %0, %pos <base = 10000.0, rope_dim = 64, factor = 1.0, original_seq_len = 65536, beta_fast = 32.0, beta_slow = 1.0> inverse
      : tensor<1x?x64x512xbf16>, tensor<1x?xi32>
  return %1 : tensor<1x?x64x512xbf16>
}

// -----

// Normalized Walsh-Hadamard transform of indexer queries.
// CHECK-LABEL: func @hadamard
// CHECK: v4.hadamard %{{.*}} : tensor<1x?x64x128xbf16>
func.func @hadamard(%q: tensor<1x?x64x128xbf16>) -> tensor<1x?x64x128xbf16> {
  %0 = v4.hadamard %q : tensor<1x?x64x128xbf16>
  return %0 : tensor<1x?x64x128xbf16>
}

// -----

// Clamped SwiGLU of a routed expert (with routing weights) and of the shared expert.
// CHECK-LABEL: func @swiglu
// CHECK: v4.swiglu %{{.*}}, %{{.*}} weights %{{.*}} limit 1.000000e+01 : tensor<?x2048xbf16>, tensor<?xf32> -> tensor<?x2048xbf16>
// CHECK: v4.swiglu %{{.*}}, %{{.*}} limit 1.000000e+01 : tensor<?x2048xbf16> -> tensor<?x2048xbf16>
func.func @swiglu(%g: tensor<?x2048xbf16>, %u: tensor<?x2048xbf16>, %w: tensor<?xf32>) -> (tensor<?x2048xbf16>, tensor<?x2048xbf16>) {
  %0 = v4.swiglu %g, %u weights %w limit 10.0 : tensor<?x2048xbf16>, tensor<?xf32> -> tensor<?x2048xbf16>
  %1 = v4.swiglu %g, %u limit 10.0 : tensor<?x2048xbf16> -> tensor<?x2048xbf16>
  return %0, %1 : tensor<?x2048xbf16>, tensor<?x2048xbf16>
}

// -----

// Grouped low-rank output projection, 64 heads in 8 groups.
// CHECK-LABEL: func @grouped_linear
// CHECK: v4.grouped_linear %{{.*}}, %{{.*}} groups 8 : tensor<1x?x64x512xbf16>, tensor<8x1024x4096xbf16> -> tensor<1x?x8x1024xbf16>
func.func @grouped_linear(%o: tensor<1x?x64x512xbf16>, %wa: tensor<8x1024x4096xbf16>) -> tensor<1x?x8x1024xbf16> {
  %z = v4.grouped_linear %o, %wa groups 8 : tensor<1x?x64x512xbf16>, tensor<8x1024x4096xbf16> -> tensor<1x?x8x1024xbf16>
  return %z : tensor<1x?x8x1024xbf16>
}

// -----

// Hyper-connection pre-mix, post-mix and final head for 4 streams of width 256.
// CHECK-LABEL: func @hyper_connections
// CHECK: v4.hc_pre %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} iters 20 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<1x?x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x?x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>)
// CHECK: v4.hc_post %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<1x?x256xbf16>, tensor<1x?x4x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>
// CHECK: v4.hc_head %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<1x?x4x256xbf16>, tensor<4x1024xf32>, tensor<4xf32>, tensor<1xf32>) -> tensor<1x?x256xbf16>
func.func @hyper_connections(%h: tensor<1x?x4x256xbf16>, %fn: tensor<24x1024xf32>, %base: tensor<24xf32>, %scale: tensor<3xf32>,
                             %hfn: tensor<4x1024xf32>, %hbase: tensor<4xf32>, %hscale: tensor<1xf32>) -> tensor<1x?x256xbf16> {
  %a, %post, %comb = v4.hc_pre %h, %fn, %base, %scale iters 20 eps 1.0e-6 norm_eps 1.0e-6
      : (tensor<1x?x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>)
        -> (tensor<1x?x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>)
  %h2 = v4.hc_post %a, %h, %post, %comb
      : tensor<1x?x256xbf16>, tensor<1x?x4x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>
  %y = v4.hc_head %h2, %hfn, %hbase, %hscale eps 1.0e-6 norm_eps 1.0e-6
      : (tensor<1x?x4x256xbf16>, tensor<4x1024xf32>, tensor<4xf32>, tensor<1xf32>) -> tensor<1x?x256xbf16>
  return %y : tensor<1x?x256xbf16>
}

// -----

// Overlapping ratio-4 compressor (CSA) and non-overlapping ratio-128 compressor (HCA).
// CHECK-LABEL: func @compress
// CHECK: v4.compress %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} at %{{.*}} ratio 4 overlap : tensor<1x?x1024xf32>, tensor<4x1024xf32>, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 512>, tensor<1xi32> -> tensor<1x?x512xf32>
// CHECK: v4.compress %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} at %{{.*}} ratio 128 : tensor<1x300x512xf32>, tensor<128x512xf32>, !v4.compressor_state<batch = 1, ratio = 128, coff = 1, dim = 512>, tensor<1xi32> -> tensor<1x3x512xf32>
func.func @compress(%kv: tensor<1x?x1024xf32>, %sc: tensor<1x?x1024xf32>, %ape: tensor<4x1024xf32>,
                    %s: !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 512>,
                    %kv2: tensor<1x300x512xf32>, %sc2: tensor<1x300x512xf32>, %ape2: tensor<128x512xf32>,
                    %s2: !v4.compressor_state<batch = 1, ratio = 128, coff = 1, dim = 512>, %pos: tensor<1xi32>)
    -> (tensor<1x?x512xf32>, tensor<1x3x512xf32>) {
  %e, %s1 = v4.compress %kv, %sc, %ape, %s at %pos ratio 4 overlap
      : tensor<1x?x1024xf32>, tensor<4x1024xf32>, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 512>, tensor<1xi32> -> tensor<1x?x512xf32>
  %e2, %s3 = v4.compress %kv2, %sc2, %ape2, %s2 at %pos ratio 128
      : tensor<1x300x512xf32>, tensor<128x512xf32>, !v4.compressor_state<batch = 1, ratio = 128, coff = 1, dim = 512>, tensor<1xi32> -> tensor<1x3x512xf32>
  return %e, %e2 : tensor<1x?x512xf32>, tensor<1x3x512xf32>
}

// -----

// Fresh caches of every kind and their contents.
// CHECK-LABEL: func @cache_init_read
// CHECK: v4.cache_init : !v4.window<batch = 1, rows = 128, dim = 512, element = bf16>
// CHECK: v4.cache_read %{{.*}} : !v4.window<batch = 1, rows = 128, dim = 512, element = bf16> -> tensor<1x128x512xbf16>
// CHECK: v4.cache_init : !v4.compressed<batch = 1, ratio = 4, capacity = 1024, dim = 512, element = bf16>
// CHECK: v4.cache_read %{{.*}} : !v4.compressed<batch = 1, ratio = 4, capacity = 1024, dim = 512, element = bf16> -> tensor<1x1024x512xbf16>
// CHECK: v4.cache_init : !v4.indexer_keys<batch = 1, capacity = 1024, dim = 128, element = bf16>
// CHECK: v4.cache_read %{{.*}} : !v4.indexer_keys<batch = 1, capacity = 1024, dim = 128, element = bf16> -> tensor<1x1024x128xbf16>
// CHECK: v4.cache_init : !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128>
// CHECK: v4.cache_read %{{.*}} : !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128> -> tensor<2x2x8x256xf32>
func.func @cache_init_read() -> (tensor<1x128x512xbf16>, tensor<1x1024x512xbf16>, tensor<1x1024x128xbf16>, tensor<2x2x8x256xf32>) {
  %w = v4.cache_init : !v4.window<batch = 1, rows = 128, dim = 512, element = bf16>
  %0 = v4.cache_read %w : !v4.window<batch = 1, rows = 128, dim = 512, element = bf16> -> tensor<1x128x512xbf16>
  %c = v4.cache_init : !v4.compressed<batch = 1, ratio = 4, capacity = 1024, dim = 512, element = bf16>
  %1 = v4.cache_read %c : !v4.compressed<batch = 1, ratio = 4, capacity = 1024, dim = 512, element = bf16> -> tensor<1x1024x512xbf16>
  %k = v4.cache_init : !v4.indexer_keys<batch = 1, capacity = 1024, dim = 128, element = bf16>
  %2 = v4.cache_read %k : !v4.indexer_keys<batch = 1, capacity = 1024, dim = 128, element = bf16> -> tensor<1x1024x128xbf16>
  %s = v4.cache_init : !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128>
  %3 = v4.cache_read %s : !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128> -> tensor<2x2x8x256xf32>
  return %0, %1, %2, %3 : tensor<1x128x512xbf16>, tensor<1x1024x512xbf16>, tensor<1x1024x128xbf16>, tensor<2x2x8x256xf32>
}

// -----

// Decode step: append one KV row to the ring and one compressed entry to each cache.
// CHECK-LABEL: func @cache_append
// CHECK: v4.window_append %{{.*}}, %{{.*}} at %{{.*}} : !v4.window<batch = 1, rows = 128, dim = 512, element = bf16>, tensor<1x1x512xbf16>, tensor<1xi32>
// CHECK: v4.compressed_append %{{.*}}, %{{.*}} at %{{.*}} tokens %{{.*}} : !v4.compressed<batch = 1, ratio = 128, capacity = 8192, dim = 512, element = bf16>, tensor<1x1x512xbf16>, tensor<1xi32>
// CHECK: v4.compressed_append %{{.*}}, %{{.*}} at %{{.*}} tokens %{{.*}} : !v4.indexer_keys<batch = 1, capacity = 1024, dim = 128, element = bf16>, tensor<1x1x128xbf16>, tensor<1xi32>
func.func @cache_append(%w: !v4.window<batch = 1, rows = 128, dim = 512, element = bf16>, %kv: tensor<1x1x512xbf16>,
                        %c: !v4.compressed<batch = 1, ratio = 128, capacity = 8192, dim = 512, element = bf16>,
                        %e: tensor<1x1x512xbf16>, %k: !v4.indexer_keys<batch = 1, capacity = 1024, dim = 128, element = bf16>,
                        %ke: tensor<1x1x128xbf16>, %pos: tensor<1xi32>, %n: index)
    -> (!v4.window<batch = 1, rows = 128, dim = 512, element = bf16>,
        !v4.compressed<batch = 1, ratio = 128, capacity = 8192, dim = 512, element = bf16>,
        !v4.indexer_keys<batch = 1, capacity = 1024, dim = 128, element = bf16>) {
  %w1 = v4.window_append %w, %kv at %pos : !v4.window<batch = 1, rows = 128, dim = 512, element = bf16>, tensor<1x1x512xbf16>, tensor<1xi32>
  %c1 = v4.compressed_append %c, %e at %pos tokens %n
      : !v4.compressed<batch = 1, ratio = 128, capacity = 8192, dim = 512, element = bf16>, tensor<1x1x512xbf16>, tensor<1xi32>
  %k1 = v4.compressed_append %k, %ke at %pos tokens %n
      : !v4.indexer_keys<batch = 1, capacity = 1024, dim = 128, element = bf16>, tensor<1x1x128xbf16>, tensor<1xi32>
  return %w1, %c1, %k1 : !v4.window<batch = 1, rows = 128, dim = 512, element = bf16>,
      !v4.compressed<batch = 1, ratio = 128, capacity = 8192, dim = 512, element = bf16>,
      !v4.indexer_keys<batch = 1, capacity = 1024, dim = 128, element = bf16>
}

// -----

// Window indices for a first prefill chunk (its rows), decode (ring slots)
// and a prefill chunk at any position (ring before the chunk, then its rows).
// CHECK-LABEL: func @window_indices
// CHECK: v4.window_indices %{{.*}} rows %{{.*}} window 128 layout chunk : tensor<1xi32> -> tensor<1x?x128xi32>
// CHECK: v4.window_indices %{{.*}} window 128 layout ring : tensor<1xi32> -> tensor<1x1x128xi32>
// CHECK: v4.window_indices %{{.*}} rows %{{.*}} window 128 layout ring_chunk : tensor<1xi32> -> tensor<1x?x128xi32>
func.func @window_indices(%pos: tensor<1xi32>, %s: index) -> (tensor<1x?x128xi32>, tensor<1x1x128xi32>, tensor<1x?x128xi32>) {
  %0 = v4.window_indices %pos rows %s window 128 layout chunk : tensor<1xi32> -> tensor<1x?x128xi32>
  %1 = v4.window_indices %pos window 128 layout ring : tensor<1xi32> -> tensor<1x1x128xi32>
  %2 = v4.window_indices %pos rows %s window 128 layout ring_chunk : tensor<1xi32> -> tensor<1x?x128xi32>
  return %0, %1, %2 : tensor<1x?x128xi32>, tensor<1x1x128xi32>, tensor<1x?x128xi32>
}

// -----

// Lightning indexer scores over the key cache itself, then causal top-k.
// CHECK-LABEL: func @indexer_topk
// CHECK: v4.indexer_score %{{.*}}, %{{.*}}, %{{.*}} : tensor<1x?x64x128xbf16>, !v4.indexer_keys<batch = 1, capacity = 1024, dim = 128, element = bf16>, tensor<1x?x64xbf16> -> tensor<1x?x1024xbf16>
// CHECK: v4.topk %{{.*}} at %{{.*}} k 512 ratio 4 : tensor<1x?x1024xbf16>, tensor<1xi32> -> tensor<1x?x512xi32>
// CHECK: v4.topk %{{.*}} at %{{.*}} k 4 ratio 4 : tensor<1x?x1024xbf16>, tensor<1xi32> -> tensor<1x?x4xi32>
func.func @indexer_topk(%q: tensor<1x?x64x128xbf16>,
                        %k: !v4.indexer_keys<batch = 1, capacity = 1024, dim = 128, element = bf16>,
                        %w: tensor<1x?x64xbf16>, %pos: tensor<1xi32>) -> (tensor<1x?x512xi32>, tensor<1x?x4xi32>) {
  %s = v4.indexer_score %q, %k, %w
      : tensor<1x?x64x128xbf16>, !v4.indexer_keys<batch = 1, capacity = 1024, dim = 128, element = bf16>,
        tensor<1x?x64xbf16> -> tensor<1x?x1024xbf16>
  %0 = v4.topk %s at %pos k 512 ratio 4 : tensor<1x?x1024xbf16>, tensor<1xi32> -> tensor<1x?x512xi32>
  %1 = v4.topk %s at %pos k 4 ratio 4 : tensor<1x?x1024xbf16>, tensor<1xi32> -> tensor<1x?x4xi32>
  return %0, %1 : tensor<1x?x512xi32>, tensor<1x?x4xi32>
}

// -----

// Sliding-window attention: the window source alone, with a per-head sink.
// CHECK-LABEL: func @window_attention
// CHECK: v4.sparse_attention %{{.*}}, %{{.*}}[%{{.*}}], %{{.*}} scale 0.044194173824159216 : tensor<1x1x64x512xbf16>, tensor<1x128x512xbf16>, tensor<1x1x128xi32>, tensor<64xf32>
func.func @window_attention(%q: tensor<1x1x64x512xbf16>, %win: tensor<1x128x512xbf16>,
                            %wi: tensor<1x1x128xi32>, %sink: tensor<64xf32>) -> tensor<1x1x64x512xbf16> {
  %o = v4.sparse_attention %q, %win[%wi], %sink scale 0.044194173824159216
      : tensor<1x1x64x512xbf16>, tensor<1x128x512xbf16>, tensor<1x1x128xi32>, tensor<64xf32>
  return %o : tensor<1x1x64x512xbf16>
}

// -----

// CSA: the window rows and the selected entries of the compressed cache,
// read in place (no concatenation of the cache).
// CHECK-LABEL: func @sparse_attention
// CHECK: v4.sparse_attention %{{.*}}, %{{.*}}[%{{.*}}], %{{.*}} entries %{{.*}}[%{{.*}}] scale 0.044194173824159216 : tensor<1x?x64x512xbf16>, tensor<1x?x512xbf16>, tensor<1x?x128xi32>, tensor<64xf32>, !v4.compressed<batch = 1, ratio = 4, capacity = 1024, dim = 512, element = bf16>, tensor<1x?x512xi32>
func.func @sparse_attention(%q: tensor<1x?x64x512xbf16>, %win: tensor<1x?x512xbf16>, %wi: tensor<1x?x128xi32>,
                            %c: !v4.compressed<batch = 1, ratio = 4, capacity = 1024, dim = 512, element = bf16>,
                            %sel: tensor<1x?x512xi32>, %sink: tensor<64xf32>) -> tensor<1x?x64x512xbf16> {
  %o = v4.sparse_attention %q, %win[%wi], %sink entries %c[%sel] scale 0.044194173824159216
      : tensor<1x?x64x512xbf16>, tensor<1x?x512xbf16>, tensor<1x?x128xi32>, tensor<64xf32>,
        !v4.compressed<batch = 1, ratio = 4, capacity = 1024, dim = 512, element = bf16>,
        tensor<1x?x512xi32>
  return %o : tensor<1x?x64x512xbf16>
}

// -----

// Heavily compressed attention: window rows plus every visible entry of a
// ratio-128 cache (the ratio is the cache type's).
// CHECK-LABEL: func @hca_attention
// CHECK: v4.hca_attention %{{.*}}, %{{.*}}[%{{.*}}] entries %{{.*}}, %{{.*}} at %{{.*}} scale 0.044194173824159216 : tensor<1x1x64x512xbf16>, tensor<1x128x512xbf16>, tensor<1x1x128xi32>, !v4.compressed<batch = 1, ratio = 128, capacity = 8192, dim = 512, element = bf16>, tensor<64xf32>, tensor<1xi32>
func.func @hca_attention(%q: tensor<1x1x64x512xbf16>, %win: tensor<1x128x512xbf16>, %wi: tensor<1x1x128xi32>,
                         %c: !v4.compressed<batch = 1, ratio = 128, capacity = 8192, dim = 512, element = bf16>,
                         %sink: tensor<64xf32>, %pos: tensor<1xi32>) -> tensor<1x1x64x512xbf16> {
  %o = v4.hca_attention %q, %win[%wi] entries %c, %sink at %pos scale 0.044194173824159216
      : tensor<1x1x64x512xbf16>, tensor<1x128x512xbf16>, tensor<1x1x128xi32>,
        !v4.compressed<batch = 1, ratio = 128, capacity = 8192, dim = 512, element = bf16>, tensor<64xf32>,
        tensor<1xi32>
  return %o : tensor<1x1x64x512xbf16>
}

// -----

// Score routing with bias and hash routing by token id (the table i32, or
// the checkpoint's i64 read in place).
// CHECK-LABEL: func @moe_routing
// CHECK: v4.moe_route %{{.*}}, %{{.*}} k 6 route_scale 1.500000e+00 normalize : tensor<?x256xf32>, tensor<256xf32> -> tensor<?x6xf32>, tensor<?x6xi32>
// CHECK: v4.moe_hash_route %{{.*}}, %{{.*}}, %{{.*}} route_scale 1.500000e+00 normalize : tensor<?x256xf32>, tensor<?xi32>, tensor<129280x6xi32> -> tensor<?x6xf32>, tensor<?x6xi32>
// CHECK: v4.moe_route %{{.*}}, %{{.*}} k 2 route_scale 2.500000e+00 : tensor<3x8xf32>, tensor<8xf32> -> tensor<3x2xf32>, tensor<3x2xi32>
// CHECK: v4.moe_hash_route %{{.*}}, %{{.*}}, %{{.*}} route_scale 1.500000e+00 normalize : tensor<?x256xf32>, tensor<?xi32>, tensor<129280x6xi64> -> tensor<?x6xf32>, tensor<?x6xi32>
func.func @moe_routing(%logits: tensor<?x256xf32>, %bias: tensor<256xf32>, %tok: tensor<?xi32>, %table: tensor<129280x6xi32>,
                       %l2: tensor<3x8xf32>, %b2: tensor<8xf32>, %table64: tensor<129280x6xi64>) -> (tensor<?x6xi32>, tensor<?x6xi32>, tensor<3x2xi32>, tensor<?x6xi32>) {
  %w0, %e0 = v4.moe_route %logits, %bias k 6 route_scale 1.5 normalize
      : tensor<?x256xf32>, tensor<256xf32> -> tensor<?x6xf32>, tensor<?x6xi32>
  %w1, %e1 = v4.moe_hash_route %logits, %tok, %table route_scale 1.5 normalize
      : tensor<?x256xf32>, tensor<?xi32>, tensor<129280x6xi32> -> tensor<?x6xf32>, tensor<?x6xi32>
  %w2, %e2 = v4.moe_route %l2, %b2 k 2 route_scale 2.5 : tensor<3x8xf32>, tensor<8xf32> -> tensor<3x2xf32>, tensor<3x2xi32>
  %w3, %e3 = v4.moe_hash_route %logits, %tok, %table64 route_scale 1.5 normalize
      : tensor<?x256xf32>, tensor<?xi32>, tensor<129280x6xi64> -> tensor<?x6xf32>, tensor<?x6xi32>
  return %e0, %e1, %e2, %e3 : tensor<?x6xi32>, tensor<?x6xi32>, tensor<3x2xi32>, tensor<?x6xi32>
}

// -----

// Dispatch of 3 tokens to 2 of 8 experts each, then combine with the shared expert.
// CHECK-LABEL: func @moe_dispatch_combine
// CHECK: v4.moe_dispatch %{{.*}}, %{{.*}}, %{{.*}} num_experts 8 : (tensor<3x256xbf16>, tensor<3x2xi32>, tensor<3x2xf32>) -> (tensor<6x256xbf16>, tensor<6xf32>, tensor<6xi32>, tensor<9xi32>)
// CHECK: v4.moe_combine %{{.*}}, %{{.*}} shared %{{.*}} : (tensor<6x256xbf16>, tensor<6xi32>, tensor<3x256xbf16>) -> tensor<3x256xbf16>
// CHECK: v4.moe_combine %{{.*}}, %{{.*}} : (tensor<6x256xbf16>, tensor<6xi32>) -> tensor<3x256xbf16>
func.func @moe_dispatch_combine(%x: tensor<3x256xbf16>, %e: tensor<3x2xi32>, %w: tensor<3x2xf32>, %sh: tensor<3x256xbf16>)
    -> (tensor<3x256xbf16>, tensor<3x256xbf16>, tensor<6xf32>, tensor<9xi32>) {
  %rows, %rw, %perm, %off = v4.moe_dispatch %x, %e, %w num_experts 8
      : (tensor<3x256xbf16>, tensor<3x2xi32>, tensor<3x2xf32>) -> (tensor<6x256xbf16>, tensor<6xf32>, tensor<6xi32>, tensor<9xi32>)
  %y = v4.moe_combine %rows, %perm shared %sh : (tensor<6x256xbf16>, tensor<6xi32>, tensor<3x256xbf16>) -> tensor<3x256xbf16>
  %y2 = v4.moe_combine %rows, %perm : (tensor<6x256xbf16>, tensor<6xi32>) -> tensor<3x256xbf16>
  return %y, %y2, %rw, %off : tensor<3x256xbf16>, tensor<3x256xbf16>, tensor<6xf32>, tensor<9xi32>
}

// -----

// Weights bound by official checkpoint names: plain, scales, and one stacked
// parameter per routed-expert matrix (FP4 codes, E8M0 scales).
// CHECK-LABEL: func @params
// CHECK: v4.param "layers.0.attn.wq_a.weight" : tensor<1024x4096xf8E4M3FN>
// CHECK: v4.param "layers.0.attn.wq_a.scale" : tensor<8x32xf8E8M0FNU>
// CHECK: v4.param "layers.3.ffn.experts.*.w1.weight" : tensor<256x2048x4096xf4E2M1FN>
// CHECK: v4.param "layers.0.ffn.gate.tid2eid" : tensor<129280x6xi64>
func.func @params() -> (tensor<1024x4096xf8E4M3FN>, tensor<8x32xf8E8M0FNU>,
                        tensor<256x2048x4096xf4E2M1FN>, tensor<129280x6xi64>) {
  %w = v4.param "layers.0.attn.wq_a.weight" : tensor<1024x4096xf8E4M3FN>
  %s = v4.param "layers.0.attn.wq_a.scale" : tensor<8x32xf8E8M0FNU>
  %e = v4.param "layers.3.ffn.experts.*.w1.weight" : tensor<256x2048x4096xf4E2M1FN>
  %t = v4.param "layers.0.ffn.gate.tid2eid" : tensor<129280x6xi64>
  return %w, %s, %e, %t : tensor<1024x4096xf8E4M3FN>, tensor<8x32xf8E8M0FNU>,
      tensor<256x2048x4096xf4E2M1FN>, tensor<129280x6xi64>
}

// -----

// A prefill chunk of run-time length passes its row count to window_indices.
// CHECK-LABEL: func @window_indices_rows
// CHECK: v4.window_indices %{{.*}} rows %{{.*}} window 128 layout chunk : tensor<1xi32> -> tensor<1x?x128xi32>
func.func @window_indices_rows(%pos: tensor<1xi32>, %s: index) -> tensor<1x?x128xi32> {
  %0 = v4.window_indices %pos rows %s window 128 layout chunk : tensor<1xi32> -> tensor<1x?x128xi32>
  return %0 : tensor<1x?x128xi32>
}

// -----

// The production FP8 row encodings (v4-architecture.md 11.2): reads return
// the rows' bf16 values, appends take them.
// CHECK-LABEL: func @fp8_caches
// CHECK: v4.window_append {{.*}} : !v4.window<batch = 1, rows = 128, dim = 512, element = f8E4M3FN, rope = 64>, tensor<1x1x512xbf16>, tensor<1xi32>
// CHECK: v4.cache_read {{.*}} : !v4.window<batch = 1, rows = 128, dim = 512, element = f8E4M3FN, rope = 64> -> tensor<1x128x512xbf16>
// CHECK: v4.compressed_append {{.*}} : !v4.indexer_keys<batch = 1, capacity = 1024, dim = 128, element = f4E2M1FN>, tensor<1x1x128xbf16>, tensor<1xi32>
// CHECK: v4.cache_read {{.*}} : !v4.indexer_keys<batch = 1, capacity = 1024, dim = 128, element = f8E4M3FN> -> tensor<1x1024x128xbf16>
func.func @fp8_caches(%w: !v4.window<batch = 1, rows = 128, dim = 512, element = f8E4M3FN, rope = 64>,
                      %k4: !v4.indexer_keys<batch = 1, capacity = 1024, dim = 128, element = f4E2M1FN>,
                      %k8: !v4.indexer_keys<batch = 1, capacity = 1024, dim = 128, element = f8E4M3FN>,
                      %row: tensor<1x1x512xbf16>, %key: tensor<1x1x128xbf16>, %p: tensor<1xi32>, %n: index)
    -> (tensor<1x128x512xbf16>, !v4.indexer_keys<batch = 1, capacity = 1024, dim = 128, element = f4E2M1FN>,
        tensor<1x1024x128xbf16>) {
  %w1 = v4.window_append %w, %row at %p
      : !v4.window<batch = 1, rows = 128, dim = 512, element = f8E4M3FN, rope = 64>, tensor<1x1x512xbf16>, tensor<1xi32>
  %rows = v4.cache_read %w1 : !v4.window<batch = 1, rows = 128, dim = 512, element = f8E4M3FN, rope = 64> -> tensor<1x128x512xbf16>
  %k1 = v4.compressed_append %k4, %key at %p tokens %n
      : !v4.indexer_keys<batch = 1, capacity = 1024, dim = 128, element = f4E2M1FN>, tensor<1x1x128xbf16>, tensor<1xi32>
  %keys = v4.cache_read %k8 : !v4.indexer_keys<batch = 1, capacity = 1024, dim = 128, element = f8E4M3FN> -> tensor<1x1024x128xbf16>
  return %rows, %k1, %keys : tensor<1x128x512xbf16>, !v4.indexer_keys<batch = 1, capacity = 1024, dim = 128, element = f4E2M1FN>,
                             tensor<1x1024x128xbf16>
}

// -----

// Inferred result types: a result may be written more or less static than
// the operands imply (here a static S is written dynamic and vice versa).
// CHECK-LABEL: func @inferred_results_refined
// CHECK: v4.topk %{{.*}} at %{{.*}} k 8 ratio 4 : tensor<1x3x64xbf16>, tensor<1xi32> -> tensor<1x?x8xi32>
// CHECK: v4.moe_route %{{.*}}, %{{.*}} k 2 route_scale 1.000000e+00 : tensor<?x8xf32>, tensor<8xf32> -> tensor<5x2xf32>, tensor<5x2xi32>
func.func @inferred_results_refined(%s: tensor<1x3x64xbf16>, %pos: tensor<1xi32>,
                                    %l: tensor<?x8xf32>, %b: tensor<8xf32>)
    -> (tensor<1x?x8xi32>, tensor<5x2xf32>, tensor<5x2xi32>) {
  %0 = v4.topk %s at %pos k 8 ratio 4 : tensor<1x3x64xbf16>, tensor<1xi32> -> tensor<1x?x8xi32>
  %w, %e = v4.moe_route %l, %b k 2 route_scale 1.0 : tensor<?x8xf32>, tensor<8xf32> -> tensor<5x2xf32>, tensor<5x2xi32>
  return %0, %w, %e : tensor<1x?x8xi32>, tensor<5x2xf32>, tensor<5x2xi32>
}

// -----

// Batched decode: B (run-time) sequences, one token each, at their own
// positions, in cache rows `slots` of caches with 8 sequence slots.
// CHECK-LABEL: func @batched_decode
// CHECK: v4.window_append %{{.*}}, %{{.*}} at %[[POS:.*]] slots %[[SLOTS:[^ ]*]] : !v4.window<batch = 8, rows = 128, dim = 512, element = bf16>, tensor<?x1x512xbf16>, tensor<?xi32>, tensor<?xi32>
// CHECK: v4.window_indices %[[POS]] window 128 layout ring : tensor<?xi32> -> tensor<?x1x128xi32>
// CHECK: v4.cache_read %{{.*}} slots %[[SLOTS]] : !v4.window<batch = 8, rows = 128, dim = 512, element = bf16>, tensor<?xi32> -> tensor<?x128x512xbf16>
// CHECK: v4.compress %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} at %[[POS]] slots %[[SLOTS]] ratio 4 overlap : tensor<?x1x1024xf32>, tensor<4x1024xf32>, !v4.compressor_state<batch = 8, ratio = 4, coff = 2, dim = 512>, tensor<?xi32>, tensor<?xi32> -> tensor<?x1x512xf32>
// CHECK: v4.compressed_append %{{.*}}, %{{.*}} at %[[POS]] slots %[[SLOTS]] tokens %{{.*}} : !v4.compressed<batch = 8, ratio = 4, capacity = 1024, dim = 512, element = bf16>, tensor<?x1x512xbf16>, tensor<?xi32>, tensor<?xi32>
// CHECK: v4.indexer_score %{{.*}}, %{{.*}}, %{{.*}} slots %[[SLOTS]] : tensor<?x1x64x128xbf16>, !v4.indexer_keys<batch = 8, capacity = 1024, dim = 128, element = bf16>, tensor<?x1x64xbf16>, tensor<?xi32> -> tensor<?x1x1024xbf16>
// CHECK: v4.topk %{{.*}} at %[[POS]] k 512 ratio 4 : tensor<?x1x1024xbf16>, tensor<?xi32> -> tensor<?x1x512xi32>
// CHECK: v4.sparse_attention %{{.*}}, %{{.*}}[%{{.*}}], %{{.*}} entries %{{.*}}[%{{.*}}] slots %[[SLOTS]] scale 0.044194173824159216 : {{.*}}, tensor<?xi32>
// CHECK: v4.hca_attention %{{.*}}, %{{.*}}[%{{.*}}] entries %{{.*}}, %{{.*}} at %[[POS]] slots %[[SLOTS]] scale 0.044194173824159216 : {{.*}}, tensor<64xf32>, tensor<?xi32>, tensor<?xi32>
func.func @batched_decode(%pos: tensor<?xi32>, %slots: tensor<?xi32>, %n: index,
                          %w: !v4.window<batch = 8, rows = 128, dim = 512, element = bf16>,
                          %kv: tensor<?x1x512xbf16>, %q: tensor<?x1x64x512xbf16>, %sink: tensor<64xf32>,
                          %ckv: tensor<?x1x1024xf32>, %ape: tensor<4x1024xf32>,
                          %st: !v4.compressor_state<batch = 8, ratio = 4, coff = 2, dim = 512>,
                          %c: !v4.compressed<batch = 8, ratio = 4, capacity = 1024, dim = 512, element = bf16>,
                          %e: tensor<?x1x512xbf16>,
                          %qi: tensor<?x1x64x128xbf16>, %k: !v4.indexer_keys<batch = 8, capacity = 1024, dim = 128, element = bf16>,
                          %wi: tensor<?x1x64xbf16>,
                          %h: !v4.compressed<batch = 8, ratio = 128, capacity = 8192, dim = 512, element = bf16>)
    -> (tensor<?x1x64x512xbf16>, tensor<?x1x64x512xbf16>, tensor<?x1x512xf32>) {
  %w1 = v4.window_append %w, %kv at %pos slots %slots
      : !v4.window<batch = 8, rows = 128, dim = 512, element = bf16>, tensor<?x1x512xbf16>, tensor<?xi32>, tensor<?xi32>
  %idx = v4.window_indices %pos window 128 layout ring : tensor<?xi32> -> tensor<?x1x128xi32>
  %rows = v4.cache_read %w1 slots %slots
      : !v4.window<batch = 8, rows = 128, dim = 512, element = bf16>, tensor<?xi32> -> tensor<?x128x512xbf16>
  %ent, %st1 = v4.compress %ckv, %ckv, %ape, %st at %pos slots %slots ratio 4 overlap
      : tensor<?x1x1024xf32>, tensor<4x1024xf32>, !v4.compressor_state<batch = 8, ratio = 4, coff = 2, dim = 512>,
        tensor<?xi32>, tensor<?xi32> -> tensor<?x1x512xf32>
  %c1 = v4.compressed_append %c, %e at %pos slots %slots tokens %n
      : !v4.compressed<batch = 8, ratio = 4, capacity = 1024, dim = 512, element = bf16>, tensor<?x1x512xbf16>,
        tensor<?xi32>, tensor<?xi32>
  %sc = v4.indexer_score %qi, %k, %wi slots %slots
      : tensor<?x1x64x128xbf16>, !v4.indexer_keys<batch = 8, capacity = 1024, dim = 128, element = bf16>,
        tensor<?x1x64xbf16>, tensor<?xi32> -> tensor<?x1x1024xbf16>
  %sel = v4.topk %sc at %pos k 512 ratio 4 : tensor<?x1x1024xbf16>, tensor<?xi32> -> tensor<?x1x512xi32>
  %o = v4.sparse_attention %q, %rows[%idx], %sink entries %c1[%sel] slots %slots scale 0.044194173824159216
      : tensor<?x1x64x512xbf16>, tensor<?x128x512xbf16>, tensor<?x1x128xi32>, tensor<64xf32>,
        !v4.compressed<batch = 8, ratio = 4, capacity = 1024, dim = 512, element = bf16>, tensor<?x1x512xi32>,
        tensor<?xi32>
  %o2 = v4.hca_attention %q, %rows[%idx] entries %h, %sink at %pos slots %slots scale 0.044194173824159216
      : tensor<?x1x64x512xbf16>, tensor<?x128x512xbf16>, tensor<?x1x128xi32>,
        !v4.compressed<batch = 8, ratio = 128, capacity = 8192, dim = 512, element = bf16>, tensor<64xf32>,
        tensor<?xi32>, tensor<?xi32>
  return %o, %o2, %ent : tensor<?x1x64x512xbf16>, tensor<?x1x64x512xbf16>, tensor<?x1x512xf32>
}

// -----

// Slots may address fewer, statically known rows of the caches; reading the
// compressor state at slots gathers along its batch dimension (dim 1).
// CHECK-LABEL: func @slots_static
// CHECK: v4.cache_read %{{.*}} slots %{{.*}} : !v4.compressor_state<batch = 8, ratio = 128, coff = 1, dim = 512>, tensor<3xi32> -> tensor<2x3x128x512xf32>
func.func @slots_static(%st: !v4.compressor_state<batch = 8, ratio = 128, coff = 1, dim = 512>,
                        %slots: tensor<3xi32>) -> tensor<2x3x128x512xf32> {
  %0 = v4.cache_read %st slots %slots
      : !v4.compressor_state<batch = 8, ratio = 128, coff = 1, dim = 512>, tensor<3xi32> -> tensor<2x3x128x512xf32>
  return %0 : tensor<2x3x128x512xf32>
}
