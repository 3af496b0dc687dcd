// The reduction dimension must agree.
func.func @fp8_k_mismatch(%a: tensor<4x384xf8E4M3FN>, %as: tensor<4x3xf8E8M0FNU>, %w: tensor<64x256xf8E4M3FN>, %ws: tensor<1x2xf8E8M0FNU>) {
  // expected-error @+1 {{expects input K (384) to match weight K (256)}}
  %y = v4.fp8_matmul %a, %as, %w, %ws block [128, 128]
      : (tensor<4x384xf8E4M3FN>, tensor<4x3xf8E8M0FNU>, tensor<64x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<4x64xbf16>
  return
}
