// The weight scale grid is the ceil-div of the weight by the block.
func.func @fp8_weight_scales(%a: tensor<4x4096xf8E4M3FN>, %as: tensor<4x32xf8E8M0FNU>, %w: tensor<1000x4096xf8E4M3FN>, %ws: tensor<7x32xf8E8M0FNU>) {
  // expected-error @+1 {{expects weight scales of shape 8x32 (ceil-div of the weight 1000x4096 by the block 128x128), got 7x32}}
  %y = v4.fp8_matmul %a, %as, %w, %ws block [128, 128]
      : (tensor<4x4096xf8E4M3FN>, tensor<4x32xf8E8M0FNU>, tensor<1000x4096xf8E4M3FN>, tensor<7x32xf8E8M0FNU>) -> tensor<4x1000xbf16>
  return
}
