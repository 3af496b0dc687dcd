// Hash routing shares the [T, k] result checks, with k from the table.
func.func @hash_results(%l: tensor<4x8xf32>, %t: tensor<4xi32>, %tab: tensor<512x2xi32>) {
  // expected-error @+1 {{expects weights of shape 4x2 ([T, k]), got 4x6}}
  %w, %e = v4.moe_hash_route %l, %t, %tab route_scale 1.5 : tensor<4x8xf32>, tensor<4xi32>, tensor<512x2xi32> -> tensor<4x6xf32>, tensor<4x2xi32>
  return
}
