// Rows have a positive width.
// expected-error @+1 {{dim must be positive, got -1}}
func.func private @window_dim(!v4.window<batch = 1, rows = 128, dim = -1, element = bf16>)
