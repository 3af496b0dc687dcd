// hc_post takes one post weight per stream.
func.func @hc_post_post(%x: tensor<1x64xbf16>, %h: tensor<1x4x64xbf16>, %p: tensor<1x2xf32>, %c: tensor<1x4x4xf32>) {
  // expected-error @+1 {{expects post of shape 1x4, got 1x2}}
  %y = v4.hc_post %x, %h, %p, %c : tensor<1x64xbf16>, tensor<1x4x64xbf16>, tensor<1x2xf32>, tensor<1x4x4xf32>
  return
}
