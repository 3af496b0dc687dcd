// Cache types: verifiers of !v4.window, !v4.compressed, !v4.indexer_keys and
// !v4.compressor_state; attribute verifier of #v4.rope.

// A cache has at least one batch row.
// expected-error @+1 {{batch must be positive, got 0}}
func.func private @window_batch(!v4.window<batch = 0, rows = 128, dim = 512, element = bf16>)
