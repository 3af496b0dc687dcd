// The Hadamard size must be known.
func.func @hadamard_dynamic(%x: tensor<4x?xbf16>) {
  // expected-error @+1 {{expects a static last dimension (the Hadamard size)}}
  %y = v4.hadamard %x : tensor<4x?xbf16>
  return
}
