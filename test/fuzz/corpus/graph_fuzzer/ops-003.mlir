// FP8sim64 on the nope dims of a KV row and FP4sim32 on indexer keys.
func.func @simulate_quant(%nope: tensor<1x?x448xbf16>, %k: tensor<1x?x128xbf16>) -> (tensor<1x?x448xbf16>, tensor<1x?x128xbf16>) {
  %0 = v4.simulate_quant %nope format f8E4M3FN block 64 rule ceil : tensor<1x?x448xbf16>
  %1 = v4.simulate_quant %k format f4E2M1FN block 32 rule ceil : tensor<1x?x128xbf16>
  return %0, %1 : tensor<1x?x448xbf16>, tensor<1x?x128xbf16>
}
