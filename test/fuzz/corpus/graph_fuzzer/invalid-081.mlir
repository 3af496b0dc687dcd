// Appended KV rows are [B, S, dim].
func.func @window_append_rank(%w: !v4.window<batch = 1, rows = 128, dim = 512, element = bf16>, %kv: tensor<1x512xbf16>, %p: index) {
  // expected-error @+1 {{expects rows of rank 3 ([B, rows, dim]), got rank 2}}
  %w1 = v4.window_append %w, %kv at %p : !v4.window<batch = 1, rows = 128, dim = 512, element = bf16>, tensor<1x512xbf16>
  return
}
