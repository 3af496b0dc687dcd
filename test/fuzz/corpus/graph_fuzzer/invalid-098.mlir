// A ratio that no compressor produces is rejected like the cache types do.
func.func @topk_ratio_invalid(%s: tensor<1x4x8xbf16>, %p: index) {
  // expected-error @+1 {{expects ratio 4 (CSA) or a power of two in [8, 128] (HCA), got 6}}
  %i = v4.topk %s at %p k 4 ratio 6 : tensor<1x4x8xbf16> -> tensor<1x4x4xi32>
  return
}
