// Keys and queries share the head dim.
func.func @indexer_key_dim(%q: tensor<1x4x64x128xbf16>, %k: tensor<1x8x64xbf16>, %w: tensor<1x4x64xbf16>) {
  // expected-error @+1 {{expects keys of shape 1x8x128 (batch and head dim of the queries), got 1x8x64}}
  %s = v4.indexer_score %q, %k, %w : (tensor<1x4x64x128xbf16>, tensor<1x8x64xbf16>, tensor<1x4x64xbf16>) -> tensor<1x4x8xbf16>
  return
}
