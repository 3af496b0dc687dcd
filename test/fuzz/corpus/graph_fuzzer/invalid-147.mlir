// A stacked parameter has a leading member dimension.
func.func @param_stacked_rank() {
  // expected-error @+1 {{expects a stacked parameter to have a leading dimension of at least 1 (the members), got scalar}}
  %w = v4.param "experts.*.w1" : tensor<bf16>
  return
}
