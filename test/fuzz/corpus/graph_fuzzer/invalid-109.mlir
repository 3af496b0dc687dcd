// HCA attends entries of a valid compression ratio.
func.func @hca_ratio(%q: tensor<1x1x8x64xbf16>, %kv: tensor<1x16x64xbf16>, %i: tensor<1x1x16xi32>, %c: tensor<1x4x64xbf16>, %sink: tensor<8xf32>, %p: index) {
  // expected-error @+1 {{expects ratio 4 (CSA) or a power of two in [8, 128] (HCA), got 100}}
  %o = v4.hca_attention %q, %kv, %i, %c, %sink at %p ratio 100 scale 0.125
      : tensor<1x1x8x64xbf16>, tensor<1x16x64xbf16>, tensor<1x1x16xi32>, tensor<1x4x64xbf16>, tensor<8xf32>
  return
}
