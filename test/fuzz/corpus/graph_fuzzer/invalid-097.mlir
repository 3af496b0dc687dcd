// The causal limit needs a valid compression ratio.
func.func @topk_ratio(%s: tensor<1x4x8xbf16>, %p: index) {
  // expected-error @+1 {{expects ratio 4 (CSA) or a power of two in [8, 128] (HCA), got 0}}
  %i = v4.topk %s at %p k 4 ratio 0 : tensor<1x4x8xbf16> -> tensor<1x4x4xi32>
  return
}
