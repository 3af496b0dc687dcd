// Storage whose byte count overflows int64 cannot exist (2^62 rows of 512
// bf16 values once wrapped to a small size in the cache layout).
// expected-error @+1 {{cache storage of shape [1, 4611686018427387904, 512] needs more than 2^63 bytes}}
func.func private @window_too_large(!v4.window<batch = 1, rows = 4611686018427387904, dim = 512, element = bf16>)
