// Pure ops without uses are erased.
func.func @dead_ops(%x: tensor<4x128xbf16>) {
  %0 = v4.hadamard %x : tensor<4x128xbf16>
  %c, %s = v4.quantize %x block 128 rule ceil : tensor<4x128xbf16> -> tensor<4x128xf8E4M3FN>, tensor<4x1xf8E8M0FNU>
  return
}
