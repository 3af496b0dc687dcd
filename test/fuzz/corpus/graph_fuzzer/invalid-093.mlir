// Indexer keys are [B, C, D].
func.func @indexer_key_rank(%q: tensor<1x4x64x128xbf16>, %k: tensor<8x128xbf16>, %w: tensor<1x4x64xbf16>) {
  // expected-error @+1 {{expects keys of rank 3 ([B, C, D]), got rank 2}}
  %s = v4.indexer_score %q, %k, %w : (tensor<1x4x64x128xbf16>, tensor<8x128xbf16>, tensor<1x4x64xbf16>) -> tensor<1x4x8xbf16>
  return
}
