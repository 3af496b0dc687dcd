// Window rows are [B, W, D] (one shared KV head).
func.func @attention_window_rank(%q: tensor<1x4x8x64xbf16>, %w: tensor<1x16x1x64xbf16>, %i: tensor<1x4x16xi32>, %sink: tensor<8xf32>) {
  // expected-error @+1 {{expects window of rank 3 ([B, W, D]), got rank 4}}
  %o = v4.sparse_attention %q, %w[%i], %sink scale 0.125 : tensor<1x4x8x64xbf16>, tensor<1x16x1x64xbf16>, tensor<1x4x16xi32>, tensor<8xf32>
  return
}
