// Each group's weight has (H/G)*D columns.
func.func @grouped_linear_weight_shape(%o: tensor<4x8x16xbf16>, %w: tensor<2x8x128xbf16>) {
  // expected-error @+1 {{expects weight of shape 2x8x64, got 2x8x128}}
  %z = v4.grouped_linear %o, %w groups 2 : tensor<4x8x16xbf16>, tensor<2x8x128xbf16> -> tensor<4x2x8xbf16>
  return
}
