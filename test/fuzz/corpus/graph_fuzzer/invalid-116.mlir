// A token cannot pick more experts than exist.
func.func @route_k_too_large(%l: tensor<4x8xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{expects k (9) <= the number of experts (8)}}
  %w, %e = v4.moe_route %l, %b k 9 route_scale 1.5 : tensor<4x8xf32>, tensor<8xf32> -> tensor<4x9xf32>, tensor<4x9xi32>
  return
}
