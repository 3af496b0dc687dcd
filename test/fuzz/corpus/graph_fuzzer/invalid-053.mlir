// The result is [..., G, R].
func.func @grouped_linear_result(%o: tensor<4x8x16xbf16>, %w: tensor<2x8x64xbf16>) {
  // expected-error @+1 {{expects result of shape 4x2x8, got 4x8x2}}
  %z = v4.grouped_linear %o, %w groups 2 : tensor<4x8x16xbf16>, tensor<2x8x64xbf16> -> tensor<4x8x2xbf16>
  return
}

//===----------------------------------------------------------------------===//
// hc_pre / hc_post / hc_head
//===----------------------------------------------------------------------===//
