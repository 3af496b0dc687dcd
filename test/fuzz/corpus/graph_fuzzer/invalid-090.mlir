// Each query gets exactly `window` indices.
func.func @window_indices_width(%p: index) {
  // expected-error @+1 {{expects result of shape 1x4x128 (one row of `window` indices per query), got 1x4x64}}
  %i = v4.window_indices %p window 128 layout chunk : tensor<1x4x64xi32>
  return
}
