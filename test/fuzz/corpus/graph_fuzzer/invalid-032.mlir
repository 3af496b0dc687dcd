// The norm weight covers the last dimension.
func.func @rms_norm_weight(%x: tensor<4x64xbf16>, %w: tensor<32xf32>) {
  // expected-error @+1 {{expects weight of shape 64 (the normalized dimension), got 32}}
  %y = v4.rms_norm %x weight %w eps 1.0e-6 : tensor<4x64xbf16>, tensor<32xf32>
  return
}
