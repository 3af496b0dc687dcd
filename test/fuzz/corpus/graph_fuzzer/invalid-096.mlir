// One score per query and entry.
func.func @indexer_scores(%q: tensor<1x4x64x128xbf16>, %k: tensor<1x8x128xbf16>, %w: tensor<1x4x64xbf16>) {
  // expected-error @+1 {{expects scores of shape 1x4x8 ([B, S, C]), got 1x4x64}}
  %s = v4.indexer_score %q, %k, %w : (tensor<1x4x64x128xbf16>, tensor<1x8x128xbf16>, tensor<1x4x64xbf16>) -> tensor<1x4x64xbf16>
  return
}
