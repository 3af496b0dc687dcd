// Cache rows are stored in bf16; FP8 layouts are a lowering decision.
// expected-error @+1 {{cache elements must be bf16, got 'f8E4M3FN'}}
func.func private @window_element(!v4.window<batch = 1, rows = 128, dim = 512, element = f8E4M3FN>)
