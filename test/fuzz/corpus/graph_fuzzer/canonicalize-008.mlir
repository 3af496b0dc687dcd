// Appending no rows or no entries leaves a cache unchanged.
func.func @append_nothing(%w: !v4.window<batch = 1, rows = 16, dim = 64, element = bf16>,
                          %c: !v4.compressed<batch = 1, ratio = 4, capacity = 8, dim = 64, element = bf16>,
                          %rows: tensor<1x0x64xbf16>, %p: index, %n: index)
    -> (!v4.window<batch = 1, rows = 16, dim = 64, element = bf16>,
        !v4.compressed<batch = 1, ratio = 4, capacity = 8, dim = 64, element = bf16>) {
  %w1 = v4.window_append %w, %rows at %p : !v4.window<batch = 1, rows = 16, dim = 64, element = bf16>, tensor<1x0x64xbf16>
  %c1 = v4.compressed_append %c, %rows at %p tokens %n
      : !v4.compressed<batch = 1, ratio = 4, capacity = 8, dim = 64, element = bf16>, tensor<1x0x64xbf16>
  return %w1, %c1 : !v4.window<batch = 1, rows = 16, dim = 64, element = bf16>,
      !v4.compressed<batch = 1, ratio = 4, capacity = 8, dim = 64, element = bf16>
}
