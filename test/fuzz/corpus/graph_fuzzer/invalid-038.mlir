// Hadamard needs a last dimension.
func.func @hadamard_rank(%x: tensor<bf16>) {
  // expected-error @+1 {{expects input of rank >= 1, got rank 0}}
  %y = v4.hadamard %x : tensor<bf16>
  return
}
