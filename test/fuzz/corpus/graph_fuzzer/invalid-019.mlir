// Weights are parameters with static shapes.
func.func @fp8_dynamic_weight(%a: tensor<4x256xf8E4M3FN>, %as: tensor<4x2xf8E8M0FNU>, %w: tensor<?x256xf8E4M3FN>, %ws: tensor<1x2xf8E8M0FNU>) {
  // expected-error @+1 {{expects a static weight shape, got ?x256}}
  %y = v4.fp8_matmul %a, %as, %w, %ws block [128, 128]
      : (tensor<4x256xf8E4M3FN>, tensor<4x2xf8E8M0FNU>, tensor<?x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<4x?xbf16>
  return
}
