// Grouped low-rank output projection, 64 heads in 8 groups.
func.func @grouped_linear(%o: tensor<1x?x64x512xbf16>, %wa: tensor<8x1024x4096xbf16>) -> tensor<1x?x8x1024xbf16> {
  %z = v4.grouped_linear %o, %wa groups 8 : tensor<1x?x64x512xbf16>, tensor<8x1024x4096xbf16> -> tensor<1x?x8x1024xbf16>
  return %z : tensor<1x?x8x1024xbf16>
}
