// Each token is copied k times.
func.func @dispatch_rows(%x: tensor<3x16xbf16>, %e: tensor<3x2xi32>, %w: tensor<3x2xf32>) {
  // expected-error @+1 {{expects rows of shape 6x16 ([T*k, D]), got 3x16}}
  %r, %rw, %p, %o = v4.moe_dispatch %x, %e, %w num_experts 8
      : (tensor<3x16xbf16>, tensor<3x2xi32>, tensor<3x2xf32>) -> (tensor<3x16xbf16>, tensor<6xf32>, tensor<6xi32>, tensor<9xi32>)
  return
}
