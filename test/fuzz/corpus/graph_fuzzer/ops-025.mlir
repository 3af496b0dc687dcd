// A prefill chunk of run-time length passes its row count to window_indices.
func.func @window_indices_rows(%pos: index, %s: index) -> tensor<1x?x128xi32> {
  %0 = v4.window_indices %pos rows %s window 128 layout chunk : tensor<1x?x128xi32>
  return %0 : tensor<1x?x128xi32>
}
