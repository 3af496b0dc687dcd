// hc_post takes the n x n combine matrix.
func.func @hc_post_comb(%x: tensor<1x64xbf16>, %h: tensor<1x4x64xbf16>, %p: tensor<1x4xf32>, %c: tensor<1x2x2xf32>) {
  // expected-error @+1 {{expects comb of shape 1x4x4, got 1x2x2}}
  %y = v4.hc_post %x, %h, %p, %c : tensor<1x64xbf16>, tensor<1x4x64xbf16>, tensor<1x4xf32>, tensor<1x2x2xf32>
  return
}
