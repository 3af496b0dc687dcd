// Simulating an already simulated value with the same format, block and rule is idempotent.
func.func @simulate_twice(%x: tensor<4x448xbf16>) -> tensor<4x448xbf16> {
  %0 = v4.simulate_quant %x format f8E4M3FN block 64 rule ceil : tensor<4x448xbf16>
  %1 = v4.simulate_quant %0 format f8E4M3FN block 64 rule ceil : tensor<4x448xbf16>
  return %1 : tensor<4x448xbf16>
}
