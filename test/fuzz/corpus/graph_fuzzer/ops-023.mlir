// Dispatch of 3 tokens to 2 of 8 experts each, then combine with the shared expert.
func.func @moe_dispatch_combine(%x: tensor<3x256xbf16>, %e: tensor<3x2xi32>, %w: tensor<3x2xf32>, %sh: tensor<3x256xbf16>)
    -> (tensor<3x256xbf16>, tensor<3x256xbf16>, tensor<6xf32>, tensor<9xi32>) {
  %rows, %rw, %perm, %off = v4.moe_dispatch %x, %e, %w num_experts 8
      : (tensor<3x256xbf16>, tensor<3x2xi32>, tensor<3x2xf32>) -> (tensor<6x256xbf16>, tensor<6xf32>, tensor<6xi32>, tensor<9xi32>)
  %y = v4.moe_combine %rows, %perm shared %sh : (tensor<6x256xbf16>, tensor<6xi32>, tensor<3x256xbf16>) -> tensor<3x256xbf16>
  %y2 = v4.moe_combine %rows, %perm : (tensor<6x256xbf16>, tensor<6xi32>) -> tensor<3x256xbf16>
  return %y, %y2, %rw, %off : tensor<3x256xbf16>, tensor<3x256xbf16>, tensor<6xf32>, tensor<9xi32>
}
