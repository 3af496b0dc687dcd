// A parameter needs a tensor name.
func.func @param_empty() {
  // expected-error @+1 {{expects a non-empty tensor name}}
  %w = v4.param "" : tensor<4xbf16>
  return
}
