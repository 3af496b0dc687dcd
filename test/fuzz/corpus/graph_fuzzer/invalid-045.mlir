// Gate and up projections have the same type.
func.func @swiglu_gate_up(%g: tensor<4x64xbf16>, %u: tensor<4x64xf32>) {
  // expected-error @+1 {{failed to verify that all of {gate, up} have same type}}
  %y = "v4.swiglu"(%g, %u) <{limit = 10.0 : f64}> : (tensor<4x64xbf16>, tensor<4x64xf32>) -> tensor<4x64xbf16>
  return
}
