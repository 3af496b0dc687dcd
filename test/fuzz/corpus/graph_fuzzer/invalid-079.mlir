// A chunk of S tokens completes at most ceil(S / ratio) entries.
func.func @compress_entries(%kv: tensor<1x37x128xf32>, %ape: tensor<4x128xf32>, %s: !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 64>, %p: index) {
  // expected-error @+1 {{expects entries of shape 1x10x64 ([B, ceil(S/ratio), d]), got 1x9x64}}
  %e, %s1 = v4.compress %kv, %kv, %ape, %s at %p ratio 4 overlap
      : tensor<1x37x128xf32>, tensor<4x128xf32>, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 64> -> tensor<1x9x64xf32>
  return
}
