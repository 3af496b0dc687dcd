// Ratio 256 is beyond V4's heaviest compression.
// expected-error @+1 {{compression ratio must be 4 (CSA) or a power of two in [8, 128] (HCA), got 256}}
func.func private @compressed_ratio_large(!v4.compressed<batch = 1, ratio = 256, capacity = 8, dim = 512, element = bf16>)
