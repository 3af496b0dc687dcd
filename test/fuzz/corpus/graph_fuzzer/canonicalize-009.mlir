// Appending real rows is kept.
func.func @append_rows(%w: !v4.window<batch = 1, rows = 16, dim = 64, element = bf16>, %rows: tensor<1x1x64xbf16>, %p: index)
    -> !v4.window<batch = 1, rows = 16, dim = 64, element = bf16> {
  %w1 = v4.window_append %w, %rows at %p : !v4.window<batch = 1, rows = 16, dim = 64, element = bf16>, tensor<1x1x64xbf16>
  return %w1 : !v4.window<batch = 1, rows = 16, dim = 64, element = bf16>
}
