// Window indices are [B, S, window].
func.func @window_indices_rank(%p: index) {
  // expected-error @+1 {{expects result of rank 3 ([B, S, window]), got rank 2}}
  %i = v4.window_indices %p window 128 layout chunk : tensor<4x128xi32>
  return
}
