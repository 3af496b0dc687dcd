// K = V rows have the query head dim.
func.func @attention_window_dim(%q: tensor<1x4x8x64xbf16>, %w: tensor<1x16x32xbf16>, %i: tensor<1x4x16xi32>, %sink: tensor<8xf32>) {
  // expected-error @+1 {{expects window of shape 1x16x64 (batch and head dim of the query), got 1x16x32}}
  %o = v4.sparse_attention %q, %w[%i], %sink scale 0.125 : tensor<1x4x8x64xbf16>, tensor<1x16x32xbf16>, tensor<1x4x16xi32>, tensor<8xf32>
  return
}
