// Rotating by position zero is the identity.
func.func @rope_zero_positions(%x: tensor<1x4x8x64xbf16>) -> tensor<1x4x8x64xbf16> {
  %pos = arith.constant dense<0> : tensor<1x4xi32>
  %y = v4.rope %x, %pos <base = 10000.0, rope_dim = 64, factor = 1.0, original_seq_len = 65536, beta_fast = 32.0, beta_slow = 1.0> inverse
      : tensor<1x4x8x64xbf16>, tensor<1x4xi32>
  return %y : tensor<1x4x8x64xbf16>
}
