// Window indices are [B, S, K].
func.func @attention_indices_rank(%q: tensor<1x4x8x64xbf16>, %w: tensor<1x16x64xbf16>, %i: tensor<4x16xi32>, %sink: tensor<8xf32>) {
  // expected-error @+1 {{expects window indices of rank 3 ([B, S, K]), got rank 2}}
  %o = v4.sparse_attention %q, %w[%i], %sink scale 0.125 : tensor<1x4x8x64xbf16>, tensor<1x16x64xbf16>, tensor<4x16xi32>, tensor<8xf32>
  return
}
