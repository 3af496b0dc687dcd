// Every token needs a position.
func.func @rope_positions_rank(%x: tensor<4x64xbf16>, %p: tensor<i32>) {
  // expected-error @+1 {{expects positions of rank >= 1, got rank 0}}
  %y = v4.rope %x, %p <base = 10000.0, rope_dim = 64, factor = 1.0, original_seq_len = 65536, beta_fast = 32.0, beta_slow = 1.0>
      : tensor<4x64xbf16>, tensor<i32>
  return
}
