// One score per query and cached entry (the capacity of the key cache).
func.func @indexer_scores(%q: tensor<1x4x64x128xbf16>, %k: !v4.indexer_keys<batch = 1, capacity = 8, dim = 128, element = bf16>, %w: tensor<1x4x64xbf16>) {
  // expected-error @+1 {{expects scores of shape 1x4x8 ([B, S, capacity of the key cache]), got 1x4x64}}
  %s = v4.indexer_score %q, %k, %w : tensor<1x4x64x128xbf16>, !v4.indexer_keys<batch = 1, capacity = 8, dim = 128, element = bf16>, tensor<1x4x64xbf16> -> tensor<1x4x64xbf16>
  return
}
