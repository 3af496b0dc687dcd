// K must be a multiple of the activation block.
func.func @fp8_k_block(%a: tensor<4x320xf8E4M3FN>, %as: tensor<4x3xf8E8M0FNU>, %w: tensor<64x320xf8E4M3FN>, %ws: tensor<1x3xf8E8M0FNU>) {
  // expected-error @+1 {{expects K (320) to be a multiple of the activation block 128}}
  %y = v4.fp8_matmul %a, %as, %w, %ws block [128, 128]
      : (tensor<4x320xf8E4M3FN>, tensor<4x3xf8E8M0FNU>, tensor<64x320xf8E4M3FN>, tensor<1x3xf8E8M0FNU>) -> tensor<4x64xbf16>
  return
}
