// Dispatched tokens are [T, D].
func.func @dispatch_input_rank(%x: tensor<1x3x16xbf16>, %e: tensor<3x2xi32>, %w: tensor<3x2xf32>) {
  // expected-error @+1 {{expects input of rank 2 ([T, D]), got rank 3}}
  %r, %rw, %p, %o = v4.moe_dispatch %x, %e, %w num_experts 8
      : (tensor<1x3x16xbf16>, tensor<3x2xi32>, tensor<3x2xf32>) -> (tensor<6x16xbf16>, tensor<6xf32>, tensor<6xi32>, tensor<9xi32>)
  return
}
