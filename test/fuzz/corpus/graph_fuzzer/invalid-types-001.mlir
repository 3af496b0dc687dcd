// The ring has at least one row.
// expected-error @+1 {{window rows must be positive, got 0}}
func.func private @window_rows(!v4.window<batch = 1, rows = 0, dim = 512, element = bf16>)
