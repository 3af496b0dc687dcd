// Score routing with bias and hash routing by token id.
func.func @moe_routing(%logits: tensor<?x256xf32>, %bias: tensor<256xf32>, %tok: tensor<?xi32>, %table: tensor<129280x6xi32>,
                       %l2: tensor<3x8xf32>, %b2: tensor<8xf32>) -> (tensor<?x6xi32>, tensor<?x6xi32>, tensor<3x2xi32>) {
  %w0, %e0 = v4.moe_route %logits, %bias k 6 route_scale 1.5 normalize
      : tensor<?x256xf32>, tensor<256xf32> -> tensor<?x6xf32>, tensor<?x6xi32>
  %w1, %e1 = v4.moe_hash_route %logits, %tok, %table route_scale 1.5 normalize
      : tensor<?x256xf32>, tensor<?xi32>, tensor<129280x6xi32> -> tensor<?x6xf32>, tensor<?x6xi32>
  %w2, %e2 = v4.moe_route %l2, %b2 k 2 route_scale 2.5 : tensor<3x8xf32>, tensor<8xf32> -> tensor<3x2xf32>, tensor<3x2xi32>
  return %e0, %e1, %e2 : tensor<?x6xi32>, tensor<?x6xi32>, tensor<3x2xi32>
}
