// Codes keep the input shape.
func.func @quantize_codes(%x: tensor<4x128xbf16>) {
  // expected-error @+1 {{expects codes of shape 4x128 (the input shape), got 4x64}}
  %c, %s = v4.quantize %x block 32 rule ceil : tensor<4x128xbf16> -> tensor<4x64xf8E4M3FN>, tensor<4x4xf8E8M0FNU>
  return
}
