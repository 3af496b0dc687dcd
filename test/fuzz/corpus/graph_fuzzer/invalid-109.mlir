// One entry index row per query.
func.func @attention_entry_indices(%q: tensor<1x4x8x64xbf16>, %w: tensor<1x16x64xbf16>, %i: tensor<1x4x16xi32>, %sink: tensor<8xf32>,
                                   %c: !v4.compressed<batch = 1, ratio = 4, capacity = 4, dim = 64, element = bf16>, %e: tensor<1x2x4xi32>) {
  // expected-error @+1 {{expects entry indices of shape 1x4x4 (batch and sequence of the query), got 1x2x4}}
  %o = v4.sparse_attention %q, %w[%i], %sink entries %c[%e] scale 0.125
      : tensor<1x4x8x64xbf16>, tensor<1x16x64xbf16>, tensor<1x4x16xi32>, tensor<8xf32>, !v4.compressed<batch = 1, ratio = 4, capacity = 4, dim = 64, element = bf16>, tensor<1x2x4xi32>
  return
}
