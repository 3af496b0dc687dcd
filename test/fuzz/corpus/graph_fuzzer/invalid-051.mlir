// The weight is one [R, (H/G)*D] matrix per group.
func.func @grouped_linear_weight_rank(%o: tensor<4x8x16xbf16>, %w: tensor<8x64xbf16>) {
  // expected-error @+1 {{expects weight of rank 3 ([groups, R, H/groups*D]), got rank 2}}
  %z = v4.grouped_linear %o, %w groups 2 : tensor<4x8x16xbf16>, tensor<8x64xbf16> -> tensor<4x2x8xbf16>
  return
}
