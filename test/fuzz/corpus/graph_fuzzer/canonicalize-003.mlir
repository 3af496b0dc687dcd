// Dequantizing to another element type rounds differently and stays as is.
func.func @dequantize_other_type(%x: tensor<4x128xbf16>) -> tensor<4x128xf32> {
  %c, %s = v4.quantize %x block 128 rule ceil : tensor<4x128xbf16> -> tensor<4x128xf8E4M3FN>, tensor<4x1xf8E8M0FNU>
  %y = v4.dequantize %c, %s block 128 : tensor<4x128xf8E4M3FN>, tensor<4x1xf8E8M0FNU> -> tensor<4x128xf32>
  return %y : tensor<4x128xf32>
}
