// Names have no spaces (they are safetensors keys).
func.func @param_space() {
  // expected-error @+1 {{expects a tensor name of printable characters without spaces}}
  %w = v4.param "layers.0 attn" : tensor<4xbf16>
  return
}
