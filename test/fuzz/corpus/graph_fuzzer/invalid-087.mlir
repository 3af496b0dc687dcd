// The window holds at least one row.
func.func @window_indices_window(%p: index) {
  // expected-error @+1 {{expects window > 0, got 0}}
  %i = v4.window_indices %p window 0 layout chunk : tensor<1x4x0xi32>
  return
}
