// Dispatch needs at least one expert.
func.func @dispatch_experts_count(%x: tensor<3x16xbf16>, %e: tensor<3x2xi32>, %w: tensor<3x2xf32>) {
  // expected-error @+1 {{expects num_experts > 0, got 0}}
  %r, %rw, %p, %o = v4.moe_dispatch %x, %e, %w num_experts 0
      : (tensor<3x16xbf16>, tensor<3x2xi32>, tensor<3x2xf32>) -> (tensor<6x16xbf16>, tensor<6xf32>, tensor<6xi32>, tensor<1xi32>)
  return
}
