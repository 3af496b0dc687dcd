// hc_post's sub-layer output is one stream wide.
func.func @hc_post_input(%x: tensor<1x128xbf16>, %h: tensor<1x4x64xbf16>, %p: tensor<1x4xf32>, %c: tensor<1x4x4xf32>) {
  // expected-error @+1 {{expects input of shape 1x64, got 1x128}}
  %y = v4.hc_post %x, %h, %p, %c : tensor<1x128xbf16>, tensor<1x4x64xbf16>, tensor<1x4xf32>, tensor<1x4x4xf32>
  return
}
