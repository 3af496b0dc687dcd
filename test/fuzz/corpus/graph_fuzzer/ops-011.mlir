// Clamped SwiGLU of a routed expert (with routing weights) and of the shared expert.
func.func @swiglu(%g: tensor<?x2048xbf16>, %u: tensor<?x2048xbf16>, %w: tensor<?xf32>) -> (tensor<?x2048xbf16>, tensor<?x2048xbf16>) {
  %0 = v4.swiglu %g, %u weights %w limit 10.0 : tensor<?x2048xbf16>, tensor<?xf32> -> tensor<?x2048xbf16>
  %1 = v4.swiglu %g, %u limit 10.0 : tensor<?x2048xbf16> -> tensor<?x2048xbf16>
  return %0, %1 : tensor<?x2048xbf16>, tensor<?x2048xbf16>
}
