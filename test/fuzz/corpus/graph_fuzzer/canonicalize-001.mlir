// A different block, format or rule is a different rounding, so nothing folds.
func.func @simulate_different(%x: tensor<4x128xbf16>) -> tensor<4x128xbf16> {
  %0 = v4.simulate_quant %x format f8E4M3FN block 64 rule ceil : tensor<4x128xbf16>
  %1 = v4.simulate_quant %0 format f8E4M3FN block 128 rule ceil : tensor<4x128xbf16>
  %2 = v4.simulate_quant %1 format f4E2M1FN block 128 rule ceil : tensor<4x128xbf16>
  %3 = v4.simulate_quant %2 format f4E2M1FN block 128 rule floor : tensor<4x128xbf16>
  return %3 : tensor<4x128xbf16>
}
