// A chunk of run-time length needs `rows` to give S.
func.func @window_indices_chunk_rows(%p: index) {
  // expected-error @+1 {{expects a `rows` operand with layout chunk and a dynamic query dimension (nothing else gives S)}}
  %i = v4.window_indices %p window 128 layout chunk : tensor<1x?x128xi32>
  return
}
