// Two layers' fresh caches are two values: CSE must not merge them (they
// become two buffers that each layer updates in place).
func.func @two_layers_two_caches()
    -> (!v4.window<batch = 1, rows = 16, dim = 64, element = bf16>,
        !v4.window<batch = 1, rows = 16, dim = 64, element = bf16>) {
  %a = v4.cache_init : !v4.window<batch = 1, rows = 16, dim = 64, element = bf16>
  %b = v4.cache_init : !v4.window<batch = 1, rows = 16, dim = 64, element = bf16>
  return %a, %b : !v4.window<batch = 1, rows = 16, dim = 64, element = bf16>,
                  !v4.window<batch = 1, rows = 16, dim = 64, element = bf16>
}
