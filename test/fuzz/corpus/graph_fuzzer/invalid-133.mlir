// One source index per copy.
func.func @dispatch_permutation(%x: tensor<3x16xbf16>, %e: tensor<3x2xi32>, %w: tensor<3x2xf32>) {
  // expected-error @+1 {{expects permutation of shape 6 ([T*k]), got 12}}
  %r, %rw, %p, %o = v4.moe_dispatch %x, %e, %w num_experts 8
      : (tensor<3x16xbf16>, tensor<3x2xi32>, tensor<3x2xf32>) -> (tensor<6x16xbf16>, tensor<6xf32>, tensor<12xi32>, tensor<9xi32>)
  return
}
