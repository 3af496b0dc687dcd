// Ring slots are only meaningful for a single decoded token.
func.func @window_indices_ring(%p: index) {
  // expected-error @+1 {{expects a single query row with layout ring (older slots are overwritten by longer chunks), got 4}}
  %i = v4.window_indices %p window 128 layout ring : tensor<1x4x128xi32>
  return
}

//===----------------------------------------------------------------------===//
// indexer_score / topk / attention
//===----------------------------------------------------------------------===//
