// Positions match the leading (token) dims.
func.func @rope_positions_shape(%x: tensor<1x4x8x64xbf16>, %p: tensor<1x5xi32>) {
  // expected-error @+1 {{expects positions of shape 1x4 (the leading dims of the input), got 1x5}}
  %y = v4.rope %x, %p <base = 10000.0, rope_dim = 64, factor = 1.0, original_seq_len = 65536, beta_fast = 32.0, beta_slow = 1.0>
      : tensor<1x4x8x64xbf16>, tensor<1x5xi32>
  return
}
