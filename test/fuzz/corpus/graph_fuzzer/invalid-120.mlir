// The tid2eid table is [vocab, k].
func.func @hash_table_rank(%l: tensor<4x8xf32>, %t: tensor<4xi32>, %tab: tensor<512xi32>) {
  // expected-error @+1 {{expects table of rank 2 ([vocab, k]), got rank 1}}
  %w, %e = v4.moe_hash_route %l, %t, %tab route_scale 1.5 : tensor<4x8xf32>, tensor<4xi32>, tensor<512xi32> -> tensor<4x2xf32>, tensor<4x2xi32>
  return
}
