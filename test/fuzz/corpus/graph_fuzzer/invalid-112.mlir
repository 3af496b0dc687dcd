// HCA's entries come from a compressed cache, not a tensor copy of one.
func.func @hca_entries_type(%q: tensor<1x1x8x64xbf16>, %w: tensor<1x16x64xbf16>, %i: tensor<1x1x16xi32>, %c: tensor<1x4x64xbf16>, %sink: tensor<8xf32>, %p: index) {
  // expected-error @+1 {{operand #3 must be compressed main KV entries of a CSA or HCA layer, but got 'tensor<1x4x64xbf16>'}}
  %o = v4.hca_attention %q, %w[%i] entries %c, %sink at %p scale 0.125
      : tensor<1x1x8x64xbf16>, tensor<1x16x64xbf16>, tensor<1x1x16xi32>, tensor<1x4x64xbf16>, tensor<8xf32>
  return
}

//===----------------------------------------------------------------------===//
// MoE
//===----------------------------------------------------------------------===//
