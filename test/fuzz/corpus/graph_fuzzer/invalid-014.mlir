// The K block must be 32, 64 or 128.
func.func @fp8_block_k(%a: tensor<4x256xf8E4M3FN>, %as: tensor<4x2xf8E8M0FNU>, %w: tensor<64x256xf8E4M3FN>, %ws: tensor<1x2xf8E8M0FNU>) {
  // expected-error @+1 {{expects weight K block in {32, 64, 128}, got 100}}
  %y = v4.fp8_matmul %a, %as, %w, %ws block [128, 100]
      : (tensor<4x256xf8E4M3FN>, tensor<4x2xf8E8M0FNU>, tensor<64x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<4x64xbf16>
  return
}
