// Normalized Walsh-Hadamard transform of indexer queries.
func.func @hadamard(%q: tensor<1x?x64x128xbf16>) -> tensor<1x?x64x128xbf16> {
  %0 = v4.hadamard %q : tensor<1x?x64x128xbf16>
  return %0 : tensor<1x?x64x128xbf16>
}
