// The SwiGLU clamp limit must be positive.
func.func @swiglu_limit(%g: tensor<4x64xbf16>, %u: tensor<4x64xbf16>) {
  // expected-error @+1 {{expects limit > 0, got -1}}
  %y = v4.swiglu %g, %u limit -1.0 : tensor<4x64xbf16> -> tensor<4x64xbf16>
  return
}
