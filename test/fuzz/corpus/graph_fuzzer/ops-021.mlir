// Heavily compressed attention: window rows plus every visible entry of a
// ratio-128 cache (the ratio is the cache type's).
func.func @hca_attention(%q: tensor<1x1x64x512xbf16>, %win: tensor<1x128x512xbf16>, %wi: tensor<1x1x128xi32>,
                         %c: !v4.compressed<batch = 1, ratio = 128, capacity = 8192, dim = 512, element = bf16>,
                         %sink: tensor<64xf32>, %pos: index) -> tensor<1x1x64x512xbf16> {
  %o = v4.hca_attention %q, %win[%wi] entries %c, %sink at %pos scale 0.044194173824159216
      : tensor<1x1x64x512xbf16>, tensor<1x128x512xbf16>, tensor<1x1x128xi32>,
        !v4.compressed<batch = 1, ratio = 128, capacity = 8192, dim = 512, element = bf16>, tensor<64xf32>
  return %o : tensor<1x1x64x512xbf16>
}
