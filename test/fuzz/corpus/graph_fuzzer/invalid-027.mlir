// The MXFP4 activation block must be 32, 64 or 128.
func.func @mxfp4_act_block(%a: tensor<4x256xf8E4M3FN>, %as: tensor<4x1xf8E8M0FNU>, %w: tensor<64x256xf4E2M1FN>, %ws: tensor<64x8xf8E8M0FNU>) {
  // expected-error @+1 {{expects act_block in {32, 64, 128}, got 256}}
  %y = v4.mxfp4_matmul %a, %as, %w, %ws act_block 256
      : (tensor<4x256xf8E4M3FN>, tensor<4x1xf8E8M0FNU>, tensor<64x256xf4E2M1FN>, tensor<64x8xf8E8M0FNU>) -> tensor<4x64xbf16>
  return
}
