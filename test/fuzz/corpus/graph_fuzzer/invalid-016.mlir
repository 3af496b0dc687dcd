// A grouped GEMM takes flat [M, K] activation rows.
func.func @fp8_grouped_input_rank(%a: tensor<1x4x256xf8E4M3FN>, %as: tensor<1x4x2xf8E8M0FNU>, %w: tensor<2x64x256xf8E4M3FN>,
                                  %ws: tensor<2x1x2xf8E8M0FNU>, %off: tensor<3xi32>) {
  // expected-error @+1 {{expects input of rank 2 ([M, K] with `groups`), got rank 3}}
  %y = v4.fp8_matmul %a, %as, %w, %ws groups %off block [128, 128]
      : (tensor<1x4x256xf8E4M3FN>, tensor<1x4x2xf8E8M0FNU>, tensor<2x64x256xf8E4M3FN>, tensor<2x1x2xf8E8M0FNU>, tensor<3xi32>) -> tensor<1x4x64xbf16>
  return
}
