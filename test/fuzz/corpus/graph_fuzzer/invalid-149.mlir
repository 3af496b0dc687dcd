// Only element types a checkpoint dtype maps to.
func.func @param_element() {
  // expected-error @+1 {{expects an element type a checkpoint tensor can bind to}}
  %w = v4.param "w" : tensor<4xf64>
  return
}
