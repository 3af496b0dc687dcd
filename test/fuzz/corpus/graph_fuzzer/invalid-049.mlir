// The head dimension is static.
func.func @grouped_linear_dynamic_dim(%o: tensor<4x8x?xbf16>, %w: tensor<1x8x128xbf16>) {
  // expected-error @+1 {{expects a static head dimension}}
  %z = v4.grouped_linear %o, %w groups 1 : tensor<4x8x?xbf16>, tensor<1x8x128xbf16> -> tensor<4x1x8xbf16>
  return
}
