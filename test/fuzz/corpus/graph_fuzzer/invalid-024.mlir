// Stacked weights have one scale grid per expert.
func.func @fp8_grouped_weight_scales(%a: tensor<4x256xf8E4M3FN>, %as: tensor<4x2xf8E8M0FNU>, %w: tensor<2x64x256xf8E4M3FN>,
                                     %ws: tensor<1x1x2xf8E8M0FNU>, %off: tensor<3xi32>) {
  // expected-error @+1 {{expects weight scales of shape 2x1x2 (ceil-div of the weight 64x256 by the block 128x128), got 1x1x2}}
  %y = v4.fp8_matmul %a, %as, %w, %ws groups %off block [128, 128]
      : (tensor<4x256xf8E4M3FN>, tensor<4x2xf8E8M0FNU>, tensor<2x64x256xf8E4M3FN>, tensor<1x1x2xf8E8M0FNU>, tensor<3xi32>) -> tensor<4x64xbf16>
  return
}
