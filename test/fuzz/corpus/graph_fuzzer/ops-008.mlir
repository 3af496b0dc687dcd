// RMSNorm with a weight, a weightless one, and the per-head query norm that
// rounds each step to the element type.
func.func @rms_norm(%x: tensor<1x?x4096xbf16>, %w: tensor<4096xbf16>, %q: tensor<1x?x64x512xbf16>) -> (tensor<1x?x4096xbf16>, tensor<1x?x64x512xbf16>, tensor<1x?x64x512xbf16>, tensor<1x?x4096xbf16>) {
  %0 = v4.rms_norm %x weight %w eps 1.0e-6 : tensor<1x?x4096xbf16>, tensor<4096xbf16>
  %1 = v4.rms_norm %q eps 1.0e-6 : tensor<1x?x64x512xbf16>
  %2 = v4.rms_norm %q round_each_step eps 1.0e-6 : tensor<1x?x64x512xbf16>
  %3 = v4.rms_norm %x weight %w round_each_step eps 1.0e-6 : tensor<1x?x4096xbf16>, tensor<4096xbf16>
  return %0, %1, %2, %3 : tensor<1x?x4096xbf16>, tensor<1x?x64x512xbf16>, tensor<1x?x64x512xbf16>, tensor<1x?x4096xbf16>
}
