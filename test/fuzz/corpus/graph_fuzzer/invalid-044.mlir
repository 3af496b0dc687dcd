// Routing weights are one per row.
func.func @swiglu_weights(%g: tensor<4x64xbf16>, %u: tensor<4x64xbf16>, %w: tensor<4x64xf32>) {
  // expected-error @+1 {{expects weights of shape 4 (one per row), got 4x64}}
  %y = v4.swiglu %g, %u weights %w limit 10.0 : tensor<4x64xbf16>, tensor<4x64xf32> -> tensor<4x64xbf16>
  return
}
