// Codes are small floats, never packed integers.
func.func @quantize_packed_codes(%x: tensor<4x128xbf16>) {
  // expected-error @+1 {{result #0 must be ranked tensor of f8E4M3FN type or f4E2M1FN type values}}
  %c, %s = v4.quantize %x block 32 rule ceil : tensor<4x128xbf16> -> tensor<4x64xi8>, tensor<4x4xf8E8M0FNU>
  return
}
