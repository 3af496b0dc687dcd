// The capacity is the maximum number of entries, at least one.
// expected-error @+1 {{capacity must be positive, got 0}}
func.func private @compressed_capacity(!v4.compressed<batch = 1, ratio = 4, capacity = 0, dim = 512, element = bf16>)
