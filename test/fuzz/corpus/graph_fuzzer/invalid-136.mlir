// The combined result is [T, D].
func.func @combine_result_rank(%r: tensor<6x16xbf16>, %p: tensor<6xi32>) {
  // expected-error @+1 {{expects result of rank 2 ([T, D]), got rank 3}}
  %y = v4.moe_combine %r, %p : (tensor<6x16xbf16>, tensor<6xi32>) -> tensor<1x3x16xbf16>
  return
}
