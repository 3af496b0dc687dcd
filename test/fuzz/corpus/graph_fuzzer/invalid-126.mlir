// Expert ids are [T, k].
func.func @dispatch_experts_rank(%x: tensor<3x16xbf16>, %e: tensor<6xi32>, %w: tensor<3x2xf32>) {
  // expected-error @+1 {{expects experts of rank 2 ([T, k]), got rank 1}}
  %r, %rw, %p, %o = v4.moe_dispatch %x, %e, %w num_experts 8
      : (tensor<3x16xbf16>, tensor<6xi32>, tensor<3x2xf32>) -> (tensor<6x16xbf16>, tensor<6xf32>, tensor<6xi32>, tensor<9xi32>)
  return
}
