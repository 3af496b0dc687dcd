// hc_pre mixes (2+n)*n values from the n*D flattened streams.
func.func @hc_fn(%h: tensor<1x4x64xbf16>, %fn: tensor<16x256xf32>, %b: tensor<24xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{expects fn of shape 24x256 ([mixes, n*D]), got 16x256}}
  %a, %p, %c = v4.hc_pre %h, %fn, %b, %s iters 20 eps 1.0e-6 norm_eps 1.0e-6
      : (tensor<1x4x64xbf16>, tensor<16x256xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x64xbf16>, tensor<1x4xf32>, tensor<1x4x4xf32>)
  return
}
