// The rotated dims are a suffix of the head dim.
func.func @rope_dim_too_large(%x: tensor<4x32xbf16>, %p: tensor<4xi32>) {
  // expected-error @+1 {{expects rope_dim (64) <= the last dimension (32)}}
  %y = v4.rope %x, %p <base = 10000.0, rope_dim = 64, factor = 1.0, original_seq_len = 65536, beta_fast = 32.0, beta_slow = 1.0>
      : tensor<4x32xbf16>, tensor<4xi32>
  return
}
