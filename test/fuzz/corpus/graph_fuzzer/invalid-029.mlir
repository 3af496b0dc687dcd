// MXFP4 weights are E2M1 codes, not FP8.
func.func @mxfp4_weight_type(%a: tensor<4x256xf8E4M3FN>, %as: tensor<4x2xf8E8M0FNU>, %w: tensor<64x256xf8E4M3FN>, %ws: tensor<64x8xf8E8M0FNU>) {
  // expected-error @+1 {{operand #2 must be ranked tensor of f4E2M1FN type values}}
  %y = v4.mxfp4_matmul %a, %as, %w, %ws act_block 128
      : (tensor<4x256xf8E4M3FN>, tensor<4x2xf8E8M0FNU>, tensor<64x256xf8E4M3FN>, tensor<64x8xf8E8M0FNU>) -> tensor<4x64xbf16>
  return
}

//===----------------------------------------------------------------------===//
// rms_norm / rope / hadamard / swiglu / grouped_linear
//===----------------------------------------------------------------------===//
