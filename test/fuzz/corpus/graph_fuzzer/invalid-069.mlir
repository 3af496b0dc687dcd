// hc_head mixes n values.
func.func @hc_head_fn(%h: tensor<1x4x64xbf16>, %fn: tensor<24x256xf32>, %b: tensor<4xf32>, %s: tensor<1xf32>) {
  // expected-error @+1 {{expects fn of shape 4x256 ([mixes, n*D]), got 24x256}}
  %y = v4.hc_head %h, %fn, %b, %s eps 1.0e-6 norm_eps 1.0e-6
      : (tensor<1x4x64xbf16>, tensor<24x256xf32>, tensor<4xf32>, tensor<1xf32>) -> tensor<1x64xbf16>
  return
}
