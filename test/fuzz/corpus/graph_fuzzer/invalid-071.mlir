// hc_head returns one stream.
func.func @hc_head_result(%h: tensor<1x4x64xbf16>, %fn: tensor<4x256xf32>, %b: tensor<4xf32>, %s: tensor<1xf32>) {
  // expected-error @+1 {{expects result of shape 1x64, got 1x4x64}}
  %y = v4.hc_head %h, %fn, %b, %s eps 1.0e-6 norm_eps 1.0e-6
      : (tensor<1x4x64xbf16>, tensor<4x256xf32>, tensor<4xf32>, tensor<1xf32>) -> tensor<1x4x64xbf16>
  return
}

//===----------------------------------------------------------------------===//
// compress and caches
//===----------------------------------------------------------------------===//
