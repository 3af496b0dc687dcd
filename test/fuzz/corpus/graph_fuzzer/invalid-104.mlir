// KV rows are [B, N, D] (one shared KV head).
func.func @attention_kv_rank(%q: tensor<1x4x8x64xbf16>, %kv: tensor<1x16x1x64xbf16>, %i: tensor<1x4x16xi32>, %sink: tensor<8xf32>) {
  // expected-error @+1 {{expects kv of rank 3 ([B, N, D]), got rank 4}}
  %o = v4.sparse_attention %q, %kv, %i, %sink scale 0.125 : tensor<1x4x8x64xbf16>, tensor<1x16x1x64xbf16>, tensor<1x4x16xi32>, tensor<8xf32>
  return
}
