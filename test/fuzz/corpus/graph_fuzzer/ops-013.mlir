// Hyper-connection pre-mix, post-mix and final head for 4 streams of width 256.
func.func @hyper_connections(%h: tensor<1x?x4x256xbf16>, %fn: tensor<24x1024xf32>, %base: tensor<24xf32>, %scale: tensor<3xf32>,
                             %hfn: tensor<4x1024xf32>, %hbase: tensor<4xf32>, %hscale: tensor<1xf32>) -> tensor<1x?x256xbf16> {
  %a, %post, %comb = v4.hc_pre %h, %fn, %base, %scale iters 20 eps 1.0e-6 norm_eps 1.0e-6
      : (tensor<1x?x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>)
        -> (tensor<1x?x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>)
  %h2 = v4.hc_post %a, %h, %post, %comb
      : tensor<1x?x256xbf16>, tensor<1x?x4x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>
  %y = v4.hc_head %h2, %hfn, %hbase, %hscale eps 1.0e-6 norm_eps 1.0e-6
      : (tensor<1x?x4x256xbf16>, tensor<4x1024xf32>, tensor<4xf32>, tensor<1xf32>) -> tensor<1x?x256xbf16>
  return %y : tensor<1x?x256xbf16>
}
