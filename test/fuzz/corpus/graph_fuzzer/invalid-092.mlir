// Indexer queries are [B, S, H, D].
func.func @indexer_query_rank(%q: tensor<1x4x128xbf16>, %k: !v4.indexer_keys<batch = 1, capacity = 8, dim = 128, element = bf16>, %w: tensor<1x4x64xbf16>) {
  // expected-error @+1 {{expects queries of rank 4 ([B, S, H, D]), got rank 3}}
  %s = v4.indexer_score %q, %k, %w : tensor<1x4x128xbf16>, !v4.indexer_keys<batch = 1, capacity = 8, dim = 128, element = bf16>, tensor<1x4x64xbf16> -> tensor<1x4x8xbf16>
  return
}
