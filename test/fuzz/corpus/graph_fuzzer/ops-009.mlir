// RoPE with YaRN on queries, and the inverse rotation of attention outputs.
func.func @rope(%q: tensor<1x?x64x512xbf16>, %pos: tensor<1x?xi32>) -> tensor<1x?x64x512xbf16> {
  %0 = v4.rope %q, %pos <base = 160000.0, rope_dim = 64, factor = 16.0, original_seq_len = 65536, beta_fast = 32.0, beta_slow = 1.0>
      : tensor<1x?x64x512xbf16>, tensor<1x?xi32>
  %1 = v4.rope %0, %pos <base = 10000.0, rope_dim = 64, factor = 1.0, original_seq_len = 65536, beta_fast = 32.0, beta_slow = 1.0> inverse
      : tensor<1x?x64x512xbf16>, tensor<1x?xi32>
  return %1 : tensor<1x?x64x512xbf16>
}
