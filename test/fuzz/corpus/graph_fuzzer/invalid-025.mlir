// Group offsets have one entry per expert plus the end.
func.func @fp8_group_offsets(%a: tensor<4x256xf8E4M3FN>, %as: tensor<4x2xf8E8M0FNU>, %w: tensor<2x64x256xf8E4M3FN>,
                             %ws: tensor<2x1x2xf8E8M0FNU>, %off: tensor<2xi32>) {
  // expected-error @+1 {{expects group offsets of shape 3 (experts + 1), got 2}}
  %y = v4.fp8_matmul %a, %as, %w, %ws groups %off block [128, 128]
      : (tensor<4x256xf8E4M3FN>, tensor<4x2xf8E8M0FNU>, tensor<2x64x256xf8E4M3FN>, tensor<2x1x2xf8E8M0FNU>, tensor<2xi32>) -> tensor<4x64xbf16>
  return
}
