// The result keeps the gate shape.
func.func @swiglu_result(%g: tensor<4x64xbf16>, %u: tensor<4x64xbf16>) {
  // expected-error @+1 {{expects result of shape 4x64 (the gate shape), got 4x32}}
  %y = v4.swiglu %g, %u limit 10.0 : tensor<4x64xbf16> -> tensor<4x32xbf16>
  return
}
