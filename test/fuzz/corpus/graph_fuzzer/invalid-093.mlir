// Keys and queries share the head dim and the batch (the key cache's).
func.func @indexer_key_dim(%q: tensor<1x4x64x64xbf16>, %k: !v4.indexer_keys<batch = 1, capacity = 8, dim = 128, element = bf16>, %w: tensor<1x4x64xbf16>) {
  // expected-error @+1 {{expects queries of shape 1x4x64x128 (the key cache's batch and dim), got 1x4x64x64}}
  %s = v4.indexer_score %q, %k, %w : tensor<1x4x64x64xbf16>, !v4.indexer_keys<batch = 1, capacity = 8, dim = 128, element = bf16>, tensor<1x4x64xbf16> -> tensor<1x4x8xbf16>
  return
}
