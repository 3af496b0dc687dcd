// YaRN only stretches wavelengths (factor 1 disables it).
func.func @rope_factor(%x: tensor<4x64xbf16>, %p: tensor<4xi32>) {
  // expected-error @+1 {{YaRN factor must be >= 1 (1 disables YaRN), got 0.5}}
  %y = v4.rope %x, %p <base = 10000.0, rope_dim = 64, factor = 0.5, original_seq_len = 65536, beta_fast = 32.0, beta_slow = 1.0>
      : tensor<4x64xbf16>, tensor<4xi32>
  return
}
