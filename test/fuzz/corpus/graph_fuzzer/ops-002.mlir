// Dequantization of an MXFP4 weight to bf16.
func.func @dequantize(%c: tensor<64x256xf4E2M1FN>, %s: tensor<64x8xf8E8M0FNU>) -> tensor<64x256xbf16> {
  %w = v4.dequantize %c, %s block 32 : tensor<64x256xf4E2M1FN>, tensor<64x8xf8E8M0FNU> -> tensor<64x256xbf16>
  return %w : tensor<64x256xbf16>
}
