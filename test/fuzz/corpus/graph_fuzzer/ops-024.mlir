// Weights bound by official checkpoint names: plain, scales, and one stacked
// parameter per routed-expert matrix (FP4 codes, E8M0 scales).
func.func @params() -> (tensor<1024x4096xf8E4M3FN>, tensor<8x32xf8E8M0FNU>,
                        tensor<256x2048x4096xf4E2M1FN>, tensor<129280x6xi64>) {
  %w = v4.param "layers.0.attn.wq_a.weight" : tensor<1024x4096xf8E4M3FN>
  %s = v4.param "layers.0.attn.wq_a.scale" : tensor<8x32xf8E8M0FNU>
  %e = v4.param "layers.3.ffn.experts.*.w1.weight" : tensor<256x2048x4096xf4E2M1FN>
  %t = v4.param "layers.0.ffn.gate.tid2eid" : tensor<129280x6xi64>
  return %w, %s, %e, %t : tensor<1024x4096xf8E4M3FN>, tensor<8x32xf8E8M0FNU>,
      tensor<256x2048x4096xf4E2M1FN>, tensor<129280x6xi64>
}
