// The table fixes k statically.
func.func @hash_table_dynamic_k(%l: tensor<4x8xf32>, %t: tensor<4xi32>, %tab: tensor<512x?xi32>) {
  // expected-error @+1 {{expects a static experts-per-token dimension of the table}}
  %w, %e = v4.moe_hash_route %l, %t, %tab route_scale 1.5 : tensor<4x8xf32>, tensor<4xi32>, tensor<512x?xi32> -> tensor<4x2xf32>, tensor<4x2xi32>
  return
}
