// Activations are at least [M, K].
func.func @fp8_input_rank(%a: tensor<256xf8E4M3FN>, %as: tensor<2xf8E8M0FNU>, %w: tensor<64x256xf8E4M3FN>, %ws: tensor<1x2xf8E8M0FNU>) {
  // expected-error @+1 {{expects input of rank >= 2 ([..., M, K]), got rank 1}}
  %y = v4.fp8_matmul %a, %as, %w, %ws block [128, 128]
      : (tensor<256xf8E4M3FN>, tensor<2xf8E8M0FNU>, tensor<64x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<64xbf16>
  return
}
