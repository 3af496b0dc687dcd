// One index row per query.
func.func @attention_indices_shape(%q: tensor<1x4x8x64xbf16>, %w: tensor<1x16x64xbf16>, %i: tensor<1x3x16xi32>, %sink: tensor<8xf32>) {
  // expected-error @+1 {{expects window indices of shape 1x4x16 (batch and sequence of the query), got 1x3x16}}
  %o = v4.sparse_attention %q, %w[%i], %sink scale 0.125 : tensor<1x4x8x64xbf16>, tensor<1x16x64xbf16>, tensor<1x3x16xi32>, tensor<8xf32>
  return
}
