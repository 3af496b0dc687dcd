// The route scale must be positive.
func.func @route_scale(%l: tensor<4x8xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{expects route_scale > 0, got 0}}
  %w, %e = v4.moe_route %l, %b k 2 route_scale 0.0 : tensor<4x8xf32>, tensor<8xf32> -> tensor<4x2xf32>, tensor<4x2xi32>
  return
}
