// Residual streams are [..., n, D].
func.func @hc_streams_rank(%h: tensor<4x64xbf16>, %fn: tensor<24x256xf32>, %b: tensor<24xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{expects streams of rank >= 3 ([..., n, D]), got rank 2}}
  %a, %p, %c = v4.hc_pre %h, %fn, %b, %s iters 20 eps 1.0e-6 norm_eps 1.0e-6
      : (tensor<4x64xbf16>, tensor<24x256xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<64xbf16>, tensor<4xf32>, tensor<4x4xf32>)
  return
}
