// HCA compressors do not overlap.
// expected-error @+1 {{compressor state coff must be 1 for ratio 128 (2 only for the overlapping ratio-4 compressor), got 2}}
func.func private @state_coff_hca(!v4.compressor_state<batch = 1, ratio = 128, coff = 2, dim = 512>)
