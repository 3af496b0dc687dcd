// The compressed entries have the query's head dim.
func.func @attention_entries_dim(%q: tensor<1x4x8x32xbf16>, %w: tensor<1x16x32xbf16>, %i: tensor<1x4x16xi32>, %sink: tensor<8xf32>,
                                 %c: !v4.compressed<batch = 1, ratio = 4, capacity = 4, dim = 64, element = bf16>, %e: tensor<1x4x4xi32>) {
  // expected-error @+1 {{expects query of shape 1x4x8x64 (the compressed cache's batch and dim), got 1x4x8x32}}
  %o = v4.sparse_attention %q, %w[%i], %sink entries %c[%e] scale 0.125
      : tensor<1x4x8x32xbf16>, tensor<1x16x32xbf16>, tensor<1x4x16xi32>, tensor<8xf32>, !v4.compressed<batch = 1, ratio = 4, capacity = 4, dim = 64, element = bf16>, tensor<1x4x4xi32>
  return
}
