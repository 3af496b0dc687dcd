// Compressed entries are [B, C, D].
func.func @hca_compressed_rank(%q: tensor<1x1x8x64xbf16>, %kv: tensor<1x16x64xbf16>, %i: tensor<1x1x16xi32>, %c: tensor<4x64xbf16>, %sink: tensor<8xf32>, %p: index) {
  // expected-error @+1 {{expects compressed of rank 3 ([B, C, D]), got rank 2}}
  %o = v4.hca_attention %q, %kv, %i, %c, %sink at %p ratio 128 scale 0.125
      : tensor<1x1x8x64xbf16>, tensor<1x16x64xbf16>, tensor<1x1x16xi32>, tensor<4x64xbf16>, tensor<8xf32>
  return
}
