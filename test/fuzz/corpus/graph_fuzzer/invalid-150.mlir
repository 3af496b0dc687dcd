// FP4 codes are stored two per byte.
func.func @param_fp4_odd() {
  // expected-error @+1 {{expects an even last dimension for f4E2M1FN (two codes per stored byte), got 4x3}}
  %w = v4.param "w" : tensor<4x3xf4E2M1FN>
  return
}
