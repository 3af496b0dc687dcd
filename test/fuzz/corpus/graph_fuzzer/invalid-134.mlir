// Offsets are prefix sums over experts, plus the end.
func.func @dispatch_offsets(%x: tensor<3x16xbf16>, %e: tensor<3x2xi32>, %w: tensor<3x2xf32>) {
  // expected-error @+1 {{expects expert offsets of shape 9 (num_experts + 1), got 8}}
  %r, %rw, %p, %o = v4.moe_dispatch %x, %e, %w num_experts 8
      : (tensor<3x16xbf16>, tensor<3x2xi32>, tensor<3x2xf32>) -> (tensor<6x16xbf16>, tensor<6xf32>, tensor<6xi32>, tensor<8xi32>)
  return
}
