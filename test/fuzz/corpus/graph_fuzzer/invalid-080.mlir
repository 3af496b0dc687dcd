// Reads return exactly the cache storage.
func.func @cache_read_type(%w: !v4.window<batch = 1, rows = 128, dim = 512, element = bf16>) {
  // expected-error @+1 {{expects result type 'tensor<1x128x512xbf16>' (the storage of '!v4.window<batch = 1, rows = 128, dim = 512, element = bf16>'), got 'tensor<1x128x512xf32>'}}
  %t = v4.cache_read %w : !v4.window<batch = 1, rows = 128, dim = 512, element = bf16> -> tensor<1x128x512xf32>
  return
}
