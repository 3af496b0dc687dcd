// Only ratio 4 and powers of two in [8, 128] compress.
func.func @compress_ratio(%kv: tensor<1x4x64xf32>, %ape: tensor<3x64xf32>, %s: !v4.compressor_state<batch = 1, ratio = 8, coff = 1, dim = 64>, %p: index) {
  // expected-error @+1 {{expects ratio 4 (CSA) or a power of two in [8, 128] (HCA), got 3}}
  %e, %s1 = v4.compress %kv, %kv, %ape, %s at %p ratio 3
      : tensor<1x4x64xf32>, tensor<3x64xf32>, !v4.compressor_state<batch = 1, ratio = 8, coff = 1, dim = 64> -> tensor<1x2x64xf32>
  return
}
