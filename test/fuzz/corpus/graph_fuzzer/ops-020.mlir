// CSA: the window rows and the selected entries of the compressed cache,
// read in place (no concatenation of the cache).
func.func @sparse_attention(%q: tensor<1x?x64x512xbf16>, %win: tensor<1x?x512xbf16>, %wi: tensor<1x?x128xi32>,
                            %c: !v4.compressed<batch = 1, ratio = 4, capacity = 1024, dim = 512, element = bf16>,
                            %sel: tensor<1x?x512xi32>, %sink: tensor<64xf32>) -> tensor<1x?x64x512xbf16> {
  %o = v4.sparse_attention %q, %win[%wi], %sink entries %c[%sel] scale 0.044194173824159216
      : tensor<1x?x64x512xbf16>, tensor<1x?x512xbf16>, tensor<1x?x128xi32>, tensor<64xf32>,
        !v4.compressed<batch = 1, ratio = 4, capacity = 1024, dim = 512, element = bf16>,
        tensor<1x?x512xi32>
  return %o : tensor<1x?x64x512xbf16>
}
