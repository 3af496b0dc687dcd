// RMSNorm needs a dimension to normalize.
func.func @rms_norm_rank(%x: tensor<bf16>) {
  // expected-error @+1 {{expects input of rank >= 1, got rank 0}}
  %y = v4.rms_norm %x eps 1.0e-6 : tensor<bf16>
  return
}
