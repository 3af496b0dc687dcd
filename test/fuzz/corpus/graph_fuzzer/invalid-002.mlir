// The last dimension must split into whole blocks.
func.func @quantize_partial_block(%x: tensor<4x100xbf16>) {
  // expected-error @+1 {{expects the last dimension (100) to be a multiple of the block size 32}}
  %c, %s = v4.quantize %x block 32 rule ceil : tensor<4x100xbf16> -> tensor<4x100xf8E4M3FN>, tensor<4x4xf8E8M0FNU>
  return
}
