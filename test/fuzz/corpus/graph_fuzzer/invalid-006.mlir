// Dequantization checks the same block rules on its codes.
func.func @dequantize_rank(%c: tensor<f4E2M1FN>, %s: tensor<f8E8M0FNU>) {
  // expected-error @+1 {{expects codes of rank >= 1, got rank 0}}
  %w = v4.dequantize %c, %s block 32 : tensor<f4E2M1FN>, tensor<f8E8M0FNU> -> tensor<bf16>
  return
}
