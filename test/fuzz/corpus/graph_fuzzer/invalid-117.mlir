// Routing weights are [T, k].
func.func @route_weights(%l: tensor<4x8xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{expects weights of shape 4x2 ([T, k]), got 4x8}}
  %w, %e = v4.moe_route %l, %b k 2 route_scale 1.5 : tensor<4x8xf32>, tensor<8xf32> -> tensor<4x8xf32>, tensor<4x2xi32>
  return
}
