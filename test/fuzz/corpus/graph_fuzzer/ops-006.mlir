// Dense FP8 x MXFP4 GEMM (shared layout of a routed expert weight).
func.func @mxfp4_matmul(%a: tensor<?x4096xf8E4M3FN>, %as: tensor<?x32xf8E8M0FNU>,
                        %w: tensor<2048x4096xf4E2M1FN>, %ws: tensor<2048x128xf8E8M0FNU>) -> tensor<?x2048xbf16> {
  %y = v4.mxfp4_matmul %a, %as, %w, %ws act_block 128
      : (tensor<?x4096xf8E4M3FN>, tensor<?x32xf8E8M0FNU>, tensor<2048x4096xf4E2M1FN>, tensor<2048x128xf8E8M0FNU>) -> tensor<?x2048xbf16>
  return %y : tensor<?x2048xbf16>
}
