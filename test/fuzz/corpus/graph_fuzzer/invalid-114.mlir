// Each token picks at least one expert.
func.func @route_k(%l: tensor<4x8xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{expects k > 0, got 0}}
  %w, %e = v4.moe_route %l, %b k 0 route_scale 1.5 : tensor<4x8xf32>, tensor<8xf32> -> tensor<4x0xf32>, tensor<4x0xi32>
  return
}
