// Grouped MXFP4 GEMM over routed experts.
func.func @mxfp4_matmul_grouped(%a: tensor<?x256xf8E4M3FN>, %as: tensor<?x2xf8E8M0FNU>, %w: tensor<8x128x256xf4E2M1FN>,
                                %ws: tensor<8x128x8xf8E8M0FNU>, %off: tensor<9xi32>) -> tensor<?x128xbf16> {
  %y = v4.mxfp4_matmul %a, %as, %w, %ws groups %off act_block 128
      : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x128xbf16>
  return %y : tensor<?x128xbf16>
}
