// Fresh caches of every kind and their contents.
func.func @cache_init_read() -> (tensor<1x128x512xbf16>, tensor<1x1024x512xbf16>, tensor<1x1024x128xbf16>, tensor<2x2x8x256xf32>) {
  %w = v4.cache_init : !v4.window<batch = 1, rows = 128, dim = 512, element = bf16>
  %0 = v4.cache_read %w : !v4.window<batch = 1, rows = 128, dim = 512, element = bf16> -> tensor<1x128x512xbf16>
  %c = v4.cache_init : !v4.compressed<batch = 1, ratio = 4, capacity = 1024, dim = 512, element = bf16>
  %1 = v4.cache_read %c : !v4.compressed<batch = 1, ratio = 4, capacity = 1024, dim = 512, element = bf16> -> tensor<1x1024x512xbf16>
  %k = v4.cache_init : !v4.indexer_keys<batch = 1, capacity = 1024, dim = 128, element = bf16>
  %2 = v4.cache_read %k : !v4.indexer_keys<batch = 1, capacity = 1024, dim = 128, element = bf16> -> tensor<1x1024x128xbf16>
  %s = v4.cache_init : !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128>
  %3 = v4.cache_read %s : !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128> -> tensor<2x2x8x256xf32>
  return %0, %1, %2, %3 : tensor<1x128x512xbf16>, tensor<1x1024x512xbf16>, tensor<1x1024x128xbf16>, tensor<2x2x8x256xf32>
}
