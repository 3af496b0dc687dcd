// Compressed entries are bf16 too.
// expected-error @+1 {{cache elements must be bf16, got 'f32'}}
func.func private @compressed_element(!v4.compressed<batch = 1, ratio = 128, capacity = 8, dim = 512, element = f32>)
