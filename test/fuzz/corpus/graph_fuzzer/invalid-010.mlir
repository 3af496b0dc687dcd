// Simulation needs a last dimension.
func.func @simulate_rank(%x: tensor<bf16>) {
  // expected-error @+1 {{expects input of rank >= 1, got rank 0}}
  %y = v4.simulate_quant %x format f8E4M3FN block 64 rule ceil : tensor<bf16>
  return
}
