// Overlapping ratio-4 compressor (CSA) and non-overlapping ratio-128 compressor (HCA).
func.func @compress(%kv: tensor<1x?x1024xf32>, %sc: tensor<1x?x1024xf32>, %ape: tensor<4x1024xf32>,
                    %s: !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 512>,
                    %kv2: tensor<1x300x512xf32>, %sc2: tensor<1x300x512xf32>, %ape2: tensor<128x512xf32>,
                    %s2: !v4.compressor_state<batch = 1, ratio = 128, coff = 1, dim = 512>, %pos: index)
    -> (tensor<1x?x512xf32>, tensor<1x3x512xf32>) {
  %e, %s1 = v4.compress %kv, %sc, %ape, %s at %pos ratio 4 overlap
      : tensor<1x?x1024xf32>, tensor<4x1024xf32>, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 512> -> tensor<1x?x512xf32>
  %e2, %s3 = v4.compress %kv2, %sc2, %ape2, %s2 at %pos ratio 128
      : tensor<1x300x512xf32>, tensor<128x512xf32>, !v4.compressor_state<batch = 1, ratio = 128, coff = 1, dim = 512> -> tensor<1x3x512xf32>
  return %e, %e2 : tensor<1x?x512xf32>, tensor<1x3x512xf32>
}
