// Appended rows match the ring's batch and row width.
func.func @window_append_shape(%w: !v4.window<batch = 1, rows = 128, dim = 512, element = bf16>, %kv: tensor<2x1x512xbf16>, %p: index) {
  // expected-error @+1 {{expects rows of shape 1x1x512 (batch and dim of the cache), got 2x1x512}}
  %w1 = v4.window_append %w, %kv at %p : !v4.window<batch = 1, rows = 128, dim = 512, element = bf16>, tensor<2x1x512xbf16>
  return
}
