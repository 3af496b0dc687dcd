// Indexer keys are appended with the key width.
func.func @compressed_append_shape(%k: !v4.indexer_keys<batch = 1, capacity = 64, dim = 128, element = bf16>, %e: tensor<1x1x512xbf16>, %p: index, %n: index) {
  // expected-error @+1 {{expects entries of shape 1x1x128 (batch and dim of the cache), got 1x1x512}}
  %k1 = v4.compressed_append %k, %e at %p tokens %n : !v4.indexer_keys<batch = 1, capacity = 64, dim = 128, element = bf16>, tensor<1x1x512xbf16>
  return
}
