// Routing weights pair with expert ids.
func.func @dispatch_weights(%x: tensor<3x16xbf16>, %e: tensor<3x2xi32>, %w: tensor<3x1xf32>) {
  // expected-error @+1 {{expects weights of shape 3x2 ([T, k]), got 3x1}}
  %r, %rw, %p, %o = v4.moe_dispatch %x, %e, %w num_experts 8
      : (tensor<3x16xbf16>, tensor<3x2xi32>, tensor<3x1xf32>) -> (tensor<6x16xbf16>, tensor<6xf32>, tensor<6xi32>, tensor<9xi32>)
  return
}
