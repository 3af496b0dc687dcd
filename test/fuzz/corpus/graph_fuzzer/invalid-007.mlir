// Dequantized values keep the codes' shape.
func.func @dequantize_result(%c: tensor<64x256xf4E2M1FN>, %s: tensor<64x8xf8E8M0FNU>) {
  // expected-error @+1 {{expects result of shape 64x256 (the codes shape), got 64x128}}
  %w = v4.dequantize %c, %s block 32 : tensor<64x256xf4E2M1FN>, tensor<64x8xf8E8M0FNU> -> tensor<64x128xbf16>
  return
}
