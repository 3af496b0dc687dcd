// expected-error @+1 {{cache storage of shape [1, 9223372036854775807, 128] needs more than 2^63 bytes}}
func.func private @indexer_too_large(!v4.indexer_keys<batch = 1, capacity = 9223372036854775807, dim = 128, element = bf16>)
