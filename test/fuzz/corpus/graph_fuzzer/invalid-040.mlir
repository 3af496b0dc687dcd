// Sylvester Hadamard matrices exist for powers of two only.
func.func @hadamard_size(%x: tensor<4x96xbf16>) {
  // expected-error @+1 {{expects the Hadamard size (last dimension) to be a power of two, got 96}}
  %y = v4.hadamard %x : tensor<4x96xbf16>
  return
}
