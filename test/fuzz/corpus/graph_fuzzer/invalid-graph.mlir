// A graph whose v4.quantize uses a block size the dialect rejects.
func.func @decode(%x: tensor<4x96xbf16>) -> tensor<4x96xf8E4M3FN> {
  %c, %s = v4.quantize %x block 48 rule ceil : tensor<4x96xbf16> -> tensor<4x96xf8E4M3FN>, tensor<4x2xf8E8M0FNU>
  return %c : tensor<4x96xf8E4M3FN>
}
