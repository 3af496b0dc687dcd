// Other ratios never overlap.
func.func @compress_extra_overlap(%kv: tensor<1x8x64xf32>, %ape: tensor<8x64xf32>, %s: !v4.compressor_state<batch = 1, ratio = 8, coff = 1, dim = 64>, %p: index) {
  // expected-error @+1 {{expects `overlap` exactly when ratio is 4, got overlap with ratio 8}}
  %e, %s1 = v4.compress %kv, %kv, %ape, %s at %p ratio 8 overlap
      : tensor<1x8x64xf32>, tensor<8x64xf32>, !v4.compressor_state<batch = 1, ratio = 8, coff = 1, dim = 64> -> tensor<1x1x64xf32>
  return
}
