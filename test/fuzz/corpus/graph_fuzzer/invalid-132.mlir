// One routing weight per copy.
func.func @dispatch_row_weights(%x: tensor<3x16xbf16>, %e: tensor<3x2xi32>, %w: tensor<3x2xf32>) {
  // expected-error @+1 {{expects row weights of shape 6 ([T*k]), got 3}}
  %r, %rw, %p, %o = v4.moe_dispatch %x, %e, %w num_experts 8
      : (tensor<3x16xbf16>, tensor<3x2xi32>, tensor<3x2xf32>) -> (tensor<6x16xbf16>, tensor<3xf32>, tensor<6xi32>, tensor<9xi32>)
  return
}
