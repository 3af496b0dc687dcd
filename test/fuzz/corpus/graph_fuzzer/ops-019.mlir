// Sliding-window attention: the window source alone, with a per-head sink.
func.func @window_attention(%q: tensor<1x1x64x512xbf16>, %win: tensor<1x128x512xbf16>,
                            %wi: tensor<1x1x128xi32>, %sink: tensor<64xf32>) -> tensor<1x1x64x512xbf16> {
  %o = v4.sparse_attention %q, %win[%wi], %sink scale 0.044194173824159216
      : tensor<1x1x64x512xbf16>, tensor<1x128x512xbf16>, tensor<1x1x128xi32>, tensor<64xf32>
  return %o : tensor<1x1x64x512xbf16>
}
