// Ratio 4 is the overlapping compressor.
func.func @compress_missing_overlap(%kv: tensor<1x4x128xf32>, %ape: tensor<4x128xf32>, %s: !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 64>, %p: index) {
  // expected-error @+1 {{expects `overlap` exactly when ratio is 4, got no overlap with ratio 4}}
  %e, %s1 = v4.compress %kv, %kv, %ape, %s at %p ratio 4
      : tensor<1x4x128xf32>, tensor<4x128xf32>, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 64> -> tensor<1x1x64xf32>
  return
}
