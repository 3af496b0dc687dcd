// Simulation rounds to FP8 E4M3 or FP4 E2M1 only.
func.func @simulate_format(%x: tensor<4x64xbf16>) {
  // expected-error @+1 {{expects format f8E4M3FN or f4E2M1FN, got 'f16'}}
  %y = v4.simulate_quant %x format f16 block 64 rule ceil : tensor<4x64xbf16>
  return
}
