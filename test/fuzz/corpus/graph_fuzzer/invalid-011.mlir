// The 448 nope dims do not split into 128-wide blocks.
func.func @simulate_partial_block(%x: tensor<4x448xbf16>) {
  // expected-error @+1 {{expects the last dimension (448) to be a multiple of the block size 128}}
  %y = v4.simulate_quant %x format f8E4M3FN block 128 rule ceil : tensor<4x448xbf16>
  return
}

//===----------------------------------------------------------------------===//
// fp8_matmul / mxfp4_matmul
//===----------------------------------------------------------------------===//
