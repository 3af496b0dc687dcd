// An unused fresh cache is still dead code.
func.func @unused_cache() {
  %a = v4.cache_init : !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 64>
  return
}
