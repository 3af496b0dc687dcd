// 16-wide keys would not fill one FP4 block.
// expected-error @+1 {{indexer key dim must be a power of two >= 32 (Hadamard size, FP4 block 32), got 16}}
func.func private @indexer_dim_small(!v4.indexer_keys<batch = 1, capacity = 8, dim = 16, element = bf16>)
