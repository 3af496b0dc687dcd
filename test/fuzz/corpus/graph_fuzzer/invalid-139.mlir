// Every token has the same number of expert rows.
func.func @combine_multiple(%r: tensor<7x16xbf16>, %p: tensor<7xi32>) {
  // expected-error @+1 {{expects the row count (7) to be a multiple of the token count (3)}}
  %y = v4.moe_combine %r, %p : (tensor<7x16xbf16>, tensor<7xi32>) -> tensor<3x16xbf16>
  return
}
