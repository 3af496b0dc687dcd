// Queries are [B, S, H, D].
func.func @attention_query_rank(%q: tensor<1x4x64xbf16>, %w: tensor<1x16x64xbf16>, %i: tensor<1x4x16xi32>, %sink: tensor<8xf32>) {
  // expected-error @+1 {{expects query of rank 4 ([B, S, H, D]), got rank 3}}
  %o = v4.sparse_attention %q, %w[%i], %sink scale 0.125 : tensor<1x4x64xbf16>, tensor<1x16x64xbf16>, tensor<1x4x16xi32>, tensor<8xf32>
  return
}
