// Positions cannot cover the feature dimension.
func.func @rope_positions_too_deep(%x: tensor<4x64xbf16>, %p: tensor<4x64xi32>) {
  // expected-error @+1 {{expects positions of rank < input rank (2), got rank 2}}
  %y = v4.rope %x, %p <base = 10000.0, rope_dim = 64, factor = 1.0, original_seq_len = 65536, beta_fast = 32.0, beta_slow = 1.0>
      : tensor<4x64xbf16>, tensor<4x64xi32>
  return
}
