// Scores are [B, S, C].
func.func @topk_rank(%s: tensor<4x8xbf16>, %p: index) {
  // expected-error @+1 {{expects scores of rank 3 ([B, S, C]), got rank 2}}
  %i = v4.topk %s at %p k 4 ratio 4 : tensor<4x8xbf16> -> tensor<1x4x4xi32>
  return
}
