// Scales from another quantization do not pair with these codes.
func.func @dequantize_foreign_scales(%x: tensor<4x128xbf16>, %s2: tensor<4x1xf8E8M0FNU>) -> tensor<4x128xbf16> {
  %c, %s = v4.quantize %x block 128 rule ceil : tensor<4x128xbf16> -> tensor<4x128xf8E4M3FN>, tensor<4x1xf8E8M0FNU>
  %y = v4.dequantize %c, %s2 block 128 : tensor<4x128xf8E4M3FN>, tensor<4x1xf8E8M0FNU> -> tensor<4x128xbf16>
  return %y : tensor<4x128xbf16>
}
