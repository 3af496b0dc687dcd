// RoPE needs token dims and a feature dim.
func.func @rope_rank(%x: tensor<64xbf16>, %p: tensor<1xi32>) {
  // expected-error @+1 {{expects input of rank >= 2 ([tokens..., D]), got rank 1}}
  %y = v4.rope %x, %p <base = 10000.0, rope_dim = 64, factor = 1.0, original_seq_len = 65536, beta_fast = 32.0, beta_slow = 1.0>
      : tensor<64xbf16>, tensor<1xi32>
  return
}
