// Lightning indexer scores over the key cache itself, then causal top-k.
func.func @indexer_topk(%q: tensor<1x?x64x128xbf16>,
                        %k: !v4.indexer_keys<batch = 1, capacity = 1024, dim = 128, element = bf16>,
                        %w: tensor<1x?x64xbf16>, %pos: index) -> (tensor<1x?x512xi32>, tensor<1x?x4xi32>) {
  %s = v4.indexer_score %q, %k, %w
      : tensor<1x?x64x128xbf16>, !v4.indexer_keys<batch = 1, capacity = 1024, dim = 128, element = bf16>,
        tensor<1x?x64xbf16> -> tensor<1x?x1024xbf16>
  %0 = v4.topk %s at %pos k 512 ratio 4 : tensor<1x?x1024xbf16> -> tensor<1x?x512xi32>
  %1 = v4.topk %s at %pos k 4 ratio 4 : tensor<1x?x1024xbf16> -> tensor<1x?x4xi32>
  return %0, %1 : tensor<1x?x512xi32>, tensor<1x?x4xi32>
}
