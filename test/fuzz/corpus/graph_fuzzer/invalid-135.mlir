// Expert outputs are [R, D].
func.func @combine_rows_rank(%r: tensor<6xbf16>, %p: tensor<6xi32>) {
  // expected-error @+1 {{expects rows of rank 2 ([R, D]), got rank 1}}
  %y = v4.moe_combine %r, %p : (tensor<6xbf16>, tensor<6xi32>) -> tensor<3x16xbf16>
  return
}
