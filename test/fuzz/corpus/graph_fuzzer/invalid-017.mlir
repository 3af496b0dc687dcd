// A stacked weight without group offsets is an error.
func.func @fp8_stacked_without_groups(%a: tensor<4x256xf8E4M3FN>, %as: tensor<4x2xf8E8M0FNU>, %w: tensor<2x64x256xf8E4M3FN>, %ws: tensor<2x1x2xf8E8M0FNU>) {
  // expected-error @+1 {{expects weight of rank 2 ([N, K]; stacked weights need `groups`), got rank 3}}
  %y = v4.fp8_matmul %a, %as, %w, %ws block [128, 128]
      : (tensor<4x256xf8E4M3FN>, tensor<4x2xf8E8M0FNU>, tensor<2x64x256xf8E4M3FN>, tensor<2x1x2xf8E8M0FNU>) -> tensor<4x64xbf16>
  return
}
