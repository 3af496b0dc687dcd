// Lightning indexer scores followed by causal top-k with an offset past the window.
func.func @indexer_topk(%q: tensor<1x?x64x128xbf16>, %k: tensor<1x?x128xbf16>, %w: tensor<1x?x64xbf16>,
                        %pos: index, %off: index) -> (tensor<1x?x512xi32>, tensor<1x?x4xi32>) {
  %s = v4.indexer_score %q, %k, %w
      : (tensor<1x?x64x128xbf16>, tensor<1x?x128xbf16>, tensor<1x?x64xbf16>) -> tensor<1x?x?xbf16>
  %0 = v4.topk %s at %pos offset %off k 512 ratio 4 : tensor<1x?x?xbf16> -> tensor<1x?x512xi32>
  %1 = v4.topk %s at %pos k 4 ratio 4 : tensor<1x?x?xbf16> -> tensor<1x?x4xi32>
  return %0, %1 : tensor<1x?x512xi32>, tensor<1x?x4xi32>
}
