// Compressor state exists for valid ratios only.
// expected-error @+1 {{compression ratio must be 4 (CSA) or a power of two in [8, 128] (HCA), got 6}}
func.func private @state_ratio(!v4.compressor_state<batch = 1, ratio = 6, coff = 1, dim = 512>)
