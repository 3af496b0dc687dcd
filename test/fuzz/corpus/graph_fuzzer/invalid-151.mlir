// A constant row count must match a static query dimension.
func.func @window_indices_rows(%p: index) {
  %c3 = arith.constant 3 : index
  // expected-error @+1 {{expects rows (3) to match the query dimension of the result (4)}}
  %i = v4.window_indices %p rows %c3 window 128 layout chunk : tensor<1x4x128xi32>
  return
}
