// One activation scale per row and 128-wide K block.
func.func @fp8_input_scales(%a: tensor<?x256xf8E4M3FN>, %as: tensor<?x4xf8E8M0FNU>, %w: tensor<64x256xf8E4M3FN>, %ws: tensor<1x2xf8E8M0FNU>) {
  // expected-error @+1 {{expects input scales of shape ?x2 (one per activation block of K), got ?x4}}
  %y = v4.fp8_matmul %a, %as, %w, %ws block [128, 128]
      : (tensor<?x256xf8E4M3FN>, tensor<?x4xf8E8M0FNU>, tensor<64x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x64xbf16>
  return
}
