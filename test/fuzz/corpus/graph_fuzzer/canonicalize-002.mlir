// Dequantizing fresh quantization codes is the quantize-dequantize op.
func.func @dequantize_of_quantize(%x: tensor<?x128xbf16>) -> tensor<?x128xbf16> {
  %c, %s = v4.quantize %x block 32 rule floor : tensor<?x128xbf16> -> tensor<?x128xf4E2M1FN>, tensor<?x4xf8E8M0FNU>
  %y = v4.dequantize %c, %s block 32 : tensor<?x128xf4E2M1FN>, tensor<?x4xf8E8M0FNU> -> tensor<?x128xbf16>
  return %y : tensor<?x128xbf16>
}
