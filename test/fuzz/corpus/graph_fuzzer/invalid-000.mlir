//===----------------------------------------------------------------------===//
// quantize / dequantize / simulate_quant
//===----------------------------------------------------------------------===//

// Quantization blocks are 32, 64 or 128 values.
func.func @quantize_block(%x: tensor<4x96xbf16>) {
  // expected-error @+1 {{expects block in {32, 64, 128}, got 48}}
  %c, %s = v4.quantize %x block 48 rule ceil : tensor<4x96xbf16> -> tensor<4x96xf8E4M3FN>, tensor<4x2xf8E8M0FNU>
  return
}
