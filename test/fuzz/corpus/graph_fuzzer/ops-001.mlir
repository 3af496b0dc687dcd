// FP4 codes with the OCP floor rule and 32-wide blocks.
func.func @quantize_fp4_floor(%x: tensor<2x128xf32>) -> (tensor<2x128xf4E2M1FN>, tensor<2x4xf8E8M0FNU>) {
  %codes, %scales = v4.quantize %x block 32 rule floor
      : tensor<2x128xf32> -> tensor<2x128xf4E2M1FN>, tensor<2x4xf8E8M0FNU>
  return %codes, %scales : tensor<2x128xf4E2M1FN>, tensor<2x4xf8E8M0FNU>
}
