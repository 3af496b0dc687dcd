// Compressed entries are bf16 like the cache.
func.func @compressed_append_dtype(%c: !v4.compressed<batch = 1, ratio = 128, capacity = 64, dim = 512, element = bf16>, %e: tensor<1x1x512xf32>, %p: index, %n: index) {
  // expected-error @+1 {{expects entries of element type 'bf16' (the cache's), got 'f32'}}
  %c1 = v4.compressed_append %c, %e at %p tokens %n : !v4.compressed<batch = 1, ratio = 128, capacity = 64, dim = 512, element = bf16>, tensor<1x1x512xf32>
  return
}
