// A cache argument whose v4.cache name is not a string: v4-cache-layout fails.
func.func @decode(%w: !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = 7 : i64})
    -> !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {
  return %w : !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>
}
