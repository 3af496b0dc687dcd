// RoPE frequencies need base > 1.
func.func @rope_base(%x: tensor<4x64xbf16>, %p: tensor<4xi32>) {
  // expected-error @+1 {{rope base must be > 1, got 1}}
  %y = v4.rope %x, %p <base = 1.0, rope_dim = 64, factor = 1.0, original_seq_len = 65536, beta_fast = 32.0, beta_slow = 1.0>
      : tensor<4x64xbf16>, tensor<4xi32>
  return
}
