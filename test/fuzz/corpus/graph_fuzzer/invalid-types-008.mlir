// Compressed entries come from a ratio-4 or power-of-two HCA compressor.
// expected-error @+1 {{compression ratio must be 4 (CSA) or a power of two in [8, 128] (HCA), got 0}}
func.func private @compressed_ratio_zero(!v4.compressed<batch = 1, ratio = 0, capacity = 8, dim = 512, element = bf16>)
