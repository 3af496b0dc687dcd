// Sparse attention over window plus selected entries, with a per-head sink.
func.func @sparse_attention(%q: tensor<1x?x64x512xbf16>, %kv: tensor<1x?x512xbf16>, %idx: tensor<1x?x640xi32>,
                            %sink: tensor<64xf32>) -> tensor<1x?x64x512xbf16> {
  %o = v4.sparse_attention %q, %kv, %idx, %sink scale 0.044194173824159216
      : tensor<1x?x64x512xbf16>, tensor<1x?x512xbf16>, tensor<1x?x640xi32>, tensor<64xf32>
  return %o : tensor<1x?x64x512xbf16>
}
