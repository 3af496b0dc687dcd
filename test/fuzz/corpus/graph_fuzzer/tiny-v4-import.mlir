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
    %broadcasted = linalg.broadcast ins(%8 : tensor<1x?x256xbf16>) outs(%12 : tensor<1x?x4x256xbf16>) dimensions = [2] 
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
    %expanded = tensor.expand_shape %12 [[0], [1], [2, 3]] output_shape [1, %dim, 4, 128] : tensor<1x?x512xbf16> into tensor<1x?x4x128xbf16>
    %13 = v4.rms_norm %expanded round_each_step eps 9.9999999999999995E-7 : tensor<1x?x4x128xbf16>
    %14 = v4.rope %13, %generated <base = 1.000000e+04, rope_dim = 64, factor = 1.000000e+00, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<1x?x4x128xbf16>, tensor<1x?xi32>
    %15 = v4.param "layers.0.attn.wkv.weight" : tensor<128x256xf8E4M3FN>
    %16 = v4.param "layers.0.attn.wkv.scale" : tensor<1x2xf8E8M0FNU>
    %codes_2, %scales_3 = v4.quantize %4 block 128 rule ceil : tensor<1x?x256xbf16> -> tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>
    %17 = v4.fp8_matmul %codes_2, %scales_3, %15, %16 block [128, 128] : (tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<1x?x128xbf16>
    %18 = v4.param "layers.0.attn.kv_norm.weight" : tensor<128xbf16>
    %19 = v4.rms_norm %17 weight %18 eps 9.9999999999999995E-7 : tensor<1x?x128xbf16>, tensor<128xbf16>
    %20 = v4.rope %19, %generated <base = 1.000000e+04, rope_dim = 64, factor = 1.000000e+00, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<1x?x128xbf16>, tensor<1x?xi32>
    %c1 = arith.constant 1 : index
    %dim_4 = tensor.dim %20, %c1 : tensor<1x?x128xbf16>
    %extracted_slice = tensor.extract_slice %20[0, 0, 0] [1, %dim_4, 64] [1, 1, 1] : tensor<1x?x128xbf16> to tensor<1x?x64xbf16>
    %21 = v4.simulate_quant %extracted_slice format f8E4M3FN block 64 rule ceil : tensor<1x?x64xbf16>
    %inserted_slice = tensor.insert_slice %21 into %20[0, 0, 0] [1, %dim_4, 64] [1, 1, 1] : tensor<1x?x64xbf16> into tensor<1x?x128xbf16>
    %22 = v4.window_append %arg3, %inserted_slice at %arg2 : !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>, tensor<1x?x128xbf16>
    %23 = v4.window_indices %arg2 rows %dim window 16 layout chunk : tensor<1x?x16xi32>
    %24 = v4.param "layers.0.attn.attn_sink" : tensor<4xf32>
    %25 = v4.sparse_attention %14, %inserted_slice[%23], %24 scale 0.088388347648318433 : tensor<1x?x4x128xbf16>, tensor<1x?x128xbf16>, tensor<1x?x16xi32>, tensor<4xf32>
    %26 = v4.rope %25, %generated <base = 1.000000e+04, rope_dim = 64, factor = 1.000000e+00, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> inverse : tensor<1x?x4x128xbf16>, tensor<1x?xi32>
    %27 = v4.param "layers.0.attn.wo_a.weight" : tensor<256x256xf8E4M3FN>
    %28 = v4.param "layers.0.attn.wo_a.scale" : tensor<2x2xf8E8M0FNU>
    %29 = tensor.empty() : tensor<2x128x2xf8E8M0FNU>
    %broadcasted = linalg.broadcast ins(%28 : tensor<2x2xf8E8M0FNU>) outs(%29 : tensor<2x128x2xf8E8M0FNU>) dimensions = [1] 
    %collapsed = tensor.collapse_shape %broadcasted [[0, 1], [2]] : tensor<2x128x2xf8E8M0FNU> into tensor<256x2xf8E8M0FNU>
    %30 = v4.dequantize %27, %collapsed block 128 : tensor<256x256xf8E4M3FN>, tensor<256x2xf8E8M0FNU> -> tensor<256x256xbf16>
    %expanded_5 = tensor.expand_shape %30 [[0, 1], [2]] output_shape [2, 128, 256] : tensor<256x256xbf16> into tensor<2x128x256xbf16>
    %31 = v4.grouped_linear %26, %expanded_5 groups 2 : tensor<1x?x4x128xbf16>, tensor<2x128x256xbf16> -> tensor<1x?x2x128xbf16>
    %collapsed_6 = tensor.collapse_shape %31 [[0], [1], [2, 3]] : tensor<1x?x2x128xbf16> into tensor<1x?x256xbf16>
    %32 = v4.param "layers.0.attn.wo_b.weight" : tensor<256x256xf8E4M3FN>
    %33 = v4.param "layers.0.attn.wo_b.scale" : tensor<2x2xf8E8M0FNU>
    %codes_7, %scales_8 = v4.quantize %collapsed_6 block 128 rule ceil : tensor<1x?x256xbf16> -> tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>
    %34 = v4.fp8_matmul %codes_7, %scales_8, %32, %33 block [128, 128] : (tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>, tensor<256x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>) -> tensor<1x?x256xbf16>
    %35 = v4.hc_post %34, %arg0, %post, %comb : tensor<1x?x256xbf16>, tensor<1x?x4x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>
    %36 = v4.param "layers.0.hc_ffn_fn" : tensor<24x1024xf32>
    %37 = v4.param "layers.0.hc_ffn_base" : tensor<24xf32>
    %38 = v4.param "layers.0.hc_ffn_scale" : tensor<3xf32>
    %output_9, %post_10, %comb_11 = v4.hc_pre %35, %36, %37, %38 iters 20 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<1x?x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x?x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>)
    %39 = v4.param "layers.0.ffn_norm.weight" : tensor<256xbf16>
    %40 = v4.rms_norm %output_9 weight %39 eps 9.9999999999999995E-7 : tensor<1x?x256xbf16>, tensor<256xbf16>
    %collapsed_12 = tensor.collapse_shape %40 [[0, 1], [2]] : tensor<1x?x256xbf16> into tensor<?x256xbf16>
    %41 = v4.param "layers.0.ffn.gate.weight" : tensor<8x256xbf16>
    %c0_13 = arith.constant 0 : index
    %dim_14 = tensor.dim %collapsed_12, %c0_13 : tensor<?x256xbf16>
    %c0_15 = arith.constant 0 : index
    %dim_16 = tensor.dim %collapsed_12, %c0_15 : tensor<?x256xbf16>
    %42 = tensor.empty(%dim_16) : tensor<?x8xf32>
    %cst = arith.constant 0.000000e+00 : f32
    %43 = linalg.fill ins(%cst : f32) outs(%42 : tensor<?x8xf32>) -> tensor<?x8xf32>
    %44 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_12, %41 : tensor<?x256xbf16>, tensor<8x256xbf16>) outs(%43 : tensor<?x8xf32>) -> tensor<?x8xf32>
    %45 = v4.param "layers.0.ffn.gate.tid2eid" : tensor<512x2xi64>
    %46 = arith.trunci %45 : tensor<512x2xi64> to tensor<512x2xi32>
    %weights, %experts = v4.moe_hash_route %44, %arg1, %46 route_scale 1.500000e+00 normalize : tensor<?x8xf32>, tensor<?xi32>, tensor<512x2xi32> -> tensor<?x2xf32>, tensor<?x2xi32>
    %rows, %row_weights, %permutation, %expert_offsets = v4.moe_dispatch %collapsed_12, %experts, %weights num_experts 8 : (tensor<?x256xbf16>, tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<?x256xbf16>, tensor<?xf32>, tensor<?xi32>, tensor<9xi32>)
    %codes_17, %scales_18 = v4.quantize %rows block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %47 = v4.param "layers.0.ffn.experts.*.w1.weight" : tensor<8x128x256xf4E2M1FN>
    %48 = v4.param "layers.0.ffn.experts.*.w1.scale" : tensor<8x128x8xf8E8M0FNU>
    %49 = v4.mxfp4_matmul %codes_17, %scales_18, %47, %48 groups %expert_offsets act_block 128 : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x128xbf16>
    %codes_19, %scales_20 = v4.quantize %rows block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %50 = v4.param "layers.0.ffn.experts.*.w3.weight" : tensor<8x128x256xf4E2M1FN>
    %51 = v4.param "layers.0.ffn.experts.*.w3.scale" : tensor<8x128x8xf8E8M0FNU>
    %52 = v4.mxfp4_matmul %codes_19, %scales_20, %50, %51 groups %expert_offsets act_block 128 : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x128xbf16>
    %53 = v4.swiglu %49, %52 weights %row_weights limit 1.000000e+01 : tensor<?x128xbf16>, tensor<?xf32> -> tensor<?x128xbf16>
    %codes_21, %scales_22 = v4.quantize %53 block 128 rule ceil : tensor<?x128xbf16> -> tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>
    %54 = v4.param "layers.0.ffn.experts.*.w2.weight" : tensor<8x256x128xf4E2M1FN>
    %55 = v4.param "layers.0.ffn.experts.*.w2.scale" : tensor<8x256x4xf8E8M0FNU>
    %56 = v4.mxfp4_matmul %codes_21, %scales_22, %54, %55 groups %expert_offsets act_block 128 : (tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>, tensor<8x256x128xf4E2M1FN>, tensor<8x256x4xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x256xbf16>
    %57 = v4.param "layers.0.ffn.shared_experts.w1.weight" : tensor<128x256xf8E4M3FN>
    %58 = v4.param "layers.0.ffn.shared_experts.w1.scale" : tensor<1x2xf8E8M0FNU>
    %codes_23, %scales_24 = v4.quantize %collapsed_12 block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %59 = v4.fp8_matmul %codes_23, %scales_24, %57, %58 block [128, 128] : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x128xbf16>
    %60 = v4.param "layers.0.ffn.shared_experts.w3.weight" : tensor<128x256xf8E4M3FN>
    %61 = v4.param "layers.0.ffn.shared_experts.w3.scale" : tensor<1x2xf8E8M0FNU>
    %codes_25, %scales_26 = v4.quantize %collapsed_12 block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %62 = v4.fp8_matmul %codes_25, %scales_26, %60, %61 block [128, 128] : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x128xbf16>
    %63 = v4.swiglu %59, %62 limit 1.000000e+01 : tensor<?x128xbf16> -> tensor<?x128xbf16>
    %64 = v4.param "layers.0.ffn.shared_experts.w2.weight" : tensor<256x128xf8E4M3FN>
    %65 = v4.param "layers.0.ffn.shared_experts.w2.scale" : tensor<2x1xf8E8M0FNU>
    %codes_27, %scales_28 = v4.quantize %63 block 128 rule ceil : tensor<?x128xbf16> -> tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>
    %66 = v4.fp8_matmul %codes_27, %scales_28, %64, %65 block [128, 128] : (tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>, tensor<256x128xf8E4M3FN>, tensor<2x1xf8E8M0FNU>) -> tensor<?x256xbf16>
    %67 = v4.moe_combine %56, %permutation shared %66 : (tensor<?x256xbf16>, tensor<?xi32>, tensor<?x256xbf16>) -> tensor<?x256xbf16>
    %expanded_29 = tensor.expand_shape %67 [[0, 1], [2]] output_shape [1, %dim, 256] : tensor<?x256xbf16> into tensor<1x?x256xbf16>
    %68 = v4.hc_post %expanded_29, %35, %post_10, %comb_11 : tensor<1x?x256xbf16>, tensor<1x?x4x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>
    return %68, %22 : tensor<1x?x4x256xbf16>, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>
  }
  func.func private @prefill.layers.1(%arg0: tensor<1x?x4x256xbf16>, %arg1: tensor<?xi32>, %arg2: index, %arg3: !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.1.window"}, %arg4: !v4.compressed<batch = 1, ratio = 4, capacity = 32, dim = 128, element = bf16> {v4.cache = "layers.1.compressed"}, %arg5: !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128> {v4.cache = "layers.1.compressor_state"}, %arg6: !v4.indexer_keys<batch = 1, capacity = 32, dim = 128, element = bf16> {v4.cache = "layers.1.indexer_keys"}, %arg7: !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128> {v4.cache = "layers.1.indexer_state"}) -> (tensor<1x?x4x256xbf16>, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.1.window"}, !v4.compressed<batch = 1, ratio = 4, capacity = 32, dim = 128, element = bf16> {v4.cache = "layers.1.compressed"}, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128> {v4.cache = "layers.1.compressor_state"}, !v4.indexer_keys<batch = 1, capacity = 32, dim = 128, element = bf16> {v4.cache = "layers.1.indexer_keys"}, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128> {v4.cache = "layers.1.indexer_state"}) attributes {v4.attention = "csa", v4.block = 1 : i64, v4.moe = "score", v4.ratio = 4 : i64} {
    %c0 = arith.constant 0 : index
    %dim = tensor.dim %arg1, %c0 : tensor<?xi32>
    %0 = v4.param "layers.1.hc_attn_fn" : tensor<24x1024xf32>
    %1 = v4.param "layers.1.hc_attn_base" : tensor<24xf32>
    %2 = v4.param "layers.1.hc_attn_scale" : tensor<3xf32>
    %output, %post, %comb = v4.hc_pre %arg0, %0, %1, %2 iters 20 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<1x?x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x?x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>)
    %3 = v4.param "layers.1.attn_norm.weight" : tensor<256xbf16>
    %4 = v4.rms_norm %output weight %3 eps 9.9999999999999995E-7 : tensor<1x?x256xbf16>, tensor<256xbf16>
    %generated = tensor.generate %dim {
    ^bb0(%arg8: index, %arg9: index):
      %114 = arith.addi %arg2, %arg9 : index
      %115 = arith.index_cast %114 : index to i32
      tensor.yield %115 : i32
    } : tensor<1x?xi32>
    %5 = v4.param "layers.1.attn.wq_a.weight" : tensor<128x256xf8E4M3FN>
    %6 = v4.param "layers.1.attn.wq_a.scale" : tensor<1x2xf8E8M0FNU>
    %codes, %scales = v4.quantize %4 block 128 rule ceil : tensor<1x?x256xbf16> -> tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>
    %7 = v4.fp8_matmul %codes, %scales, %5, %6 block [128, 128] : (tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<1x?x128xbf16>
    %8 = v4.param "layers.1.attn.q_norm.weight" : tensor<128xbf16>
    %9 = v4.rms_norm %7 weight %8 eps 9.9999999999999995E-7 : tensor<1x?x128xbf16>, tensor<128xbf16>
    %10 = v4.param "layers.1.attn.wq_b.weight" : tensor<512x128xf8E4M3FN>
    %11 = v4.param "layers.1.attn.wq_b.scale" : tensor<4x1xf8E8M0FNU>
    %codes_0, %scales_1 = v4.quantize %9 block 128 rule ceil : tensor<1x?x128xbf16> -> tensor<1x?x128xf8E4M3FN>, tensor<1x?x1xf8E8M0FNU>
    %12 = v4.fp8_matmul %codes_0, %scales_1, %10, %11 block [128, 128] : (tensor<1x?x128xf8E4M3FN>, tensor<1x?x1xf8E8M0FNU>, tensor<512x128xf8E4M3FN>, tensor<4x1xf8E8M0FNU>) -> tensor<1x?x512xbf16>
    %expanded = tensor.expand_shape %12 [[0], [1], [2, 3]] output_shape [1, %dim, 4, 128] : tensor<1x?x512xbf16> into tensor<1x?x4x128xbf16>
    %13 = v4.rms_norm %expanded round_each_step eps 9.9999999999999995E-7 : tensor<1x?x4x128xbf16>
    %14 = v4.rope %13, %generated <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<1x?x4x128xbf16>, tensor<1x?xi32>
    %15 = v4.param "layers.1.attn.wkv.weight" : tensor<128x256xf8E4M3FN>
    %16 = v4.param "layers.1.attn.wkv.scale" : tensor<1x2xf8E8M0FNU>
    %codes_2, %scales_3 = v4.quantize %4 block 128 rule ceil : tensor<1x?x256xbf16> -> tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>
    %17 = v4.fp8_matmul %codes_2, %scales_3, %15, %16 block [128, 128] : (tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<1x?x128xbf16>
    %18 = v4.param "layers.1.attn.kv_norm.weight" : tensor<128xbf16>
    %19 = v4.rms_norm %17 weight %18 eps 9.9999999999999995E-7 : tensor<1x?x128xbf16>, tensor<128xbf16>
    %20 = v4.rope %19, %generated <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<1x?x128xbf16>, tensor<1x?xi32>
    %c1 = arith.constant 1 : index
    %dim_4 = tensor.dim %20, %c1 : tensor<1x?x128xbf16>
    %extracted_slice = tensor.extract_slice %20[0, 0, 0] [1, %dim_4, 64] [1, 1, 1] : tensor<1x?x128xbf16> to tensor<1x?x64xbf16>
    %21 = v4.simulate_quant %extracted_slice format f8E4M3FN block 64 rule ceil : tensor<1x?x64xbf16>
    %inserted_slice = tensor.insert_slice %21 into %20[0, 0, 0] [1, %dim_4, 64] [1, 1, 1] : tensor<1x?x64xbf16> into tensor<1x?x128xbf16>
    %22 = v4.window_append %arg3, %inserted_slice at %arg2 : !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>, tensor<1x?x128xbf16>
    %23 = v4.window_indices %arg2 rows %dim window 16 layout chunk : tensor<1x?x16xi32>
    %24 = v4.param "layers.1.attn.attn_sink" : tensor<4xf32>
    %25 = v4.param "layers.1.attn.compressor.wkv.weight" : tensor<256x256xbf16>
    %c1_5 = arith.constant 1 : index
    %dim_6 = tensor.dim %4, %c1_5 : tensor<1x?x256xbf16>
    %collapsed = tensor.collapse_shape %4 [[0, 1], [2]] : tensor<1x?x256xbf16> into tensor<?x256xbf16>
    %c0_7 = arith.constant 0 : index
    %dim_8 = tensor.dim %collapsed, %c0_7 : tensor<?x256xbf16>
    %26 = tensor.empty(%dim_8) : tensor<?x256xf32>
    %cst = arith.constant 0.000000e+00 : f32
    %27 = linalg.fill ins(%cst : f32) outs(%26 : tensor<?x256xf32>) -> tensor<?x256xf32>
    %28 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed, %25 : tensor<?x256xbf16>, tensor<256x256xbf16>) outs(%27 : tensor<?x256xf32>) -> tensor<?x256xf32>
    %expanded_9 = tensor.expand_shape %28 [[0, 1], [2]] output_shape [1, %dim_6, 256] : tensor<?x256xf32> into tensor<1x?x256xf32>
    %29 = v4.param "layers.1.attn.compressor.wgate.weight" : tensor<256x256xbf16>
    %c1_10 = arith.constant 1 : index
    %dim_11 = tensor.dim %4, %c1_10 : tensor<1x?x256xbf16>
    %collapsed_12 = tensor.collapse_shape %4 [[0, 1], [2]] : tensor<1x?x256xbf16> into tensor<?x256xbf16>
    %c0_13 = arith.constant 0 : index
    %dim_14 = tensor.dim %collapsed_12, %c0_13 : tensor<?x256xbf16>
    %30 = tensor.empty(%dim_14) : tensor<?x256xf32>
    %cst_15 = arith.constant 0.000000e+00 : f32
    %31 = linalg.fill ins(%cst_15 : f32) outs(%30 : tensor<?x256xf32>) -> tensor<?x256xf32>
    %32 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_12, %29 : tensor<?x256xbf16>, tensor<256x256xbf16>) outs(%31 : tensor<?x256xf32>) -> tensor<?x256xf32>
    %expanded_16 = tensor.expand_shape %32 [[0, 1], [2]] output_shape [1, %dim_11, 256] : tensor<?x256xf32> into tensor<1x?x256xf32>
    %33 = v4.param "layers.1.attn.compressor.ape" : tensor<4x256xf32>
    %entries, %new_state = v4.compress %expanded_9, %expanded_16, %33, %arg5 at %arg2 ratio 4 overlap : tensor<1x?x256xf32>, tensor<4x256xf32>, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128> -> tensor<1x?x128xf32>
    %34 = arith.truncf %entries : tensor<1x?x128xf32> to tensor<1x?x128xbf16>
    %35 = v4.param "layers.1.attn.compressor.norm.weight" : tensor<128xbf16>
    %36 = v4.rms_norm %34 weight %35 eps 9.9999999999999995E-7 : tensor<1x?x128xbf16>, tensor<128xbf16>
    %c1_17 = arith.constant 1 : index
    %dim_18 = tensor.dim %36, %c1_17 : tensor<1x?x128xbf16>
    %generated_19 = tensor.generate %dim_18 {
    ^bb0(%arg8: index, %arg9: index):
      %c4 = arith.constant 4 : index
      %114 = arith.divui %arg2, %c4 : index
      %115 = arith.addi %114, %arg9 : index
      %c4_82 = arith.constant 4 : index
      %116 = arith.muli %115, %c4_82 : index
      %117 = arith.index_cast %116 : index to i32
      tensor.yield %117 : i32
    } : tensor<1x?xi32>
    %37 = v4.rope %36, %generated_19 <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<1x?x128xbf16>, tensor<1x?xi32>
    %c1_20 = arith.constant 1 : index
    %dim_21 = tensor.dim %37, %c1_20 : tensor<1x?x128xbf16>
    %extracted_slice_22 = tensor.extract_slice %37[0, 0, 0] [1, %dim_21, 64] [1, 1, 1] : tensor<1x?x128xbf16> to tensor<1x?x64xbf16>
    %38 = v4.simulate_quant %extracted_slice_22 format f8E4M3FN block 64 rule ceil : tensor<1x?x64xbf16>
    %inserted_slice_23 = tensor.insert_slice %38 into %37[0, 0, 0] [1, %dim_21, 64] [1, 1, 1] : tensor<1x?x64xbf16> into tensor<1x?x128xbf16>
    %39 = v4.compressed_append %arg4, %inserted_slice_23 at %arg2 tokens %dim : !v4.compressed<batch = 1, ratio = 4, capacity = 32, dim = 128, element = bf16>, tensor<1x?x128xbf16>
    %40 = v4.param "layers.1.attn.indexer.wq_b.weight" : tensor<512x128xf8E4M3FN>
    %41 = v4.param "layers.1.attn.indexer.wq_b.scale" : tensor<4x1xf8E8M0FNU>
    %codes_24, %scales_25 = v4.quantize %9 block 128 rule ceil : tensor<1x?x128xbf16> -> tensor<1x?x128xf8E4M3FN>, tensor<1x?x1xf8E8M0FNU>
    %42 = v4.fp8_matmul %codes_24, %scales_25, %40, %41 block [128, 128] : (tensor<1x?x128xf8E4M3FN>, tensor<1x?x1xf8E8M0FNU>, tensor<512x128xf8E4M3FN>, tensor<4x1xf8E8M0FNU>) -> tensor<1x?x512xbf16>
    %expanded_26 = tensor.expand_shape %42 [[0], [1], [2, 3]] output_shape [1, %dim, 4, 128] : tensor<1x?x512xbf16> into tensor<1x?x4x128xbf16>
    %43 = v4.rope %expanded_26, %generated <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<1x?x4x128xbf16>, tensor<1x?xi32>
    %44 = v4.hadamard %43 : tensor<1x?x4x128xbf16>
    %45 = v4.simulate_quant %44 format f4E2M1FN block 32 rule ceil : tensor<1x?x4x128xbf16>
    %46 = v4.param "layers.1.attn.indexer.compressor.wkv.weight" : tensor<256x256xbf16>
    %c1_27 = arith.constant 1 : index
    %dim_28 = tensor.dim %4, %c1_27 : tensor<1x?x256xbf16>
    %collapsed_29 = tensor.collapse_shape %4 [[0, 1], [2]] : tensor<1x?x256xbf16> into tensor<?x256xbf16>
    %c0_30 = arith.constant 0 : index
    %dim_31 = tensor.dim %collapsed_29, %c0_30 : tensor<?x256xbf16>
    %47 = tensor.empty(%dim_31) : tensor<?x256xf32>
    %cst_32 = arith.constant 0.000000e+00 : f32
    %48 = linalg.fill ins(%cst_32 : f32) outs(%47 : tensor<?x256xf32>) -> tensor<?x256xf32>
    %49 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_29, %46 : tensor<?x256xbf16>, tensor<256x256xbf16>) outs(%48 : tensor<?x256xf32>) -> tensor<?x256xf32>
    %expanded_33 = tensor.expand_shape %49 [[0, 1], [2]] output_shape [1, %dim_28, 256] : tensor<?x256xf32> into tensor<1x?x256xf32>
    %50 = v4.param "layers.1.attn.indexer.compressor.wgate.weight" : tensor<256x256xbf16>
    %c1_34 = arith.constant 1 : index
    %dim_35 = tensor.dim %4, %c1_34 : tensor<1x?x256xbf16>
    %collapsed_36 = tensor.collapse_shape %4 [[0, 1], [2]] : tensor<1x?x256xbf16> into tensor<?x256xbf16>
    %c0_37 = arith.constant 0 : index
    %dim_38 = tensor.dim %collapsed_36, %c0_37 : tensor<?x256xbf16>
    %51 = tensor.empty(%dim_38) : tensor<?x256xf32>
    %cst_39 = arith.constant 0.000000e+00 : f32
    %52 = linalg.fill ins(%cst_39 : f32) outs(%51 : tensor<?x256xf32>) -> tensor<?x256xf32>
    %53 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_36, %50 : tensor<?x256xbf16>, tensor<256x256xbf16>) outs(%52 : tensor<?x256xf32>) -> tensor<?x256xf32>
    %expanded_40 = tensor.expand_shape %53 [[0, 1], [2]] output_shape [1, %dim_35, 256] : tensor<?x256xf32> into tensor<1x?x256xf32>
    %54 = v4.param "layers.1.attn.indexer.compressor.ape" : tensor<4x256xf32>
    %entries_41, %new_state_42 = v4.compress %expanded_33, %expanded_40, %54, %arg7 at %arg2 ratio 4 overlap : tensor<1x?x256xf32>, tensor<4x256xf32>, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128> -> tensor<1x?x128xf32>
    %55 = arith.truncf %entries_41 : tensor<1x?x128xf32> to tensor<1x?x128xbf16>
    %56 = v4.param "layers.1.attn.indexer.compressor.norm.weight" : tensor<128xbf16>
    %57 = v4.rms_norm %55 weight %56 eps 9.9999999999999995E-7 : tensor<1x?x128xbf16>, tensor<128xbf16>
    %c1_43 = arith.constant 1 : index
    %dim_44 = tensor.dim %57, %c1_43 : tensor<1x?x128xbf16>
    %generated_45 = tensor.generate %dim_44 {
    ^bb0(%arg8: index, %arg9: index):
      %c4 = arith.constant 4 : index
      %114 = arith.divui %arg2, %c4 : index
      %115 = arith.addi %114, %arg9 : index
      %c4_82 = arith.constant 4 : index
      %116 = arith.muli %115, %c4_82 : index
      %117 = arith.index_cast %116 : index to i32
      tensor.yield %117 : i32
    } : tensor<1x?xi32>
    %58 = v4.rope %57, %generated_45 <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<1x?x128xbf16>, tensor<1x?xi32>
    %59 = v4.hadamard %58 : tensor<1x?x128xbf16>
    %60 = v4.simulate_quant %59 format f4E2M1FN block 32 rule ceil : tensor<1x?x128xbf16>
    %61 = v4.compressed_append %arg6, %60 at %arg2 tokens %dim : !v4.indexer_keys<batch = 1, capacity = 32, dim = 128, element = bf16>, tensor<1x?x128xbf16>
    %62 = v4.param "layers.1.attn.indexer.weights_proj.weight" : tensor<4x256xbf16>
    %c1_46 = arith.constant 1 : index
    %dim_47 = tensor.dim %4, %c1_46 : tensor<1x?x256xbf16>
    %collapsed_48 = tensor.collapse_shape %4 [[0, 1], [2]] : tensor<1x?x256xbf16> into tensor<?x256xbf16>
    %c0_49 = arith.constant 0 : index
    %dim_50 = tensor.dim %collapsed_48, %c0_49 : tensor<?x256xbf16>
    %63 = tensor.empty(%dim_50) : tensor<?x4xf32>
    %cst_51 = arith.constant 0.000000e+00 : f32
    %64 = linalg.fill ins(%cst_51 : f32) outs(%63 : tensor<?x4xf32>) -> tensor<?x4xf32>
    %65 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_48, %62 : tensor<?x256xbf16>, tensor<4x256xbf16>) outs(%64 : tensor<?x4xf32>) -> tensor<?x4xf32>
    %66 = arith.truncf %65 : tensor<?x4xf32> to tensor<?x4xbf16>
    %expanded_52 = tensor.expand_shape %66 [[0, 1], [2]] output_shape [1, %dim_47, 4] : tensor<?x4xbf16> into tensor<1x?x4xbf16>
    %c1_53 = arith.constant 1 : index
    %dim_54 = tensor.dim %expanded_52, %c1_53 : tensor<1x?x4xbf16>
    %67 = tensor.empty(%dim_54) : tensor<1x?x4xbf16>
    %68 = linalg.generic {indexing_maps = [#map3, #map3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded_52 : tensor<1x?x4xbf16>) outs(%67 : tensor<1x?x4xbf16>) {
    ^bb0(%in: bf16, %out: bf16):
      %114 = arith.extf %in : bf16 to f32
      %cst_82 = arith.constant 0.0441941731 : f32
      %115 = arith.mulf %114, %cst_82 : f32
      %116 = arith.truncf %115 : f32 to bf16
      linalg.yield %116 : bf16
    } -> tensor<1x?x4xbf16>
    %69 = v4.indexer_score %45, %61, %68 : tensor<1x?x4x128xbf16>, !v4.indexer_keys<batch = 1, capacity = 32, dim = 128, element = bf16>, tensor<1x?x4xbf16> -> tensor<1x?x32xbf16>
    %70 = v4.topk %69 at %arg2 k 4 ratio 4 : tensor<1x?x32xbf16> -> tensor<1x?x4xi32>
    %71 = v4.sparse_attention %14, %inserted_slice[%23], %24 entries %39[%70] scale 0.088388347648318433 : tensor<1x?x4x128xbf16>, tensor<1x?x128xbf16>, tensor<1x?x16xi32>, tensor<4xf32>, !v4.compressed<batch = 1, ratio = 4, capacity = 32, dim = 128, element = bf16>, tensor<1x?x4xi32>
    %72 = v4.rope %71, %generated <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> inverse : tensor<1x?x4x128xbf16>, tensor<1x?xi32>
    %73 = v4.param "layers.1.attn.wo_a.weight" : tensor<256x256xf8E4M3FN>
    %74 = v4.param "layers.1.attn.wo_a.scale" : tensor<2x2xf8E8M0FNU>
    %75 = tensor.empty() : tensor<2x128x2xf8E8M0FNU>
    %broadcasted = linalg.broadcast ins(%74 : tensor<2x2xf8E8M0FNU>) outs(%75 : tensor<2x128x2xf8E8M0FNU>) dimensions = [1] 
    %collapsed_55 = tensor.collapse_shape %broadcasted [[0, 1], [2]] : tensor<2x128x2xf8E8M0FNU> into tensor<256x2xf8E8M0FNU>
    %76 = v4.dequantize %73, %collapsed_55 block 128 : tensor<256x256xf8E4M3FN>, tensor<256x2xf8E8M0FNU> -> tensor<256x256xbf16>
    %expanded_56 = tensor.expand_shape %76 [[0, 1], [2]] output_shape [2, 128, 256] : tensor<256x256xbf16> into tensor<2x128x256xbf16>
    %77 = v4.grouped_linear %72, %expanded_56 groups 2 : tensor<1x?x4x128xbf16>, tensor<2x128x256xbf16> -> tensor<1x?x2x128xbf16>
    %collapsed_57 = tensor.collapse_shape %77 [[0], [1], [2, 3]] : tensor<1x?x2x128xbf16> into tensor<1x?x256xbf16>
    %78 = v4.param "layers.1.attn.wo_b.weight" : tensor<256x256xf8E4M3FN>
    %79 = v4.param "layers.1.attn.wo_b.scale" : tensor<2x2xf8E8M0FNU>
    %codes_58, %scales_59 = v4.quantize %collapsed_57 block 128 rule ceil : tensor<1x?x256xbf16> -> tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>
    %80 = v4.fp8_matmul %codes_58, %scales_59, %78, %79 block [128, 128] : (tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>, tensor<256x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>) -> tensor<1x?x256xbf16>
    %81 = v4.hc_post %80, %arg0, %post, %comb : tensor<1x?x256xbf16>, tensor<1x?x4x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>
    %82 = v4.param "layers.1.hc_ffn_fn" : tensor<24x1024xf32>
    %83 = v4.param "layers.1.hc_ffn_base" : tensor<24xf32>
    %84 = v4.param "layers.1.hc_ffn_scale" : tensor<3xf32>
    %output_60, %post_61, %comb_62 = v4.hc_pre %81, %82, %83, %84 iters 20 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<1x?x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x?x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>)
    %85 = v4.param "layers.1.ffn_norm.weight" : tensor<256xbf16>
    %86 = v4.rms_norm %output_60 weight %85 eps 9.9999999999999995E-7 : tensor<1x?x256xbf16>, tensor<256xbf16>
    %collapsed_63 = tensor.collapse_shape %86 [[0, 1], [2]] : tensor<1x?x256xbf16> into tensor<?x256xbf16>
    %87 = v4.param "layers.1.ffn.gate.weight" : tensor<8x256xbf16>
    %c0_64 = arith.constant 0 : index
    %dim_65 = tensor.dim %collapsed_63, %c0_64 : tensor<?x256xbf16>
    %c0_66 = arith.constant 0 : index
    %dim_67 = tensor.dim %collapsed_63, %c0_66 : tensor<?x256xbf16>
    %88 = tensor.empty(%dim_67) : tensor<?x8xf32>
    %cst_68 = arith.constant 0.000000e+00 : f32
    %89 = linalg.fill ins(%cst_68 : f32) outs(%88 : tensor<?x8xf32>) -> tensor<?x8xf32>
    %90 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_63, %87 : tensor<?x256xbf16>, tensor<8x256xbf16>) outs(%89 : tensor<?x8xf32>) -> tensor<?x8xf32>
    %91 = v4.param "layers.1.ffn.gate.bias" : tensor<8xf32>
    %weights, %experts = v4.moe_route %90, %91 k 2 route_scale 1.500000e+00 normalize : tensor<?x8xf32>, tensor<8xf32> -> tensor<?x2xf32>, tensor<?x2xi32>
    %rows, %row_weights, %permutation, %expert_offsets = v4.moe_dispatch %collapsed_63, %experts, %weights num_experts 8 : (tensor<?x256xbf16>, tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<?x256xbf16>, tensor<?xf32>, tensor<?xi32>, tensor<9xi32>)
    %codes_69, %scales_70 = v4.quantize %rows block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %92 = v4.param "layers.1.ffn.experts.*.w1.weight" : tensor<8x128x256xf4E2M1FN>
    %93 = v4.param "layers.1.ffn.experts.*.w1.scale" : tensor<8x128x8xf8E8M0FNU>
    %94 = v4.mxfp4_matmul %codes_69, %scales_70, %92, %93 groups %expert_offsets act_block 128 : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x128xbf16>
    %codes_71, %scales_72 = v4.quantize %rows block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %95 = v4.param "layers.1.ffn.experts.*.w3.weight" : tensor<8x128x256xf4E2M1FN>
    %96 = v4.param "layers.1.ffn.experts.*.w3.scale" : tensor<8x128x8xf8E8M0FNU>
    %97 = v4.mxfp4_matmul %codes_71, %scales_72, %95, %96 groups %expert_offsets act_block 128 : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x128xbf16>
    %98 = v4.swiglu %94, %97 weights %row_weights limit 1.000000e+01 : tensor<?x128xbf16>, tensor<?xf32> -> tensor<?x128xbf16>
    %codes_73, %scales_74 = v4.quantize %98 block 128 rule ceil : tensor<?x128xbf16> -> tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>
    %99 = v4.param "layers.1.ffn.experts.*.w2.weight" : tensor<8x256x128xf4E2M1FN>
    %100 = v4.param "layers.1.ffn.experts.*.w2.scale" : tensor<8x256x4xf8E8M0FNU>
    %101 = v4.mxfp4_matmul %codes_73, %scales_74, %99, %100 groups %expert_offsets act_block 128 : (tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>, tensor<8x256x128xf4E2M1FN>, tensor<8x256x4xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x256xbf16>
    %102 = v4.param "layers.1.ffn.shared_experts.w1.weight" : tensor<128x256xf8E4M3FN>
    %103 = v4.param "layers.1.ffn.shared_experts.w1.scale" : tensor<1x2xf8E8M0FNU>
    %codes_75, %scales_76 = v4.quantize %collapsed_63 block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %104 = v4.fp8_matmul %codes_75, %scales_76, %102, %103 block [128, 128] : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x128xbf16>
    %105 = v4.param "layers.1.ffn.shared_experts.w3.weight" : tensor<128x256xf8E4M3FN>
    %106 = v4.param "layers.1.ffn.shared_experts.w3.scale" : tensor<1x2xf8E8M0FNU>
    %codes_77, %scales_78 = v4.quantize %collapsed_63 block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %107 = v4.fp8_matmul %codes_77, %scales_78, %105, %106 block [128, 128] : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x128xbf16>
    %108 = v4.swiglu %104, %107 limit 1.000000e+01 : tensor<?x128xbf16> -> tensor<?x128xbf16>
    %109 = v4.param "layers.1.ffn.shared_experts.w2.weight" : tensor<256x128xf8E4M3FN>
    %110 = v4.param "layers.1.ffn.shared_experts.w2.scale" : tensor<2x1xf8E8M0FNU>
    %codes_79, %scales_80 = v4.quantize %108 block 128 rule ceil : tensor<?x128xbf16> -> tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>
    %111 = v4.fp8_matmul %codes_79, %scales_80, %109, %110 block [128, 128] : (tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>, tensor<256x128xf8E4M3FN>, tensor<2x1xf8E8M0FNU>) -> tensor<?x256xbf16>
    %112 = v4.moe_combine %101, %permutation shared %111 : (tensor<?x256xbf16>, tensor<?xi32>, tensor<?x256xbf16>) -> tensor<?x256xbf16>
    %expanded_81 = tensor.expand_shape %112 [[0, 1], [2]] output_shape [1, %dim, 256] : tensor<?x256xbf16> into tensor<1x?x256xbf16>
    %113 = v4.hc_post %expanded_81, %81, %post_61, %comb_62 : tensor<1x?x256xbf16>, tensor<1x?x4x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>
    return %113, %22, %39, %new_state, %61, %new_state_42 : tensor<1x?x4x256xbf16>, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>, !v4.compressed<batch = 1, ratio = 4, capacity = 32, dim = 128, element = bf16>, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128>, !v4.indexer_keys<batch = 1, capacity = 32, dim = 128, element = bf16>, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128>
  }
  func.func private @prefill.layers.2(%arg0: tensor<1x?x4x256xbf16>, %arg1: tensor<?xi32>, %arg2: index, %arg3: !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.2.window"}, %arg4: !v4.compressed<batch = 1, ratio = 16, capacity = 8, dim = 128, element = bf16> {v4.cache = "layers.2.compressed"}, %arg5: !v4.compressor_state<batch = 1, ratio = 16, coff = 1, dim = 128> {v4.cache = "layers.2.compressor_state"}) -> (tensor<1x?x4x256xbf16>, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.2.window"}, !v4.compressed<batch = 1, ratio = 16, capacity = 8, dim = 128, element = bf16> {v4.cache = "layers.2.compressed"}, !v4.compressor_state<batch = 1, ratio = 16, coff = 1, dim = 128> {v4.cache = "layers.2.compressor_state"}) attributes {v4.attention = "hca", v4.block = 2 : i64, v4.moe = "score", v4.ratio = 16 : i64} {
    %c0 = arith.constant 0 : index
    %dim = tensor.dim %arg1, %c0 : tensor<?xi32>
    %0 = v4.param "layers.2.hc_attn_fn" : tensor<24x1024xf32>
    %1 = v4.param "layers.2.hc_attn_base" : tensor<24xf32>
    %2 = v4.param "layers.2.hc_attn_scale" : tensor<3xf32>
    %output, %post, %comb = v4.hc_pre %arg0, %0, %1, %2 iters 20 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<1x?x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x?x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>)
    %3 = v4.param "layers.2.attn_norm.weight" : tensor<256xbf16>
    %4 = v4.rms_norm %output weight %3 eps 9.9999999999999995E-7 : tensor<1x?x256xbf16>, tensor<256xbf16>
    %generated = tensor.generate %dim {
    ^bb0(%arg6: index, %arg7: index):
      %83 = arith.addi %arg2, %arg7 : index
      %84 = arith.index_cast %83 : index to i32
      tensor.yield %84 : i32
    } : tensor<1x?xi32>
    %5 = v4.param "layers.2.attn.wq_a.weight" : tensor<128x256xf8E4M3FN>
    %6 = v4.param "layers.2.attn.wq_a.scale" : tensor<1x2xf8E8M0FNU>
    %codes, %scales = v4.quantize %4 block 128 rule ceil : tensor<1x?x256xbf16> -> tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>
    %7 = v4.fp8_matmul %codes, %scales, %5, %6 block [128, 128] : (tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<1x?x128xbf16>
    %8 = v4.param "layers.2.attn.q_norm.weight" : tensor<128xbf16>
    %9 = v4.rms_norm %7 weight %8 eps 9.9999999999999995E-7 : tensor<1x?x128xbf16>, tensor<128xbf16>
    %10 = v4.param "layers.2.attn.wq_b.weight" : tensor<512x128xf8E4M3FN>
    %11 = v4.param "layers.2.attn.wq_b.scale" : tensor<4x1xf8E8M0FNU>
    %codes_0, %scales_1 = v4.quantize %9 block 128 rule ceil : tensor<1x?x128xbf16> -> tensor<1x?x128xf8E4M3FN>, tensor<1x?x1xf8E8M0FNU>
    %12 = v4.fp8_matmul %codes_0, %scales_1, %10, %11 block [128, 128] : (tensor<1x?x128xf8E4M3FN>, tensor<1x?x1xf8E8M0FNU>, tensor<512x128xf8E4M3FN>, tensor<4x1xf8E8M0FNU>) -> tensor<1x?x512xbf16>
    %expanded = tensor.expand_shape %12 [[0], [1], [2, 3]] output_shape [1, %dim, 4, 128] : tensor<1x?x512xbf16> into tensor<1x?x4x128xbf16>
    %13 = v4.rms_norm %expanded round_each_step eps 9.9999999999999995E-7 : tensor<1x?x4x128xbf16>
    %14 = v4.rope %13, %generated <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<1x?x4x128xbf16>, tensor<1x?xi32>
    %15 = v4.param "layers.2.attn.wkv.weight" : tensor<128x256xf8E4M3FN>
    %16 = v4.param "layers.2.attn.wkv.scale" : tensor<1x2xf8E8M0FNU>
    %codes_2, %scales_3 = v4.quantize %4 block 128 rule ceil : tensor<1x?x256xbf16> -> tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>
    %17 = v4.fp8_matmul %codes_2, %scales_3, %15, %16 block [128, 128] : (tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<1x?x128xbf16>
    %18 = v4.param "layers.2.attn.kv_norm.weight" : tensor<128xbf16>
    %19 = v4.rms_norm %17 weight %18 eps 9.9999999999999995E-7 : tensor<1x?x128xbf16>, tensor<128xbf16>
    %20 = v4.rope %19, %generated <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<1x?x128xbf16>, tensor<1x?xi32>
    %c1 = arith.constant 1 : index
    %dim_4 = tensor.dim %20, %c1 : tensor<1x?x128xbf16>
    %extracted_slice = tensor.extract_slice %20[0, 0, 0] [1, %dim_4, 64] [1, 1, 1] : tensor<1x?x128xbf16> to tensor<1x?x64xbf16>
    %21 = v4.simulate_quant %extracted_slice format f8E4M3FN block 64 rule ceil : tensor<1x?x64xbf16>
    %inserted_slice = tensor.insert_slice %21 into %20[0, 0, 0] [1, %dim_4, 64] [1, 1, 1] : tensor<1x?x64xbf16> into tensor<1x?x128xbf16>
    %22 = v4.window_append %arg3, %inserted_slice at %arg2 : !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>, tensor<1x?x128xbf16>
    %23 = v4.window_indices %arg2 rows %dim window 16 layout chunk : tensor<1x?x16xi32>
    %24 = v4.param "layers.2.attn.attn_sink" : tensor<4xf32>
    %25 = v4.param "layers.2.attn.compressor.wkv.weight" : tensor<128x256xbf16>
    %c1_5 = arith.constant 1 : index
    %dim_6 = tensor.dim %4, %c1_5 : tensor<1x?x256xbf16>
    %collapsed = tensor.collapse_shape %4 [[0, 1], [2]] : tensor<1x?x256xbf16> into tensor<?x256xbf16>
    %c0_7 = arith.constant 0 : index
    %dim_8 = tensor.dim %collapsed, %c0_7 : tensor<?x256xbf16>
    %26 = tensor.empty(%dim_8) : tensor<?x128xf32>
    %cst = arith.constant 0.000000e+00 : f32
    %27 = linalg.fill ins(%cst : f32) outs(%26 : tensor<?x128xf32>) -> tensor<?x128xf32>
    %28 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed, %25 : tensor<?x256xbf16>, tensor<128x256xbf16>) outs(%27 : tensor<?x128xf32>) -> tensor<?x128xf32>
    %expanded_9 = tensor.expand_shape %28 [[0, 1], [2]] output_shape [1, %dim_6, 128] : tensor<?x128xf32> into tensor<1x?x128xf32>
    %29 = v4.param "layers.2.attn.compressor.wgate.weight" : tensor<128x256xbf16>
    %c1_10 = arith.constant 1 : index
    %dim_11 = tensor.dim %4, %c1_10 : tensor<1x?x256xbf16>
    %collapsed_12 = tensor.collapse_shape %4 [[0, 1], [2]] : tensor<1x?x256xbf16> into tensor<?x256xbf16>
    %c0_13 = arith.constant 0 : index
    %dim_14 = tensor.dim %collapsed_12, %c0_13 : tensor<?x256xbf16>
    %30 = tensor.empty(%dim_14) : tensor<?x128xf32>
    %cst_15 = arith.constant 0.000000e+00 : f32
    %31 = linalg.fill ins(%cst_15 : f32) outs(%30 : tensor<?x128xf32>) -> tensor<?x128xf32>
    %32 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_12, %29 : tensor<?x256xbf16>, tensor<128x256xbf16>) outs(%31 : tensor<?x128xf32>) -> tensor<?x128xf32>
    %expanded_16 = tensor.expand_shape %32 [[0, 1], [2]] output_shape [1, %dim_11, 128] : tensor<?x128xf32> into tensor<1x?x128xf32>
    %33 = v4.param "layers.2.attn.compressor.ape" : tensor<16x128xf32>
    %entries, %new_state = v4.compress %expanded_9, %expanded_16, %33, %arg5 at %arg2 ratio 16 : tensor<1x?x128xf32>, tensor<16x128xf32>, !v4.compressor_state<batch = 1, ratio = 16, coff = 1, dim = 128> -> tensor<1x?x128xf32>
    %34 = arith.truncf %entries : tensor<1x?x128xf32> to tensor<1x?x128xbf16>
    %35 = v4.param "layers.2.attn.compressor.norm.weight" : tensor<128xbf16>
    %36 = v4.rms_norm %34 weight %35 eps 9.9999999999999995E-7 : tensor<1x?x128xbf16>, tensor<128xbf16>
    %c1_17 = arith.constant 1 : index
    %dim_18 = tensor.dim %36, %c1_17 : tensor<1x?x128xbf16>
    %generated_19 = tensor.generate %dim_18 {
    ^bb0(%arg6: index, %arg7: index):
      %c16 = arith.constant 16 : index
      %83 = arith.divui %arg2, %c16 : index
      %84 = arith.addi %83, %arg7 : index
      %c16_51 = arith.constant 16 : index
      %85 = arith.muli %84, %c16_51 : index
      %86 = arith.index_cast %85 : index to i32
      tensor.yield %86 : i32
    } : tensor<1x?xi32>
    %37 = v4.rope %36, %generated_19 <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<1x?x128xbf16>, tensor<1x?xi32>
    %c1_20 = arith.constant 1 : index
    %dim_21 = tensor.dim %37, %c1_20 : tensor<1x?x128xbf16>
    %extracted_slice_22 = tensor.extract_slice %37[0, 0, 0] [1, %dim_21, 64] [1, 1, 1] : tensor<1x?x128xbf16> to tensor<1x?x64xbf16>
    %38 = v4.simulate_quant %extracted_slice_22 format f8E4M3FN block 64 rule ceil : tensor<1x?x64xbf16>
    %inserted_slice_23 = tensor.insert_slice %38 into %37[0, 0, 0] [1, %dim_21, 64] [1, 1, 1] : tensor<1x?x64xbf16> into tensor<1x?x128xbf16>
    %39 = v4.compressed_append %arg4, %inserted_slice_23 at %arg2 tokens %dim : !v4.compressed<batch = 1, ratio = 16, capacity = 8, dim = 128, element = bf16>, tensor<1x?x128xbf16>
    %40 = v4.hca_attention %14, %inserted_slice[%23] entries %39, %24 at %arg2 scale 0.088388347648318433 : tensor<1x?x4x128xbf16>, tensor<1x?x128xbf16>, tensor<1x?x16xi32>, !v4.compressed<batch = 1, ratio = 16, capacity = 8, dim = 128, element = bf16>, tensor<4xf32>
    %41 = v4.rope %40, %generated <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> inverse : tensor<1x?x4x128xbf16>, tensor<1x?xi32>
    %42 = v4.param "layers.2.attn.wo_a.weight" : tensor<256x256xf8E4M3FN>
    %43 = v4.param "layers.2.attn.wo_a.scale" : tensor<2x2xf8E8M0FNU>
    %44 = tensor.empty() : tensor<2x128x2xf8E8M0FNU>
    %broadcasted = linalg.broadcast ins(%43 : tensor<2x2xf8E8M0FNU>) outs(%44 : tensor<2x128x2xf8E8M0FNU>) dimensions = [1] 
    %collapsed_24 = tensor.collapse_shape %broadcasted [[0, 1], [2]] : tensor<2x128x2xf8E8M0FNU> into tensor<256x2xf8E8M0FNU>
    %45 = v4.dequantize %42, %collapsed_24 block 128 : tensor<256x256xf8E4M3FN>, tensor<256x2xf8E8M0FNU> -> tensor<256x256xbf16>
    %expanded_25 = tensor.expand_shape %45 [[0, 1], [2]] output_shape [2, 128, 256] : tensor<256x256xbf16> into tensor<2x128x256xbf16>
    %46 = v4.grouped_linear %41, %expanded_25 groups 2 : tensor<1x?x4x128xbf16>, tensor<2x128x256xbf16> -> tensor<1x?x2x128xbf16>
    %collapsed_26 = tensor.collapse_shape %46 [[0], [1], [2, 3]] : tensor<1x?x2x128xbf16> into tensor<1x?x256xbf16>
    %47 = v4.param "layers.2.attn.wo_b.weight" : tensor<256x256xf8E4M3FN>
    %48 = v4.param "layers.2.attn.wo_b.scale" : tensor<2x2xf8E8M0FNU>
    %codes_27, %scales_28 = v4.quantize %collapsed_26 block 128 rule ceil : tensor<1x?x256xbf16> -> tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>
    %49 = v4.fp8_matmul %codes_27, %scales_28, %47, %48 block [128, 128] : (tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>, tensor<256x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>) -> tensor<1x?x256xbf16>
    %50 = v4.hc_post %49, %arg0, %post, %comb : tensor<1x?x256xbf16>, tensor<1x?x4x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>
    %51 = v4.param "layers.2.hc_ffn_fn" : tensor<24x1024xf32>
    %52 = v4.param "layers.2.hc_ffn_base" : tensor<24xf32>
    %53 = v4.param "layers.2.hc_ffn_scale" : tensor<3xf32>
    %output_29, %post_30, %comb_31 = v4.hc_pre %50, %51, %52, %53 iters 20 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<1x?x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x?x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>)
    %54 = v4.param "layers.2.ffn_norm.weight" : tensor<256xbf16>
    %55 = v4.rms_norm %output_29 weight %54 eps 9.9999999999999995E-7 : tensor<1x?x256xbf16>, tensor<256xbf16>
    %collapsed_32 = tensor.collapse_shape %55 [[0, 1], [2]] : tensor<1x?x256xbf16> into tensor<?x256xbf16>
    %56 = v4.param "layers.2.ffn.gate.weight" : tensor<8x256xbf16>
    %c0_33 = arith.constant 0 : index
    %dim_34 = tensor.dim %collapsed_32, %c0_33 : tensor<?x256xbf16>
    %c0_35 = arith.constant 0 : index
    %dim_36 = tensor.dim %collapsed_32, %c0_35 : tensor<?x256xbf16>
    %57 = tensor.empty(%dim_36) : tensor<?x8xf32>
    %cst_37 = arith.constant 0.000000e+00 : f32
    %58 = linalg.fill ins(%cst_37 : f32) outs(%57 : tensor<?x8xf32>) -> tensor<?x8xf32>
    %59 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_32, %56 : tensor<?x256xbf16>, tensor<8x256xbf16>) outs(%58 : tensor<?x8xf32>) -> tensor<?x8xf32>
    %60 = v4.param "layers.2.ffn.gate.bias" : tensor<8xf32>
    %weights, %experts = v4.moe_route %59, %60 k 2 route_scale 1.500000e+00 normalize : tensor<?x8xf32>, tensor<8xf32> -> tensor<?x2xf32>, tensor<?x2xi32>
    %rows, %row_weights, %permutation, %expert_offsets = v4.moe_dispatch %collapsed_32, %experts, %weights num_experts 8 : (tensor<?x256xbf16>, tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<?x256xbf16>, tensor<?xf32>, tensor<?xi32>, tensor<9xi32>)
    %codes_38, %scales_39 = v4.quantize %rows block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %61 = v4.param "layers.2.ffn.experts.*.w1.weight" : tensor<8x128x256xf4E2M1FN>
    %62 = v4.param "layers.2.ffn.experts.*.w1.scale" : tensor<8x128x8xf8E8M0FNU>
    %63 = v4.mxfp4_matmul %codes_38, %scales_39, %61, %62 groups %expert_offsets act_block 128 : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x128xbf16>
    %codes_40, %scales_41 = v4.quantize %rows block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %64 = v4.param "layers.2.ffn.experts.*.w3.weight" : tensor<8x128x256xf4E2M1FN>
    %65 = v4.param "layers.2.ffn.experts.*.w3.scale" : tensor<8x128x8xf8E8M0FNU>
    %66 = v4.mxfp4_matmul %codes_40, %scales_41, %64, %65 groups %expert_offsets act_block 128 : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x128xbf16>
    %67 = v4.swiglu %63, %66 weights %row_weights limit 1.000000e+01 : tensor<?x128xbf16>, tensor<?xf32> -> tensor<?x128xbf16>
    %codes_42, %scales_43 = v4.quantize %67 block 128 rule ceil : tensor<?x128xbf16> -> tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>
    %68 = v4.param "layers.2.ffn.experts.*.w2.weight" : tensor<8x256x128xf4E2M1FN>
    %69 = v4.param "layers.2.ffn.experts.*.w2.scale" : tensor<8x256x4xf8E8M0FNU>
    %70 = v4.mxfp4_matmul %codes_42, %scales_43, %68, %69 groups %expert_offsets act_block 128 : (tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>, tensor<8x256x128xf4E2M1FN>, tensor<8x256x4xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x256xbf16>
    %71 = v4.param "layers.2.ffn.shared_experts.w1.weight" : tensor<128x256xf8E4M3FN>
    %72 = v4.param "layers.2.ffn.shared_experts.w1.scale" : tensor<1x2xf8E8M0FNU>
    %codes_44, %scales_45 = v4.quantize %collapsed_32 block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %73 = v4.fp8_matmul %codes_44, %scales_45, %71, %72 block [128, 128] : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x128xbf16>
    %74 = v4.param "layers.2.ffn.shared_experts.w3.weight" : tensor<128x256xf8E4M3FN>
    %75 = v4.param "layers.2.ffn.shared_experts.w3.scale" : tensor<1x2xf8E8M0FNU>
    %codes_46, %scales_47 = v4.quantize %collapsed_32 block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %76 = v4.fp8_matmul %codes_46, %scales_47, %74, %75 block [128, 128] : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x128xbf16>
    %77 = v4.swiglu %73, %76 limit 1.000000e+01 : tensor<?x128xbf16> -> tensor<?x128xbf16>
    %78 = v4.param "layers.2.ffn.shared_experts.w2.weight" : tensor<256x128xf8E4M3FN>
    %79 = v4.param "layers.2.ffn.shared_experts.w2.scale" : tensor<2x1xf8E8M0FNU>
    %codes_48, %scales_49 = v4.quantize %77 block 128 rule ceil : tensor<?x128xbf16> -> tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>
    %80 = v4.fp8_matmul %codes_48, %scales_49, %78, %79 block [128, 128] : (tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>, tensor<256x128xf8E4M3FN>, tensor<2x1xf8E8M0FNU>) -> tensor<?x256xbf16>
    %81 = v4.moe_combine %70, %permutation shared %80 : (tensor<?x256xbf16>, tensor<?xi32>, tensor<?x256xbf16>) -> tensor<?x256xbf16>
    %expanded_50 = tensor.expand_shape %81 [[0, 1], [2]] output_shape [1, %dim, 256] : tensor<?x256xbf16> into tensor<1x?x256xbf16>
    %82 = v4.hc_post %expanded_50, %50, %post_30, %comb_31 : tensor<1x?x256xbf16>, tensor<1x?x4x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>
    return %82, %22, %39, %new_state : tensor<1x?x4x256xbf16>, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>, !v4.compressed<batch = 1, ratio = 16, capacity = 8, dim = 128, element = bf16>, !v4.compressor_state<batch = 1, ratio = 16, coff = 1, dim = 128>
  }
  func.func private @decode.layers.0(%arg0: tensor<1x1x4x256xbf16>, %arg1: tensor<1xi32>, %arg2: index, %arg3: !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.0.window"}) -> (tensor<1x1x4x256xbf16>, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.0.window"}) attributes {v4.attention = "swa", v4.block = 0 : i64, v4.moe = "hash", v4.ratio = 0 : i64} {
    %0 = v4.param "layers.0.hc_attn_fn" : tensor<24x1024xf32>
    %1 = v4.param "layers.0.hc_attn_base" : tensor<24xf32>
    %2 = v4.param "layers.0.hc_attn_scale" : tensor<3xf32>
    %output, %post, %comb = v4.hc_pre %arg0, %0, %1, %2 iters 20 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<1x1x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x1x256xbf16>, tensor<1x1x4xf32>, tensor<1x1x4x4xf32>)
    %3 = v4.param "layers.0.attn_norm.weight" : tensor<256xbf16>
    %4 = v4.rms_norm %output weight %3 eps 9.9999999999999995E-7 : tensor<1x1x256xbf16>, tensor<256xbf16>
    %generated = tensor.generate  {
    ^bb0(%arg4: index, %arg5: index):
      %70 = arith.addi %arg2, %arg5 : index
      %71 = arith.index_cast %70 : index to i32
      tensor.yield %71 : i32
    } : tensor<1x1xi32>
    %5 = v4.param "layers.0.attn.wq_a.weight" : tensor<128x256xf8E4M3FN>
    %6 = v4.param "layers.0.attn.wq_a.scale" : tensor<1x2xf8E8M0FNU>
    %codes, %scales = v4.quantize %4 block 128 rule ceil : tensor<1x1x256xbf16> -> tensor<1x1x256xf8E4M3FN>, tensor<1x1x2xf8E8M0FNU>
    %7 = v4.fp8_matmul %codes, %scales, %5, %6 block [128, 128] : (tensor<1x1x256xf8E4M3FN>, tensor<1x1x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<1x1x128xbf16>
    %8 = v4.param "layers.0.attn.q_norm.weight" : tensor<128xbf16>
    %9 = v4.rms_norm %7 weight %8 eps 9.9999999999999995E-7 : tensor<1x1x128xbf16>, tensor<128xbf16>
    %10 = v4.param "layers.0.attn.wq_b.weight" : tensor<512x128xf8E4M3FN>
    %11 = v4.param "layers.0.attn.wq_b.scale" : tensor<4x1xf8E8M0FNU>
    %codes_0, %scales_1 = v4.quantize %9 block 128 rule ceil : tensor<1x1x128xbf16> -> tensor<1x1x128xf8E4M3FN>, tensor<1x1x1xf8E8M0FNU>
    %12 = v4.fp8_matmul %codes_0, %scales_1, %10, %11 block [128, 128] : (tensor<1x1x128xf8E4M3FN>, tensor<1x1x1xf8E8M0FNU>, tensor<512x128xf8E4M3FN>, tensor<4x1xf8E8M0FNU>) -> tensor<1x1x512xbf16>
    %expanded = tensor.expand_shape %12 [[0], [1], [2, 3]] output_shape [1, 1, 4, 128] : tensor<1x1x512xbf16> into tensor<1x1x4x128xbf16>
    %13 = v4.rms_norm %expanded round_each_step eps 9.9999999999999995E-7 : tensor<1x1x4x128xbf16>
    %14 = v4.rope %13, %generated <base = 1.000000e+04, rope_dim = 64, factor = 1.000000e+00, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<1x1x4x128xbf16>, tensor<1x1xi32>
    %15 = v4.param "layers.0.attn.wkv.weight" : tensor<128x256xf8E4M3FN>
    %16 = v4.param "layers.0.attn.wkv.scale" : tensor<1x2xf8E8M0FNU>
    %codes_2, %scales_3 = v4.quantize %4 block 128 rule ceil : tensor<1x1x256xbf16> -> tensor<1x1x256xf8E4M3FN>, tensor<1x1x2xf8E8M0FNU>
    %17 = v4.fp8_matmul %codes_2, %scales_3, %15, %16 block [128, 128] : (tensor<1x1x256xf8E4M3FN>, tensor<1x1x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<1x1x128xbf16>
    %18 = v4.param "layers.0.attn.kv_norm.weight" : tensor<128xbf16>
    %19 = v4.rms_norm %17 weight %18 eps 9.9999999999999995E-7 : tensor<1x1x128xbf16>, tensor<128xbf16>
    %20 = v4.rope %19, %generated <base = 1.000000e+04, rope_dim = 64, factor = 1.000000e+00, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<1x1x128xbf16>, tensor<1x1xi32>
    %extracted_slice = tensor.extract_slice %20[0, 0, 0] [1, 1, 64] [1, 1, 1] : tensor<1x1x128xbf16> to tensor<1x1x64xbf16>
    %21 = v4.simulate_quant %extracted_slice format f8E4M3FN block 64 rule ceil : tensor<1x1x64xbf16>
    %inserted_slice = tensor.insert_slice %21 into %20[0, 0, 0] [1, 1, 64] [1, 1, 1] : tensor<1x1x64xbf16> into tensor<1x1x128xbf16>
    %22 = v4.window_append %arg3, %inserted_slice at %arg2 : !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>, tensor<1x1x128xbf16>
    %23 = v4.window_indices %arg2 window 16 layout ring : tensor<1x1x16xi32>
    %24 = v4.cache_read %22 : !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> -> tensor<1x16x128xbf16>
    %25 = v4.param "layers.0.attn.attn_sink" : tensor<4xf32>
    %26 = v4.sparse_attention %14, %24[%23], %25 scale 0.088388347648318433 : tensor<1x1x4x128xbf16>, tensor<1x16x128xbf16>, tensor<1x1x16xi32>, tensor<4xf32>
    %27 = v4.rope %26, %generated <base = 1.000000e+04, rope_dim = 64, factor = 1.000000e+00, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> inverse : tensor<1x1x4x128xbf16>, tensor<1x1xi32>
    %28 = v4.param "layers.0.attn.wo_a.weight" : tensor<256x256xf8E4M3FN>
    %29 = v4.param "layers.0.attn.wo_a.scale" : tensor<2x2xf8E8M0FNU>
    %30 = tensor.empty() : tensor<2x128x2xf8E8M0FNU>
    %broadcasted = linalg.broadcast ins(%29 : tensor<2x2xf8E8M0FNU>) outs(%30 : tensor<2x128x2xf8E8M0FNU>) dimensions = [1] 
    %collapsed = tensor.collapse_shape %broadcasted [[0, 1], [2]] : tensor<2x128x2xf8E8M0FNU> into tensor<256x2xf8E8M0FNU>
    %31 = v4.dequantize %28, %collapsed block 128 : tensor<256x256xf8E4M3FN>, tensor<256x2xf8E8M0FNU> -> tensor<256x256xbf16>
    %expanded_4 = tensor.expand_shape %31 [[0, 1], [2]] output_shape [2, 128, 256] : tensor<256x256xbf16> into tensor<2x128x256xbf16>
    %32 = v4.grouped_linear %27, %expanded_4 groups 2 : tensor<1x1x4x128xbf16>, tensor<2x128x256xbf16> -> tensor<1x1x2x128xbf16>
    %collapsed_5 = tensor.collapse_shape %32 [[0], [1], [2, 3]] : tensor<1x1x2x128xbf16> into tensor<1x1x256xbf16>
    %33 = v4.param "layers.0.attn.wo_b.weight" : tensor<256x256xf8E4M3FN>
    %34 = v4.param "layers.0.attn.wo_b.scale" : tensor<2x2xf8E8M0FNU>
    %codes_6, %scales_7 = v4.quantize %collapsed_5 block 128 rule ceil : tensor<1x1x256xbf16> -> tensor<1x1x256xf8E4M3FN>, tensor<1x1x2xf8E8M0FNU>
    %35 = v4.fp8_matmul %codes_6, %scales_7, %33, %34 block [128, 128] : (tensor<1x1x256xf8E4M3FN>, tensor<1x1x2xf8E8M0FNU>, tensor<256x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>) -> tensor<1x1x256xbf16>
    %36 = v4.hc_post %35, %arg0, %post, %comb : tensor<1x1x256xbf16>, tensor<1x1x4x256xbf16>, tensor<1x1x4xf32>, tensor<1x1x4x4xf32>
    %37 = v4.param "layers.0.hc_ffn_fn" : tensor<24x1024xf32>
    %38 = v4.param "layers.0.hc_ffn_base" : tensor<24xf32>
    %39 = v4.param "layers.0.hc_ffn_scale" : tensor<3xf32>
    %output_8, %post_9, %comb_10 = v4.hc_pre %36, %37, %38, %39 iters 20 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<1x1x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x1x256xbf16>, tensor<1x1x4xf32>, tensor<1x1x4x4xf32>)
    %40 = v4.param "layers.0.ffn_norm.weight" : tensor<256xbf16>
    %41 = v4.rms_norm %output_8 weight %40 eps 9.9999999999999995E-7 : tensor<1x1x256xbf16>, tensor<256xbf16>
    %collapsed_11 = tensor.collapse_shape %41 [[0, 1], [2]] : tensor<1x1x256xbf16> into tensor<1x256xbf16>
    %42 = v4.param "layers.0.ffn.gate.weight" : tensor<8x256xbf16>
    %43 = tensor.empty() : tensor<1x8xf32>
    %cst = arith.constant 0.000000e+00 : f32
    %44 = linalg.fill ins(%cst : f32) outs(%43 : tensor<1x8xf32>) -> tensor<1x8xf32>
    %45 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_11, %42 : tensor<1x256xbf16>, tensor<8x256xbf16>) outs(%44 : tensor<1x8xf32>) -> tensor<1x8xf32>
    %46 = v4.param "layers.0.ffn.gate.tid2eid" : tensor<512x2xi64>
    %47 = arith.trunci %46 : tensor<512x2xi64> to tensor<512x2xi32>
    %weights, %experts = v4.moe_hash_route %45, %arg1, %47 route_scale 1.500000e+00 normalize : tensor<1x8xf32>, tensor<1xi32>, tensor<512x2xi32> -> tensor<1x2xf32>, tensor<1x2xi32>
    %rows, %row_weights, %permutation, %expert_offsets = v4.moe_dispatch %collapsed_11, %experts, %weights num_experts 8 : (tensor<1x256xbf16>, tensor<1x2xi32>, tensor<1x2xf32>) -> (tensor<2x256xbf16>, tensor<2xf32>, tensor<2xi32>, tensor<9xi32>)
    %codes_12, %scales_13 = v4.quantize %rows block 128 rule ceil : tensor<2x256xbf16> -> tensor<2x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>
    %48 = v4.param "layers.0.ffn.experts.*.w1.weight" : tensor<8x128x256xf4E2M1FN>
    %49 = v4.param "layers.0.ffn.experts.*.w1.scale" : tensor<8x128x8xf8E8M0FNU>
    %50 = v4.mxfp4_matmul %codes_12, %scales_13, %48, %49 groups %expert_offsets act_block 128 : (tensor<2x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<2x128xbf16>
    %codes_14, %scales_15 = v4.quantize %rows block 128 rule ceil : tensor<2x256xbf16> -> tensor<2x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>
    %51 = v4.param "layers.0.ffn.experts.*.w3.weight" : tensor<8x128x256xf4E2M1FN>
    %52 = v4.param "layers.0.ffn.experts.*.w3.scale" : tensor<8x128x8xf8E8M0FNU>
    %53 = v4.mxfp4_matmul %codes_14, %scales_15, %51, %52 groups %expert_offsets act_block 128 : (tensor<2x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<2x128xbf16>
    %54 = v4.swiglu %50, %53 weights %row_weights limit 1.000000e+01 : tensor<2x128xbf16>, tensor<2xf32> -> tensor<2x128xbf16>
    %codes_16, %scales_17 = v4.quantize %54 block 128 rule ceil : tensor<2x128xbf16> -> tensor<2x128xf8E4M3FN>, tensor<2x1xf8E8M0FNU>
    %55 = v4.param "layers.0.ffn.experts.*.w2.weight" : tensor<8x256x128xf4E2M1FN>
    %56 = v4.param "layers.0.ffn.experts.*.w2.scale" : tensor<8x256x4xf8E8M0FNU>
    %57 = v4.mxfp4_matmul %codes_16, %scales_17, %55, %56 groups %expert_offsets act_block 128 : (tensor<2x128xf8E4M3FN>, tensor<2x1xf8E8M0FNU>, tensor<8x256x128xf4E2M1FN>, tensor<8x256x4xf8E8M0FNU>, tensor<9xi32>) -> tensor<2x256xbf16>
    %58 = v4.param "layers.0.ffn.shared_experts.w1.weight" : tensor<128x256xf8E4M3FN>
    %59 = v4.param "layers.0.ffn.shared_experts.w1.scale" : tensor<1x2xf8E8M0FNU>
    %codes_18, %scales_19 = v4.quantize %collapsed_11 block 128 rule ceil : tensor<1x256xbf16> -> tensor<1x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>
    %60 = v4.fp8_matmul %codes_18, %scales_19, %58, %59 block [128, 128] : (tensor<1x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<1x128xbf16>
    %61 = v4.param "layers.0.ffn.shared_experts.w3.weight" : tensor<128x256xf8E4M3FN>
    %62 = v4.param "layers.0.ffn.shared_experts.w3.scale" : tensor<1x2xf8E8M0FNU>
    %codes_20, %scales_21 = v4.quantize %collapsed_11 block 128 rule ceil : tensor<1x256xbf16> -> tensor<1x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>
    %63 = v4.fp8_matmul %codes_20, %scales_21, %61, %62 block [128, 128] : (tensor<1x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<1x128xbf16>
    %64 = v4.swiglu %60, %63 limit 1.000000e+01 : tensor<1x128xbf16> -> tensor<1x128xbf16>
    %65 = v4.param "layers.0.ffn.shared_experts.w2.weight" : tensor<256x128xf8E4M3FN>
    %66 = v4.param "layers.0.ffn.shared_experts.w2.scale" : tensor<2x1xf8E8M0FNU>
    %codes_22, %scales_23 = v4.quantize %64 block 128 rule ceil : tensor<1x128xbf16> -> tensor<1x128xf8E4M3FN>, tensor<1x1xf8E8M0FNU>
    %67 = v4.fp8_matmul %codes_22, %scales_23, %65, %66 block [128, 128] : (tensor<1x128xf8E4M3FN>, tensor<1x1xf8E8M0FNU>, tensor<256x128xf8E4M3FN>, tensor<2x1xf8E8M0FNU>) -> tensor<1x256xbf16>
    %68 = v4.moe_combine %57, %permutation shared %67 : (tensor<2x256xbf16>, tensor<2xi32>, tensor<1x256xbf16>) -> tensor<1x256xbf16>
    %expanded_24 = tensor.expand_shape %68 [[0, 1], [2]] output_shape [1, 1, 256] : tensor<1x256xbf16> into tensor<1x1x256xbf16>
    %69 = v4.hc_post %expanded_24, %36, %post_9, %comb_10 : tensor<1x1x256xbf16>, tensor<1x1x4x256xbf16>, tensor<1x1x4xf32>, tensor<1x1x4x4xf32>
    return %69, %22 : tensor<1x1x4x256xbf16>, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>
  }
  func.func private @decode.layers.1(%arg0: tensor<1x1x4x256xbf16>, %arg1: tensor<1xi32>, %arg2: index, %arg3: !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.1.window"}, %arg4: !v4.compressed<batch = 1, ratio = 4, capacity = 32, dim = 128, element = bf16> {v4.cache = "layers.1.compressed"}, %arg5: !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128> {v4.cache = "layers.1.compressor_state"}, %arg6: !v4.indexer_keys<batch = 1, capacity = 32, dim = 128, element = bf16> {v4.cache = "layers.1.indexer_keys"}, %arg7: !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128> {v4.cache = "layers.1.indexer_state"}) -> (tensor<1x1x4x256xbf16>, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.1.window"}, !v4.compressed<batch = 1, ratio = 4, capacity = 32, dim = 128, element = bf16> {v4.cache = "layers.1.compressed"}, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128> {v4.cache = "layers.1.compressor_state"}, !v4.indexer_keys<batch = 1, capacity = 32, dim = 128, element = bf16> {v4.cache = "layers.1.indexer_keys"}, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128> {v4.cache = "layers.1.indexer_state"}) attributes {v4.attention = "csa", v4.block = 1 : i64, v4.moe = "score", v4.ratio = 4 : i64} {
    %0 = v4.param "layers.1.hc_attn_fn" : tensor<24x1024xf32>
    %1 = v4.param "layers.1.hc_attn_base" : tensor<24xf32>
    %2 = v4.param "layers.1.hc_attn_scale" : tensor<3xf32>
    %output, %post, %comb = v4.hc_pre %arg0, %0, %1, %2 iters 20 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<1x1x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x1x256xbf16>, tensor<1x1x4xf32>, tensor<1x1x4x4xf32>)
    %3 = v4.param "layers.1.attn_norm.weight" : tensor<256xbf16>
    %4 = v4.rms_norm %output weight %3 eps 9.9999999999999995E-7 : tensor<1x1x256xbf16>, tensor<256xbf16>
    %generated = tensor.generate  {
    ^bb0(%arg8: index, %arg9: index):
      %115 = arith.addi %arg2, %arg9 : index
      %116 = arith.index_cast %115 : index to i32
      tensor.yield %116 : i32
    } : tensor<1x1xi32>
    %5 = v4.param "layers.1.attn.wq_a.weight" : tensor<128x256xf8E4M3FN>
    %6 = v4.param "layers.1.attn.wq_a.scale" : tensor<1x2xf8E8M0FNU>
    %codes, %scales = v4.quantize %4 block 128 rule ceil : tensor<1x1x256xbf16> -> tensor<1x1x256xf8E4M3FN>, tensor<1x1x2xf8E8M0FNU>
    %7 = v4.fp8_matmul %codes, %scales, %5, %6 block [128, 128] : (tensor<1x1x256xf8E4M3FN>, tensor<1x1x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<1x1x128xbf16>
    %8 = v4.param "layers.1.attn.q_norm.weight" : tensor<128xbf16>
    %9 = v4.rms_norm %7 weight %8 eps 9.9999999999999995E-7 : tensor<1x1x128xbf16>, tensor<128xbf16>
    %10 = v4.param "layers.1.attn.wq_b.weight" : tensor<512x128xf8E4M3FN>
    %11 = v4.param "layers.1.attn.wq_b.scale" : tensor<4x1xf8E8M0FNU>
    %codes_0, %scales_1 = v4.quantize %9 block 128 rule ceil : tensor<1x1x128xbf16> -> tensor<1x1x128xf8E4M3FN>, tensor<1x1x1xf8E8M0FNU>
    %12 = v4.fp8_matmul %codes_0, %scales_1, %10, %11 block [128, 128] : (tensor<1x1x128xf8E4M3FN>, tensor<1x1x1xf8E8M0FNU>, tensor<512x128xf8E4M3FN>, tensor<4x1xf8E8M0FNU>) -> tensor<1x1x512xbf16>
    %expanded = tensor.expand_shape %12 [[0], [1], [2, 3]] output_shape [1, 1, 4, 128] : tensor<1x1x512xbf16> into tensor<1x1x4x128xbf16>
    %13 = v4.rms_norm %expanded round_each_step eps 9.9999999999999995E-7 : tensor<1x1x4x128xbf16>
    %14 = v4.rope %13, %generated <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<1x1x4x128xbf16>, tensor<1x1xi32>
    %15 = v4.param "layers.1.attn.wkv.weight" : tensor<128x256xf8E4M3FN>
    %16 = v4.param "layers.1.attn.wkv.scale" : tensor<1x2xf8E8M0FNU>
    %codes_2, %scales_3 = v4.quantize %4 block 128 rule ceil : tensor<1x1x256xbf16> -> tensor<1x1x256xf8E4M3FN>, tensor<1x1x2xf8E8M0FNU>
    %17 = v4.fp8_matmul %codes_2, %scales_3, %15, %16 block [128, 128] : (tensor<1x1x256xf8E4M3FN>, tensor<1x1x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<1x1x128xbf16>
    %18 = v4.param "layers.1.attn.kv_norm.weight" : tensor<128xbf16>
    %19 = v4.rms_norm %17 weight %18 eps 9.9999999999999995E-7 : tensor<1x1x128xbf16>, tensor<128xbf16>
    %20 = v4.rope %19, %generated <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<1x1x128xbf16>, tensor<1x1xi32>
    %extracted_slice = tensor.extract_slice %20[0, 0, 0] [1, 1, 64] [1, 1, 1] : tensor<1x1x128xbf16> to tensor<1x1x64xbf16>
    %21 = v4.simulate_quant %extracted_slice format f8E4M3FN block 64 rule ceil : tensor<1x1x64xbf16>
    %inserted_slice = tensor.insert_slice %21 into %20[0, 0, 0] [1, 1, 64] [1, 1, 1] : tensor<1x1x64xbf16> into tensor<1x1x128xbf16>
    %22 = v4.window_append %arg3, %inserted_slice at %arg2 : !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>, tensor<1x1x128xbf16>
    %23 = v4.window_indices %arg2 window 16 layout ring : tensor<1x1x16xi32>
    %24 = v4.cache_read %22 : !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> -> tensor<1x16x128xbf16>
    %25 = v4.param "layers.1.attn.attn_sink" : tensor<4xf32>
    %26 = v4.param "layers.1.attn.compressor.wkv.weight" : tensor<256x256xbf16>
    %collapsed = tensor.collapse_shape %4 [[0, 1], [2]] : tensor<1x1x256xbf16> into tensor<1x256xbf16>
    %27 = tensor.empty() : tensor<1x256xf32>
    %cst = arith.constant 0.000000e+00 : f32
    %28 = linalg.fill ins(%cst : f32) outs(%27 : tensor<1x256xf32>) -> tensor<1x256xf32>
    %29 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed, %26 : tensor<1x256xbf16>, tensor<256x256xbf16>) outs(%28 : tensor<1x256xf32>) -> tensor<1x256xf32>
    %expanded_4 = tensor.expand_shape %29 [[0, 1], [2]] output_shape [1, 1, 256] : tensor<1x256xf32> into tensor<1x1x256xf32>
    %30 = v4.param "layers.1.attn.compressor.wgate.weight" : tensor<256x256xbf16>
    %collapsed_5 = tensor.collapse_shape %4 [[0, 1], [2]] : tensor<1x1x256xbf16> into tensor<1x256xbf16>
    %31 = tensor.empty() : tensor<1x256xf32>
    %cst_6 = arith.constant 0.000000e+00 : f32
    %32 = linalg.fill ins(%cst_6 : f32) outs(%31 : tensor<1x256xf32>) -> tensor<1x256xf32>
    %33 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_5, %30 : tensor<1x256xbf16>, tensor<256x256xbf16>) outs(%32 : tensor<1x256xf32>) -> tensor<1x256xf32>
    %expanded_7 = tensor.expand_shape %33 [[0, 1], [2]] output_shape [1, 1, 256] : tensor<1x256xf32> into tensor<1x1x256xf32>
    %34 = v4.param "layers.1.attn.compressor.ape" : tensor<4x256xf32>
    %entries, %new_state = v4.compress %expanded_4, %expanded_7, %34, %arg5 at %arg2 ratio 4 overlap : tensor<1x1x256xf32>, tensor<4x256xf32>, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128> -> tensor<1x1x128xf32>
    %35 = arith.truncf %entries : tensor<1x1x128xf32> to tensor<1x1x128xbf16>
    %36 = v4.param "layers.1.attn.compressor.norm.weight" : tensor<128xbf16>
    %37 = v4.rms_norm %35 weight %36 eps 9.9999999999999995E-7 : tensor<1x1x128xbf16>, tensor<128xbf16>
    %generated_8 = tensor.generate  {
    ^bb0(%arg8: index, %arg9: index):
      %c4 = arith.constant 4 : index
      %115 = arith.divui %arg2, %c4 : index
      %116 = arith.addi %115, %arg9 : index
      %c4_50 = arith.constant 4 : index
      %117 = arith.muli %116, %c4_50 : index
      %118 = arith.index_cast %117 : index to i32
      tensor.yield %118 : i32
    } : tensor<1x1xi32>
    %38 = v4.rope %37, %generated_8 <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<1x1x128xbf16>, tensor<1x1xi32>
    %extracted_slice_9 = tensor.extract_slice %38[0, 0, 0] [1, 1, 64] [1, 1, 1] : tensor<1x1x128xbf16> to tensor<1x1x64xbf16>
    %39 = v4.simulate_quant %extracted_slice_9 format f8E4M3FN block 64 rule ceil : tensor<1x1x64xbf16>
    %inserted_slice_10 = tensor.insert_slice %39 into %38[0, 0, 0] [1, 1, 64] [1, 1, 1] : tensor<1x1x64xbf16> into tensor<1x1x128xbf16>
    %c1 = arith.constant 1 : index
    %40 = v4.compressed_append %arg4, %inserted_slice_10 at %arg2 tokens %c1 : !v4.compressed<batch = 1, ratio = 4, capacity = 32, dim = 128, element = bf16>, tensor<1x1x128xbf16>
    %41 = v4.param "layers.1.attn.indexer.wq_b.weight" : tensor<512x128xf8E4M3FN>
    %42 = v4.param "layers.1.attn.indexer.wq_b.scale" : tensor<4x1xf8E8M0FNU>
    %codes_11, %scales_12 = v4.quantize %9 block 128 rule ceil : tensor<1x1x128xbf16> -> tensor<1x1x128xf8E4M3FN>, tensor<1x1x1xf8E8M0FNU>
    %43 = v4.fp8_matmul %codes_11, %scales_12, %41, %42 block [128, 128] : (tensor<1x1x128xf8E4M3FN>, tensor<1x1x1xf8E8M0FNU>, tensor<512x128xf8E4M3FN>, tensor<4x1xf8E8M0FNU>) -> tensor<1x1x512xbf16>
    %expanded_13 = tensor.expand_shape %43 [[0], [1], [2, 3]] output_shape [1, 1, 4, 128] : tensor<1x1x512xbf16> into tensor<1x1x4x128xbf16>
    %44 = v4.rope %expanded_13, %generated <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<1x1x4x128xbf16>, tensor<1x1xi32>
    %45 = v4.hadamard %44 : tensor<1x1x4x128xbf16>
    %46 = v4.simulate_quant %45 format f4E2M1FN block 32 rule ceil : tensor<1x1x4x128xbf16>
    %47 = v4.param "layers.1.attn.indexer.compressor.wkv.weight" : tensor<256x256xbf16>
    %collapsed_14 = tensor.collapse_shape %4 [[0, 1], [2]] : tensor<1x1x256xbf16> into tensor<1x256xbf16>
    %48 = tensor.empty() : tensor<1x256xf32>
    %cst_15 = arith.constant 0.000000e+00 : f32
    %49 = linalg.fill ins(%cst_15 : f32) outs(%48 : tensor<1x256xf32>) -> tensor<1x256xf32>
    %50 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_14, %47 : tensor<1x256xbf16>, tensor<256x256xbf16>) outs(%49 : tensor<1x256xf32>) -> tensor<1x256xf32>
    %expanded_16 = tensor.expand_shape %50 [[0, 1], [2]] output_shape [1, 1, 256] : tensor<1x256xf32> into tensor<1x1x256xf32>
    %51 = v4.param "layers.1.attn.indexer.compressor.wgate.weight" : tensor<256x256xbf16>
    %collapsed_17 = tensor.collapse_shape %4 [[0, 1], [2]] : tensor<1x1x256xbf16> into tensor<1x256xbf16>
    %52 = tensor.empty() : tensor<1x256xf32>
    %cst_18 = arith.constant 0.000000e+00 : f32
    %53 = linalg.fill ins(%cst_18 : f32) outs(%52 : tensor<1x256xf32>) -> tensor<1x256xf32>
    %54 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_17, %51 : tensor<1x256xbf16>, tensor<256x256xbf16>) outs(%53 : tensor<1x256xf32>) -> tensor<1x256xf32>
    %expanded_19 = tensor.expand_shape %54 [[0, 1], [2]] output_shape [1, 1, 256] : tensor<1x256xf32> into tensor<1x1x256xf32>
    %55 = v4.param "layers.1.attn.indexer.compressor.ape" : tensor<4x256xf32>
    %entries_20, %new_state_21 = v4.compress %expanded_16, %expanded_19, %55, %arg7 at %arg2 ratio 4 overlap : tensor<1x1x256xf32>, tensor<4x256xf32>, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128> -> tensor<1x1x128xf32>
    %56 = arith.truncf %entries_20 : tensor<1x1x128xf32> to tensor<1x1x128xbf16>
    %57 = v4.param "layers.1.attn.indexer.compressor.norm.weight" : tensor<128xbf16>
    %58 = v4.rms_norm %56 weight %57 eps 9.9999999999999995E-7 : tensor<1x1x128xbf16>, tensor<128xbf16>
    %generated_22 = tensor.generate  {
    ^bb0(%arg8: index, %arg9: index):
      %c4 = arith.constant 4 : index
      %115 = arith.divui %arg2, %c4 : index
      %116 = arith.addi %115, %arg9 : index
      %c4_50 = arith.constant 4 : index
      %117 = arith.muli %116, %c4_50 : index
      %118 = arith.index_cast %117 : index to i32
      tensor.yield %118 : i32
    } : tensor<1x1xi32>
    %59 = v4.rope %58, %generated_22 <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<1x1x128xbf16>, tensor<1x1xi32>
    %60 = v4.hadamard %59 : tensor<1x1x128xbf16>
    %61 = v4.simulate_quant %60 format f4E2M1FN block 32 rule ceil : tensor<1x1x128xbf16>
    %c1_23 = arith.constant 1 : index
    %62 = v4.compressed_append %arg6, %61 at %arg2 tokens %c1_23 : !v4.indexer_keys<batch = 1, capacity = 32, dim = 128, element = bf16>, tensor<1x1x128xbf16>
    %63 = v4.param "layers.1.attn.indexer.weights_proj.weight" : tensor<4x256xbf16>
    %collapsed_24 = tensor.collapse_shape %4 [[0, 1], [2]] : tensor<1x1x256xbf16> into tensor<1x256xbf16>
    %64 = tensor.empty() : tensor<1x4xf32>
    %cst_25 = arith.constant 0.000000e+00 : f32
    %65 = linalg.fill ins(%cst_25 : f32) outs(%64 : tensor<1x4xf32>) -> tensor<1x4xf32>
    %66 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_24, %63 : tensor<1x256xbf16>, tensor<4x256xbf16>) outs(%65 : tensor<1x4xf32>) -> tensor<1x4xf32>
    %67 = arith.truncf %66 : tensor<1x4xf32> to tensor<1x4xbf16>
    %expanded_26 = tensor.expand_shape %67 [[0, 1], [2]] output_shape [1, 1, 4] : tensor<1x4xbf16> into tensor<1x1x4xbf16>
    %68 = tensor.empty() : tensor<1x1x4xbf16>
    %69 = linalg.generic {indexing_maps = [#map3, #map3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded_26 : tensor<1x1x4xbf16>) outs(%68 : tensor<1x1x4xbf16>) {
    ^bb0(%in: bf16, %out: bf16):
      %115 = arith.extf %in : bf16 to f32
      %cst_50 = arith.constant 0.0441941731 : f32
      %116 = arith.mulf %115, %cst_50 : f32
      %117 = arith.truncf %116 : f32 to bf16
      linalg.yield %117 : bf16
    } -> tensor<1x1x4xbf16>
    %70 = v4.indexer_score %46, %62, %69 : tensor<1x1x4x128xbf16>, !v4.indexer_keys<batch = 1, capacity = 32, dim = 128, element = bf16>, tensor<1x1x4xbf16> -> tensor<1x1x32xbf16>
    %71 = v4.topk %70 at %arg2 k 4 ratio 4 : tensor<1x1x32xbf16> -> tensor<1x1x4xi32>
    %72 = v4.sparse_attention %14, %24[%23], %25 entries %40[%71] scale 0.088388347648318433 : tensor<1x1x4x128xbf16>, tensor<1x16x128xbf16>, tensor<1x1x16xi32>, tensor<4xf32>, !v4.compressed<batch = 1, ratio = 4, capacity = 32, dim = 128, element = bf16>, tensor<1x1x4xi32>
    %73 = v4.rope %72, %generated <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> inverse : tensor<1x1x4x128xbf16>, tensor<1x1xi32>
    %74 = v4.param "layers.1.attn.wo_a.weight" : tensor<256x256xf8E4M3FN>
    %75 = v4.param "layers.1.attn.wo_a.scale" : tensor<2x2xf8E8M0FNU>
    %76 = tensor.empty() : tensor<2x128x2xf8E8M0FNU>
    %broadcasted = linalg.broadcast ins(%75 : tensor<2x2xf8E8M0FNU>) outs(%76 : tensor<2x128x2xf8E8M0FNU>) dimensions = [1] 
    %collapsed_27 = tensor.collapse_shape %broadcasted [[0, 1], [2]] : tensor<2x128x2xf8E8M0FNU> into tensor<256x2xf8E8M0FNU>
    %77 = v4.dequantize %74, %collapsed_27 block 128 : tensor<256x256xf8E4M3FN>, tensor<256x2xf8E8M0FNU> -> tensor<256x256xbf16>
    %expanded_28 = tensor.expand_shape %77 [[0, 1], [2]] output_shape [2, 128, 256] : tensor<256x256xbf16> into tensor<2x128x256xbf16>
    %78 = v4.grouped_linear %73, %expanded_28 groups 2 : tensor<1x1x4x128xbf16>, tensor<2x128x256xbf16> -> tensor<1x1x2x128xbf16>
    %collapsed_29 = tensor.collapse_shape %78 [[0], [1], [2, 3]] : tensor<1x1x2x128xbf16> into tensor<1x1x256xbf16>
    %79 = v4.param "layers.1.attn.wo_b.weight" : tensor<256x256xf8E4M3FN>
    %80 = v4.param "layers.1.attn.wo_b.scale" : tensor<2x2xf8E8M0FNU>
    %codes_30, %scales_31 = v4.quantize %collapsed_29 block 128 rule ceil : tensor<1x1x256xbf16> -> tensor<1x1x256xf8E4M3FN>, tensor<1x1x2xf8E8M0FNU>
    %81 = v4.fp8_matmul %codes_30, %scales_31, %79, %80 block [128, 128] : (tensor<1x1x256xf8E4M3FN>, tensor<1x1x2xf8E8M0FNU>, tensor<256x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>) -> tensor<1x1x256xbf16>
    %82 = v4.hc_post %81, %arg0, %post, %comb : tensor<1x1x256xbf16>, tensor<1x1x4x256xbf16>, tensor<1x1x4xf32>, tensor<1x1x4x4xf32>
    %83 = v4.param "layers.1.hc_ffn_fn" : tensor<24x1024xf32>
    %84 = v4.param "layers.1.hc_ffn_base" : tensor<24xf32>
    %85 = v4.param "layers.1.hc_ffn_scale" : tensor<3xf32>
    %output_32, %post_33, %comb_34 = v4.hc_pre %82, %83, %84, %85 iters 20 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<1x1x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x1x256xbf16>, tensor<1x1x4xf32>, tensor<1x1x4x4xf32>)
    %86 = v4.param "layers.1.ffn_norm.weight" : tensor<256xbf16>
    %87 = v4.rms_norm %output_32 weight %86 eps 9.9999999999999995E-7 : tensor<1x1x256xbf16>, tensor<256xbf16>
    %collapsed_35 = tensor.collapse_shape %87 [[0, 1], [2]] : tensor<1x1x256xbf16> into tensor<1x256xbf16>
    %88 = v4.param "layers.1.ffn.gate.weight" : tensor<8x256xbf16>
    %89 = tensor.empty() : tensor<1x8xf32>
    %cst_36 = arith.constant 0.000000e+00 : f32
    %90 = linalg.fill ins(%cst_36 : f32) outs(%89 : tensor<1x8xf32>) -> tensor<1x8xf32>
    %91 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_35, %88 : tensor<1x256xbf16>, tensor<8x256xbf16>) outs(%90 : tensor<1x8xf32>) -> tensor<1x8xf32>
    %92 = v4.param "layers.1.ffn.gate.bias" : tensor<8xf32>
    %weights, %experts = v4.moe_route %91, %92 k 2 route_scale 1.500000e+00 normalize : tensor<1x8xf32>, tensor<8xf32> -> tensor<1x2xf32>, tensor<1x2xi32>
    %rows, %row_weights, %permutation, %expert_offsets = v4.moe_dispatch %collapsed_35, %experts, %weights num_experts 8 : (tensor<1x256xbf16>, tensor<1x2xi32>, tensor<1x2xf32>) -> (tensor<2x256xbf16>, tensor<2xf32>, tensor<2xi32>, tensor<9xi32>)
    %codes_37, %scales_38 = v4.quantize %rows block 128 rule ceil : tensor<2x256xbf16> -> tensor<2x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>
    %93 = v4.param "layers.1.ffn.experts.*.w1.weight" : tensor<8x128x256xf4E2M1FN>
    %94 = v4.param "layers.1.ffn.experts.*.w1.scale" : tensor<8x128x8xf8E8M0FNU>
    %95 = v4.mxfp4_matmul %codes_37, %scales_38, %93, %94 groups %expert_offsets act_block 128 : (tensor<2x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<2x128xbf16>
    %codes_39, %scales_40 = v4.quantize %rows block 128 rule ceil : tensor<2x256xbf16> -> tensor<2x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>
    %96 = v4.param "layers.1.ffn.experts.*.w3.weight" : tensor<8x128x256xf4E2M1FN>
    %97 = v4.param "layers.1.ffn.experts.*.w3.scale" : tensor<8x128x8xf8E8M0FNU>
    %98 = v4.mxfp4_matmul %codes_39, %scales_40, %96, %97 groups %expert_offsets act_block 128 : (tensor<2x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<2x128xbf16>
    %99 = v4.swiglu %95, %98 weights %row_weights limit 1.000000e+01 : tensor<2x128xbf16>, tensor<2xf32> -> tensor<2x128xbf16>
    %codes_41, %scales_42 = v4.quantize %99 block 128 rule ceil : tensor<2x128xbf16> -> tensor<2x128xf8E4M3FN>, tensor<2x1xf8E8M0FNU>
    %100 = v4.param "layers.1.ffn.experts.*.w2.weight" : tensor<8x256x128xf4E2M1FN>
    %101 = v4.param "layers.1.ffn.experts.*.w2.scale" : tensor<8x256x4xf8E8M0FNU>
    %102 = v4.mxfp4_matmul %codes_41, %scales_42, %100, %101 groups %expert_offsets act_block 128 : (tensor<2x128xf8E4M3FN>, tensor<2x1xf8E8M0FNU>, tensor<8x256x128xf4E2M1FN>, tensor<8x256x4xf8E8M0FNU>, tensor<9xi32>) -> tensor<2x256xbf16>
    %103 = v4.param "layers.1.ffn.shared_experts.w1.weight" : tensor<128x256xf8E4M3FN>
    %104 = v4.param "layers.1.ffn.shared_experts.w1.scale" : tensor<1x2xf8E8M0FNU>
    %codes_43, %scales_44 = v4.quantize %collapsed_35 block 128 rule ceil : tensor<1x256xbf16> -> tensor<1x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>
    %105 = v4.fp8_matmul %codes_43, %scales_44, %103, %104 block [128, 128] : (tensor<1x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<1x128xbf16>
    %106 = v4.param "layers.1.ffn.shared_experts.w3.weight" : tensor<128x256xf8E4M3FN>
    %107 = v4.param "layers.1.ffn.shared_experts.w3.scale" : tensor<1x2xf8E8M0FNU>
    %codes_45, %scales_46 = v4.quantize %collapsed_35 block 128 rule ceil : tensor<1x256xbf16> -> tensor<1x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>
    %108 = v4.fp8_matmul %codes_45, %scales_46, %106, %107 block [128, 128] : (tensor<1x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<1x128xbf16>
    %109 = v4.swiglu %105, %108 limit 1.000000e+01 : tensor<1x128xbf16> -> tensor<1x128xbf16>
    %110 = v4.param "layers.1.ffn.shared_experts.w2.weight" : tensor<256x128xf8E4M3FN>
    %111 = v4.param "layers.1.ffn.shared_experts.w2.scale" : tensor<2x1xf8E8M0FNU>
    %codes_47, %scales_48 = v4.quantize %109 block 128 rule ceil : tensor<1x128xbf16> -> tensor<1x128xf8E4M3FN>, tensor<1x1xf8E8M0FNU>
    %112 = v4.fp8_matmul %codes_47, %scales_48, %110, %111 block [128, 128] : (tensor<1x128xf8E4M3FN>, tensor<1x1xf8E8M0FNU>, tensor<256x128xf8E4M3FN>, tensor<2x1xf8E8M0FNU>) -> tensor<1x256xbf16>
    %113 = v4.moe_combine %102, %permutation shared %112 : (tensor<2x256xbf16>, tensor<2xi32>, tensor<1x256xbf16>) -> tensor<1x256xbf16>
    %expanded_49 = tensor.expand_shape %113 [[0, 1], [2]] output_shape [1, 1, 256] : tensor<1x256xbf16> into tensor<1x1x256xbf16>
    %114 = v4.hc_post %expanded_49, %82, %post_33, %comb_34 : tensor<1x1x256xbf16>, tensor<1x1x4x256xbf16>, tensor<1x1x4xf32>, tensor<1x1x4x4xf32>
    return %114, %22, %40, %new_state, %62, %new_state_21 : tensor<1x1x4x256xbf16>, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>, !v4.compressed<batch = 1, ratio = 4, capacity = 32, dim = 128, element = bf16>, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128>, !v4.indexer_keys<batch = 1, capacity = 32, dim = 128, element = bf16>, !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 128>
  }
  func.func private @decode.layers.2(%arg0: tensor<1x1x4x256xbf16>, %arg1: tensor<1xi32>, %arg2: index, %arg3: !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.2.window"}, %arg4: !v4.compressed<batch = 1, ratio = 16, capacity = 8, dim = 128, element = bf16> {v4.cache = "layers.2.compressed"}, %arg5: !v4.compressor_state<batch = 1, ratio = 16, coff = 1, dim = 128> {v4.cache = "layers.2.compressor_state"}) -> (tensor<1x1x4x256xbf16>, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.2.window"}, !v4.compressed<batch = 1, ratio = 16, capacity = 8, dim = 128, element = bf16> {v4.cache = "layers.2.compressed"}, !v4.compressor_state<batch = 1, ratio = 16, coff = 1, dim = 128> {v4.cache = "layers.2.compressor_state"}) attributes {v4.attention = "hca", v4.block = 2 : i64, v4.moe = "score", v4.ratio = 16 : i64} {
    %0 = v4.param "layers.2.hc_attn_fn" : tensor<24x1024xf32>
    %1 = v4.param "layers.2.hc_attn_base" : tensor<24xf32>
    %2 = v4.param "layers.2.hc_attn_scale" : tensor<3xf32>
    %output, %post, %comb = v4.hc_pre %arg0, %0, %1, %2 iters 20 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<1x1x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x1x256xbf16>, tensor<1x1x4xf32>, tensor<1x1x4x4xf32>)
    %3 = v4.param "layers.2.attn_norm.weight" : tensor<256xbf16>
    %4 = v4.rms_norm %output weight %3 eps 9.9999999999999995E-7 : tensor<1x1x256xbf16>, tensor<256xbf16>
    %generated = tensor.generate  {
    ^bb0(%arg6: index, %arg7: index):
      %84 = arith.addi %arg2, %arg7 : index
      %85 = arith.index_cast %84 : index to i32
      tensor.yield %85 : i32
    } : tensor<1x1xi32>
    %5 = v4.param "layers.2.attn.wq_a.weight" : tensor<128x256xf8E4M3FN>
    %6 = v4.param "layers.2.attn.wq_a.scale" : tensor<1x2xf8E8M0FNU>
    %codes, %scales = v4.quantize %4 block 128 rule ceil : tensor<1x1x256xbf16> -> tensor<1x1x256xf8E4M3FN>, tensor<1x1x2xf8E8M0FNU>
    %7 = v4.fp8_matmul %codes, %scales, %5, %6 block [128, 128] : (tensor<1x1x256xf8E4M3FN>, tensor<1x1x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<1x1x128xbf16>
    %8 = v4.param "layers.2.attn.q_norm.weight" : tensor<128xbf16>
    %9 = v4.rms_norm %7 weight %8 eps 9.9999999999999995E-7 : tensor<1x1x128xbf16>, tensor<128xbf16>
    %10 = v4.param "layers.2.attn.wq_b.weight" : tensor<512x128xf8E4M3FN>
    %11 = v4.param "layers.2.attn.wq_b.scale" : tensor<4x1xf8E8M0FNU>
    %codes_0, %scales_1 = v4.quantize %9 block 128 rule ceil : tensor<1x1x128xbf16> -> tensor<1x1x128xf8E4M3FN>, tensor<1x1x1xf8E8M0FNU>
    %12 = v4.fp8_matmul %codes_0, %scales_1, %10, %11 block [128, 128] : (tensor<1x1x128xf8E4M3FN>, tensor<1x1x1xf8E8M0FNU>, tensor<512x128xf8E4M3FN>, tensor<4x1xf8E8M0FNU>) -> tensor<1x1x512xbf16>
    %expanded = tensor.expand_shape %12 [[0], [1], [2, 3]] output_shape [1, 1, 4, 128] : tensor<1x1x512xbf16> into tensor<1x1x4x128xbf16>
    %13 = v4.rms_norm %expanded round_each_step eps 9.9999999999999995E-7 : tensor<1x1x4x128xbf16>
    %14 = v4.rope %13, %generated <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<1x1x4x128xbf16>, tensor<1x1xi32>
    %15 = v4.param "layers.2.attn.wkv.weight" : tensor<128x256xf8E4M3FN>
    %16 = v4.param "layers.2.attn.wkv.scale" : tensor<1x2xf8E8M0FNU>
    %codes_2, %scales_3 = v4.quantize %4 block 128 rule ceil : tensor<1x1x256xbf16> -> tensor<1x1x256xf8E4M3FN>, tensor<1x1x2xf8E8M0FNU>
    %17 = v4.fp8_matmul %codes_2, %scales_3, %15, %16 block [128, 128] : (tensor<1x1x256xf8E4M3FN>, tensor<1x1x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<1x1x128xbf16>
    %18 = v4.param "layers.2.attn.kv_norm.weight" : tensor<128xbf16>
    %19 = v4.rms_norm %17 weight %18 eps 9.9999999999999995E-7 : tensor<1x1x128xbf16>, tensor<128xbf16>
    %20 = v4.rope %19, %generated <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<1x1x128xbf16>, tensor<1x1xi32>
    %extracted_slice = tensor.extract_slice %20[0, 0, 0] [1, 1, 64] [1, 1, 1] : tensor<1x1x128xbf16> to tensor<1x1x64xbf16>
    %21 = v4.simulate_quant %extracted_slice format f8E4M3FN block 64 rule ceil : tensor<1x1x64xbf16>
    %inserted_slice = tensor.insert_slice %21 into %20[0, 0, 0] [1, 1, 64] [1, 1, 1] : tensor<1x1x64xbf16> into tensor<1x1x128xbf16>
    %22 = v4.window_append %arg3, %inserted_slice at %arg2 : !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>, tensor<1x1x128xbf16>
    %23 = v4.window_indices %arg2 window 16 layout ring : tensor<1x1x16xi32>
    %24 = v4.cache_read %22 : !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> -> tensor<1x16x128xbf16>
    %25 = v4.param "layers.2.attn.attn_sink" : tensor<4xf32>
    %26 = v4.param "layers.2.attn.compressor.wkv.weight" : tensor<128x256xbf16>
    %collapsed = tensor.collapse_shape %4 [[0, 1], [2]] : tensor<1x1x256xbf16> into tensor<1x256xbf16>
    %27 = tensor.empty() : tensor<1x128xf32>
    %cst = arith.constant 0.000000e+00 : f32
    %28 = linalg.fill ins(%cst : f32) outs(%27 : tensor<1x128xf32>) -> tensor<1x128xf32>
    %29 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed, %26 : tensor<1x256xbf16>, tensor<128x256xbf16>) outs(%28 : tensor<1x128xf32>) -> tensor<1x128xf32>
    %expanded_4 = tensor.expand_shape %29 [[0, 1], [2]] output_shape [1, 1, 128] : tensor<1x128xf32> into tensor<1x1x128xf32>
    %30 = v4.param "layers.2.attn.compressor.wgate.weight" : tensor<128x256xbf16>
    %collapsed_5 = tensor.collapse_shape %4 [[0, 1], [2]] : tensor<1x1x256xbf16> into tensor<1x256xbf16>
    %31 = tensor.empty() : tensor<1x128xf32>
    %cst_6 = arith.constant 0.000000e+00 : f32
    %32 = linalg.fill ins(%cst_6 : f32) outs(%31 : tensor<1x128xf32>) -> tensor<1x128xf32>
    %33 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_5, %30 : tensor<1x256xbf16>, tensor<128x256xbf16>) outs(%32 : tensor<1x128xf32>) -> tensor<1x128xf32>
    %expanded_7 = tensor.expand_shape %33 [[0, 1], [2]] output_shape [1, 1, 128] : tensor<1x128xf32> into tensor<1x1x128xf32>
    %34 = v4.param "layers.2.attn.compressor.ape" : tensor<16x128xf32>
    %entries, %new_state = v4.compress %expanded_4, %expanded_7, %34, %arg5 at %arg2 ratio 16 : tensor<1x1x128xf32>, tensor<16x128xf32>, !v4.compressor_state<batch = 1, ratio = 16, coff = 1, dim = 128> -> tensor<1x1x128xf32>
    %35 = arith.truncf %entries : tensor<1x1x128xf32> to tensor<1x1x128xbf16>
    %36 = v4.param "layers.2.attn.compressor.norm.weight" : tensor<128xbf16>
    %37 = v4.rms_norm %35 weight %36 eps 9.9999999999999995E-7 : tensor<1x1x128xbf16>, tensor<128xbf16>
    %generated_8 = tensor.generate  {
    ^bb0(%arg6: index, %arg7: index):
      %c16 = arith.constant 16 : index
      %84 = arith.divui %arg2, %c16 : index
      %85 = arith.addi %84, %arg7 : index
      %c16_34 = arith.constant 16 : index
      %86 = arith.muli %85, %c16_34 : index
      %87 = arith.index_cast %86 : index to i32
      tensor.yield %87 : i32
    } : tensor<1x1xi32>
    %38 = v4.rope %37, %generated_8 <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<1x1x128xbf16>, tensor<1x1xi32>
    %extracted_slice_9 = tensor.extract_slice %38[0, 0, 0] [1, 1, 64] [1, 1, 1] : tensor<1x1x128xbf16> to tensor<1x1x64xbf16>
    %39 = v4.simulate_quant %extracted_slice_9 format f8E4M3FN block 64 rule ceil : tensor<1x1x64xbf16>
    %inserted_slice_10 = tensor.insert_slice %39 into %38[0, 0, 0] [1, 1, 64] [1, 1, 1] : tensor<1x1x64xbf16> into tensor<1x1x128xbf16>
    %c1 = arith.constant 1 : index
    %40 = v4.compressed_append %arg4, %inserted_slice_10 at %arg2 tokens %c1 : !v4.compressed<batch = 1, ratio = 16, capacity = 8, dim = 128, element = bf16>, tensor<1x1x128xbf16>
    %41 = v4.hca_attention %14, %24[%23] entries %40, %25 at %arg2 scale 0.088388347648318433 : tensor<1x1x4x128xbf16>, tensor<1x16x128xbf16>, tensor<1x1x16xi32>, !v4.compressed<batch = 1, ratio = 16, capacity = 8, dim = 128, element = bf16>, tensor<4xf32>
    %42 = v4.rope %41, %generated <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> inverse : tensor<1x1x4x128xbf16>, tensor<1x1xi32>
    %43 = v4.param "layers.2.attn.wo_a.weight" : tensor<256x256xf8E4M3FN>
    %44 = v4.param "layers.2.attn.wo_a.scale" : tensor<2x2xf8E8M0FNU>
    %45 = tensor.empty() : tensor<2x128x2xf8E8M0FNU>
    %broadcasted = linalg.broadcast ins(%44 : tensor<2x2xf8E8M0FNU>) outs(%45 : tensor<2x128x2xf8E8M0FNU>) dimensions = [1] 
    %collapsed_11 = tensor.collapse_shape %broadcasted [[0, 1], [2]] : tensor<2x128x2xf8E8M0FNU> into tensor<256x2xf8E8M0FNU>
    %46 = v4.dequantize %43, %collapsed_11 block 128 : tensor<256x256xf8E4M3FN>, tensor<256x2xf8E8M0FNU> -> tensor<256x256xbf16>
    %expanded_12 = tensor.expand_shape %46 [[0, 1], [2]] output_shape [2, 128, 256] : tensor<256x256xbf16> into tensor<2x128x256xbf16>
    %47 = v4.grouped_linear %42, %expanded_12 groups 2 : tensor<1x1x4x128xbf16>, tensor<2x128x256xbf16> -> tensor<1x1x2x128xbf16>
    %collapsed_13 = tensor.collapse_shape %47 [[0], [1], [2, 3]] : tensor<1x1x2x128xbf16> into tensor<1x1x256xbf16>
    %48 = v4.param "layers.2.attn.wo_b.weight" : tensor<256x256xf8E4M3FN>
    %49 = v4.param "layers.2.attn.wo_b.scale" : tensor<2x2xf8E8M0FNU>
    %codes_14, %scales_15 = v4.quantize %collapsed_13 block 128 rule ceil : tensor<1x1x256xbf16> -> tensor<1x1x256xf8E4M3FN>, tensor<1x1x2xf8E8M0FNU>
    %50 = v4.fp8_matmul %codes_14, %scales_15, %48, %49 block [128, 128] : (tensor<1x1x256xf8E4M3FN>, tensor<1x1x2xf8E8M0FNU>, tensor<256x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>) -> tensor<1x1x256xbf16>
    %51 = v4.hc_post %50, %arg0, %post, %comb : tensor<1x1x256xbf16>, tensor<1x1x4x256xbf16>, tensor<1x1x4xf32>, tensor<1x1x4x4xf32>
    %52 = v4.param "layers.2.hc_ffn_fn" : tensor<24x1024xf32>
    %53 = v4.param "layers.2.hc_ffn_base" : tensor<24xf32>
    %54 = v4.param "layers.2.hc_ffn_scale" : tensor<3xf32>
    %output_16, %post_17, %comb_18 = v4.hc_pre %51, %52, %53, %54 iters 20 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<1x1x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x1x256xbf16>, tensor<1x1x4xf32>, tensor<1x1x4x4xf32>)
    %55 = v4.param "layers.2.ffn_norm.weight" : tensor<256xbf16>
    %56 = v4.rms_norm %output_16 weight %55 eps 9.9999999999999995E-7 : tensor<1x1x256xbf16>, tensor<256xbf16>
    %collapsed_19 = tensor.collapse_shape %56 [[0, 1], [2]] : tensor<1x1x256xbf16> into tensor<1x256xbf16>
    %57 = v4.param "layers.2.ffn.gate.weight" : tensor<8x256xbf16>
    %58 = tensor.empty() : tensor<1x8xf32>
    %cst_20 = arith.constant 0.000000e+00 : f32
    %59 = linalg.fill ins(%cst_20 : f32) outs(%58 : tensor<1x8xf32>) -> tensor<1x8xf32>
    %60 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_19, %57 : tensor<1x256xbf16>, tensor<8x256xbf16>) outs(%59 : tensor<1x8xf32>) -> tensor<1x8xf32>
    %61 = v4.param "layers.2.ffn.gate.bias" : tensor<8xf32>
    %weights, %experts = v4.moe_route %60, %61 k 2 route_scale 1.500000e+00 normalize : tensor<1x8xf32>, tensor<8xf32> -> tensor<1x2xf32>, tensor<1x2xi32>
    %rows, %row_weights, %permutation, %expert_offsets = v4.moe_dispatch %collapsed_19, %experts, %weights num_experts 8 : (tensor<1x256xbf16>, tensor<1x2xi32>, tensor<1x2xf32>) -> (tensor<2x256xbf16>, tensor<2xf32>, tensor<2xi32>, tensor<9xi32>)
    %codes_21, %scales_22 = v4.quantize %rows block 128 rule ceil : tensor<2x256xbf16> -> tensor<2x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>
    %62 = v4.param "layers.2.ffn.experts.*.w1.weight" : tensor<8x128x256xf4E2M1FN>
    %63 = v4.param "layers.2.ffn.experts.*.w1.scale" : tensor<8x128x8xf8E8M0FNU>
    %64 = v4.mxfp4_matmul %codes_21, %scales_22, %62, %63 groups %expert_offsets act_block 128 : (tensor<2x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<2x128xbf16>
    %codes_23, %scales_24 = v4.quantize %rows block 128 rule ceil : tensor<2x256xbf16> -> tensor<2x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>
    %65 = v4.param "layers.2.ffn.experts.*.w3.weight" : tensor<8x128x256xf4E2M1FN>
    %66 = v4.param "layers.2.ffn.experts.*.w3.scale" : tensor<8x128x8xf8E8M0FNU>
    %67 = v4.mxfp4_matmul %codes_23, %scales_24, %65, %66 groups %expert_offsets act_block 128 : (tensor<2x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<2x128xbf16>
    %68 = v4.swiglu %64, %67 weights %row_weights limit 1.000000e+01 : tensor<2x128xbf16>, tensor<2xf32> -> tensor<2x128xbf16>
    %codes_25, %scales_26 = v4.quantize %68 block 128 rule ceil : tensor<2x128xbf16> -> tensor<2x128xf8E4M3FN>, tensor<2x1xf8E8M0FNU>
    %69 = v4.param "layers.2.ffn.experts.*.w2.weight" : tensor<8x256x128xf4E2M1FN>
    %70 = v4.param "layers.2.ffn.experts.*.w2.scale" : tensor<8x256x4xf8E8M0FNU>
    %71 = v4.mxfp4_matmul %codes_25, %scales_26, %69, %70 groups %expert_offsets act_block 128 : (tensor<2x128xf8E4M3FN>, tensor<2x1xf8E8M0FNU>, tensor<8x256x128xf4E2M1FN>, tensor<8x256x4xf8E8M0FNU>, tensor<9xi32>) -> tensor<2x256xbf16>
    %72 = v4.param "layers.2.ffn.shared_experts.w1.weight" : tensor<128x256xf8E4M3FN>
    %73 = v4.param "layers.2.ffn.shared_experts.w1.scale" : tensor<1x2xf8E8M0FNU>
    %codes_27, %scales_28 = v4.quantize %collapsed_19 block 128 rule ceil : tensor<1x256xbf16> -> tensor<1x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>
    %74 = v4.fp8_matmul %codes_27, %scales_28, %72, %73 block [128, 128] : (tensor<1x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<1x128xbf16>
    %75 = v4.param "layers.2.ffn.shared_experts.w3.weight" : tensor<128x256xf8E4M3FN>
    %76 = v4.param "layers.2.ffn.shared_experts.w3.scale" : tensor<1x2xf8E8M0FNU>
    %codes_29, %scales_30 = v4.quantize %collapsed_19 block 128 rule ceil : tensor<1x256xbf16> -> tensor<1x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>
    %77 = v4.fp8_matmul %codes_29, %scales_30, %75, %76 block [128, 128] : (tensor<1x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<1x128xbf16>
    %78 = v4.swiglu %74, %77 limit 1.000000e+01 : tensor<1x128xbf16> -> tensor<1x128xbf16>
    %79 = v4.param "layers.2.ffn.shared_experts.w2.weight" : tensor<256x128xf8E4M3FN>
    %80 = v4.param "layers.2.ffn.shared_experts.w2.scale" : tensor<2x1xf8E8M0FNU>
    %codes_31, %scales_32 = v4.quantize %78 block 128 rule ceil : tensor<1x128xbf16> -> tensor<1x128xf8E4M3FN>, tensor<1x1xf8E8M0FNU>
    %81 = v4.fp8_matmul %codes_31, %scales_32, %79, %80 block [128, 128] : (tensor<1x128xf8E4M3FN>, tensor<1x1xf8E8M0FNU>, tensor<256x128xf8E4M3FN>, tensor<2x1xf8E8M0FNU>) -> tensor<1x256xbf16>
    %82 = v4.moe_combine %71, %permutation shared %81 : (tensor<2x256xbf16>, tensor<2xi32>, tensor<1x256xbf16>) -> tensor<1x256xbf16>
    %expanded_33 = tensor.expand_shape %82 [[0, 1], [2]] output_shape [1, 1, 256] : tensor<1x256xbf16> into tensor<1x1x256xbf16>
    %83 = v4.hc_post %expanded_33, %51, %post_17, %comb_18 : tensor<1x1x256xbf16>, tensor<1x1x4x256xbf16>, tensor<1x1x4xf32>, tensor<1x1x4x4xf32>
    return %83, %22, %40, %new_state : tensor<1x1x4x256xbf16>, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>, !v4.compressed<batch = 1, ratio = 16, capacity = 8, dim = 128, element = bf16>, !v4.compressor_state<batch = 1, ratio = 16, coff = 1, dim = 128>
  }
  func.func private @prefill.mtp.0(%arg0: tensor<1x?x4x256xbf16>, %arg1: tensor<?xi32>, %arg2: index, %arg3: !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "mtp.0.window"}) -> (tensor<1x?x4x256xbf16>, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "mtp.0.window"}) attributes {v4.attention = "swa", v4.block = 3 : i64, v4.moe = "score", v4.mtp, v4.ratio = 0 : i64} {
    %c0 = arith.constant 0 : index
    %dim = tensor.dim %arg1, %c0 : tensor<?xi32>
    %0 = v4.param "mtp.0.hc_attn_fn" : tensor<24x1024xf32>
    %1 = v4.param "mtp.0.hc_attn_base" : tensor<24xf32>
    %2 = v4.param "mtp.0.hc_attn_scale" : tensor<3xf32>
    %output, %post, %comb = v4.hc_pre %arg0, %0, %1, %2 iters 20 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<1x?x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x?x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>)
    %3 = v4.param "mtp.0.attn_norm.weight" : tensor<256xbf16>
    %4 = v4.rms_norm %output weight %3 eps 9.9999999999999995E-7 : tensor<1x?x256xbf16>, tensor<256xbf16>
    %generated = tensor.generate %dim {
    ^bb0(%arg4: index, %arg5: index):
      %68 = arith.addi %arg2, %arg5 : index
      %69 = arith.index_cast %68 : index to i32
      tensor.yield %69 : i32
    } : tensor<1x?xi32>
    %5 = v4.param "mtp.0.attn.wq_a.weight" : tensor<128x256xf8E4M3FN>
    %6 = v4.param "mtp.0.attn.wq_a.scale" : tensor<1x2xf8E8M0FNU>
    %codes, %scales = v4.quantize %4 block 128 rule ceil : tensor<1x?x256xbf16> -> tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>
    %7 = v4.fp8_matmul %codes, %scales, %5, %6 block [128, 128] : (tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<1x?x128xbf16>
    %8 = v4.param "mtp.0.attn.q_norm.weight" : tensor<128xbf16>
    %9 = v4.rms_norm %7 weight %8 eps 9.9999999999999995E-7 : tensor<1x?x128xbf16>, tensor<128xbf16>
    %10 = v4.param "mtp.0.attn.wq_b.weight" : tensor<512x128xf8E4M3FN>
    %11 = v4.param "mtp.0.attn.wq_b.scale" : tensor<4x1xf8E8M0FNU>
    %codes_0, %scales_1 = v4.quantize %9 block 128 rule ceil : tensor<1x?x128xbf16> -> tensor<1x?x128xf8E4M3FN>, tensor<1x?x1xf8E8M0FNU>
    %12 = v4.fp8_matmul %codes_0, %scales_1, %10, %11 block [128, 128] : (tensor<1x?x128xf8E4M3FN>, tensor<1x?x1xf8E8M0FNU>, tensor<512x128xf8E4M3FN>, tensor<4x1xf8E8M0FNU>) -> tensor<1x?x512xbf16>
    %expanded = tensor.expand_shape %12 [[0], [1], [2, 3]] output_shape [1, %dim, 4, 128] : tensor<1x?x512xbf16> into tensor<1x?x4x128xbf16>
    %13 = v4.rms_norm %expanded round_each_step eps 9.9999999999999995E-7 : tensor<1x?x4x128xbf16>
    %14 = v4.rope %13, %generated <base = 1.000000e+04, rope_dim = 64, factor = 1.000000e+00, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<1x?x4x128xbf16>, tensor<1x?xi32>
    %15 = v4.param "mtp.0.attn.wkv.weight" : tensor<128x256xf8E4M3FN>
    %16 = v4.param "mtp.0.attn.wkv.scale" : tensor<1x2xf8E8M0FNU>
    %codes_2, %scales_3 = v4.quantize %4 block 128 rule ceil : tensor<1x?x256xbf16> -> tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>
    %17 = v4.fp8_matmul %codes_2, %scales_3, %15, %16 block [128, 128] : (tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<1x?x128xbf16>
    %18 = v4.param "mtp.0.attn.kv_norm.weight" : tensor<128xbf16>
    %19 = v4.rms_norm %17 weight %18 eps 9.9999999999999995E-7 : tensor<1x?x128xbf16>, tensor<128xbf16>
    %20 = v4.rope %19, %generated <base = 1.000000e+04, rope_dim = 64, factor = 1.000000e+00, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<1x?x128xbf16>, tensor<1x?xi32>
    %c1 = arith.constant 1 : index
    %dim_4 = tensor.dim %20, %c1 : tensor<1x?x128xbf16>
    %extracted_slice = tensor.extract_slice %20[0, 0, 0] [1, %dim_4, 64] [1, 1, 1] : tensor<1x?x128xbf16> to tensor<1x?x64xbf16>
    %21 = v4.simulate_quant %extracted_slice format f8E4M3FN block 64 rule ceil : tensor<1x?x64xbf16>
    %inserted_slice = tensor.insert_slice %21 into %20[0, 0, 0] [1, %dim_4, 64] [1, 1, 1] : tensor<1x?x64xbf16> into tensor<1x?x128xbf16>
    %22 = v4.window_append %arg3, %inserted_slice at %arg2 : !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>, tensor<1x?x128xbf16>
    %23 = v4.window_indices %arg2 rows %dim window 16 layout chunk : tensor<1x?x16xi32>
    %24 = v4.param "mtp.0.attn.attn_sink" : tensor<4xf32>
    %25 = v4.sparse_attention %14, %inserted_slice[%23], %24 scale 0.088388347648318433 : tensor<1x?x4x128xbf16>, tensor<1x?x128xbf16>, tensor<1x?x16xi32>, tensor<4xf32>
    %26 = v4.rope %25, %generated <base = 1.000000e+04, rope_dim = 64, factor = 1.000000e+00, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> inverse : tensor<1x?x4x128xbf16>, tensor<1x?xi32>
    %27 = v4.param "mtp.0.attn.wo_a.weight" : tensor<256x256xf8E4M3FN>
    %28 = v4.param "mtp.0.attn.wo_a.scale" : tensor<2x2xf8E8M0FNU>
    %29 = tensor.empty() : tensor<2x128x2xf8E8M0FNU>
    %broadcasted = linalg.broadcast ins(%28 : tensor<2x2xf8E8M0FNU>) outs(%29 : tensor<2x128x2xf8E8M0FNU>) dimensions = [1] 
    %collapsed = tensor.collapse_shape %broadcasted [[0, 1], [2]] : tensor<2x128x2xf8E8M0FNU> into tensor<256x2xf8E8M0FNU>
    %30 = v4.dequantize %27, %collapsed block 128 : tensor<256x256xf8E4M3FN>, tensor<256x2xf8E8M0FNU> -> tensor<256x256xbf16>
    %expanded_5 = tensor.expand_shape %30 [[0, 1], [2]] output_shape [2, 128, 256] : tensor<256x256xbf16> into tensor<2x128x256xbf16>
    %31 = v4.grouped_linear %26, %expanded_5 groups 2 : tensor<1x?x4x128xbf16>, tensor<2x128x256xbf16> -> tensor<1x?x2x128xbf16>
    %collapsed_6 = tensor.collapse_shape %31 [[0], [1], [2, 3]] : tensor<1x?x2x128xbf16> into tensor<1x?x256xbf16>
    %32 = v4.param "mtp.0.attn.wo_b.weight" : tensor<256x256xf8E4M3FN>
    %33 = v4.param "mtp.0.attn.wo_b.scale" : tensor<2x2xf8E8M0FNU>
    %codes_7, %scales_8 = v4.quantize %collapsed_6 block 128 rule ceil : tensor<1x?x256xbf16> -> tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>
    %34 = v4.fp8_matmul %codes_7, %scales_8, %32, %33 block [128, 128] : (tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>, tensor<256x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>) -> tensor<1x?x256xbf16>
    %35 = v4.hc_post %34, %arg0, %post, %comb : tensor<1x?x256xbf16>, tensor<1x?x4x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>
    %36 = v4.param "mtp.0.hc_ffn_fn" : tensor<24x1024xf32>
    %37 = v4.param "mtp.0.hc_ffn_base" : tensor<24xf32>
    %38 = v4.param "mtp.0.hc_ffn_scale" : tensor<3xf32>
    %output_9, %post_10, %comb_11 = v4.hc_pre %35, %36, %37, %38 iters 20 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<1x?x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x?x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>)
    %39 = v4.param "mtp.0.ffn_norm.weight" : tensor<256xbf16>
    %40 = v4.rms_norm %output_9 weight %39 eps 9.9999999999999995E-7 : tensor<1x?x256xbf16>, tensor<256xbf16>
    %collapsed_12 = tensor.collapse_shape %40 [[0, 1], [2]] : tensor<1x?x256xbf16> into tensor<?x256xbf16>
    %41 = v4.param "mtp.0.ffn.gate.weight" : tensor<8x256xbf16>
    %c0_13 = arith.constant 0 : index
    %dim_14 = tensor.dim %collapsed_12, %c0_13 : tensor<?x256xbf16>
    %c0_15 = arith.constant 0 : index
    %dim_16 = tensor.dim %collapsed_12, %c0_15 : tensor<?x256xbf16>
    %42 = tensor.empty(%dim_16) : tensor<?x8xf32>
    %cst = arith.constant 0.000000e+00 : f32
    %43 = linalg.fill ins(%cst : f32) outs(%42 : tensor<?x8xf32>) -> tensor<?x8xf32>
    %44 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_12, %41 : tensor<?x256xbf16>, tensor<8x256xbf16>) outs(%43 : tensor<?x8xf32>) -> tensor<?x8xf32>
    %45 = v4.param "mtp.0.ffn.gate.bias" : tensor<8xf32>
    %weights, %experts = v4.moe_route %44, %45 k 2 route_scale 1.500000e+00 normalize : tensor<?x8xf32>, tensor<8xf32> -> tensor<?x2xf32>, tensor<?x2xi32>
    %rows, %row_weights, %permutation, %expert_offsets = v4.moe_dispatch %collapsed_12, %experts, %weights num_experts 8 : (tensor<?x256xbf16>, tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<?x256xbf16>, tensor<?xf32>, tensor<?xi32>, tensor<9xi32>)
    %codes_17, %scales_18 = v4.quantize %rows block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %46 = v4.param "mtp.0.ffn.experts.*.w1.weight" : tensor<8x128x256xf4E2M1FN>
    %47 = v4.param "mtp.0.ffn.experts.*.w1.scale" : tensor<8x128x8xf8E8M0FNU>
    %48 = v4.mxfp4_matmul %codes_17, %scales_18, %46, %47 groups %expert_offsets act_block 128 : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x128xbf16>
    %codes_19, %scales_20 = v4.quantize %rows block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %49 = v4.param "mtp.0.ffn.experts.*.w3.weight" : tensor<8x128x256xf4E2M1FN>
    %50 = v4.param "mtp.0.ffn.experts.*.w3.scale" : tensor<8x128x8xf8E8M0FNU>
    %51 = v4.mxfp4_matmul %codes_19, %scales_20, %49, %50 groups %expert_offsets act_block 128 : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x128xbf16>
    %52 = v4.swiglu %48, %51 weights %row_weights limit 1.000000e+01 : tensor<?x128xbf16>, tensor<?xf32> -> tensor<?x128xbf16>
    %codes_21, %scales_22 = v4.quantize %52 block 128 rule ceil : tensor<?x128xbf16> -> tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>
    %53 = v4.param "mtp.0.ffn.experts.*.w2.weight" : tensor<8x256x128xf4E2M1FN>
    %54 = v4.param "mtp.0.ffn.experts.*.w2.scale" : tensor<8x256x4xf8E8M0FNU>
    %55 = v4.mxfp4_matmul %codes_21, %scales_22, %53, %54 groups %expert_offsets act_block 128 : (tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>, tensor<8x256x128xf4E2M1FN>, tensor<8x256x4xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x256xbf16>
    %56 = v4.param "mtp.0.ffn.shared_experts.w1.weight" : tensor<128x256xf8E4M3FN>
    %57 = v4.param "mtp.0.ffn.shared_experts.w1.scale" : tensor<1x2xf8E8M0FNU>
    %codes_23, %scales_24 = v4.quantize %collapsed_12 block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %58 = v4.fp8_matmul %codes_23, %scales_24, %56, %57 block [128, 128] : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x128xbf16>
    %59 = v4.param "mtp.0.ffn.shared_experts.w3.weight" : tensor<128x256xf8E4M3FN>
    %60 = v4.param "mtp.0.ffn.shared_experts.w3.scale" : tensor<1x2xf8E8M0FNU>
    %codes_25, %scales_26 = v4.quantize %collapsed_12 block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %61 = v4.fp8_matmul %codes_25, %scales_26, %59, %60 block [128, 128] : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x128xbf16>
    %62 = v4.swiglu %58, %61 limit 1.000000e+01 : tensor<?x128xbf16> -> tensor<?x128xbf16>
    %63 = v4.param "mtp.0.ffn.shared_experts.w2.weight" : tensor<256x128xf8E4M3FN>
    %64 = v4.param "mtp.0.ffn.shared_experts.w2.scale" : tensor<2x1xf8E8M0FNU>
    %codes_27, %scales_28 = v4.quantize %62 block 128 rule ceil : tensor<?x128xbf16> -> tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>
    %65 = v4.fp8_matmul %codes_27, %scales_28, %63, %64 block [128, 128] : (tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>, tensor<256x128xf8E4M3FN>, tensor<2x1xf8E8M0FNU>) -> tensor<?x256xbf16>
    %66 = v4.moe_combine %55, %permutation shared %65 : (tensor<?x256xbf16>, tensor<?xi32>, tensor<?x256xbf16>) -> tensor<?x256xbf16>
    %expanded_29 = tensor.expand_shape %66 [[0, 1], [2]] output_shape [1, %dim, 256] : tensor<?x256xbf16> into tensor<1x?x256xbf16>
    %67 = v4.hc_post %expanded_29, %35, %post_10, %comb_11 : tensor<1x?x256xbf16>, tensor<1x?x4x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>
    return %67, %22 : tensor<1x?x4x256xbf16>, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>
  }
  func.func private @decode.mtp.0(%arg0: tensor<1x1x4x256xbf16>, %arg1: tensor<1xi32>, %arg2: index, %arg3: !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "mtp.0.window"}) -> (tensor<1x1x4x256xbf16>, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "mtp.0.window"}) attributes {v4.attention = "swa", v4.block = 3 : i64, v4.moe = "score", v4.mtp, v4.ratio = 0 : i64} {
    %0 = v4.param "mtp.0.hc_attn_fn" : tensor<24x1024xf32>
    %1 = v4.param "mtp.0.hc_attn_base" : tensor<24xf32>
    %2 = v4.param "mtp.0.hc_attn_scale" : tensor<3xf32>
    %output, %post, %comb = v4.hc_pre %arg0, %0, %1, %2 iters 20 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<1x1x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x1x256xbf16>, tensor<1x1x4xf32>, tensor<1x1x4x4xf32>)
    %3 = v4.param "mtp.0.attn_norm.weight" : tensor<256xbf16>
    %4 = v4.rms_norm %output weight %3 eps 9.9999999999999995E-7 : tensor<1x1x256xbf16>, tensor<256xbf16>
    %generated = tensor.generate  {
    ^bb0(%arg4: index, %arg5: index):
      %69 = arith.addi %arg2, %arg5 : index
      %70 = arith.index_cast %69 : index to i32
      tensor.yield %70 : i32
    } : tensor<1x1xi32>
    %5 = v4.param "mtp.0.attn.wq_a.weight" : tensor<128x256xf8E4M3FN>
    %6 = v4.param "mtp.0.attn.wq_a.scale" : tensor<1x2xf8E8M0FNU>
    %codes, %scales = v4.quantize %4 block 128 rule ceil : tensor<1x1x256xbf16> -> tensor<1x1x256xf8E4M3FN>, tensor<1x1x2xf8E8M0FNU>
    %7 = v4.fp8_matmul %codes, %scales, %5, %6 block [128, 128] : (tensor<1x1x256xf8E4M3FN>, tensor<1x1x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<1x1x128xbf16>
    %8 = v4.param "mtp.0.attn.q_norm.weight" : tensor<128xbf16>
    %9 = v4.rms_norm %7 weight %8 eps 9.9999999999999995E-7 : tensor<1x1x128xbf16>, tensor<128xbf16>
    %10 = v4.param "mtp.0.attn.wq_b.weight" : tensor<512x128xf8E4M3FN>
    %11 = v4.param "mtp.0.attn.wq_b.scale" : tensor<4x1xf8E8M0FNU>
    %codes_0, %scales_1 = v4.quantize %9 block 128 rule ceil : tensor<1x1x128xbf16> -> tensor<1x1x128xf8E4M3FN>, tensor<1x1x1xf8E8M0FNU>
    %12 = v4.fp8_matmul %codes_0, %scales_1, %10, %11 block [128, 128] : (tensor<1x1x128xf8E4M3FN>, tensor<1x1x1xf8E8M0FNU>, tensor<512x128xf8E4M3FN>, tensor<4x1xf8E8M0FNU>) -> tensor<1x1x512xbf16>
    %expanded = tensor.expand_shape %12 [[0], [1], [2, 3]] output_shape [1, 1, 4, 128] : tensor<1x1x512xbf16> into tensor<1x1x4x128xbf16>
    %13 = v4.rms_norm %expanded round_each_step eps 9.9999999999999995E-7 : tensor<1x1x4x128xbf16>
    %14 = v4.rope %13, %generated <base = 1.000000e+04, rope_dim = 64, factor = 1.000000e+00, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<1x1x4x128xbf16>, tensor<1x1xi32>
    %15 = v4.param "mtp.0.attn.wkv.weight" : tensor<128x256xf8E4M3FN>
    %16 = v4.param "mtp.0.attn.wkv.scale" : tensor<1x2xf8E8M0FNU>
    %codes_2, %scales_3 = v4.quantize %4 block 128 rule ceil : tensor<1x1x256xbf16> -> tensor<1x1x256xf8E4M3FN>, tensor<1x1x2xf8E8M0FNU>
    %17 = v4.fp8_matmul %codes_2, %scales_3, %15, %16 block [128, 128] : (tensor<1x1x256xf8E4M3FN>, tensor<1x1x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<1x1x128xbf16>
    %18 = v4.param "mtp.0.attn.kv_norm.weight" : tensor<128xbf16>
    %19 = v4.rms_norm %17 weight %18 eps 9.9999999999999995E-7 : tensor<1x1x128xbf16>, tensor<128xbf16>
    %20 = v4.rope %19, %generated <base = 1.000000e+04, rope_dim = 64, factor = 1.000000e+00, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<1x1x128xbf16>, tensor<1x1xi32>
    %extracted_slice = tensor.extract_slice %20[0, 0, 0] [1, 1, 64] [1, 1, 1] : tensor<1x1x128xbf16> to tensor<1x1x64xbf16>
    %21 = v4.simulate_quant %extracted_slice format f8E4M3FN block 64 rule ceil : tensor<1x1x64xbf16>
    %inserted_slice = tensor.insert_slice %21 into %20[0, 0, 0] [1, 1, 64] [1, 1, 1] : tensor<1x1x64xbf16> into tensor<1x1x128xbf16>
    %22 = v4.window_append %arg3, %inserted_slice at %arg2 : !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>, tensor<1x1x128xbf16>
    %23 = v4.window_indices %arg2 window 16 layout ring : tensor<1x1x16xi32>
    %24 = v4.cache_read %22 : !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> -> tensor<1x16x128xbf16>
    %25 = v4.param "mtp.0.attn.attn_sink" : tensor<4xf32>
    %26 = v4.sparse_attention %14, %24[%23], %25 scale 0.088388347648318433 : tensor<1x1x4x128xbf16>, tensor<1x16x128xbf16>, tensor<1x1x16xi32>, tensor<4xf32>
    %27 = v4.rope %26, %generated <base = 1.000000e+04, rope_dim = 64, factor = 1.000000e+00, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> inverse : tensor<1x1x4x128xbf16>, tensor<1x1xi32>
    %28 = v4.param "mtp.0.attn.wo_a.weight" : tensor<256x256xf8E4M3FN>
    %29 = v4.param "mtp.0.attn.wo_a.scale" : tensor<2x2xf8E8M0FNU>
    %30 = tensor.empty() : tensor<2x128x2xf8E8M0FNU>
    %broadcasted = linalg.broadcast ins(%29 : tensor<2x2xf8E8M0FNU>) outs(%30 : tensor<2x128x2xf8E8M0FNU>) dimensions = [1] 
    %collapsed = tensor.collapse_shape %broadcasted [[0, 1], [2]] : tensor<2x128x2xf8E8M0FNU> into tensor<256x2xf8E8M0FNU>
    %31 = v4.dequantize %28, %collapsed block 128 : tensor<256x256xf8E4M3FN>, tensor<256x2xf8E8M0FNU> -> tensor<256x256xbf16>
    %expanded_4 = tensor.expand_shape %31 [[0, 1], [2]] output_shape [2, 128, 256] : tensor<256x256xbf16> into tensor<2x128x256xbf16>
    %32 = v4.grouped_linear %27, %expanded_4 groups 2 : tensor<1x1x4x128xbf16>, tensor<2x128x256xbf16> -> tensor<1x1x2x128xbf16>
    %collapsed_5 = tensor.collapse_shape %32 [[0], [1], [2, 3]] : tensor<1x1x2x128xbf16> into tensor<1x1x256xbf16>
    %33 = v4.param "mtp.0.attn.wo_b.weight" : tensor<256x256xf8E4M3FN>
    %34 = v4.param "mtp.0.attn.wo_b.scale" : tensor<2x2xf8E8M0FNU>
    %codes_6, %scales_7 = v4.quantize %collapsed_5 block 128 rule ceil : tensor<1x1x256xbf16> -> tensor<1x1x256xf8E4M3FN>, tensor<1x1x2xf8E8M0FNU>
    %35 = v4.fp8_matmul %codes_6, %scales_7, %33, %34 block [128, 128] : (tensor<1x1x256xf8E4M3FN>, tensor<1x1x2xf8E8M0FNU>, tensor<256x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>) -> tensor<1x1x256xbf16>
    %36 = v4.hc_post %35, %arg0, %post, %comb : tensor<1x1x256xbf16>, tensor<1x1x4x256xbf16>, tensor<1x1x4xf32>, tensor<1x1x4x4xf32>
    %37 = v4.param "mtp.0.hc_ffn_fn" : tensor<24x1024xf32>
    %38 = v4.param "mtp.0.hc_ffn_base" : tensor<24xf32>
    %39 = v4.param "mtp.0.hc_ffn_scale" : tensor<3xf32>
    %output_8, %post_9, %comb_10 = v4.hc_pre %36, %37, %38, %39 iters 20 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<1x1x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x1x256xbf16>, tensor<1x1x4xf32>, tensor<1x1x4x4xf32>)
    %40 = v4.param "mtp.0.ffn_norm.weight" : tensor<256xbf16>
    %41 = v4.rms_norm %output_8 weight %40 eps 9.9999999999999995E-7 : tensor<1x1x256xbf16>, tensor<256xbf16>
    %collapsed_11 = tensor.collapse_shape %41 [[0, 1], [2]] : tensor<1x1x256xbf16> into tensor<1x256xbf16>
    %42 = v4.param "mtp.0.ffn.gate.weight" : tensor<8x256xbf16>
    %43 = tensor.empty() : tensor<1x8xf32>
    %cst = arith.constant 0.000000e+00 : f32
    %44 = linalg.fill ins(%cst : f32) outs(%43 : tensor<1x8xf32>) -> tensor<1x8xf32>
    %45 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_11, %42 : tensor<1x256xbf16>, tensor<8x256xbf16>) outs(%44 : tensor<1x8xf32>) -> tensor<1x8xf32>
    %46 = v4.param "mtp.0.ffn.gate.bias" : tensor<8xf32>
    %weights, %experts = v4.moe_route %45, %46 k 2 route_scale 1.500000e+00 normalize : tensor<1x8xf32>, tensor<8xf32> -> tensor<1x2xf32>, tensor<1x2xi32>
    %rows, %row_weights, %permutation, %expert_offsets = v4.moe_dispatch %collapsed_11, %experts, %weights num_experts 8 : (tensor<1x256xbf16>, tensor<1x2xi32>, tensor<1x2xf32>) -> (tensor<2x256xbf16>, tensor<2xf32>, tensor<2xi32>, tensor<9xi32>)
    %codes_12, %scales_13 = v4.quantize %rows block 128 rule ceil : tensor<2x256xbf16> -> tensor<2x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>
    %47 = v4.param "mtp.0.ffn.experts.*.w1.weight" : tensor<8x128x256xf4E2M1FN>
    %48 = v4.param "mtp.0.ffn.experts.*.w1.scale" : tensor<8x128x8xf8E8M0FNU>
    %49 = v4.mxfp4_matmul %codes_12, %scales_13, %47, %48 groups %expert_offsets act_block 128 : (tensor<2x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<2x128xbf16>
    %codes_14, %scales_15 = v4.quantize %rows block 128 rule ceil : tensor<2x256xbf16> -> tensor<2x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>
    %50 = v4.param "mtp.0.ffn.experts.*.w3.weight" : tensor<8x128x256xf4E2M1FN>
    %51 = v4.param "mtp.0.ffn.experts.*.w3.scale" : tensor<8x128x8xf8E8M0FNU>
    %52 = v4.mxfp4_matmul %codes_14, %scales_15, %50, %51 groups %expert_offsets act_block 128 : (tensor<2x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<2x128xbf16>
    %53 = v4.swiglu %49, %52 weights %row_weights limit 1.000000e+01 : tensor<2x128xbf16>, tensor<2xf32> -> tensor<2x128xbf16>
    %codes_16, %scales_17 = v4.quantize %53 block 128 rule ceil : tensor<2x128xbf16> -> tensor<2x128xf8E4M3FN>, tensor<2x1xf8E8M0FNU>
    %54 = v4.param "mtp.0.ffn.experts.*.w2.weight" : tensor<8x256x128xf4E2M1FN>
    %55 = v4.param "mtp.0.ffn.experts.*.w2.scale" : tensor<8x256x4xf8E8M0FNU>
    %56 = v4.mxfp4_matmul %codes_16, %scales_17, %54, %55 groups %expert_offsets act_block 128 : (tensor<2x128xf8E4M3FN>, tensor<2x1xf8E8M0FNU>, tensor<8x256x128xf4E2M1FN>, tensor<8x256x4xf8E8M0FNU>, tensor<9xi32>) -> tensor<2x256xbf16>
    %57 = v4.param "mtp.0.ffn.shared_experts.w1.weight" : tensor<128x256xf8E4M3FN>
    %58 = v4.param "mtp.0.ffn.shared_experts.w1.scale" : tensor<1x2xf8E8M0FNU>
    %codes_18, %scales_19 = v4.quantize %collapsed_11 block 128 rule ceil : tensor<1x256xbf16> -> tensor<1x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>
    %59 = v4.fp8_matmul %codes_18, %scales_19, %57, %58 block [128, 128] : (tensor<1x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<1x128xbf16>
    %60 = v4.param "mtp.0.ffn.shared_experts.w3.weight" : tensor<128x256xf8E4M3FN>
    %61 = v4.param "mtp.0.ffn.shared_experts.w3.scale" : tensor<1x2xf8E8M0FNU>
    %codes_20, %scales_21 = v4.quantize %collapsed_11 block 128 rule ceil : tensor<1x256xbf16> -> tensor<1x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>
    %62 = v4.fp8_matmul %codes_20, %scales_21, %60, %61 block [128, 128] : (tensor<1x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<1x128xbf16>
    %63 = v4.swiglu %59, %62 limit 1.000000e+01 : tensor<1x128xbf16> -> tensor<1x128xbf16>
    %64 = v4.param "mtp.0.ffn.shared_experts.w2.weight" : tensor<256x128xf8E4M3FN>
    %65 = v4.param "mtp.0.ffn.shared_experts.w2.scale" : tensor<2x1xf8E8M0FNU>
    %codes_22, %scales_23 = v4.quantize %63 block 128 rule ceil : tensor<1x128xbf16> -> tensor<1x128xf8E4M3FN>, tensor<1x1xf8E8M0FNU>
    %66 = v4.fp8_matmul %codes_22, %scales_23, %64, %65 block [128, 128] : (tensor<1x128xf8E4M3FN>, tensor<1x1xf8E8M0FNU>, tensor<256x128xf8E4M3FN>, tensor<2x1xf8E8M0FNU>) -> tensor<1x256xbf16>
    %67 = v4.moe_combine %56, %permutation shared %66 : (tensor<2x256xbf16>, tensor<2xi32>, tensor<1x256xbf16>) -> tensor<1x256xbf16>
    %expanded_24 = tensor.expand_shape %67 [[0, 1], [2]] output_shape [1, 1, 256] : tensor<1x256xbf16> into tensor<1x1x256xbf16>
    %68 = v4.hc_post %expanded_24, %36, %post_9, %comb_10 : tensor<1x1x256xbf16>, tensor<1x1x4x256xbf16>, tensor<1x1x4xf32>, tensor<1x1x4x4xf32>
    return %68, %22 : tensor<1x1x4x256xbf16>, !v4.window<batch = 1, rows = 16, dim = 128, element = bf16>
  }
}
