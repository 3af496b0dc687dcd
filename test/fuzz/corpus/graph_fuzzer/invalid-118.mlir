// Expert ids are [T, k].
func.func @route_experts(%l: tensor<4x8xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{expects experts of shape 4x2 ([T, k]), got 2x4}}
  %w, %e = v4.moe_route %l, %b k 2 route_scale 1.5 : tensor<4x8xf32>, tensor<8xf32> -> tensor<4x2xf32>, tensor<2x4xi32>
  return
}
