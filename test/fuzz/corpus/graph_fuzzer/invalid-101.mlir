// The softmax scale must be positive.
func.func @attention_scale(%q: tensor<1x4x8x64xbf16>, %w: tensor<1x16x64xbf16>, %i: tensor<1x4x16xi32>, %sink: tensor<8xf32>) {
  // expected-error @+1 {{expects scale > 0, got 0}}
  %o = v4.sparse_attention %q, %w[%i], %sink scale 0.0 : tensor<1x4x8x64xbf16>, tensor<1x16x64xbf16>, tensor<1x4x16xi32>, tensor<8xf32>
  return
}
