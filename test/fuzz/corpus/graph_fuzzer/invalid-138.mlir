// Combining keeps the row width.
func.func @combine_width(%r: tensor<6x16xbf16>, %p: tensor<6xi32>) {
  // expected-error @+1 {{expects result of shape 3x16 (the row width), got 3x32}}
  %y = v4.moe_combine %r, %p : (tensor<6x16xbf16>, tensor<6xi32>) -> tensor<3x32xbf16>
  return
}
