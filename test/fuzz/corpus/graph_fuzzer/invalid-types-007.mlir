// expected-error @+1 {{cache storage of shape [2, 4611686018427387904, 8, 2, 512] needs more than 2^63 bytes}}
func.func private @state_too_large(!v4.compressor_state<batch = 4611686018427387904, ratio = 4, coff = 2, dim = 512>)
