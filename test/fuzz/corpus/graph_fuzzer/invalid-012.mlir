// The FP8 weight block is two sizes, [N block, K block].
func.func @fp8_block_arity(%a: tensor<4x256xf8E4M3FN>, %as: tensor<4x2xf8E8M0FNU>, %w: tensor<64x256xf8E4M3FN>, %ws: tensor<1x2xf8E8M0FNU>) {
  // expected-error @+1 {{expects block to have 2 entries [N block, K block], got 3}}
  %y = v4.fp8_matmul %a, %as, %w, %ws block [128, 128, 128]
      : (tensor<4x256xf8E4M3FN>, tensor<4x2xf8E8M0FNU>, tensor<64x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<4x64xbf16>
  return
}
