// Names are dot-separated components.
func.func @param_component() {
  // expected-error @+1 {{expects dot-separated non-empty components in "layers..attn"}}
  %w = v4.param "layers..attn" : tensor<4xbf16>
  return
}
