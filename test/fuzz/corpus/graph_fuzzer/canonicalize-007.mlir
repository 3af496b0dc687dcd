// A fresh KV cache reads as zeros; compressor state (score = -inf) is not a splat and stays.
func.func @read_fresh_cache() -> (tensor<1x16x64xbf16>, tensor<1x8x128xbf16>, tensor<2x1x8x128xf32>) {
  %w = v4.cache_init : !v4.window<batch = 1, rows = 16, dim = 64, element = bf16>
  %0 = v4.cache_read %w : !v4.window<batch = 1, rows = 16, dim = 64, element = bf16> -> tensor<1x16x64xbf16>
  %k = v4.cache_init : !v4.indexer_keys<batch = 1, capacity = 8, dim = 128, element = bf16>
  %1 = v4.cache_read %k : !v4.indexer_keys<batch = 1, capacity = 8, dim = 128, element = bf16> -> tensor<1x8x128xbf16>
  %s = v4.cache_init : !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 64>
  %2 = v4.cache_read %s : !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 64> -> tensor<2x1x8x128xf32>
  return %0, %1, %2 : tensor<1x16x64xbf16>, tensor<1x8x128xbf16>, tensor<2x1x8x128xf32>
}
