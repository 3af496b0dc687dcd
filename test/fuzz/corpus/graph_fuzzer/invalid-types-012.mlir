// Indexer keys go through a Hadamard and FP4 blocks of 32.
// expected-error @+1 {{indexer key dim must be a power of two >= 32 (Hadamard size, FP4 block 32), got 96}}
func.func private @indexer_dim(!v4.indexer_keys<batch = 1, capacity = 8, dim = 96, element = bf16>)
