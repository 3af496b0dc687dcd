// SwiGLU needs a last dimension.
func.func @swiglu_rank(%g: tensor<bf16>, %u: tensor<bf16>) {
  // expected-error @+1 {{expects gate of rank >= 1, got rank 0}}
  %y = v4.swiglu %g, %u limit 10.0 : tensor<bf16> -> tensor<bf16>
  return
}
