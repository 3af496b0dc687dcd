// Compressed entries come with their index list (the generic form can state
// one without the other).
func.func @attention_entries_alone(%q: tensor<1x4x8x64xbf16>, %w: tensor<1x16x64xbf16>, %i: tensor<1x4x16xi32>, %sink: tensor<8xf32>,
                                   %c: !v4.compressed<batch = 1, ratio = 4, capacity = 4, dim = 64, element = bf16>) {
  // expected-error @+1 {{expects compressed entries and their indices together}}
  %o = "v4.sparse_attention"(%q, %w, %i, %c, %sink) <{scale = 1.250000e-01 : f64, operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 1>}>
      : (tensor<1x4x8x64xbf16>, tensor<1x16x64xbf16>, tensor<1x4x16xi32>, !v4.compressed<batch = 1, ratio = 4, capacity = 4, dim = 64, element = bf16>, tensor<8xf32>) -> tensor<1x4x8x64xbf16>
  return
}
