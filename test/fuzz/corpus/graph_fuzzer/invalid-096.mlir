// Top-k selects at least one entry.
func.func @topk_k(%s: tensor<1x4x8xbf16>, %p: index) {
  // expected-error @+1 {{expects k > 0, got 0}}
  %i = v4.topk %s at %p k 0 ratio 4 : tensor<1x4x8xbf16> -> tensor<1x4x0xi32>
  return
}
