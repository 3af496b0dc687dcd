// A grouped GEMM takes a stacked [E, N, K] weight.
func.func @fp8_grouped_weight_rank(%a: tensor<4x256xf8E4M3FN>, %as: tensor<4x2xf8E8M0FNU>, %w: tensor<64x256xf8E4M3FN>,
                                   %ws: tensor<1x2xf8E8M0FNU>, %off: tensor<2xi32>) {
  // expected-error @+1 {{expects weight of rank 3 ([E, N, K] with `groups`), got rank 2}}
  %y = v4.fp8_matmul %a, %as, %w, %ws groups %off block [128, 128]
      : (tensor<4x256xf8E4M3FN>, tensor<4x2xf8E8M0FNU>, tensor<64x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>, tensor<2xi32>) -> tensor<4x64xbf16>
  return
}
