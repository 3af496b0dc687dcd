#map = affine_map<(d0, d1, d2) -> (d0, d2)>
#map1 = affine_map<(d0, d1, d2) -> (d1, d2)>
#map2 = affine_map<(d0, d1, d2) -> (d0, d1)>
#map3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
module attributes {v4.model = {bos_token_id = 0 : i64, dim = 256 : i64, eos_token_id = 1 : i64, max_seq_len = 128 : i64, n_layers = 3 : i64, n_mtp_layers = 1 : i64, source = "examples/tiny-v4/config.json", vocab_size = 512 : i64, window_size = 16 : i64}} {
  func.func @prefill(%arg0: tensor<?xi32> {v4.input = "tokens"}, %arg1: index {v4.input = "start_pos"}, %arg2: !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.0.window"}, %arg3: !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.1.window"}, %arg4: !v4.compressed<batch = 1, ratio = 4, capacity = 32, dim = 128, element = bf16> {v4.cache = "layers.1.compressed"}, %arg5: !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128> {v4.cache = "layers.1.compressor_state"}, %arg6: !v4.indexer_keys<batch = 1, capacity = 32, dim = 128, element = bf16> {v4.cache = "layers.1.indexer_keys"}, %arg7: !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128> {v4.cache = "layers.1.indexer_state"}, %arg8: !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.2.window"}, %arg9: !v4.compressed<batch = 1, ratio = 16, capacity = 8, dim = 128, element = bf16> {v4.cache = "layers.2.compressed"}, %arg10: !v4.compressor_state<batch = 1, ratio = 16, coff = 1, dim = 128> {v4.cache = "layers.2.compressor_state"}) -> (tensor<1x512xf32> {v4.output = "logits"}, tensor<1x?x4x256xbf16> {v4.output = "hidden"}, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.0.window"}, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.1.window"}, !v4.compressed<batch = 1, ratio = 4, capacity = 32, dim = 128, element = bf16> {v4.cache = "layers.1.compressed"}, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128> {v4.cache = "layers.1.compressor_state"}, !v4.indexer_keys<batch = 1, capacity = 32, dim = 128, element = bf16> {v4.cache = "layers.1.indexer_keys"}, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128> {v4.cache = "layers.1.indexer_state"}, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.2.window"}, !v4.compressed<batch = 1, ratio = 16, capacity = 8, dim = 128, element = bf16> {v4.cache = "layers.2.compressed"}, !v4.compressor_state<batch = 1, ratio = 16, coff = 1, dim = 128> {v4.cache = "layers.2.compressor_state"}) attributes {v4.phase = "prefill"} {
    %c0 = arith.constant 0 : index
    %dim = tensor.dim %arg0, %c0 : tensor<?xi32>
    %c0_0 = arith.constant 0 : index
    %0 = arith.cmpi eq, %arg1, %c0_0 : index
    cf.assert %0, "prefill starts a sequence: start_pos must be 0 (continue with decode steps)"
    %1 = v4.param "embed.weight" : tensor<512x256xbf16>
    %expanded = tensor.expand_shape %arg0 [[0, 1]] output_shape [%dim, 1] : tensor<?xi32> into tensor<?x1xi32>
    %gather = tensor.gather %1[%expanded] gather_dims([0]) : (tensor<512x256xbf16>, tensor<?x1xi32>) -> tensor<?x256xbf16>
    %expanded_1 = tensor.expand_shape %gather [[0, 1], [2]] output_shape [1, %dim, 256] : tensor<?x256xbf16> into tensor<1x?x256xbf16>
    %2 = tensor.empty(%dim) : tensor<1x?x4x256xbf16>
    %broadcasted = linalg.broadcast ins(%expanded_1 : tensor<1x?x256xbf16>) outs(%2 : tensor<1x?x4x256xbf16>) dimensions = [2] 
    %3:2 = call @prefill.layers.0(%broadcasted, %arg0, %arg1, %arg2) : (tensor<1x?x4x256xbf16>, tensor<?xi32>, index, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>) -> (tensor<1x?x4x256xbf16>, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>)
    %4:6 = call @prefill.layers.1(%3#0, %arg0, %arg1, %arg3, %arg4, %arg5, %arg6, %arg7) : (tensor<1x?x4x256xbf16>, tensor<?xi32>, index, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>, !v4.compressed<batch = 1, ratio = 4, capacity = 32, dim = 128, element = bf16>, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128>, !v4.indexer_keys<batch = 1, capacity = 32, dim = 128, element = bf16>, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128>) -> (tensor<1x?x4x256xbf16>, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>, !v4.compressed<batch = 1, ratio = 4, capacity = 32, dim = 128, element = bf16>, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128>, !v4.indexer_keys<batch = 1, capacity = 32, dim = 128, element = bf16>, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128>)
    %5:4 = call @prefill.layers.2(%4#0, %arg0, %arg1, %arg8, %arg9, %arg10) : (tensor<1x?x4x256xbf16>, tensor<?xi32>, index, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>, !v4.compressed<batch = 1, ratio = 16, capacity = 8, dim = 128, element = bf16>, !v4.compressor_state<batch = 1, ratio = 16, coff = 1, dim = 128>) -> (tensor<1x?x4x256xbf16>, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>, !v4.compressed<batch = 1, ratio = 16, capacity = 8, dim = 128, element = bf16>, !v4.compressor_state<batch = 1, ratio = 16, coff = 1, dim = 128>)
    %6 = v4.param "hc_head_fn" : tensor<4x1024xf32>
    %7 = v4.param "hc_head_base" : tensor<4xf32>
    %8 = v4.param "hc_head_scale" : tensor<1xf32>
    %9 = v4.hc_head %5#0, %6, %7, %8 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<1x?x4x256xbf16>, tensor<4x1024xf32>, tensor<4xf32>, tensor<1xf32>) -> tensor<1x?x256xbf16>
    %10 = v4.param "norm.weight" : tensor<256xbf16>
    %11 = v4.rms_norm %9 weight %10 eps 9.9999999999999995E-7 : tensor<1x?x256xbf16>, tensor<256xbf16>
    %c1 = arith.constant 1 : index
    %12 = arith.subi %dim, %c1 : index
    %extracted_slice = tensor.extract_slice %11[0, %12, 0] [1, 1, 256] [1, 1, 1] : tensor<1x?x256xbf16> to tensor<1x256xbf16>
    %13 = v4.param "head.weight" : tensor<512x256xbf16>
    %14 = tensor.empty() : tensor<1x512xf32>
    %cst = arith.constant 0.000000e+00 : f32
    %15 = linalg.fill ins(%cst : f32) outs(%14 : tensor<1x512xf32>) -> tensor<1x512xf32>
    %16 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%extracted_slice, %13 : tensor<1x256xbf16>, tensor<512x256xbf16>) outs(%15 : tensor<1x512xf32>) -> tensor<1x512xf32>
    return %16, %5#0, %3#1, %4#1, %4#2, %4#3, %4#4, %4#5, %5#1, %5#2, %5#3 : tensor<1x512xf32>, tensor<1x?x4x256xbf16>, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>, !v4.compressed<batch = 1, ratio = 4, capacity = 32, dim = 128, element = bf16>, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128>, !v4.indexer_keys<batch = 1, capacity = 32, dim = 128, element = bf16>, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128>, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>, !v4.compressed<batch = 1, ratio = 16, capacity = 8, dim = 128, element = bf16>, !v4.compressor_state<batch = 1, ratio = 16, coff = 1, dim = 128>
  }
  func.func @decode(%arg0: tensor<1xi32> {v4.input = "tokens"}, %arg1: index {v4.input = "start_pos"}, %arg2: !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.0.window"}, %arg3: !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.1.window"}, %arg4: !v4.compressed<batch = 1, ratio = 4, capacity = 32, dim = 128, element = bf16> {v4.cache = "layers.1.compressed"}, %arg5: !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128> {v4.cache = "layers.1.compressor_state"}, %arg6: !v4.indexer_keys<batch = 1, capacity = 32, dim = 128, element = bf16> {v4.cache = "layers.1.indexer_keys"}, %arg7: !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128> {v4.cache = "layers.1.indexer_state"}, %arg8: !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.2.window"}, %arg9: !v4.compressed<batch = 1, ratio = 16, capacity = 8, dim = 128, element = bf16> {v4.cache = "layers.2.compressed"}, %arg10: !v4.compressor_state<batch = 1, ratio = 16, coff = 1, dim = 128> {v4.cache = "layers.2.compressor_state"}) -> (tensor<1x512xf32> {v4.output = "logits"}, tensor<1x1x4x256xbf16> {v4.output = "hidden"}, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.0.window"}, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.1.window"}, !v4.compressed<batch = 1, ratio = 4, capacity = 32, dim = 128, element = bf16> {v4.cache = "layers.1.compressed"}, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128> {v4.cache = "layers.1.compressor_state"}, !v4.indexer_keys<batch = 1, capacity = 32, dim = 128, element = bf16> {v4.cache = "layers.1.indexer_keys"}, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128> {v4.cache = "layers.1.indexer_state"}, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.2.window"}, !v4.compressed<batch = 1, ratio = 16, capacity = 8, dim = 128, element = bf16> {v4.cache = "layers.2.compressed"}, !v4.compressor_state<batch = 1, ratio = 16, coff = 1, dim = 128> {v4.cache = "layers.2.compressor_state"}) attributes {v4.phase = "decode"} {
    %0 = v4.param "embed.weight" : tensor<512x256xbf16>
    %expanded = tensor.expand_shape %arg0 [[0, 1]] output_shape [1, 1] : tensor<1xi32> into tensor<1x1xi32>
    %gather = tensor.gather %0[%expanded] gather_dims([0]) : (tensor<512x256xbf16>, tensor<1x1xi32>) -> tensor<1x256xbf16>
    %expanded_0 = tensor.expand_shape %gather [[0, 1], [2]] output_shape [1, 1, 256] : tensor<1x256xbf16> into tensor<1x1x256xbf16>
    %1 = tensor.empty() : tensor<1x1x4x256xbf16>
    %broadcasted = linalg.broadcast ins(%expanded_0 : tensor<1x1x256xbf16>) outs(%1 : tensor<1x1x4x256xbf16>) dimensions = [2] 
    %2:2 = call @decode.layers.0(%broadcasted, %arg0, %arg1, %arg2) : (tensor<1x1x4x256xbf16>, tensor<1xi32>, index, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>) -> (tensor<1x1x4x256xbf16>, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>)
    %3:6 = call @decode.layers.1(%2#0, %arg0, %arg1, %arg3, %arg4, %arg5, %arg6, %arg7) : (tensor<1x1x4x256xbf16>, tensor<1xi32>, index, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>, !v4.compressed<batch = 1, ratio = 4, capacity = 32, dim = 128, element = bf16>, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128>, !v4.indexer_keys<batch = 1, capacity = 32, dim = 128, element = bf16>, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128>) -> (tensor<1x1x4x256xbf16>, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>, !v4.compressed<batch = 1, ratio = 4, capacity = 32, dim = 128, element = bf16>, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128>, !v4.indexer_keys<batch = 1, capacity = 32, dim = 128, element = bf16>, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128>)
    %4:4 = call @decode.layers.2(%3#0, %arg0, %arg1, %arg8, %arg9, %arg10) : (tensor<1x1x4x256xbf16>, tensor<1xi32>, index, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>, !v4.compressed<batch = 1, ratio = 16, capacity = 8, dim = 128, element = bf16>, !v4.compressor_state<batch = 1, ratio = 16, coff = 1, dim = 128>) -> (tensor<1x1x4x256xbf16>, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>, !v4.compressed<batch = 1, ratio = 16, capacity = 8, dim = 128, element = bf16>, !v4.compressor_state<batch = 1, ratio = 16, coff = 1, dim = 128>)
    %5 = v4.param "hc_head_fn" : tensor<4x1024xf32>
    %6 = v4.param "hc_head_base" : tensor<4xf32>
    %7 = v4.param "hc_head_scale" : tensor<1xf32>
    %8 = v4.hc_head %4#0, %5, %6, %7 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<1x1x4x256xbf16>, tensor<4x1024xf32>, tensor<4xf32>, tensor<1xf32>) -> tensor<1x1x256xbf16>
    %9 = v4.param "norm.weight" : tensor<256xbf16>
    %10 = v4.rms_norm %8 weight %9 eps 9.9999999999999995E-7 : tensor<1x1x256xbf16>, tensor<256xbf16>
    %c1 = arith.constant 1 : index
    %c1_1 = arith.constant 1 : index
    %11 = arith.subi %c1_1, %c1 : index
    %extracted_slice = tensor.extract_slice %10[0, %11, 0] [1, 1, 256] [1, 1, 1] : tensor<1x1x256xbf16> to tensor<1x256xbf16>
    %12 = v4.param "head.weight" : tensor<512x256xbf16>
    %13 = tensor.empty() : tensor<1x512xf32>
    %cst = arith.constant 0.000000e+00 : f32
    %14 = linalg.fill ins(%cst : f32) outs(%13 : tensor<1x512xf32>) -> tensor<1x512xf32>
    %15 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%extracted_slice, %12 : tensor<1x256xbf16>, tensor<512x256xbf16>) outs(%14 : tensor<1x512xf32>) -> tensor<1x512xf32>
    return %15, %4#0, %2#1, %3#1, %3#2, %3#3, %3#4, %3#5, %4#1, %4#2, %4#3 : tensor<1x512xf32>, tensor<1x1x4x256xbf16>, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>, !v4.compressed<batch = 1, ratio = 4, capacity = 32, dim = 128, element = bf16>, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128>, !v4.indexer_keys<batch = 1, capacity = 32, dim = 128, element = bf16>, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128>, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>, !v4.compressed<batch = 1, ratio = 16, capacity = 8, dim = 128, element = bf16>, !v4.compressor_state<batch = 1, ratio = 16, coff = 1, dim = 128>
  }
  func.func @mtp(%arg0: tensor<1x?x4x256xbf16> {v4.input = "hidden"}, %arg1: tensor<?xi32> {v4.input = "next_tokens"}, %arg2: index {v4.input = "start_pos"}, %arg3: !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "mtp.0.window"}) -> (tensor<1x512xf32> {v4.output = "logits"}, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "mtp.0.window"}) attributes {v4.block = 3 : i64, v4.phase = "prefill"} {
    %c0 = arith.constant 0 : index
    %dim = tensor.dim %arg1, %c0 : tensor<?xi32>
    %c0_0 = arith.constant 0 : index
    %0 = arith.cmpi eq, %arg2, %c0_0 : index
    cf.assert %0, "prefill starts a sequence: start_pos must be 0 (continue with decode steps)"
    %1 = v4.param "embed.weight" : tensor<512x256xbf16>
    %expanded = tensor.expand_shape %arg1 [[0, 1]] output_shape [%dim, 1] : tensor<?xi32> into tensor<?x1xi32>
    %gather = tensor.gather %1[%expanded] gather_dims([0]) : (tensor<512x256xbf16>, tensor<?x1xi32>) -> tensor<?x256xbf16>
    %expanded_1 = tensor.expand_shape %gather [[0, 1], [2]] output_shape [1, %dim, 256] : tensor<?x256xbf16> into tensor<1x?x256xbf16>
    %2 = v4.param "mtp.0.enorm.weight" : tensor<256xbf16>
    %3 = v4.rms_norm %expanded_1 weight %2 eps 9.9999999999999995E-7 : tensor<1x?x256xbf16>, tensor<256xbf16>
    %4 = v4.param "mtp.0.hnorm.weight" : tensor<256xbf16>
    %5 = v4.rms_norm %arg0 weight %4 eps 9.9999999999999995E-7 : tensor<1x?x4x256xbf16>, tensor<256xbf16>
    %6 = v4.param "mtp.0.e_proj.weight" : tensor<256x256xf8E4M3FN>
    %7 = v4.param "mtp.0.e_proj.scale" : tensor<2x2xf8E8M0FNU>
    %codes, %scales = v4.quantize %3 block 128 rule ceil : tensor<1x?x256xbf16> -> tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>
    %8 = v4.fp8_matmul %codes, %scales, %6, %7 block [128, 128] : (tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>, tensor<256x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>) -> tensor<1x?x256xbf16>
    %9 = v4.param "mtp.0.h_proj.weight" : tensor<256x256xf8E4M3FN>
    %10 = v4.param "mtp.0.h_proj.scale" : tensor<2x2xf8E8M0FNU>
    %codes_2, %scales_3 = v4.quantize %5 block 128 rule ceil : tensor<1x?x4x256xbf16> -> tensor<1x?x4x256xf8E4M3FN>, tensor<1x?x4x2xf8E8M0FNU>
    %11 = v4.fp8_matmul %codes_2, %scales_3, %9, %10 block [128, 128] : (tensor<1x?x4x256xf8E4M3FN>, tensor<1x?x4x2xf8E8M0FNU>, tensor<256x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>) -> tensor<1x?x4x256xbf16>
    %12 = tensor.empty(%dim) : tensor<1x?x4x256xbf16>
    %broadcasted = linalg.broadcast ins(%8 : tensor<1x?x256xbf16>) outs(%12 : tensor<1x?x4x256xbf16>) dimensions = B2] 
    %13 = arith.addf %broadcasted, %11 : tensor<1x?x4x256xbf16>
    %14:2 = call @prefill.mtp.0(%13, %arg1, %arg2, %arg3) : (tensor<1x?x4x256xbf16>, tensor<?xi32>, index, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>) -> (tensor<1x?x4x256xbf16>, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>)
    %15 = v4.param "mtp.0.hc_head_fn" : tensor<4x1024xf32>
    %16 = v4.param "mtp.0.hc_head_base" : tensor<4xf32>
    %17 = v4.param "mtp.0.hc_head_scale" : tensor<1xf32>
    %18 = v4.hc_head %14#0, %15, %16, %17 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<1x?x4x256xbf16>, tensor<4x1024xf32>, tensor<4xf32>, tensor<1xf32>) -> tensor<1x?x256xbf16>
    %19 = v4.param "mtp.0.norm.weight" : tensor<256xbf16>
    %20 = v4.rms_norm %18 weight %19 eps 9.9999999999999995E-7 : tensor<1x?x256xbf16>, tensor<256xbf16>
    %c1 = arith.constant 1 : index
    %21 = arith.subi %dim, %c1 : index
    %extracted_slice = tensor.extract_slice %20[0, %21, 0] [1, 1, 256] [1, 1, 1] : tensor<1x?x256xbf16> to tensor<1x256xbf16>
    %22 = v4.param "head.weight" : tensor<512x256xbf16>
    %23 = tensor.empty() : tensor<1x512xf32>
    %cst = arith.constant 0.000000e+00 : f32
    %24 = linalg.fill ins(%cst : f32) outs(%23 : tensor<1x512xf32>) -> tensor<1x512xf32>
    %25 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%extracted_slice, %22 : tensor<1x256xbf16>, tensor<512x256xbf16>) outs(%24 : tensor<1x512xf32>) -> tensor<1x512xf32>
    return %25, %14#1 : tensor<1x512xf32>, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>
  }
  func.func @mtp_decode(%arg0: tensor<1x1x4x256xbf16> {v4.input = "hidden"}, %arg1: tensor<1xi32> {v4.input = "next_tokens"}, %arg2: index {v4.input = "start_pos"}, %arg3: !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "mtp.0.window"}) -> (tensor<1x512xf32> {v4.output = "logits"}, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "mtp.0.window"}) attributes {v4.block = 3 : i64, v4.phase = "decode"} {
    %0 = v4.param "embed.weight" : tensor<512x256xbf16>
    %expanded = tensor.expand_shape %arg1 [[0, 1]] output_shape [1, 1] : tensor<1xi32> into tensor<1x1xi32>
    %gather = tensor.gather %0[%expanded] gather_dims([0]) : (tensor<512x256xbf16>, tensor<1x1xi32>) -> tensor<1x256xbf16>
    %expanded_0 = tensor.expand_shape %gather [[0, 1], [2]] output_shape [1, 1, 256] : tensor<1x256xbf16> into tensor<1x1x256xbf16>
    %1 = v4.param "mtp.0.enorm.weight" : tensor<256xbf16>
    %2 = v4.rms_norm %expanded_0 weight %1 eps 9.9999999999999995E-7 : tensor<1x1x256xbf16>, tensor<256xbf16>
    %3 = v4.param "mtp.0.hnorm.weight" : tensor<256xbf16>
    %4 = v4.rms_norm %arg0 weight %3 eps 9.9999999999999995E-7 : tensor<1x1x4x256xbf16>, tensor<256xbf16>
    %5 = v4.param "mtp.0.e_proj.weight" : tensor<256x256xf8E4M3FN>
    %6 = v4.param "mtp.0.e_proj.scale" : tensor<2x2xf8E8M0FNU>
    %codes, %scales = v4.quantize %2 block 128 rule ceil : tensor<1x1x256xbf16> -> tensor<1x1x256xf8E4M3FN>, tensor<1x1x2xf8E8M0FNU>
    %7 = v4.fp8_matmul %codes, %scales, %5, %6 block [128, 128] : (tensor<1x1x256xf8E4M3FN>, tensor<1x1x2xf8E8M0FNU>, tensor<256x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>) -> tensor<1x1x256xbf16>
    %8 = v4.param "mtp.0.h_proj.weight" : tensor<256x256xf8E4M3FN>
    %9 = v4.param "mtp.0.h_proj.scale" : tensor<2x2xf8E8M0FNU>
    %codes_1, %scales_2 = v4.quantize %4 block 128 rule ceil : tensor<1x1x4x256xbf16> -> tensor<1x1x4x256xf8E4M3FN>, tensor<1x1x4x2xf8E8M0FNU>
    %10 = v4.fp8_matmul %codes_1, %scales_2, %8, %9 block [128, 128] : (tensor<1x1x4x256xf8E4M3FN>, tensor<1x1x4x2xf8E8M0FNU>, tensor<256x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>) -> tensor<1x1x4x256xbf16>
    %11 = tensor.empty() : tensor<1x1x4x256xbf16>
    %broadcasted = linalg.broadcast ins(%7 : tensor<1x1x256xbf16>) outs(%11 : tensor<1x1x4x256xbf16>) dimensions = [2] 
    %12 = arith.addf %broadcasted, %10 : tensor<1x1x4x256xbf16>
    %13:2 = call @decode.mtp.0(%12, %arg1, %arg2, %arg3) : (tensor<1x1x4x256xbf16>, tensor<1xi32>, index, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>) -> (tensor<1x1x4x256xbf16>, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>)
    %14 = v4.param "mtp.0.hc_head_fn" : tensor<4x1024xf32>
    %15 = v4.param "mtp.0.hc_head_base" : tensor<4xf32>
    %16 = v4.param "mtp.0.hc_head_scale" : tensor<1xf32>
    %17 = v4.hc_head %13#0, %14, %15, %16 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<1x1x4x256xbf16>, tensor<4x1024xf32>, tensor<4xf32>, tensor<1xf32>) -> tensor<1x1x256xbf16>
    %18 = v4.param "mtp.0.norm.weight" : tensor<256xbf16>
    %19 = v4.rms_norm %17 weight %18 eps 9.9999999999999995E-7 : tensor<1x1x256xbf16>, tensor<256xbf16>
    %c1 = arith.constant 1 : index
    %c1_3 = arith.constant 1 : index
    %20 = arith.subi %c1_3, %c1 : index
    %extracted_slice = tensor.extract_slice %19[0, %20, 0] [1, 1, 256] [1, 1, 1] : tensor<1x1x256xbf16> to tensor<1x256xbf16>
    %21 = v4.param "head.weight" : tensor<512x256xbf16>
    %22 = tensor.empty() : tensor<1x512xf32>
    %cst = arith.constant 0.000000e+00 : f32
    %23 = linalg.fill ins(%cst : f32) outs(%22 : tensor<1x512xf32>) -> tensor<1x512xf32>
    %24 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%extracted_slice, %21 : tensor<1x256xbf16>, tensor<512x256xbf16>) outs(%23 : tensor<1x512xf32>) -> tensor<1x512xf32>
    return %24, %13#1 : tensor<1x512xf32>, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>
  }
  func.func private @prefill.layers.0(%arg0: tensor<1x?x4x256xbf16>, %arg1: tensor<?xi32>, %arg2: index, %arg3: !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.0.window"}) -> (tensor<1x?x4x256xbf16>, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.0.window"}) attributes {v4.attention = "swa", v4.block = 0 : i64, v4.moe = "hash", v4.ratio = 0 : i64} {
    %c0 = arith.constant 0 : index
    %dim = tensor.dim %arg1, %c0 : tensor<?xi32>
    %0 = v4.param "layers.0.hc_attn_fn" : tensor<24x1024xf32>
    %1 = v4.param "layers.0.hc_attn_base" : tensor<24xf32>
    %2 = v4.param "layers.0.hc_attn_scale" : tensor<3xf32>
    %output, %post, %comb = v4.hc_pre %arg0, %0, %1, %2 iters 20 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<1x?x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x?x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>)
    %3 = v4.param "layers.0.attn_norm.weight" : tensor<256xbf16>
    %4 = v4.rms_norm %output weight %3 eps 9.9999999999999995E-7 : tensor<1x?x256xbf16>, tensor<256xbf16>
    %generated = tensor.generate %dim {
    ^bb0(%arg4: index, %arg5: index):
      %69 = arith.addi %arg2, %arg5 : index
      %70 = arith.index_cast %69 : index to i32
      tensor.yield %70 : i32
    } : tensor<1x?xi32>
    %5 = v4.param "layers.0.attn.wq_a.weight" : tensor<128x256xf8E4M3FN>
    %6 = v4.param "layers.0.attn.wq_a.scale" : tensor<1x2xf8E8M0FNU>
    %codes, %scales = v4.quantize %4 block 128 rule ceil : tensor<1x?x256xbf16> -> tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>
    %7 = v4.fp8_matmul %codes, %scales, %5, %6 block [128, 128] : (tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<1x?x128xbf16>
    %8 = v4.param "layers.0.attn.q_norm.weight" : tensor<128xbf16>
    %9 = v4.rms_norm %7 weight %8 eps 9.9999999999999995E-7 : tensor<1x?x128xbf16>, tensor<128xbf16>
    %10 = v4.param "layers.0.attn.wq_b.weight" : tensor<512x128xf8E4M3FN>
    %11 = v4.param "layers.0.attn.wq_b.scale" : tensor<4x1xf8E8M0FNU>
    %codes_0, %scales_1 = v4.quantize %9 block 128 rule ceil : tensor<1x?x128xbf16> -> tensor<1x?x128xf8E4M3FN>, tensor<1x?x1xf8E8M0FNU>
    %12 = v4.fp8_matmul %codes_0, %scales_1, %10, %11 block [128, 128] : (tensor<1x?x128xf8E4M3FN>, tensor<1x?x1xf8E8M0FNU>, tensor<512x128xf8E4M3FN>, tensor<4x1xf8E8M0FNU>) -> tensor<1x?x512xbf16>
    %expanded = tensor.expand_shape %24 [[0], [1], [2, 3]] output_shape [1, %dim, 4, 128] : tensor<1x?x512xbf16> into tensor<1x?x4x128xbf16>
    %13 = v4.rms_norm %expanded round_each_step eps 9.9999999999999995E-7 : tensor<1x?x4x128xbf16>
    %14 = v4.rope %13, %generated <base = 1.000000e+04, rope_dim = 64, factor = 1.000000e+00, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<1x?x4x128xbf16>, tensor<1x?xi32>
    %15 = v4.param "layers.0.attn.wkv.weight" : tensor<128x256xf8E4M3FN>
    %16 = v4.param "layers.0.attn.wkv.scale" : tensor<1x2xf8E8M0FNU>
    %codes_2, %scales_3 = v4.quantize %4 block 128 rule ceil : tensor<1x?x256xbf16> -> tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>
    %17 = v4.fp8_matmul %codes_2, %scales_3, %15, %16 block [128, 128] : (tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<1x?x128xbf16>
    %18 = v4.param "layers.0.attn.kv_norm.weight" : tensor<128xbf16>
    %19 = v4.rms_norm %17 weight %18 eps 9.9999999999999995E-7 : tensor<1x?x128xbf16>, tensor<128xbf16>
    %20 = v4.rope %19, %generated <base = 1.000000e+04, rope_dim = 64, factor = 1.000000e+00, original_seq_len = 65536, beta_fast = 3.2000f00e+01, beta_slow = 1.000000e+00> : tensor<1x?x128xbf16>, tensor<1x?xi32>
    %c1 = arith.constant 1 : index
    %dim_4 = tensor.dim %20, %c1 : tensor<1x?x128xbf16>
    %extracted_slice = tensor.extract_slice %20[0, 0, 0] [1, %dim_4, 64] [1, 1, 1] : tensor<1x?x128xbf16> to tensor<1x?x64xbf16>
    %21 = v4.simulate_quant %extracted_slice format f8E4M3FN block 64 rule ceil : tensor<1x?x64xbf16>
    %inserted_slice = tensor.insert_slice %21 into %20[0, 0, 0] [1, %dim_4, 64] [1, 1, 1] : tensor<1x?x64xbf16> into tensor<1x?x128xbf16>
    %22 = v4.window_append %arg3, %inserted_slice at %arg2 : !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>, tensor<1x?x128xbf16>
    %23 = v4.window_indices %arg2 rows %dim window 16 layout chunk : tensor<1x?x16xi32>
    %24 = v4.param "layers.0.attn.attn_sink" : tensor<4xf32>
    %25 = v4.sparse_atten.shared_experts.w3.weight" : tensor<128x256xf8E4M3FN>
    %76 = v4.param "layers.2.ffn.shared_experts.w3.scale" : tensor<1x2xf8E8M0FNU>
    %codes_46, %scales_47 = v4.quantize %collapsed_32 block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %77 = v4.fp8_matmul %codes_46, %scales_47, %75, %76 block [128, 128] : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x128xbf16>
    %78 = v4.swiglu %74, %77 limit 1.000000e+01 : tensor<?x128xbf16> -> tensor<?x128xbf16>
    %79 = v4.param "layers.2.ffn.shared_experts.w2.weight" : tensor<256x128xf8E4M3FN>
    %80 = v4.param "layers.2.ffn.shasor<1x4X4xf32>
  retured_experts.w2.scale" : tensor<2x1xf8E8M0FNU>
    %codes_48, %scales_49 = v4.quantize %78 block 128 rule ceil : tensor<?x128xbf16> -> tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>
    %81 = v4.fp8_matmul %codes_48, %scales_49, %79, %80 block [128, 128] : (tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>, tensor<256x128xf8E4M3FN>, tensor<2x1xf8E8M0FNU>) -> tensor<?x256xbf16>
    %82 = v4.moe_combine %71, %permutation shared %81 : (tensor<?x256xbf16>, tensor<?xi32>, tensor<?x256xbf16>) -> tensor<?x256xbf16>
    %expanded_50 = tensor.expand_shape %82 [[0, 1], [2]] output_shape [1, %dim, 256] : tensor<?x256xbf16> into tensor<1x?x256xbf16>
    %83 = v4.hc_post %expanded_50, %51, %post_30, %comb_31 : tensor<1x?x256xbf16>, tensor<1x?x4x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4nsor<1x?x4x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>
    return %115, %22, %39, %new_state, %62, %new_state_42 : tensor<1x?x4x256xbf16>, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>, !v4.compressed<batch = 1, ratio = 4, capacity = 32, dim = 128, element = bf16>, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128>, !v4.indexer_keys<batch = 1, capacity = 32, dim = 128, element = bf16>, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128>
  }
  func.func private @prefill.layers.2(%arg0: tensor<1x?x4x256xbf16>, %arg1: tensor<?xi32>, %arg2: index, %arg3: !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.2.window"}, %arg4: !v4.compressed<batch = 1, ratio = 16, capacity = 8, dim = 128, element = bf16> {v4.cache = "layers.2.compressed"}, %arg5: !v4.compressor_state<batch = 1, ratio = 16, coff = 1, dim = 128> {v4.cache = "layers.2.compressor_state"}) -> (tensor<1x?x4x256xbf16>, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.2.window"}, !v4.compresrn
}
sed<batch = 1, ratio = 16, capacity = 8, dim = 128, element = bf16> {v4.cache = "layers.2.compressed"}, !v4.compressor_state<batch = 1, ratio = 16, coff = 1, dim = 128> {v4.cache = "layers.2.compressor_state"}) attributes {v4.attention = "hca", v4.block = 2 : i64, v4.moe = "score", v4.ratio = 16 : i64} {
    %c0 = arith.constant 0 : index
    %dim = tensor.dim %arg