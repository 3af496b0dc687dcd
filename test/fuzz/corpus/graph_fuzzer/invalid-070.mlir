// hc_head has a single scale.
func.func @hc_head_scale(%h: tensor<1x4x64xbf16>, %fn: tensor<4x256xf32>, %b: tensor<4xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{expects scale of shape 1, got 3}}
  %y = v4.hc_head %h, %fn, %b, %s eps 1.0e-6 norm_eps 1.0e-6
      : (tensor<1x4x64xbf16>, tensor<4x256xf32>, tensor<4xf32>, tensor<3xf32>) -> tensor<1x64xbf16>
  return
}
