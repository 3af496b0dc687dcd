// At least one group.
func.func @grouped_linear_groups(%o: tensor<4x8x16xbf16>, %w: tensor<1x8x128xbf16>) {
  // expected-error @+1 {{expects groups > 0, got 0}}
  %z = v4.grouped_linear %o, %w groups 0 : tensor<4x8x16xbf16>, tensor<1x8x128xbf16> -> tensor<4x1x8xbf16>
  return
}
