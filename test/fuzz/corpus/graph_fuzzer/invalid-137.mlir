// One source index per expert output row.
func.func @combine_permutation(%r: tensor<6x16xbf16>, %p: tensor<5xi32>) {
  // expected-error @+1 {{expects permutation of shape 6 (one per row), got 5}}
  %y = v4.moe_combine %r, %p : (tensor<6x16xbf16>, tensor<5xi32>) -> tensor<3x16xbf16>
  return
}
