// The input is [..., H, D].
func.func @grouped_linear_rank(%o: tensor<128xbf16>, %w: tensor<1x8x128xbf16>) {
  // expected-error @+1 {{expects input of rank >= 2 ([..., H, D]), got rank 1}}
  %z = v4.grouped_linear %o, %w groups 1 : tensor<128xbf16>, tensor<1x8x128xbf16> -> tensor<1x8xbf16>
  return
}
