// The selection bias has one value per expert.
func.func @route_bias(%l: tensor<4x8xf32>, %b: tensor<6xf32>) {
  // expected-error @+1 {{expects bias of shape 8 (one per expert), got 6}}
  %w, %e = v4.moe_route %l, %b k 2 route_scale 1.5 : tensor<4x8xf32>, tensor<6xf32> -> tensor<4x2xf32>, tensor<4x2xi32>
  return
}
