// The compressed width is positive.
// expected-error @+1 {{dim must be positive, got 0}}
func.func private @state_dim(!v4.compressor_state<batch = 1, ratio = 128, coff = 1, dim = 0>)
