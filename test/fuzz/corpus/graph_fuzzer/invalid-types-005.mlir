// expected-error @+1 {{cache storage of shape [65536, 4294967296, 65536] needs more than 2^63 bytes}}
func.func private @compressed_too_large(!v4.compressed<batch = 65536, ratio = 4, capacity = 4294967296, dim = 65536, element = bf16>)
