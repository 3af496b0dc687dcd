// Router logits are [T, E].
func.func @route_logits_rank(%l: tensor<1x4x8xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{expects logits of rank 2 ([T, E]), got rank 3}}
  %w, %e = v4.moe_route %l, %b k 2 route_scale 1.5 : tensor<1x4x8xf32>, tensor<8xf32> -> tensor<4x2xf32>, tensor<4x2xi32>
  return
}
