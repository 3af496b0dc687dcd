// The YaRN ramp goes from beta_fast down to beta_slow.
func.func @rope_betas(%x: tensor<4x64xbf16>, %p: tensor<4xi32>) {
  // expected-error @+1 {{YaRN betas must satisfy beta_fast > beta_slow > 0, got beta_fast = 1, beta_slow = 32}}
  %y = v4.rope %x, %p <base = 10000.0, rope_dim = 64, factor = 16.0, original_seq_len = 65536, beta_fast = 1.0, beta_slow = 32.0>
      : tensor<4x64xbf16>, tensor<4xi32>
  return
}
