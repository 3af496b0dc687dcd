// Rotations act on pairs of dims.
func.func @rope_dim_odd(%x: tensor<4x64xbf16>, %p: tensor<4xi32>) {
  // expected-error @+1 {{rope_dim must be positive and even, got 63}}
  %y = v4.rope %x, %p <base = 10000.0, rope_dim = 63, factor = 1.0, original_seq_len = 65536, beta_fast = 32.0, beta_slow = 1.0>
      : tensor<4x64xbf16>, tensor<4xi32>
  return
}
