// The state belongs to a compressor of the same ratio.
func.func @compress_state_ratio(%kv: tensor<1x8x64xf32>, %ape: tensor<8x64xf32>, %s: !v4.compressor_state<batch = 1, ratio = 16, coff = 1, dim = 64>, %p: index) {
  // expected-error @+1 {{expects a compressor state of ratio 8, got ratio 16}}
  %e, %s1 = v4.compress %kv, %kv, %ape, %s at %p ratio 8
      : tensor<1x8x64xf32>, tensor<8x64xf32>, !v4.compressor_state<batch = 1, ratio = 16, coff = 1, dim = 64> -> tensor<1x1x64xf32>
  return
}
