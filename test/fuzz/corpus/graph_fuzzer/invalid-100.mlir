// The index list has a fixed width k (with -1 padding).
func.func @topk_result(%s: tensor<1x4x8xbf16>, %p: index) {
  // expected-error @+1 {{expects result of shape 1x4x4 ([B, S, k]), got 1x4x8}}
  %i = v4.topk %s at %p k 4 ratio 4 : tensor<1x4x8xbf16> -> tensor<1x4x8xi32>
  return
}
