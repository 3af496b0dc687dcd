// The overlapping compressor projects to 2*d channels.
func.func @compress_kv_width(%kv: tensor<1x4x64xf32>, %ape: tensor<4x128xf32>, %s: !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 64>, %p: index) {
  // expected-error @+1 {{expects kv of shape 1x4x128 (batch and coff*dim of the state), got 1x4x64}}
  %e, %s1 = v4.compress %kv, %kv, %ape, %s at %p ratio 4 overlap
      : tensor<1x4x64xf32>, tensor<4x128xf32>, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 64> -> tensor<1x1x64xf32>
  return
}
