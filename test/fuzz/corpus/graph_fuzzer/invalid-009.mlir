// Simulation blocks are 32, 64 or 128 values.
func.func @simulate_block(%x: tensor<4x64xbf16>) {
  // expected-error @+1 {{expects block in {32, 64, 128}, got 16}}
  %y = v4.simulate_quant %x format f8E4M3FN block 16 rule ceil : tensor<4x64xbf16>
  return
}
