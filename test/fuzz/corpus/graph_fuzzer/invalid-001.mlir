// A scalar has no last dimension to block.
func.func @quantize_rank(%x: tensor<bf16>) {
  // expected-error @+1 {{expects input of rank >= 1, got rank 0}}
  %c, %s = v4.quantize %x block 32 rule ceil : tensor<bf16> -> tensor<f8E4M3FN>, tensor<f8E8M0FNU>
  return
}
