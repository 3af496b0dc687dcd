// Decode step: append one KV row to the ring and one compressed entry to each cache.
func.func @cache_append(%w: !v4.window<batch = 1, rows = 128, dim = 512, element = bf16>, %kv: tensor<1x1x512xbf16>,
                        %c: !v4.compressed<batch = 1, ratio = 128, capacity = 8192, dim = 512, element = bf16>,
                        %e: tensor<1x1x512xbf16>, %k: !v4.indexer_keys<batch = 1, capacity = 1024, dim = 128, element = bf16>,
                        %ke: tensor<1x1x128xbf16>, %pos: index, %n: index)
    -> (!v4.window<batch = 1, rows = 128, dim = 512, element = bf16>,
        !v4.compressed<batch = 1, ratio = 128, capacity = 8192, dim = 512, element = bf16>,
        !v4.indexer_keys<batch = 1, capacity = 1024, dim = 128, element = bf16>) {
  %w1 = v4.window_append %w, %kv at %pos : !v4.window<batch = 1, rows = 128, dim = 512, element = bf16>, tensor<1x1x512xbf16>
  %c1 = v4.compressed_append %c, %e at %pos tokens %n
      : !v4.compressed<batch = 1, ratio = 128, capacity = 8192, dim = 512, element = bf16>, tensor<1x1x512xbf16>
  %k1 = v4.compressed_append %k, %ke at %pos tokens %n
      : !v4.indexer_keys<batch = 1, capacity = 1024, dim = 128, element = bf16>, tensor<1x1x128xbf16>
  return %w1, %c1, %k1 : !v4.window<batch = 1, rows = 128, dim = 512, element = bf16>,
      !v4.compressed<batch = 1, ratio = 128, capacity = 8192, dim = 512, element = bf16>,
      !v4.indexer_keys<batch = 1, capacity = 1024, dim = 128, element = bf16>
}
