// The YaRN correction range needs the original context length.
func.func @rope_original_len(%x: tensor<4x64xbf16>, %p: tensor<4xi32>) {
  // expected-error @+1 {{original_seq_len must be positive, got 0}}
  %y = v4.rope %x, %p <base = 10000.0, rope_dim = 64, factor = 16.0, original_seq_len = 0, beta_fast = 32.0, beta_slow = 1.0>
      : tensor<4x64xbf16>, tensor<4xi32>
  return
}
