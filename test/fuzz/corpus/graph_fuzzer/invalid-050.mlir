// Heads split evenly into groups.
func.func @grouped_linear_divisible(%o: tensor<4x8x16xbf16>, %w: tensor<3x8x32xbf16>) {
  // expected-error @+1 {{expects the head count (8) to be divisible by groups (3)}}
  %z = v4.grouped_linear %o, %w groups 3 : tensor<4x8x16xbf16>, tensor<3x8x32xbf16> -> tensor<4x3x8xbf16>
  return
}
