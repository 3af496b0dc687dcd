// `*` stands for a whole component (the member index).
func.func @param_star_component() {
  // expected-error @+1 {{expects `*` to be a whole component of "experts.e*.w1"}}
  %w = v4.param "experts.e*.w1" : tensor<4x4xbf16>
  return
}
