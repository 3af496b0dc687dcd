// Grouped FP8 GEMM over stacked expert weights with 32x32 blocks (V4.1 layout).
func.func @fp8_matmul_grouped(%a: tensor<?x256xf8E4M3FN>, %as: tensor<?x8xf8E8M0FNU>, %w: tensor<4x64x256xf8E4M3FN>,
                              %ws: tensor<4x2x8xf8E8M0FNU>, %off: tensor<5xi32>) -> tensor<?x64xf32> {
  %y = v4.fp8_matmul %a, %as, %w, %ws groups %off block [32, 32]
      : (tensor<?x256xf8E4M3FN>, tensor<?x8xf8E8M0FNU>, tensor<4x64x256xf8E4M3FN>, tensor<4x2x8xf8E8M0FNU>, tensor<5xi32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}
