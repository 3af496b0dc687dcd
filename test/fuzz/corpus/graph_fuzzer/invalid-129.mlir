// Dispatched rows are copies of the input rows, in its element type.
func.func @dispatch_rows_dtype(%x: tensor<3x16xbf16>, %e: tensor<3x2xi32>, %w: tensor<3x2xf32>) {
  // expected-error @+1 {{expects rows of element type 'bf16' (the input's), got 'f32'}}
  %r, %rw, %p, %o = v4.moe_dispatch %x, %e, %w num_experts 8
      : (tensor<3x16xbf16>, tensor<3x2xi32>, tensor<3x2xf32>) -> (tensor<6x16xf32>, tensor<6xf32>, tensor<6xi32>, tensor<9xi32>)
  return
}
