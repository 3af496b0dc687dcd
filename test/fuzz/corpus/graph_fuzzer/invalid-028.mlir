// MXFP4 weights have one scale per row and 32 values of K.
func.func @mxfp4_weight_scales(%a: tensor<4x256xf8E4M3FN>, %as: tensor<4x2xf8E8M0FNU>, %w: tensor<64x256xf4E2M1FN>, %ws: tensor<64x2xf8E8M0FNU>) {
  // expected-error @+1 {{expects weight scales of shape 64x8 (ceil-div of the weight 64x256 by the block 1x32), got 64x2}}
  %y = v4.mxfp4_matmul %a, %as, %w, %ws act_block 128
      : (tensor<4x256xf8E4M3FN>, tensor<4x2xf8E8M0FNU>, tensor<64x256xf4E2M1FN>, tensor<64x2xf8E8M0FNU>) -> tensor<4x64xbf16>
  return
}
