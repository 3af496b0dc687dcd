// Indexer key caches have a positive capacity.
// expected-error @+1 {{capacity must be positive, got 0}}
func.func private @indexer_capacity(!v4.indexer_keys<batch = 1, capacity = 0, dim = 128, element = bf16>)
