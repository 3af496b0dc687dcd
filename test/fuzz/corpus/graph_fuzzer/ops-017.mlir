// Window indices for prefill (chunk rows) and decode (ring slots).
func.func @window_indices(%pos: index, %s: index) -> (tensor<1x?x128xi32>, tensor<1x1x128xi32>) {
  %0 = v4.window_indices %pos rows %s window 128 layout chunk : tensor<1x?x128xi32>
  %1 = v4.window_indices %pos window 128 layout ring : tensor<1x1x128xi32>
  return %0, %1 : tensor<1x?x128xi32>, tensor<1x1x128xi32>
}
