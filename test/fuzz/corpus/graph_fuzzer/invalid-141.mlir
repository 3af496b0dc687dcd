// The shared expert output is added in the result's element type.
func.func @combine_shared_dtype(%r: tensor<6x16xbf16>, %p: tensor<6xi32>, %s: tensor<3x16xf32>) {
  // expected-error @+1 {{expects shared of element type 'bf16' (the result's), got 'f32'}}
  %y = v4.moe_combine %r, %p shared %s : (tensor<6x16xbf16>, tensor<6xi32>, tensor<3x16xf32>) -> tensor<3x16xbf16>
  return
}

//===----------------------------------------------------------------------===//
// param / window_indices rows
//===----------------------------------------------------------------------===//
