// Block-scaled FP8 GEMM; N = 1000 is not a multiple of 128, so the scale grid rounds up.
func.func @fp8_matmul(%a: tensor<1x?x4096xf8E4M3FN>, %as: tensor<1x?x32xf8E8M0FNU>,
                      %w: tensor<1000x4096xf8E4M3FN>, %ws: tensor<8x32xf8E8M0FNU>) -> tensor<1x?x1000xbf16> {
  %y = v4.fp8_matmul %a, %as, %w, %ws block [128, 128]
      : (tensor<1x?x4096xf8E4M3FN>, tensor<1x?x32xf8E8M0FNU>, tensor<1000x4096xf8E4M3FN>, tensor<8x32xf8E8M0FNU>) -> tensor<1x?x1000xbf16>
  return %y : tensor<1x?x1000xbf16>
}
