// One weight per query head.
func.func @indexer_weights(%q: tensor<1x4x64x128xbf16>, %k: !v4.indexer_keys<batch = 1, capacity = 8, dim = 128, element = bf16>, %w: tensor<1x4x32xbf16>) {
  // expected-error @+1 {{expects weights of shape 1x4x64 ([B, S, H]), got 1x4x32}}
  %s = v4.indexer_score %q, %k, %w : tensor<1x4x64x128xbf16>, !v4.indexer_keys<batch = 1, capacity = 8, dim = 128, element = bf16>, tensor<1x4x32xbf16> -> tensor<1x4x8xbf16>
  return
}
