// Weights have static shapes.
func.func @param_dynamic() {
  // expected-error @+1 {{expects a static shape, got ?x4}}
  %w = v4.param "w" : tensor<?x4xbf16>
  return
}
