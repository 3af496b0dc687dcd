// k fixes the number of copies statically.
func.func @dispatch_dynamic_k(%x: tensor<3x16xbf16>, %e: tensor<3x?xi32>, %w: tensor<3x2xf32>) {
  // expected-error @+1 {{expects a static experts-per-token dimension}}
  %r, %rw, %p, %o = v4.moe_dispatch %x, %e, %w num_experts 8
      : (tensor<3x16xbf16>, tensor<3x?xi32>, tensor<3x2xf32>) -> (tensor<6x16xbf16>, tensor<6xf32>, tensor<6xi32>, tensor<9xi32>)
  return
}
