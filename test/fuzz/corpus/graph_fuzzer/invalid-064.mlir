// post has one weight per stream.
func.func @hc_post_result(%h: tensor<1x4x64xbf16>, %fn: tensor<24x256xf32>, %b: tensor<24xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{expects post of shape 1x4, got 1x8}}
  %a, %p, %c = v4.hc_pre %h, %fn, %b, %s iters 20 eps 1.0e-6 norm_eps 1.0e-6
      : (tensor<1x4x64xbf16>, tensor<24x256xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x64xbf16>, tensor<1x8xf32>, tensor<1x4x4xf32>)
  return
}
