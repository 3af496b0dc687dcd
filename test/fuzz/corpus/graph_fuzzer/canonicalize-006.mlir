// Non-zero positions rotate.
func.func @rope_nonzero_positions(%x: tensor<1x2x64xbf16>) -> tensor<1x2x64xbf16> {
  %pos = arith.constant dense<[[0, 1]]> : tensor<1x2xi32>
  %y = v4.rope %x, %pos <base = 10000.0, rope_dim = 64, factor = 1.0, original_seq_len = 65536, beta_fast = 32.0, beta_slow = 1.0>
      : tensor<1x2x64xbf16>, tensor<1x2xi32>
  return %y : tensor<1x2x64xbf16>
}
