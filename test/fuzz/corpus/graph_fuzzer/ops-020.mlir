// Heavily compressed attention: window rows plus every visible ratio-128 entry.
func.func @hca_attention(%q: tensor<1x1x64x512xbf16>, %kv: tensor<1x128x512xbf16>, %idx: tensor<1x1x128xi32>,
                         %comp: tensor<1x8192x512xbf16>, %sink: tensor<64xf32>, %pos: index) -> tensor<1x1x64x512xbf16> {
  %o = v4.hca_attention %q, %kv, %idx, %comp, %sink at %pos ratio 128 scale 0.044194173824159216
      : tensor<1x1x64x512xbf16>, tensor<1x128x512xbf16>, tensor<1x1x128xi32>, tensor<1x8192x512xbf16>, tensor<64xf32>
  return %o : tensor<1x1x64x512xbf16>
}
