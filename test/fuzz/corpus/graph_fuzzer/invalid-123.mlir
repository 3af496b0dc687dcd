// One token id per token.
func.func @hash_tokens(%l: tensor<4x8xf32>, %t: tensor<3xi32>, %tab: tensor<512x2xi32>) {
  // expected-error @+1 {{expects tokens of shape 4 (one id per token), got 3}}
  %w, %e = v4.moe_hash_route %l, %t, %tab route_scale 1.5 : tensor<4x8xf32>, tensor<3xi32>, tensor<512x2xi32> -> tensor<4x2xf32>, tensor<4x2xi32>
  return
}
