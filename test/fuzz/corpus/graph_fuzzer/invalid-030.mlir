// The RMSNorm epsilon must be positive.
func.func @rms_norm_eps(%x: tensor<4x64xbf16>) {
  // expected-error @+1 {{expects eps > 0, got 0}}
  %y = v4.rms_norm %x eps 0.0 : tensor<4x64xbf16>
  return
}
