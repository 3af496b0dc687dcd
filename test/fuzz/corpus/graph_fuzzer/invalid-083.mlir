// Appended rows have the cache's element type.
func.func @window_append_dtype(%w: !v4.window<batch = 1, rows = 128, dim = 512, element = bf16>, %kv: tensor<1x1x512xf32>, %p: index) {
  // expected-error @+1 {{expects rows of element type 'bf16' (the cache's), got 'f32'}}
  %w1 = v4.window_append %w, %kv at %p : !v4.window<batch = 1, rows = 128, dim = 512, element = bf16>, tensor<1x1x512xf32>
  return
}
