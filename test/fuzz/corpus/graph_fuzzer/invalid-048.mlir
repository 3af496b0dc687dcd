// The head count is static.
func.func @grouped_linear_dynamic_heads(%o: tensor<4x?x16xbf16>, %w: tensor<1x8x128xbf16>) {
  // expected-error @+1 {{expects a static head count}}
  %z = v4.grouped_linear %o, %w groups 1 : tensor<4x?x16xbf16>, tensor<1x8x128xbf16> -> tensor<4x1x8xbf16>
  return
}
