// One scale per block of the last dimension.
func.func @quantize_scales(%x: tensor<?x4096xbf16>) {
  // expected-error @+1 {{expects scales of shape ?x32 (one per block of the last dimension), got ?x31}}
  %c, %s = v4.quantize %x block 128 rule ceil : tensor<?x4096xbf16> -> tensor<?x4096xf8E4M3FN>, tensor<?x31xf8E8M0FNU>
  return
}
