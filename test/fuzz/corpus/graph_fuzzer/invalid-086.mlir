// Appending to a window ring is window_append's job.
func.func @compressed_append_window(%w: !v4.window<batch = 1, rows = 128, dim = 512, element = bf16>, %e: tensor<1x1x512xbf16>, %p: index, %n: index) {
  // expected-error @+1 {{operand #0 must be}}
  %w1 = "v4.compressed_append"(%w, %e, %p, %n) : (!v4.window<batch = 1, rows = 128, dim = 512, element = bf16>, tensor<1x1x512xbf16>, index, index) -> !v4.window<batch = 1, rows = 128, dim = 512, element = bf16>
  return
}
