// ape has one row per slot of a group.
func.func @compress_ape(%kv: tensor<1x8x64xf32>, %ape: tensor<4x64xf32>, %s: !v4.compressor_state<batch = 1, ratio = 8, coff = 1, dim = 64>, %p: index) {
  // expected-error @+1 {{expects ape of shape 8x64 ([ratio, coff*d]), got 4x64}}
  %e, %s1 = v4.compress %kv, %kv, %ape, %s at %p ratio 8
      : tensor<1x8x64xf32>, tensor<4x64xf32>, !v4.compressor_state<batch = 1, ratio = 8, coff = 1, dim = 64> -> tensor<1x1x64xf32>
  return
}
