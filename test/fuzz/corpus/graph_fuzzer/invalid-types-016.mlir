// The overlapping ratio-4 compressor keeps two halves per slot.
// expected-error @+1 {{compressor state coff must be 2 for ratio 4 (2 only for the overlapping ratio-4 compressor), got 1}}
func.func private @state_coff_csa(!v4.compressor_state<batch = 1, ratio = 4, coff = 1, dim = 512>)
