// Projections are [B, S, coff*d].
func.func @compress_kv_rank(%kv: tensor<8x64xf32>, %ape: tensor<8x64xf32>, %s: !v4.compressor_state<batch = 1, ratio = 8, coff = 1, dim = 64>, %p: index) {
  // expected-error @+1 {{expects kv of rank 3 ([B, S, coff*d]), got rank 2}}
  %e, %s1 = v4.compress %kv, %kv, %ape, %s at %p ratio 8
      : tensor<8x64xf32>, tensor<8x64xf32>, !v4.compressor_state<batch = 1, ratio = 8, coff = 1, dim = 64> -> tensor<1x1x64xf32>
  return
}
