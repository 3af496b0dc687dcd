// One sink logit per head.
func.func @attention_sink(%q: tensor<1x4x8x64xbf16>, %w: tensor<1x16x64xbf16>, %i: tensor<1x4x16xi32>, %sink: tensor<4xf32>) {
  // expected-error @+1 {{expects sink of shape 8 (one logit per head), got 4}}
  %o = v4.sparse_attention %q, %w[%i], %sink scale 0.125 : tensor<1x4x8x64xbf16>, tensor<1x16x64xbf16>, tensor<1x4x16xi32>, tensor<4xf32>
  return
}
