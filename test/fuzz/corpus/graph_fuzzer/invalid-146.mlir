// One stacked dimension at most.
func.func @param_two_stars() {
  // expected-error @+1 {{expects at most one `*` component, got 2}}
  %w = v4.param "layers.*.experts.*.w1" : tensor<2x4x4xbf16>
  return
}
