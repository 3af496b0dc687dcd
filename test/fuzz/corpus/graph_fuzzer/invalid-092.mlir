// Indexer queries are [B, S, H, D].
func.func @indexer_query_rank(%q: tensor<1x4x128xbf16>, %k: tensor<1x8x128xbf16>, %w: tensor<1x4x64xbf16>) {
  // expected-error @+1 {{expects queries of rank 4 ([B, S, H, D]), got rank 3}}
  %s = v4.indexer_score %q, %k, %w : (tensor<1x4x128xbf16>, tensor<1x8x128xbf16>, tensor<1x4x64xbf16>) -> tensor<1x4x8xbf16>
  return
}
