// The shared expert output has the result shape.
func.func @combine_shared(%r: tensor<6x16xbf16>, %p: tensor<6xi32>, %s: tensor<6x16xbf16>) {
  // expected-error @+1 {{expects shared of shape 3x16 (the result shape), got 6x16}}
  %y = v4.moe_combine %r, %p shared %s : (tensor<6x16xbf16>, tensor<6xi32>, tensor<6x16xbf16>) -> tensor<3x16xbf16>
  return
}
