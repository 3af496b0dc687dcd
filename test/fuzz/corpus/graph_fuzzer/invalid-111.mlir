// HCA reads the compressed cache in place; its entries have the query head dim.
func.func @hca_entries_dim(%q: tensor<1x1x8x32xbf16>, %w: tensor<1x16x32xbf16>, %i: tensor<1x1x16xi32>, %c: !v4.compressed<batch = 1, ratio = 128, capacity = 4, dim = 64, element = bf16>, %sink: tensor<8xf32>, %p: index) {
  // expected-error @+1 {{expects query of shape 1x1x8x64 (the compressed cache's batch and dim), got 1x1x8x32}}
  %o = v4.hca_attention %q, %w[%i] entries %c, %sink at %p scale 0.125
      : tensor<1x1x8x32xbf16>, tensor<1x16x32xbf16>, tensor<1x1x16xi32>, !v4.compressed<batch = 1, ratio = 128, capacity = 4, dim = 64, element = bf16>, tensor<8xf32>
  return
}
