// Expert ids have one row per token.
func.func @dispatch_experts_shape(%x: tensor<3x16xbf16>, %e: tensor<4x2xi32>, %w: tensor<3x2xf32>) {
  // expected-error @+1 {{expects experts of shape 3x2 ([T, k]), got 4x2}}
  %r, %rw, %p, %o = v4.moe_dispatch %x, %e, %w num_experts 8
      : (tensor<3x16xbf16>, tensor<4x2xi32>, tensor<3x2xf32>) -> (tensor<6x16xbf16>, tensor<6xf32>, tensor<6xi32>, tensor<9xi32>)
  return
}
