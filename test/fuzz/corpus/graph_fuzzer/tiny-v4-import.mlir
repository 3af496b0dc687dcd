#map = affine_map<(d0, d1, d2) -> (d0, d2)>
#map1 = affine_map<(d0, d1, d2) -> (d1, d2)>
#map2 = affine_map<(d0, d1, d2) -> (d0, d1)>
#map3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
module attributes {v4.model = {bos_token_id = 0 : i64, dim = 256 : i64, eos_token_id = 1 : i64, max_batch = 2 : i64, max_seq_len = 128 : i64, n_layers = 3 : i64, n_mtp_layers = 1 : i64, source = "examples/tiny-v4/config.json", vocab_size = 512 : i64, window_size = 16 : i64}} {
  func.func @prefill(%arg0: tensor<?xi32> {v4.input = "tokens"}, %arg1: index {v4.input = "start_pos"}, %arg2: index {v4.input = "slot"}, %arg3: !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.0.window"}, %arg4: !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.1.window"}, %arg5: !v4.compressed<batch = 2, ratio = 4, capacity = 32, dim = 128, element = bf16> {v4.cache = "layers.1.compressed"}, %arg6: !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128> {v4.cache = "layers.1.compressor_state"}, %arg7: !v4.indexer_keys<batch = 2, capacity = 32, dim = 128, element = bf16> {v4.cache = "layers.1.indexer_keys"}, %arg8: !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128> {v4.cache = "layers.1.indexer_state"}, %arg9: !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.2.window"}, %arg10: !v4.compressed<batch = 2, ratio = 16, capacity = 8, dim = 128, element = bf16> {v4.cache = "layers.2.compressed"}, %arg11: !v4.compressor_state<batch = 2, ratio = 16, coff = 1, dim = 128> {v4.cache = "layers.2.compressor_state"}) -> (tensor<1x512xf32> {v4.output = "logits"}, tensor<1x?x4x256xbf16> {v4.output = "hidden"}, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.0.window"}, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.1.window"}, !v4.compressed<batch = 2, ratio = 4, capacity = 32, dim = 128, element = bf16> {v4.cache = "layers.1.compressed"}, !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128> {v4.cache = "layers.1.compressor_state"}, !v4.indexer_keys<batch = 2, capacity = 32, dim = 128, element = bf16> {v4.cache = "layers.1.indexer_keys"}, !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128> {v4.cache = "layers.1.indexer_state"}, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.2.window"}, !v4.compressed<batch = 2, ratio = 16, capacity = 8, dim = 128, element = bf16> {v4.cache = "layers.2.compressed"}, !v4.compressor_state<batch = 2, ratio = 16, coff = 1, dim = 128> {v4.cache = "layers.2.compressor_state"}) attributes {v4.phase = "prefill"} {
    %c2 = arith.constant 2 : index
    %0 = arith.cmpi ult, %arg2, %c2 : index
    cf.assert %0, "slot must be below the caches' batch (max_batch)"
    %1 = arith.index_cast %arg1 : index to i32
    %from_elements = tensor.from_elements %1 : tensor<1xi32>
    %2 = arith.index_cast %arg2 : index to i32
    %from_elements_0 = tensor.from_elements %2 : tensor<1xi32>
    %c0 = arith.constant 0 : index
    %dim = tensor.dim %arg0, %c0 : tensor<?xi32>
    %3 = v4.param "embed.weight" : tensor<512x256xbf16>
    %c0_1 = arith.constant 0 : index
    %dim_2 = tensor.dim %arg0, %c0_1 : tensor<?xi32>
    %expanded = tensor.expand_shape %arg0 [[0, 1]] output_shape [%dim_2, 1] : tensor<?xi32> into tensor<?x1xi32>
    %gather = tensor.gather %3[%expanded] gather_dims([0]) : (tensor<512x256xbf16>, tensor<?x1xi32>) -> tensor<?x256xbf16>
    %expanded_3 = tensor.expand_shape %gather [[0, 1], [2]] output_shape [1, %dim, 256] : tensor<?x256xbf16> into tensor<1x?x256xbf16>
    %4 = tensor.empty(%dim) : tensor<1x?x4x256xbf16>
    %broadcasted = linalg.broadcast ins(%expanded_3 : tensor<1x?x256xbf16>) outs(%4 : tensor<1x?x4x256xbf16>) dimensions = [2] 
    %5:2 = call @prefill.layers.0(%broadcasted, %arg0, %from_elements, %from_elements_0, %arg3) : (tensor<1x?x4x256xbf16>, tensor<?xi32>, tensor<1xi32>, tensor<1xi32>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>) -> (tensor<1x?x4x256xbf16>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>)
    %6:6 = call @prefill.layers.1(%5#0, %arg0, %from_elements, %from_elements_0, %arg4, %arg5, %arg6, %arg7, %arg8) : (tensor<1x?x4x256xbf16>, tensor<?xi32>, tensor<1xi32>, tensor<1xi32>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, !v4.compressed<batch = 2, ratio = 4, capacity = 32, dim = 128, element = bf16>, !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128>, !v4.indexer_keys<batch = 2, capacity = 32, dim = 128, element = bf16>, !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128>) -> (tensor<1x?x4x256xbf16>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, !v4.compressed<batch = 2, ratio = 4, capacity = 32, dim = 128, element = bf16>, !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128>, !v4.indexer_keys<batch = 2, capacity = 32, dim = 128, element = bf16>, !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128>)
    %7:4 = call @prefill.layers.2(%6#0, %arg0, %from_elements, %from_elements_0, %arg9, %arg10, %arg11) : (tensor<1x?x4x256xbf16>, tensor<?xi32>, tensor<1xi32>, tensor<1xi32>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, !v4.compressed<batch = 2, ratio = 16, capacity = 8, dim = 128, element = bf16>, !v4.compressor_state<batch = 2, ratio = 16, coff = 1, dim = 128>) -> (tensor<1x?x4x256xbf16>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, !v4.compressed<batch = 2, ratio = 16, capacity = 8, dim = 128, element = bf16>, !v4.compressor_state<batch = 2, ratio = 16, coff = 1, dim = 128>)
    %8 = v4.param "hc_head_fn" : tensor<4x1024xf32>
    %9 = v4.param "hc_head_base" : tensor<4xf32>
    %10 = v4.param "hc_head_scale" : tensor<1xf32>
    %11 = v4.hc_head %7#0, %8, %9, %10 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<1x?x4x256xbf16>, tensor<4x1024xf32>, tensor<4xf32>, tensor<1xf32>) -> tensor<1x?x256xbf16>
    %12 = v4.param "norm.weight" : tensor<256xbf16>
    %13 = v4.rms_norm %11 weight %12 eps 9.9999999999999995E-7 : tensor<1x?x256xbf16>, tensor<256xbf16>
    %c1 = arith.constant 1 : index
    %14 = arith.subi %dim, %c1 : index
    %extracted_slice = tensor.extract_slice %13[0, %14, 0] [1, 1, 256] [1, 1, 1] : tensor<1x?x256xbf16> to tensor<1x256xbf16>
    %15 = v4.param "head.weight" : tensor<512x256xbf16>
    %16 = tensor.empty() : tensor<1x512xf32>
    %cst = arith.constant 0.000000e+00 : f32
    %17 = linalg.fill ins(%cst : f32) outs(%16 : tensor<1x512xf32>) -> tensor<1x512xf32>
    %18 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%extracted_slice, %15 : tensor<1x256xbf16>, tensor<512x256xbf16>) outs(%17 : tensor<1x512xf32>) -> tensor<1x512xf32>
    return %18, %7#0, %5#1, %6#1, %6#2, %6#3, %6#4, %6#5, %7#1, %7#2, %7#3 : tensor<1x512xf32>, tensor<1x?x4x256xbf16>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, !v4.compressed<batch = 2, ratio = 4, capacity = 32, dim = 128, element = bf16>, !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128>, !v4.indexer_keys<batch = 2, capacity = 32, dim = 128, element = bf16>, !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, !v4.compressed<batch = 2, ratio = 16, capacity = 8, dim = 128, element = bf16>, !v4.compressor_state<batch = 2, ratio = 16, coff = 1, dim = 128>
  }
  func.func @decode(%arg0: tensor<?xi32> {v4.input = "tokens"}, %arg1: tensor<?xi32> {v4.input = "positions"}, %arg2: tensor<?xi32> {v4.input = "slots"}, %arg3: !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.0.window"}, %arg4: !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.1.window"}, %arg5: !v4.compressed<batch = 2, ratio = 4, capacity = 32, dim = 128, element = bf16> {v4.cache = "layers.1.compressed"}, %arg6: !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128> {v4.cache = "layers.1.compressor_state"}, %arg7: !v4.indexer_keys<batch = 2, capacity = 32, dim = 128, element = bf16> {v4.cache = "layers.1.indexer_keys"}, %arg8: !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128> {v4.cache = "layers.1.indexer_state"}, %arg9: !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.2.window"}, %arg10: !v4.compressed<batch = 2, ratio = 16, capacity = 8, dim = 128, element = bf16> {v4.cache = "layers.2.compressed"}, %arg11: !v4.compressor_state<batch = 2, ratio = 16, coff = 1, dim = 128> {v4.cache = "layers.2.compressor_state"}) -> (tensor<?x512xf32> {v4.output = "logits"}, tensor<?x1x4x256xbf16> {v4.output = "hidden"}, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.0.window"}, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.1.window"}, !v4.compressed<batch = 2, ratio = 4, capacity = 32, dim = 128, element = bf16> {v4.cache = "layers.1.compressed"}, !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128> {v4.cache = "layers.1.compressor_state"}, !v4.indexer_keys<batch = 2, capacity = 32, dim = 128, element = bf16> {v4.cache = "layers.1.indexer_keys"}, !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128> {v4.cache = "layers.1.indexer_state"}, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.2.window"}, !v4.compressed<batch = 2, ratio = 16, capacity = 8, dim = 128, element = bf16> {v4.cache = "layers.2.compressed"}, !v4.compressor_state<batch = 2, ratio = 16, coff = 1, dim = 128> {v4.cache = "layers.2.compressor_state"}) attributes {v4.phase = "decode"} {
    %c2 = arith.constant 2 : index
    %c0 = arith.constant 0 : index
    %dim = tensor.dim %arg0, %c0 : tensor<?xi32>
    %c0_0 = arith.constant 0 : index
    %dim_1 = tensor.dim %arg1, %c0_0 : tensor<?xi32>
    %0 = arith.cmpi eq, %dim_1, %dim : index
    cf.assert %0, "one position per token (batch row) expected"
    %c0_2 = arith.constant 0 : index
    %dim_3 = tensor.dim %arg2, %c0_2 : tensor<?xi32>
    %1 = arith.cmpi eq, %dim_3, %dim : index
    cf.assert %1, "one cache slot per token (batch row) expected"
    %2 = arith.cmpi ule, %dim, %c2 : index
    cf.assert %2, "more sequences than cache slots (max_batch)"
    %c0_4 = arith.constant 0 : index
    %dim_5 = tensor.dim %arg0, %c0_4 : tensor<?xi32>
    %3 = v4.param "embed.weight" : tensor<512x256xbf16>
    %c0_6 = arith.constant 0 : index
    %dim_7 = tensor.dim %arg0, %c0_6 : tensor<?xi32>
    %expanded = tensor.expand_shape %arg0 [[0, 1]] output_shape [%dim_7, 1] : tensor<?xi32> into tensor<?x1xi32>
    %gather = tensor.gather %3[%expanded] gather_dims([0]) : (tensor<512x256xbf16>, tensor<?x1xi32>) -> tensor<?x256xbf16>
    %expanded_8 = tensor.expand_shape %gather [[0, 1], [2]] output_shape [%dim_5, 1, 256] : tensor<?x256xbf16> into tensor<?x1x256xbf16>
    %4 = tensor.empty(%dim_5) : tensor<?x1x4x256xbf16>
    %broadcasted = linalg.broadcast ins(%expanded_8 : tensor<?x1x256xbf16>) outs(%4 : tensor<?x1x4x256xbf16>) dimensions = [2] 
    %5:2 = call @decode.layers.0(%broadcasted, %arg0, %arg1, %arg2, %arg3) : (tensor<?x1x4x256xbf16>, tensor<?xi32>, tensor<?xi32>, tensor<?xi32>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>) -> (tensor<?x1x4x256xbf16>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>)
    %6:6 = call @decode.layers.1(%5#0, %arg0, %arg1, %arg2, %arg4, %arg5, %arg6, %arg7, %arg8) : (tensor<?x1x4x256xbf16>, tensor<?xi32>, tensor<?xi32>, tensor<?xi32>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, !v4.compressed<batch = 2, ratio = 4, capacity = 32, dim = 128, element = bf16>, !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128>, !v4.indexer_keys<batch = 2, capacity = 32, dim = 128, element = bf16>, !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128>) -> (tensor<?x1x4x256xbf16>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, !v4.compressed<batch = 2, ratio = 4, capacity = 32, dim = 128, element = bf16>, !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128>, !v4.indexer_keys<batch = 2, capacity = 32, dim = 128, element = bf16>, !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128>)
    %7:4 = call @decode.layers.2(%6#0, %arg0, %arg1, %arg2, %arg9, %arg10, %arg11) : (tensor<?x1x4x256xbf16>, tensor<?xi32>, tensor<?xi32>, tensor<?xi32>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, !v4.compressed<batch = 2, ratio = 16, capacity = 8, dim = 128, element = bf16>, !v4.compressor_state<batch = 2, ratio = 16, coff = 1, dim = 128>) -> (tensor<?x1x4x256xbf16>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, !v4.compressed<batch = 2, ratio = 16, capacity = 8, dim = 128, element = bf16>, !v4.compressor_state<batch = 2, ratio = 16, coff = 1, dim = 128>)
    %8 = v4.param "hc_head_fn" : tensor<4x1024xf32>
    %9 = v4.param "hc_head_base" : tensor<4xf32>
    %10 = v4.param "hc_head_scale" : tensor<1xf32>
    %11 = v4.hc_head %7#0, %8, %9, %10 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<?x1x4x256xbf16>, tensor<4x1024xf32>, tensor<4xf32>, tensor<1xf32>) -> tensor<?x1x256xbf16>
    %12 = v4.param "norm.weight" : tensor<256xbf16>
    %13 = v4.rms_norm %11 weight %12 eps 9.9999999999999995E-7 : tensor<?x1x256xbf16>, tensor<256xbf16>
    %c1 = arith.constant 1 : index
    %c1_9 = arith.constant 1 : index
    %14 = arith.subi %c1_9, %c1 : index
    %extracted_slice = tensor.extract_slice %13[0, %14, 0] [%dim_5, 1, 256] [1, 1, 1] : tensor<?x1x256xbf16> to tensor<?x256xbf16>
    %15 = v4.param "head.weight" : tensor<512x256xbf16>
    %c0_10 = arith.constant 0 : index
    %dim_11 = tensor.dim %extracted_slice, %c0_10 : tensor<?x256xbf16>
    %c0_12 = arith.constant 0 : index
    %dim_13 = tensor.dim %extracted_slice, %c0_12 : tensor<?x256xbf16>
    %16 = tensor.empty(%dim_13) : tensor<?x512xf32>
    %cst = arith.constant 0.000000e+00 : f32
    %17 = linalg.fill ins(%cst : f32) outs(%16 : tensor<?x512xf32>) -> tensor<?x512xf32>
    %18 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%extracted_slice, %15 : tensor<?x256xbf16>, tensor<512x256xbf16>) outs(%17 : tensor<?x512xf32>) -> tensor<?x512xf32>
    return %18, %7#0, %5#1, %6#1, %6#2, %6#3, %6#4, %6#5, %7#1, %7#2, %7#3 : tensor<?x512xf32>, tensor<?x1x4x256xbf16>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, !v4.compressed<batch = 2, ratio = 4, capacity = 32, dim = 128, element = bf16>, !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128>, !v4.indexer_keys<batch = 2, capacity = 32, dim = 128, element = bf16>, !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, !v4.compressed<batch = 2, ratio = 16, capacity = 8, dim = 128, element = bf16>, !v4.compressor_state<batch = 2, ratio = 16, coff = 1, dim = 128>
  }
  func.func @mtp(%arg0: tensor<1x?x4x256xbf16> {v4.input = "hidden"}, %arg1: tensor<?xi32> {v4.input = "next_tokens"}, %arg2: index {v4.input = "start_pos"}, %arg3: index {v4.input = "slot"}, %arg4: !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "mtp.0.window"}) -> (tensor<1x512xf32> {v4.output = "logits"}, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "mtp.0.window"}) attributes {v4.block = 3 : i64, v4.phase = "prefill"} {
    %c2 = arith.constant 2 : index
    %0 = arith.cmpi ult, %arg3, %c2 : index
    cf.assert %0, "slot must be below the caches' batch (max_batch)"
    %1 = arith.index_cast %arg2 : index to i32
    %from_elements = tensor.from_elements %1 : tensor<1xi32>
    %2 = arith.index_cast %arg3 : index to i32
    %from_elements_0 = tensor.from_elements %2 : tensor<1xi32>
    %c0 = arith.constant 0 : index
    %dim = tensor.dim %arg1, %c0 : tensor<?xi32>
    %3 = v4.param "embed.weight" : tensor<512x256xbf16>
    %c0_1 = arith.constant 0 : index
    %dim_2 = tensor.dim %arg1, %c0_1 : tensor<?xi32>
    %expanded = tensor.expand_shape %arg1 [[0, 1]] output_shape [%dim_2, 1] : tensor<?xi32> into tensor<?x1xi32>
    %gather = tensor.gather %3[%expanded] gather_dims([0]) : (tensor<512x256xbf16>, tensor<?x1xi32>) -> tensor<?x256xbf16>
    %expanded_3 = tensor.expand_shape %gather [[0, 1], [2]] output_shape [1, %dim, 256] : tensor<?x256xbf16> into tensor<1x?x256xbf16>
    %4 = v4.param "mtp.0.enorm.weight" : tensor<256xbf16>
    %5 = v4.rms_norm %expanded_3 weight %4 eps 9.9999999999999995E-7 : tensor<1x?x256xbf16>, tensor<256xbf16>
    %6 = v4.param "mtp.0.hnorm.weight" : tensor<256xbf16>
    %7 = v4.rms_norm %arg0 weight %6 eps 9.9999999999999995E-7 : tensor<1x?x4x256xbf16>, tensor<256xbf16>
    %8 = v4.param "mtp.0.e_proj.weight" : tensor<256x256xf8E4M3FN>
    %9 = v4.param "mtp.0.e_proj.scale" : tensor<2x2xf8E8M0FNU>
    %codes, %scales = v4.quantize %5 block 128 rule ceil : tensor<1x?x256xbf16> -> tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>
    %10 = v4.fp8_matmul %codes, %scales, %8, %9 block [128, 128] : (tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>, tensor<256x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>) -> tensor<1x?x256xbf16>
    %11 = v4.param "mtp.0.h_proj.weight" : tensor<256x256xf8E4M3FN>
    %12 = v4.param "mtp.0.h_proj.scale" : tensor<2x2xf8E8M0FNU>
    %codes_4, %scales_5 = v4.quantize %7 block 128 rule ceil : tensor<1x?x4x256xbf16> -> tensor<1x?x4x256xf8E4M3FN>, tensor<1x?x4x2xf8E8M0FNU>
    %13 = v4.fp8_matmul %codes_4, %scales_5, %11, %12 block [128, 128] : (tensor<1x?x4x256xf8E4M3FN>, tensor<1x?x4x2xf8E8M0FNU>, tensor<256x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>) -> tensor<1x?x4x256xbf16>
    %14 = tensor.empty(%dim) : tensor<1x?x4x256xbf16>
    %broadcasted = linalg.broadcast ins(%10 : tensor<1x?x256xbf16>) outs(%14 : tensor<1x?x4x256xbf16>) dimensions = [2] 
    %15 = arith.addf %broadcasted, %13 : tensor<1x?x4x256xbf16>
    %16:2 = call @prefill.mtp.0(%15, %arg1, %from_elements, %from_elements_0, %arg4) : (tensor<1x?x4x256xbf16>, tensor<?xi32>, tensor<1xi32>, tensor<1xi32>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>) -> (tensor<1x?x4x256xbf16>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>)
    %17 = v4.param "mtp.0.hc_head_fn" : tensor<4x1024xf32>
    %18 = v4.param "mtp.0.hc_head_base" : tensor<4xf32>
    %19 = v4.param "mtp.0.hc_head_scale" : tensor<1xf32>
    %20 = v4.hc_head %16#0, %17, %18, %19 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<1x?x4x256xbf16>, tensor<4x1024xf32>, tensor<4xf32>, tensor<1xf32>) -> tensor<1x?x256xbf16>
    %21 = v4.param "mtp.0.norm.weight" : tensor<256xbf16>
    %22 = v4.rms_norm %20 weight %21 eps 9.9999999999999995E-7 : tensor<1x?x256xbf16>, tensor<256xbf16>
    %c1 = arith.constant 1 : index
    %23 = arith.subi %dim, %c1 : index
    %extracted_slice = tensor.extract_slice %22[0, %23, 0] [1, 1, 256] [1, 1, 1] : tensor<1x?x256xbf16> to tensor<1x256xbf16>
    %24 = v4.param "head.weight" : tensor<512x256xbf16>
    %25 = tensor.empty() : tensor<1x512xf32>
    %cst = arith.constant 0.000000e+00 : f32
    %26 = linalg.fill ins(%cst : f32) outs(%25 : tensor<1x512xf32>) -> tensor<1x512xf32>
    %27 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%extracted_slice, %24 : tensor<1x256xbf16>, tensor<512x256xbf16>) outs(%26 : tensor<1x512xf32>) -> tensor<1x512xf32>
    return %27, %16#1 : tensor<1x512xf32>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>
  }
  func.func @mtp_decode(%arg0: tensor<?x1x4x256xbf16> {v4.input = "hidden"}, %arg1: tensor<?xi32> {v4.input = "next_tokens"}, %arg2: tensor<?xi32> {v4.input = "positions"}, %arg3: tensor<?xi32> {v4.input = "slots"}, %arg4: !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "mtp.0.window"}) -> (tensor<?x512xf32> {v4.output = "logits"}, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "mtp.0.window"}) attributes {v4.block = 3 : i64, v4.phase = "decode"} {
    %c2 = arith.constant 2 : index
    %c0 = arith.constant 0 : index
    %dim = tensor.dim %arg1, %c0 : tensor<?xi32>
    %c0_0 = arith.constant 0 : index
    %dim_1 = tensor.dim %arg2, %c0_0 : tensor<?xi32>
    %0 = arith.cmpi eq, %dim_1, %dim : index
    cf.assert %0, "one position per token (batch row) expected"
    %c0_2 = arith.constant 0 : index
    %dim_3 = tensor.dim %arg3, %c0_2 : tensor<?xi32>
    %1 = arith.cmpi eq, %dim_3, %dim : index
    cf.assert %1, "one cache slot per token (batch row) expected"
    %2 = arith.cmpi ule, %dim, %c2 : index
    cf.assert %2, "more sequences than cache slots (max_batch)"
    %c0_4 = arith.constant 0 : index
    %dim_5 = tensor.dim %arg1, %c0_4 : tensor<?xi32>
    %3 = v4.param "embed.weight" : tensor<512x256xbf16>
    %c0_6 = arith.constant 0 : index
    %dim_7 = tensor.dim %arg1, %c0_6 : tensor<?xi32>
    %expanded = tensor.expand_shape %arg1 [[0, 1]] output_shape [%dim_7, 1] : tensor<?xi32> into tensor<?x1xi32>
    %gather = tensor.gather %3[%expanded] gather_dims([0]) : (tensor<512x256xbf16>, tensor<?x1xi32>) -> tensor<?x256xbf16>
    %expanded_8 = tensor.expand_shape %gather [[0, 1], [2]] output_shape [%dim_5, 1, 256] : tensor<?x256xbf16> into tensor<?x1x256xbf16>
    %4 = v4.param "mtp.0.enorm.weight" : tensor<256xbf16>
    %5 = v4.rms_norm %expanded_8 weight %4 eps 9.9999999999999995E-7 : tensor<?x1x256xbf16>, tensor<256xbf16>
    %6 = v4.param "mtp.0.hnorm.weight" : tensor<256xbf16>
    %7 = v4.rms_norm %arg0 weight %6 eps 9.9999999999999995E-7 : tensor<?x1x4x256xbf16>, tensor<256xbf16>
    %8 = v4.param "mtp.0.e_proj.weight" : tensor<256x256xf8E4M3FN>
    %9 = v4.param "mtp.0.e_proj.scale" : tensor<2x2xf8E8M0FNU>
    %codes, %scales = v4.quantize %5 block 128 rule ceil : tensor<?x1x256xbf16> -> tensor<?x1x256xf8E4M3FN>, tensor<?x1x2xf8E8M0FNU>
    %10 = v4.fp8_matmul %codes, %scales, %8, %9 block [128, 128] : (tensor<?x1x256xf8E4M3FN>, tensor<?x1x2xf8E8M0FNU>, tensor<256x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>) -> tensor<?x1x256xbf16>
    %11 = v4.param "mtp.0.h_proj.weight" : tensor<256x256xf8E4M3FN>
    %12 = v4.param "mtp.0.h_proj.scale" : tensor<2x2xf8E8M0FNU>
    %codes_9, %scales_10 = v4.quantize %7 block 128 rule ceil : tensor<?x1x4x256xbf16> -> tensor<?x1x4x256xf8E4M3FN>, tensor<?x1x4x2xf8E8M0FNU>
    %13 = v4.fp8_matmul %codes_9, %scales_10, %11, %12 block [128, 128] : (tensor<?x1x4x256xf8E4M3FN>, tensor<?x1x4x2xf8E8M0FNU>, tensor<256x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>) -> tensor<?x1x4x256xbf16>
    %14 = tensor.empty(%dim_5) : tensor<?x1x4x256xbf16>
    %broadcasted = linalg.broadcast ins(%10 : tensor<?x1x256xbf16>) outs(%14 : tensor<?x1x4x256xbf16>) dimensions = [2] 
    %15 = arith.addf %broadcasted, %13 : tensor<?x1x4x256xbf16>
    %16:2 = call @decode.mtp.0(%15, %arg1, %arg2, %arg3, %arg4) : (tensor<?x1x4x256xbf16>, tensor<?xi32>, tensor<?xi32>, tensor<?xi32>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>) -> (tensor<?x1x4x256xbf16>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>)
    %17 = v4.param "mtp.0.hc_head_fn" : tensor<4x1024xf32>
    %18 = v4.param "mtp.0.hc_head_base" : tensor<4xf32>
    %19 = v4.param "mtp.0.hc_head_scale" : tensor<1xf32>
    %20 = v4.hc_head %16#0, %17, %18, %19 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<?x1x4x256xbf16>, tensor<4x1024xf32>, tensor<4xf32>, tensor<1xf32>) -> tensor<?x1x256xbf16>
    %21 = v4.param "mtp.0.norm.weight" : tensor<256xbf16>
    %22 = v4.rms_norm %20 weight %21 eps 9.9999999999999995E-7 : tensor<?x1x256xbf16>, tensor<256xbf16>
    %c1 = arith.constant 1 : index
    %c1_11 = arith.constant 1 : index
    %23 = arith.subi %c1_11, %c1 : index
    %extracted_slice = tensor.extract_slice %22[0, %23, 0] [%dim_5, 1, 256] [1, 1, 1] : tensor<?x1x256xbf16> to tensor<?x256xbf16>
    %24 = v4.param "head.weight" : tensor<512x256xbf16>
    %c0_12 = arith.constant 0 : index
    %dim_13 = tensor.dim %extracted_slice, %c0_12 : tensor<?x256xbf16>
    %c0_14 = arith.constant 0 : index
    %dim_15 = tensor.dim %extracted_slice, %c0_14 : tensor<?x256xbf16>
    %25 = tensor.empty(%dim_15) : tensor<?x512xf32>
    %cst = arith.constant 0.000000e+00 : f32
    %26 = linalg.fill ins(%cst : f32) outs(%25 : tensor<?x512xf32>) -> tensor<?x512xf32>
    %27 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%extracted_slice, %24 : tensor<?x256xbf16>, tensor<512x256xbf16>) outs(%26 : tensor<?x512xf32>) -> tensor<?x512xf32>
    return %27, %16#1 : tensor<?x512xf32>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>
  }
  func.func private @prefill.layers.0(%arg0: tensor<1x?x4x256xbf16>, %arg1: tensor<?xi32>, %arg2: tensor<1xi32>, %arg3: tensor<1xi32>, %arg4: !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.0.window"}) -> (tensor<1x?x4x256xbf16>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.0.window"}) attributes {v4.attention = "swa", v4.block = 0 : i64, v4.moe = "hash", v4.ratio = 0 : i64} {
    %c0 = arith.constant 0 : index
    %dim = tensor.dim %arg1, %c0 : tensor<?xi32>
    %0 = v4.param "layers.0.hc_attn_fn" : tensor<24x1024xf32>
    %1 = v4.param "layers.0.hc_attn_base" : tensor<24xf32>
    %2 = v4.param "layers.0.hc_attn_scale" : tensor<3xf32>
    %output, %post, %comb = v4.hc_pre %arg0, %0, %1, %2 iters 20 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<1x?x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x?x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>)
    %3 = v4.param "layers.0.attn_norm.weight" : tensor<256xbf16>
    %4 = v4.rms_norm %output weight %3 eps 9.9999999999999995E-7 : tensor<1x?x256xbf16>, tensor<256xbf16>
    %generated = tensor.generate %dim {
    ^bb0(%arg5: index, %arg6: index):
      %extracted = tensor.extract %arg2[%arg5] : tensor<1xi32>
      %70 = arith.index_cast %extracted : i32 to index
      %71 = arith.addi %70, %arg6 : index
      %72 = arith.index_cast %71 : index to i32
      tensor.yield %72 : i32
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
    %22 = v4.cache_read %arg4 slots %arg3 : !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, tensor<1xi32> -> tensor<1x16x128xbf16>
    %concat = tensor.concat dim(1) %22, %inserted_slice : (tensor<1x16x128xbf16>, tensor<1x?x128xbf16>) -> tensor<1x?x128xbf16>
    %23 = v4.window_indices %arg2 rows %dim window 16 layout ring_chunk : tensor<1xi32> -> tensor<1x?x16xi32>
    %24 = v4.window_append %arg4, %inserted_slice at %arg2 slots %arg3 : !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, tensor<1x?x128xbf16>, tensor<1xi32>, tensor<1xi32>
    %25 = v4.param "layers.0.attn.attn_sink" : tensor<4xf32>
    %26 = v4.sparse_attention %14, %concat[%23], %25 scale 0.088388347648318433 : tensor<1x?x4x128xbf16>, tensor<1x?x128xbf16>, tensor<1x?x16xi32>, tensor<4xf32>
    %27 = v4.rope %26, %generated <base = 1.000000e+04, rope_dim = 64, factor = 1.000000e+00, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> inverse : tensor<1x?x4x128xbf16>, tensor<1x?xi32>
    %28 = v4.param "layers.0.attn.wo_a.weight" : tensor<256x256xf8E4M3FN>
    %29 = v4.param "layers.0.attn.wo_a.scale" : tensor<2x2xf8E8M0FNU>
    %30 = tensor.empty() : tensor<2x128x2xf8E8M0FNU>
    %broadcasted = linalg.broadcast ins(%29 : tensor<2x2xf8E8M0FNU>) outs(%30 : tensor<2x128x2xf8E8M0FNU>) dimensions = [1] 
    %collapsed = tensor.collapse_shape %broadcasted [[0, 1], [2]] : tensor<2x128x2xf8E8M0FNU> into tensor<256x2xf8E8M0FNU>
    %31 = v4.dequantize %28, %collapsed block 128 : tensor<256x256xf8E4M3FN>, tensor<256x2xf8E8M0FNU> -> tensor<256x256xbf16>
    %expanded_5 = tensor.expand_shape %31 [[0, 1], [2]] output_shape [2, 128, 256] : tensor<256x256xbf16> into tensor<2x128x256xbf16>
    %32 = v4.grouped_linear %27, %expanded_5 groups 2 : tensor<1x?x4x128xbf16>, tensor<2x128x256xbf16> -> tensor<1x?x2x128xbf16>
    %collapsed_6 = tensor.collapse_shape %32 [[0], [1], [2, 3]] : tensor<1x?x2x128xbf16> into tensor<1x?x256xbf16>
    %33 = v4.param "layers.0.attn.wo_b.weight" : tensor<256x256xf8E4M3FN>
    %34 = v4.param "layers.0.attn.wo_b.scale" : tensor<2x2xf8E8M0FNU>
    %codes_7, %scales_8 = v4.quantize %collapsed_6 block 128 rule ceil : tensor<1x?x256xbf16> -> tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>
    %35 = v4.fp8_matmul %codes_7, %scales_8, %33, %34 block [128, 128] : (tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>, tensor<256x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>) -> tensor<1x?x256xbf16>
    %36 = v4.hc_post %35, %arg0, %post, %comb : tensor<1x?x256xbf16>, tensor<1x?x4x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>
    %37 = v4.param "layers.0.hc_ffn_fn" : tensor<24x1024xf32>
    %38 = v4.param "layers.0.hc_ffn_base" : tensor<24xf32>
    %39 = v4.param "layers.0.hc_ffn_scale" : tensor<3xf32>
    %output_9, %post_10, %comb_11 = v4.hc_pre %36, %37, %38, %39 iters 20 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<1x?x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x?x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>)
    %40 = v4.param "layers.0.ffn_norm.weight" : tensor<256xbf16>
    %41 = v4.rms_norm %output_9 weight %40 eps 9.9999999999999995E-7 : tensor<1x?x256xbf16>, tensor<256xbf16>
    %collapsed_12 = tensor.collapse_shape %41 [[0, 1], [2]] : tensor<1x?x256xbf16> into tensor<?x256xbf16>
    %42 = v4.param "layers.0.ffn.gate.weight" : tensor<8x256xbf16>
    %c0_13 = arith.constant 0 : index
    %dim_14 = tensor.dim %collapsed_12, %c0_13 : tensor<?x256xbf16>
    %c0_15 = arith.constant 0 : index
    %dim_16 = tensor.dim %collapsed_12, %c0_15 : tensor<?x256xbf16>
    %43 = tensor.empty(%dim_16) : tensor<?x8xf32>
    %cst = arith.constant 0.000000e+00 : f32
    %44 = linalg.fill ins(%cst : f32) outs(%43 : tensor<?x8xf32>) -> tensor<?x8xf32>
    %45 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_12, %42 : tensor<?x256xbf16>, tensor<8x256xbf16>) outs(%44 : tensor<?x8xf32>) -> tensor<?x8xf32>
    %46 = v4.param "layers.0.ffn.gate.tid2eid" : tensor<512x2xi64>
    %47 = arith.trunci %46 : tensor<512x2xi64> to tensor<512x2xi32>
    %weights, %experts = v4.moe_hash_route %45, %arg1, %47 route_scale 1.500000e+00 normalize : tensor<?x8xf32>, tensor<?xi32>, tensor<512x2xi32> -> tensor<?x2xf32>, tensor<?x2xi32>
    %rows, %row_weights, %permutation, %expert_offsets = v4.moe_dispatch %collapsed_12, %experts, %weights num_experts 8 : (tensor<?x256xbf16>, tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<?x256xbf16>, tensor<?xf32>, tensor<?xi32>, tensor<9xi32>)
    %codes_17, %scales_18 = v4.quantize %rows block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %48 = v4.param "layers.0.ffn.experts.*.w1.weight" : tensor<8x128x256xf4E2M1FN>
    %49 = v4.param "layers.0.ffn.experts.*.w1.scale" : tensor<8x128x8xf8E8M0FNU>
    %50 = v4.mxfp4_matmul %codes_17, %scales_18, %48, %49 groups %expert_offsets act_block 128 : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x128xbf16>
    %codes_19, %scales_20 = v4.quantize %rows block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %51 = v4.param "layers.0.ffn.experts.*.w3.weight" : tensor<8x128x256xf4E2M1FN>
    %52 = v4.param "layers.0.ffn.experts.*.w3.scale" : tensor<8x128x8xf8E8M0FNU>
    %53 = v4.mxfp4_matmul %codes_19, %scales_20, %51, %52 groups %expert_offsets act_block 128 : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x128xbf16>
    %54 = v4.swiglu %50, %53 weights %row_weights limit 1.000000e+01 : tensor<?x128xbf16>, tensor<?xf32> -> tensor<?x128xbf16>
    %codes_21, %scales_22 = v4.quantize %54 block 128 rule ceil : tensor<?x128xbf16> -> tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>
    %55 = v4.param "layers.0.ffn.experts.*.w2.weight" : tensor<8x256x128xf4E2M1FN>
    %56 = v4.param "layers.0.ffn.experts.*.w2.scale" : tensor<8x256x4xf8E8M0FNU>
    %57 = v4.mxfp4_matmul %codes_21, %scales_22, %55, %56 groups %expert_offsets act_block 128 : (tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>, tensor<8x256x128xf4E2M1FN>, tensor<8x256x4xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x256xbf16>
    %58 = v4.param "layers.0.ffn.shared_experts.w1.weight" : tensor<128x256xf8E4M3FN>
    %59 = v4.param "layers.0.ffn.shared_experts.w1.scale" : tensor<1x2xf8E8M0FNU>
    %codes_23, %scales_24 = v4.quantize %collapsed_12 block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %60 = v4.fp8_matmul %codes_23, %scales_24, %58, %59 block [128, 128] : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x128xbf16>
    %61 = v4.param "layers.0.ffn.shared_experts.w3.weight" : tensor<128x256xf8E4M3FN>
    %62 = v4.param "layers.0.ffn.shared_experts.w3.scale" : tensor<1x2xf8E8M0FNU>
    %codes_25, %scales_26 = v4.quantize %collapsed_12 block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %63 = v4.fp8_matmul %codes_25, %scales_26, %61, %62 block [128, 128] : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x128xbf16>
    %64 = v4.swiglu %60, %63 limit 1.000000e+01 : tensor<?x128xbf16> -> tensor<?x128xbf16>
    %65 = v4.param "layers.0.ffn.shared_experts.w2.weight" : tensor<256x128xf8E4M3FN>
    %66 = v4.param "layers.0.ffn.shared_experts.w2.scale" : tensor<2x1xf8E8M0FNU>
    %codes_27, %scales_28 = v4.quantize %64 block 128 rule ceil : tensor<?x128xbf16> -> tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>
    %67 = v4.fp8_matmul %codes_27, %scales_28, %65, %66 block [128, 128] : (tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>, tensor<256x128xf8E4M3FN>, tensor<2x1xf8E8M0FNU>) -> tensor<?x256xbf16>
    %68 = v4.moe_combine %57, %permutation shared %67 : (tensor<?x256xbf16>, tensor<?xi32>, tensor<?x256xbf16>) -> tensor<?x256xbf16>
    %expanded_29 = tensor.expand_shape %68 [[0, 1], [2]] output_shape [1, %dim, 256] : tensor<?x256xbf16> into tensor<1x?x256xbf16>
    %69 = v4.hc_post %expanded_29, %36, %post_10, %comb_11 : tensor<1x?x256xbf16>, tensor<1x?x4x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>
    return %69, %24 : tensor<1x?x4x256xbf16>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>
  }
  func.func private @prefill.layers.1(%arg0: tensor<1x?x4x256xbf16>, %arg1: tensor<?xi32>, %arg2: tensor<1xi32>, %arg3: tensor<1xi32>, %arg4: !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.1.window"}, %arg5: !v4.compressed<batch = 2, ratio = 4, capacity = 32, dim = 128, element = bf16> {v4.cache = "layers.1.compressed"}, %arg6: !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128> {v4.cache = "layers.1.compressor_state"}, %arg7: !v4.indexer_keys<batch = 2, capacity = 32, dim = 128, element = bf16> {v4.cache = "layers.1.indexer_keys"}, %arg8: !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128> {v4.cache = "layers.1.indexer_state"}) -> (tensor<1x?x4x256xbf16>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.1.window"}, !v4.compressed<batch = 2, ratio = 4, capacity = 32, dim = 128, element = bf16> {v4.cache = "layers.1.compressed"}, !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128> {v4.cache = "layers.1.compressor_state"}, !v4.indexer_keys<batch = 2, capacity = 32, dim = 128, element = bf16> {v4.cache = "layers.1.indexer_keys"}, !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128> {v4.cache = "layers.1.indexer_state"}) attributes {v4.attention = "csa", v4.block = 1 : i64, v4.moe = "score", v4.ratio = 4 : i64} {
    %c0 = arith.constant 0 : index
    %dim = tensor.dim %arg1, %c0 : tensor<?xi32>
    %0 = v4.param "layers.1.hc_attn_fn" : tensor<24x1024xf32>
    %1 = v4.param "layers.1.hc_attn_base" : tensor<24xf32>
    %2 = v4.param "layers.1.hc_attn_scale" : tensor<3xf32>
    %output, %post, %comb = v4.hc_pre %arg0, %0, %1, %2 iters 20 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<1x?x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x?x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>)
    %3 = v4.param "layers.1.attn_norm.weight" : tensor<256xbf16>
    %4 = v4.rms_norm %output weight %3 eps 9.9999999999999995E-7 : tensor<1x?x256xbf16>, tensor<256xbf16>
    %generated = tensor.generate %dim {
    ^bb0(%arg9: index, %arg10: index):
      %extracted = tensor.extract %arg2[%arg9] : tensor<1xi32>
      %115 = arith.index_cast %extracted : i32 to index
      %116 = arith.addi %115, %arg10 : index
      %117 = arith.index_cast %116 : index to i32
      tensor.yield %117 : i32
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
    %22 = v4.cache_read %arg4 slots %arg3 : !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, tensor<1xi32> -> tensor<1x16x128xbf16>
    %concat = tensor.concat dim(1) %22, %inserted_slice : (tensor<1x16x128xbf16>, tensor<1x?x128xbf16>) -> tensor<1x?x128xbf16>
    %23 = v4.window_indices %arg2 rows %dim window 16 layout ring_chunk : tensor<1xi32> -> tensor<1x?x16xi32>
    %24 = v4.window_append %arg4, %inserted_slice at %arg2 slots %arg3 : !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, tensor<1x?x128xbf16>, tensor<1xi32>, tensor<1xi32>
    %25 = v4.param "layers.1.attn.attn_sink" : tensor<4xf32>
    %26 = v4.param "layers.1.attn.compressor.wkv.weight" : tensor<256x256xbf16>
    %c1_5 = arith.constant 1 : index
    %dim_6 = tensor.dim %4, %c1_5 : tensor<1x?x256xbf16>
    %collapsed = tensor.collapse_shape %4 [[0, 1], [2]] : tensor<1x?x256xbf16> into tensor<?x256xbf16>
    %c0_7 = arith.constant 0 : index
    %dim_8 = tensor.dim %collapsed, %c0_7 : tensor<?x256xbf16>
    %27 = tensor.empty(%dim_8) : tensor<?x256xf32>
    %cst = arith.constant 0.000000e+00 : f32
    %28 = linalg.fill ins(%cst : f32) outs(%27 : tensor<?x256xf32>) -> tensor<?x256xf32>
    %29 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed, %26 : tensor<?x256xbf16>, tensor<256x256xbf16>) outs(%28 : tensor<?x256xf32>) -> tensor<?x256xf32>
    %expanded_9 = tensor.expand_shape %29 [[0, 1], [2]] output_shape [1, %dim_6, 256] : tensor<?x256xf32> into tensor<1x?x256xf32>
    %30 = v4.param "layers.1.attn.compressor.wgate.weight" : tensor<256x256xbf16>
    %c1_10 = arith.constant 1 : index
    %dim_11 = tensor.dim %4, %c1_10 : tensor<1x?x256xbf16>
    %collapsed_12 = tensor.collapse_shape %4 [[0, 1], [2]] : tensor<1x?x256xbf16> into tensor<?x256xbf16>
    %c0_13 = arith.constant 0 : index
    %dim_14 = tensor.dim %collapsed_12, %c0_13 : tensor<?x256xbf16>
    %31 = tensor.empty(%dim_14) : tensor<?x256xf32>
    %cst_15 = arith.constant 0.000000e+00 : f32
    %32 = linalg.fill ins(%cst_15 : f32) outs(%31 : tensor<?x256xf32>) -> tensor<?x256xf32>
    %33 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_12, %30 : tensor<?x256xbf16>, tensor<256x256xbf16>) outs(%32 : tensor<?x256xf32>) -> tensor<?x256xf32>
    %expanded_16 = tensor.expand_shape %33 [[0, 1], [2]] output_shape [1, %dim_11, 256] : tensor<?x256xf32> into tensor<1x?x256xf32>
    %34 = v4.param "layers.1.attn.compressor.ape" : tensor<4x256xf32>
    %entries, %new_state = v4.compress %expanded_9, %expanded_16, %34, %arg6 at %arg2 slots %arg3 ratio 4 overlap : tensor<1x?x256xf32>, tensor<4x256xf32>, !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128>, tensor<1xi32>, tensor<1xi32> -> tensor<1x?x128xf32>
    %35 = arith.truncf %entries : tensor<1x?x128xf32> to tensor<1x?x128xbf16>
    %36 = v4.param "layers.1.attn.compressor.norm.weight" : tensor<128xbf16>
    %37 = v4.rms_norm %35 weight %36 eps 9.9999999999999995E-7 : tensor<1x?x128xbf16>, tensor<128xbf16>
    %c1_17 = arith.constant 1 : index
    %dim_18 = tensor.dim %37, %c1_17 : tensor<1x?x128xbf16>
    %generated_19 = tensor.generate %dim_18 {
    ^bb0(%arg9: index, %arg10: index):
      %extracted = tensor.extract %arg2[%arg9] : tensor<1xi32>
      %115 = arith.index_cast %extracted : i32 to index
      %c4 = arith.constant 4 : index
      %116 = arith.divui %115, %c4 : index
      %117 = arith.addi %116, %arg10 : index
      %c4_82 = arith.constant 4 : index
      %118 = arith.muli %117, %c4_82 : index
      %119 = arith.index_cast %118 : index to i32
      tensor.yield %119 : i32
    } : tensor<1x?xi32>
    %38 = v4.rope %37, %generated_19 <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<1x?x128xbf16>, tensor<1x?xi32>
    %c1_20 = arith.constant 1 : index
    %dim_21 = tensor.dim %38, %c1_20 : tensor<1x?x128xbf16>
    %extracted_slice_22 = tensor.extract_slice %38[0, 0, 0] [1, %dim_21, 64] [1, 1, 1] : tensor<1x?x128xbf16> to tensor<1x?x64xbf16>
    %39 = v4.simulate_quant %extracted_slice_22 format f8E4M3FN block 64 rule ceil : tensor<1x?x64xbf16>
    %inserted_slice_23 = tensor.insert_slice %39 into %38[0, 0, 0] [1, %dim_21, 64] [1, 1, 1] : tensor<1x?x64xbf16> into tensor<1x?x128xbf16>
    %40 = v4.compressed_append %arg5, %inserted_slice_23 at %arg2 slots %arg3 tokens %dim : !v4.compressed<batch = 2, ratio = 4, capacity = 32, dim = 128, element = bf16>, tensor<1x?x128xbf16>, tensor<1xi32>, tensor<1xi32>
    %41 = v4.param "layers.1.attn.indexer.wq_b.weight" : tensor<512x128xf8E4M3FN>
    %42 = v4.param "layers.1.attn.indexer.wq_b.scale" : tensor<4x1xf8E8M0FNU>
    %codes_24, %scales_25 = v4.quantize %9 block 128 rule ceil : tensor<1x?x128xbf16> -> tensor<1x?x128xf8E4M3FN>, tensor<1x?x1xf8E8M0FNU>
    %43 = v4.fp8_matmul %codes_24, %scales_25, %41, %42 block [128, 128] : (tensor<1x?x128xf8E4M3FN>, tensor<1x?x1xf8E8M0FNU>, tensor<512x128xf8E4M3FN>, tensor<4x1xf8E8M0FNU>) -> tensor<1x?x512xbf16>
    %expanded_26 = tensor.expand_shape %43 [[0], [1], [2, 3]] output_shape [1, %dim, 4, 128] : tensor<1x?x512xbf16> into tensor<1x?x4x128xbf16>
    %44 = v4.rope %expanded_26, %generated <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<1x?x4x128xbf16>, tensor<1x?xi32>
    %45 = v4.hadamard %44 : tensor<1x?x4x128xbf16>
    %46 = v4.simulate_quant %45 format f4E2M1FN block 32 rule ceil : tensor<1x?x4x128xbf16>
    %47 = v4.param "layers.1.attn.indexer.compressor.wkv.weight" : tensor<256x256xbf16>
    %c1_27 = arith.constant 1 : index
    %dim_28 = tensor.dim %4, %c1_27 : tensor<1x?x256xbf16>
    %collapsed_29 = tensor.collapse_shape %4 [[0, 1], [2]] : tensor<1x?x256xbf16> into tensor<?x256xbf16>
    %c0_30 = arith.constant 0 : index
    %dim_31 = tensor.dim %collapsed_29, %c0_30 : tensor<?x256xbf16>
    %48 = tensor.empty(%dim_31) : tensor<?x256xf32>
    %cst_32 = arith.constant 0.000000e+00 : f32
    %49 = linalg.fill ins(%cst_32 : f32) outs(%48 : tensor<?x256xf32>) -> tensor<?x256xf32>
    %50 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_29, %47 : tensor<?x256xbf16>, tensor<256x256xbf16>) outs(%49 : tensor<?x256xf32>) -> tensor<?x256xf32>
    %expanded_33 = tensor.expand_shape %50 [[0, 1], [2]] output_shape [1, %dim_28, 256] : tensor<?x256xf32> into tensor<1x?x256xf32>
    %51 = v4.param "layers.1.attn.indexer.compressor.wgate.weight" : tensor<256x256xbf16>
    %c1_34 = arith.constant 1 : index
    %dim_35 = tensor.dim %4, %c1_34 : tensor<1x?x256xbf16>
    %collapsed_36 = tensor.collapse_shape %4 [[0, 1], [2]] : tensor<1x?x256xbf16> into tensor<?x256xbf16>
    %c0_37 = arith.constant 0 : index
    %dim_38 = tensor.dim %collapsed_36, %c0_37 : tensor<?x256xbf16>
    %52 = tensor.empty(%dim_38) : tensor<?x256xf32>
    %cst_39 = arith.constant 0.000000e+00 : f32
    %53 = linalg.fill ins(%cst_39 : f32) outs(%52 : tensor<?x256xf32>) -> tensor<?x256xf32>
    %54 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_36, %51 : tensor<?x256xbf16>, tensor<256x256xbf16>) outs(%53 : tensor<?x256xf32>) -> tensor<?x256xf32>
    %expanded_40 = tensor.expand_shape %54 [[0, 1], [2]] output_shape [1, %dim_35, 256] : tensor<?x256xf32> into tensor<1x?x256xf32>
    %55 = v4.param "layers.1.attn.indexer.compressor.ape" : tensor<4x256xf32>
    %entries_41, %new_state_42 = v4.compress %expanded_33, %expanded_40, %55, %arg8 at %arg2 slots %arg3 ratio 4 overlap : tensor<1x?x256xf32>, tensor<4x256xf32>, !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128>, tensor<1xi32>, tensor<1xi32> -> tensor<1x?x128xf32>
    %56 = arith.truncf %entries_41 : tensor<1x?x128xf32> to tensor<1x?x128xbf16>
    %57 = v4.param "layers.1.attn.indexer.compressor.norm.weight" : tensor<128xbf16>
    %58 = v4.rms_norm %56 weight %57 eps 9.9999999999999995E-7 : tensor<1x?x128xbf16>, tensor<128xbf16>
    %c1_43 = arith.constant 1 : index
    %dim_44 = tensor.dim %58, %c1_43 : tensor<1x?x128xbf16>
    %generated_45 = tensor.generate %dim_44 {
    ^bb0(%arg9: index, %arg10: index):
      %extracted = tensor.extract %arg2[%arg9] : tensor<1xi32>
      %115 = arith.index_cast %extracted : i32 to index
      %c4 = arith.constant 4 : index
      %116 = arith.divui %115, %c4 : index
      %117 = arith.addi %116, %arg10 : index
      %c4_82 = arith.constant 4 : index
      %118 = arith.muli %117, %c4_82 : index
      %119 = arith.index_cast %118 : index to i32
      tensor.yield %119 : i32
    } : tensor<1x?xi32>
    %59 = v4.rope %58, %generated_45 <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<1x?x128xbf16>, tensor<1x?xi32>
    %60 = v4.hadamard %59 : tensor<1x?x128xbf16>
    %61 = v4.simulate_quant %60 format f4E2M1FN block 32 rule ceil : tensor<1x?x128xbf16>
    %62 = v4.compressed_append %arg7, %61 at %arg2 slots %arg3 tokens %dim : !v4.indexer_keys<batch = 2, capacity = 32, dim = 128, element = bf16>, tensor<1x?x128xbf16>, tensor<1xi32>, tensor<1xi32>
    %63 = v4.param "layers.1.attn.indexer.weights_proj.weight" : tensor<4x256xbf16>
    %c1_46 = arith.constant 1 : index
    %dim_47 = tensor.dim %4, %c1_46 : tensor<1x?x256xbf16>
    %collapsed_48 = tensor.collapse_shape %4 [[0, 1], [2]] : tensor<1x?x256xbf16> into tensor<?x256xbf16>
    %c0_49 = arith.constant 0 : index
    %dim_50 = tensor.dim %collapsed_48, %c0_49 : tensor<?x256xbf16>
    %64 = tensor.empty(%dim_50) : tensor<?x4xf32>
    %cst_51 = arith.constant 0.000000e+00 : f32
    %65 = linalg.fill ins(%cst_51 : f32) outs(%64 : tensor<?x4xf32>) -> tensor<?x4xf32>
    %66 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_48, %63 : tensor<?x256xbf16>, tensor<4x256xbf16>) outs(%65 : tensor<?x4xf32>) -> tensor<?x4xf32>
    %67 = arith.truncf %66 : tensor<?x4xf32> to tensor<?x4xbf16>
    %expanded_52 = tensor.expand_shape %67 [[0, 1], [2]] output_shape [1, %dim_47, 4] : tensor<?x4xbf16> into tensor<1x?x4xbf16>
    %c1_53 = arith.constant 1 : index
    %dim_54 = tensor.dim %expanded_52, %c1_53 : tensor<1x?x4xbf16>
    %68 = tensor.empty(%dim_54) : tensor<1x?x4xbf16>
    %69 = linalg.generic {indexing_maps = [#map3, #map3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded_52 : tensor<1x?x4xbf16>) outs(%68 : tensor<1x?x4xbf16>) {
    ^bb0(%in: bf16, %out: bf16):
      %115 = arith.extf %in : bf16 to f32
      %cst_82 = arith.constant 0.0441941731 : f32
      %116 = arith.mulf %115, %cst_82 : f32
      %117 = arith.truncf %116 : f32 to bf16
      linalg.yield %117 : bf16
    } -> tensor<1x?x4xbf16>
    %70 = v4.indexer_score %46, %62, %69 slots %arg3 : tensor<1x?x4x128xbf16>, !v4.indexer_keys<batch = 2, capacity = 32, dim = 128, element = bf16>, tensor<1x?x4xbf16>, tensor<1xi32> -> tensor<1x?x32xbf16>
    %71 = v4.topk %70 at %arg2 k 4 ratio 4 : tensor<1x?x32xbf16>, tensor<1xi32> -> tensor<1x?x4xi32>
    %72 = v4.sparse_attention %14, %concat[%23], %25 entries %40[%71] slots %arg3 scale 0.088388347648318433 : tensor<1x?x4x128xbf16>, tensor<1x?x128xbf16>, tensor<1x?x16xi32>, tensor<4xf32>, !v4.compressed<batch = 2, ratio = 4, capacity = 32, dim = 128, element = bf16>, tensor<1x?x4xi32>, tensor<1xi32>
    %73 = v4.rope %72, %generated <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> inverse : tensor<1x?x4x128xbf16>, tensor<1x?xi32>
    %74 = v4.param "layers.1.attn.wo_a.weight" : tensor<256x256xf8E4M3FN>
    %75 = v4.param "layers.1.attn.wo_a.scale" : tensor<2x2xf8E8M0FNU>
    %76 = tensor.empty() : tensor<2x128x2xf8E8M0FNU>
    %broadcasted = linalg.broadcast ins(%75 : tensor<2x2xf8E8M0FNU>) outs(%76 : tensor<2x128x2xf8E8M0FNU>) dimensions = [1] 
    %collapsed_55 = tensor.collapse_shape %broadcasted [[0, 1], [2]] : tensor<2x128x2xf8E8M0FNU> into tensor<256x2xf8E8M0FNU>
    %77 = v4.dequantize %74, %collapsed_55 block 128 : tensor<256x256xf8E4M3FN>, tensor<256x2xf8E8M0FNU> -> tensor<256x256xbf16>
    %expanded_56 = tensor.expand_shape %77 [[0, 1], [2]] output_shape [2, 128, 256] : tensor<256x256xbf16> into tensor<2x128x256xbf16>
    %78 = v4.grouped_linear %73, %expanded_56 groups 2 : tensor<1x?x4x128xbf16>, tensor<2x128x256xbf16> -> tensor<1x?x2x128xbf16>
    %collapsed_57 = tensor.collapse_shape %78 [[0], [1], [2, 3]] : tensor<1x?x2x128xbf16> into tensor<1x?x256xbf16>
    %79 = v4.param "layers.1.attn.wo_b.weight" : tensor<256x256xf8E4M3FN>
    %80 = v4.param "layers.1.attn.wo_b.scale" : tensor<2x2xf8E8M0FNU>
    %codes_58, %scales_59 = v4.quantize %collapsed_57 block 128 rule ceil : tensor<1x?x256xbf16> -> tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>
    %81 = v4.fp8_matmul %codes_58, %scales_59, %79, %80 block [128, 128] : (tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>, tensor<256x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>) -> tensor<1x?x256xbf16>
    %82 = v4.hc_post %81, %arg0, %post, %comb : tensor<1x?x256xbf16>, tensor<1x?x4x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>
    %83 = v4.param "layers.1.hc_ffn_fn" : tensor<24x1024xf32>
    %84 = v4.param "layers.1.hc_ffn_base" : tensor<24xf32>
    %85 = v4.param "layers.1.hc_ffn_scale" : tensor<3xf32>
    %output_60, %post_61, %comb_62 = v4.hc_pre %82, %83, %84, %85 iters 20 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<1x?x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x?x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>)
    %86 = v4.param "layers.1.ffn_norm.weight" : tensor<256xbf16>
    %87 = v4.rms_norm %output_60 weight %86 eps 9.9999999999999995E-7 : tensor<1x?x256xbf16>, tensor<256xbf16>
    %collapsed_63 = tensor.collapse_shape %87 [[0, 1], [2]] : tensor<1x?x256xbf16> into tensor<?x256xbf16>
    %88 = v4.param "layers.1.ffn.gate.weight" : tensor<8x256xbf16>
    %c0_64 = arith.constant 0 : index
    %dim_65 = tensor.dim %collapsed_63, %c0_64 : tensor<?x256xbf16>
    %c0_66 = arith.constant 0 : index
    %dim_67 = tensor.dim %collapsed_63, %c0_66 : tensor<?x256xbf16>
    %89 = tensor.empty(%dim_67) : tensor<?x8xf32>
    %cst_68 = arith.constant 0.000000e+00 : f32
    %90 = linalg.fill ins(%cst_68 : f32) outs(%89 : tensor<?x8xf32>) -> tensor<?x8xf32>
    %91 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_63, %88 : tensor<?x256xbf16>, tensor<8x256xbf16>) outs(%90 : tensor<?x8xf32>) -> tensor<?x8xf32>
    %92 = v4.param "layers.1.ffn.gate.bias" : tensor<8xf32>
    %weights, %experts = v4.moe_route %91, %92 k 2 route_scale 1.500000e+00 normalize : tensor<?x8xf32>, tensor<8xf32> -> tensor<?x2xf32>, tensor<?x2xi32>
    %rows, %row_weights, %permutation, %expert_offsets = v4.moe_dispatch %collapsed_63, %experts, %weights num_experts 8 : (tensor<?x256xbf16>, tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<?x256xbf16>, tensor<?xf32>, tensor<?xi32>, tensor<9xi32>)
    %codes_69, %scales_70 = v4.quantize %rows block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %93 = v4.param "layers.1.ffn.experts.*.w1.weight" : tensor<8x128x256xf4E2M1FN>
    %94 = v4.param "layers.1.ffn.experts.*.w1.scale" : tensor<8x128x8xf8E8M0FNU>
    %95 = v4.mxfp4_matmul %codes_69, %scales_70, %93, %94 groups %expert_offsets act_block 128 : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x128xbf16>
    %codes_71, %scales_72 = v4.quantize %rows block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %96 = v4.param "layers.1.ffn.experts.*.w3.weight" : tensor<8x128x256xf4E2M1FN>
    %97 = v4.param "layers.1.ffn.experts.*.w3.scale" : tensor<8x128x8xf8E8M0FNU>
    %98 = v4.mxfp4_matmul %codes_71, %scales_72, %96, %97 groups %expert_offsets act_block 128 : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x128xbf16>
    %99 = v4.swiglu %95, %98 weights %row_weights limit 1.000000e+01 : tensor<?x128xbf16>, tensor<?xf32> -> tensor<?x128xbf16>
    %codes_73, %scales_74 = v4.quantize %99 block 128 rule ceil : tensor<?x128xbf16> -> tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>
    %100 = v4.param "layers.1.ffn.experts.*.w2.weight" : tensor<8x256x128xf4E2M1FN>
    %101 = v4.param "layers.1.ffn.experts.*.w2.scale" : tensor<8x256x4xf8E8M0FNU>
    %102 = v4.mxfp4_matmul %codes_73, %scales_74, %100, %101 groups %expert_offsets act_block 128 : (tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>, tensor<8x256x128xf4E2M1FN>, tensor<8x256x4xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x256xbf16>
    %103 = v4.param "layers.1.ffn.shared_experts.w1.weight" : tensor<128x256xf8E4M3FN>
    %104 = v4.param "layers.1.ffn.shared_experts.w1.scale" : tensor<1x2xf8E8M0FNU>
    %codes_75, %scales_76 = v4.quantize %collapsed_63 block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %105 = v4.fp8_matmul %codes_75, %scales_76, %103, %104 block [128, 128] : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x128xbf16>
    %106 = v4.param "layers.1.ffn.shared_experts.w3.weight" : tensor<128x256xf8E4M3FN>
    %107 = v4.param "layers.1.ffn.shared_experts.w3.scale" : tensor<1x2xf8E8M0FNU>
    %codes_77, %scales_78 = v4.quantize %collapsed_63 block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %108 = v4.fp8_matmul %codes_77, %scales_78, %106, %107 block [128, 128] : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x128xbf16>
    %109 = v4.swiglu %105, %108 limit 1.000000e+01 : tensor<?x128xbf16> -> tensor<?x128xbf16>
    %110 = v4.param "layers.1.ffn.shared_experts.w2.weight" : tensor<256x128xf8E4M3FN>
    %111 = v4.param "layers.1.ffn.shared_experts.w2.scale" : tensor<2x1xf8E8M0FNU>
    %codes_79, %scales_80 = v4.quantize %109 block 128 rule ceil : tensor<?x128xbf16> -> tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>
    %112 = v4.fp8_matmul %codes_79, %scales_80, %110, %111 block [128, 128] : (tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>, tensor<256x128xf8E4M3FN>, tensor<2x1xf8E8M0FNU>) -> tensor<?x256xbf16>
    %113 = v4.moe_combine %102, %permutation shared %112 : (tensor<?x256xbf16>, tensor<?xi32>, tensor<?x256xbf16>) -> tensor<?x256xbf16>
    %expanded_81 = tensor.expand_shape %113 [[0, 1], [2]] output_shape [1, %dim, 256] : tensor<?x256xbf16> into tensor<1x?x256xbf16>
    %114 = v4.hc_post %expanded_81, %82, %post_61, %comb_62 : tensor<1x?x256xbf16>, tensor<1x?x4x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>
    return %114, %24, %40, %new_state, %62, %new_state_42 : tensor<1x?x4x256xbf16>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, !v4.compressed<batch = 2, ratio = 4, capacity = 32, dim = 128, element = bf16>, !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128>, !v4.indexer_keys<batch = 2, capacity = 32, dim = 128, element = bf16>, !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128>
  }
  func.func private @prefill.layers.2(%arg0: tensor<1x?x4x256xbf16>, %arg1: tensor<?xi32>, %arg2: tensor<1xi32>, %arg3: tensor<1xi32>, %arg4: !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.2.window"}, %arg5: !v4.compressed<batch = 2, ratio = 16, capacity = 8, dim = 128, element = bf16> {v4.cache = "layers.2.compressed"}, %arg6: !v4.compressor_state<batch = 2, ratio = 16, coff = 1, dim = 128> {v4.cache = "layers.2.compressor_state"}) -> (tensor<1x?x4x256xbf16>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.2.window"}, !v4.compressed<batch = 2, ratio = 16, capacity = 8, dim = 128, element = bf16> {v4.cache = "layers.2.compressed"}, !v4.compressor_state<batch = 2, ratio = 16, coff = 1, dim = 128> {v4.cache = "layers.2.compressor_state"}) attributes {v4.attention = "hca", v4.block = 2 : i64, v4.moe = "score", v4.ratio = 16 : i64} {
    %c0 = arith.constant 0 : index
    %dim = tensor.dim %arg1, %c0 : tensor<?xi32>
    %0 = v4.param "layers.2.hc_attn_fn" : tensor<24x1024xf32>
    %1 = v4.param "layers.2.hc_attn_base" : tensor<24xf32>
    %2 = v4.param "layers.2.hc_attn_scale" : tensor<3xf32>
    %output, %post, %comb = v4.hc_pre %arg0, %0, %1, %2 iters 20 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<1x?x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x?x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>)
    %3 = v4.param "layers.2.attn_norm.weight" : tensor<256xbf16>
    %4 = v4.rms_norm %output weight %3 eps 9.9999999999999995E-7 : tensor<1x?x256xbf16>, tensor<256xbf16>
    %generated = tensor.generate %dim {
    ^bb0(%arg7: index, %arg8: index):
      %extracted = tensor.extract %arg2[%arg7] : tensor<1xi32>
      %84 = arith.index_cast %extracted : i32 to index
      %85 = arith.addi %84, %arg8 : index
      %86 = arith.index_cast %85 : index to i32
      tensor.yield %86 : i32
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
    %22 = v4.cache_read %arg4 slots %arg3 : !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, tensor<1xi32> -> tensor<1x16x128xbf16>
    %concat = tensor.concat dim(1) %22, %inserted_slice : (tensor<1x16x128xbf16>, tensor<1x?x128xbf16>) -> tensor<1x?x128xbf16>
    %23 = v4.window_indices %arg2 rows %dim window 16 layout ring_chunk : tensor<1xi32> -> tensor<1x?x16xi32>
    %24 = v4.window_append %arg4, %inserted_slice at %arg2 slots %arg3 : !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, tensor<1x?x128xbf16>, tensor<1xi32>, tensor<1xi32>
    %25 = v4.param "layers.2.attn.attn_sink" : tensor<4xf32>
    %26 = v4.param "layers.2.attn.compressor.wkv.weight" : tensor<128x256xbf16>
    %c1_5 = arith.constant 1 : index
    %dim_6 = tensor.dim %4, %c1_5 : tensor<1x?x256xbf16>
    %collapsed = tensor.collapse_shape %4 [[0, 1], [2]] : tensor<1x?x256xbf16> into tensor<?x256xbf16>
    %c0_7 = arith.constant 0 : index
    %dim_8 = tensor.dim %collapsed, %c0_7 : tensor<?x256xbf16>
    %27 = tensor.empty(%dim_8) : tensor<?x128xf32>
    %cst = arith.constant 0.000000e+00 : f32
    %28 = linalg.fill ins(%cst : f32) outs(%27 : tensor<?x128xf32>) -> tensor<?x128xf32>
    %29 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed, %26 : tensor<?x256xbf16>, tensor<128x256xbf16>) outs(%28 : tensor<?x128xf32>) -> tensor<?x128xf32>
    %expanded_9 = tensor.expand_shape %29 [[0, 1], [2]] output_shape [1, %dim_6, 128] : tensor<?x128xf32> into tensor<1x?x128xf32>
    %30 = v4.param "layers.2.attn.compressor.wgate.weight" : tensor<128x256xbf16>
    %c1_10 = arith.constant 1 : index
    %dim_11 = tensor.dim %4, %c1_10 : tensor<1x?x256xbf16>
    %collapsed_12 = tensor.collapse_shape %4 [[0, 1], [2]] : tensor<1x?x256xbf16> into tensor<?x256xbf16>
    %c0_13 = arith.constant 0 : index
    %dim_14 = tensor.dim %collapsed_12, %c0_13 : tensor<?x256xbf16>
    %31 = tensor.empty(%dim_14) : tensor<?x128xf32>
    %cst_15 = arith.constant 0.000000e+00 : f32
    %32 = linalg.fill ins(%cst_15 : f32) outs(%31 : tensor<?x128xf32>) -> tensor<?x128xf32>
    %33 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_12, %30 : tensor<?x256xbf16>, tensor<128x256xbf16>) outs(%32 : tensor<?x128xf32>) -> tensor<?x128xf32>
    %expanded_16 = tensor.expand_shape %33 [[0, 1], [2]] output_shape [1, %dim_11, 128] : tensor<?x128xf32> into tensor<1x?x128xf32>
    %34 = v4.param "layers.2.attn.compressor.ape" : tensor<16x128xf32>
    %entries, %new_state = v4.compress %expanded_9, %expanded_16, %34, %arg6 at %arg2 slots %arg3 ratio 16 : tensor<1x?x128xf32>, tensor<16x128xf32>, !v4.compressor_state<batch = 2, ratio = 16, coff = 1, dim = 128>, tensor<1xi32>, tensor<1xi32> -> tensor<1x?x128xf32>
    %35 = arith.truncf %entries : tensor<1x?x128xf32> to tensor<1x?x128xbf16>
    %36 = v4.param "layers.2.attn.compressor.norm.weight" : tensor<128xbf16>
    %37 = v4.rms_norm %35 weight %36 eps 9.9999999999999995E-7 : tensor<1x?x128xbf16>, tensor<128xbf16>
    %c1_17 = arith.constant 1 : index
    %dim_18 = tensor.dim %37, %c1_17 : tensor<1x?x128xbf16>
    %generated_19 = tensor.generate %dim_18 {
    ^bb0(%arg7: index, %arg8: index):
      %extracted = tensor.extract %arg2[%arg7] : tensor<1xi32>
      %84 = arith.index_cast %extracted : i32 to index
      %c16 = arith.constant 16 : index
      %85 = arith.divui %84, %c16 : index
      %86 = arith.addi %85, %arg8 : index
      %c16_51 = arith.constant 16 : index
      %87 = arith.muli %86, %c16_51 : index
      %88 = arith.index_cast %87 : index to i32
      tensor.yield %88 : i32
    } : tensor<1x?xi32>
    %38 = v4.rope %37, %generated_19 <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<1x?x128xbf16>, tensor<1x?xi32>
    %c1_20 = arith.constant 1 : index
    %dim_21 = tensor.dim %38, %c1_20 : tensor<1x?x128xbf16>
    %extracted_slice_22 = tensor.extract_slice %38[0, 0, 0] [1, %dim_21, 64] [1, 1, 1] : tensor<1x?x128xbf16> to tensor<1x?x64xbf16>
    %39 = v4.simulate_quant %extracted_slice_22 format f8E4M3FN block 64 rule ceil : tensor<1x?x64xbf16>
    %inserted_slice_23 = tensor.insert_slice %39 into %38[0, 0, 0] [1, %dim_21, 64] [1, 1, 1] : tensor<1x?x64xbf16> into tensor<1x?x128xbf16>
    %40 = v4.compressed_append %arg5, %inserted_slice_23 at %arg2 slots %arg3 tokens %dim : !v4.compressed<batch = 2, ratio = 16, capacity = 8, dim = 128, element = bf16>, tensor<1x?x128xbf16>, tensor<1xi32>, tensor<1xi32>
    %41 = v4.hca_attention %14, %concat[%23] entries %40, %25 at %arg2 slots %arg3 scale 0.088388347648318433 : tensor<1x?x4x128xbf16>, tensor<1x?x128xbf16>, tensor<1x?x16xi32>, !v4.compressed<batch = 2, ratio = 16, capacity = 8, dim = 128, element = bf16>, tensor<4xf32>, tensor<1xi32>, tensor<1xi32>
    %42 = v4.rope %41, %generated <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> inverse : tensor<1x?x4x128xbf16>, tensor<1x?xi32>
    %43 = v4.param "layers.2.attn.wo_a.weight" : tensor<256x256xf8E4M3FN>
    %44 = v4.param "layers.2.attn.wo_a.scale" : tensor<2x2xf8E8M0FNU>
    %45 = tensor.empty() : tensor<2x128x2xf8E8M0FNU>
    %broadcasted = linalg.broadcast ins(%44 : tensor<2x2xf8E8M0FNU>) outs(%45 : tensor<2x128x2xf8E8M0FNU>) dimensions = [1] 
    %collapsed_24 = tensor.collapse_shape %broadcasted [[0, 1], [2]] : tensor<2x128x2xf8E8M0FNU> into tensor<256x2xf8E8M0FNU>
    %46 = v4.dequantize %43, %collapsed_24 block 128 : tensor<256x256xf8E4M3FN>, tensor<256x2xf8E8M0FNU> -> tensor<256x256xbf16>
    %expanded_25 = tensor.expand_shape %46 [[0, 1], [2]] output_shape [2, 128, 256] : tensor<256x256xbf16> into tensor<2x128x256xbf16>
    %47 = v4.grouped_linear %42, %expanded_25 groups 2 : tensor<1x?x4x128xbf16>, tensor<2x128x256xbf16> -> tensor<1x?x2x128xbf16>
    %collapsed_26 = tensor.collapse_shape %47 [[0], [1], [2, 3]] : tensor<1x?x2x128xbf16> into tensor<1x?x256xbf16>
    %48 = v4.param "layers.2.attn.wo_b.weight" : tensor<256x256xf8E4M3FN>
    %49 = v4.param "layers.2.attn.wo_b.scale" : tensor<2x2xf8E8M0FNU>
    %codes_27, %scales_28 = v4.quantize %collapsed_26 block 128 rule ceil : tensor<1x?x256xbf16> -> tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>
    %50 = v4.fp8_matmul %codes_27, %scales_28, %48, %49 block [128, 128] : (tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>, tensor<256x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>) -> tensor<1x?x256xbf16>
    %51 = v4.hc_post %50, %arg0, %post, %comb : tensor<1x?x256xbf16>, tensor<1x?x4x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>
    %52 = v4.param "layers.2.hc_ffn_fn" : tensor<24x1024xf32>
    %53 = v4.param "layers.2.hc_ffn_base" : tensor<24xf32>
    %54 = v4.param "layers.2.hc_ffn_scale" : tensor<3xf32>
    %output_29, %post_30, %comb_31 = v4.hc_pre %51, %52, %53, %54 iters 20 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<1x?x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x?x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>)
    %55 = v4.param "layers.2.ffn_norm.weight" : tensor<256xbf16>
    %56 = v4.rms_norm %output_29 weight %55 eps 9.9999999999999995E-7 : tensor<1x?x256xbf16>, tensor<256xbf16>
    %collapsed_32 = tensor.collapse_shape %56 [[0, 1], [2]] : tensor<1x?x256xbf16> into tensor<?x256xbf16>
    %57 = v4.param "layers.2.ffn.gate.weight" : tensor<8x256xbf16>
    %c0_33 = arith.constant 0 : index
    %dim_34 = tensor.dim %collapsed_32, %c0_33 : tensor<?x256xbf16>
    %c0_35 = arith.constant 0 : index
    %dim_36 = tensor.dim %collapsed_32, %c0_35 : tensor<?x256xbf16>
    %58 = tensor.empty(%dim_36) : tensor<?x8xf32>
    %cst_37 = arith.constant 0.000000e+00 : f32
    %59 = linalg.fill ins(%cst_37 : f32) outs(%58 : tensor<?x8xf32>) -> tensor<?x8xf32>
    %60 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_32, %57 : tensor<?x256xbf16>, tensor<8x256xbf16>) outs(%59 : tensor<?x8xf32>) -> tensor<?x8xf32>
    %61 = v4.param "layers.2.ffn.gate.bias" : tensor<8xf32>
    %weights, %experts = v4.moe_route %60, %61 k 2 route_scale 1.500000e+00 normalize : tensor<?x8xf32>, tensor<8xf32> -> tensor<?x2xf32>, tensor<?x2xi32>
    %rows, %row_weights, %permutation, %expert_offsets = v4.moe_dispatch %collapsed_32, %experts, %weights num_experts 8 : (tensor<?x256xbf16>, tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<?x256xbf16>, tensor<?xf32>, tensor<?xi32>, tensor<9xi32>)
    %codes_38, %scales_39 = v4.quantize %rows block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %62 = v4.param "layers.2.ffn.experts.*.w1.weight" : tensor<8x128x256xf4E2M1FN>
    %63 = v4.param "layers.2.ffn.experts.*.w1.scale" : tensor<8x128x8xf8E8M0FNU>
    %64 = v4.mxfp4_matmul %codes_38, %scales_39, %62, %63 groups %expert_offsets act_block 128 : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x128xbf16>
    %codes_40, %scales_41 = v4.quantize %rows block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %65 = v4.param "layers.2.ffn.experts.*.w3.weight" : tensor<8x128x256xf4E2M1FN>
    %66 = v4.param "layers.2.ffn.experts.*.w3.scale" : tensor<8x128x8xf8E8M0FNU>
    %67 = v4.mxfp4_matmul %codes_40, %scales_41, %65, %66 groups %expert_offsets act_block 128 : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x128xbf16>
    %68 = v4.swiglu %64, %67 weights %row_weights limit 1.000000e+01 : tensor<?x128xbf16>, tensor<?xf32> -> tensor<?x128xbf16>
    %codes_42, %scales_43 = v4.quantize %68 block 128 rule ceil : tensor<?x128xbf16> -> tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>
    %69 = v4.param "layers.2.ffn.experts.*.w2.weight" : tensor<8x256x128xf4E2M1FN>
    %70 = v4.param "layers.2.ffn.experts.*.w2.scale" : tensor<8x256x4xf8E8M0FNU>
    %71 = v4.mxfp4_matmul %codes_42, %scales_43, %69, %70 groups %expert_offsets act_block 128 : (tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>, tensor<8x256x128xf4E2M1FN>, tensor<8x256x4xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x256xbf16>
    %72 = v4.param "layers.2.ffn.shared_experts.w1.weight" : tensor<128x256xf8E4M3FN>
    %73 = v4.param "layers.2.ffn.shared_experts.w1.scale" : tensor<1x2xf8E8M0FNU>
    %codes_44, %scales_45 = v4.quantize %collapsed_32 block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %74 = v4.fp8_matmul %codes_44, %scales_45, %72, %73 block [128, 128] : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x128xbf16>
    %75 = v4.param "layers.2.ffn.shared_experts.w3.weight" : tensor<128x256xf8E4M3FN>
    %76 = v4.param "layers.2.ffn.shared_experts.w3.scale" : tensor<1x2xf8E8M0FNU>
    %codes_46, %scales_47 = v4.quantize %collapsed_32 block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %77 = v4.fp8_matmul %codes_46, %scales_47, %75, %76 block [128, 128] : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x128xbf16>
    %78 = v4.swiglu %74, %77 limit 1.000000e+01 : tensor<?x128xbf16> -> tensor<?x128xbf16>
    %79 = v4.param "layers.2.ffn.shared_experts.w2.weight" : tensor<256x128xf8E4M3FN>
    %80 = v4.param "layers.2.ffn.shared_experts.w2.scale" : tensor<2x1xf8E8M0FNU>
    %codes_48, %scales_49 = v4.quantize %78 block 128 rule ceil : tensor<?x128xbf16> -> tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>
    %81 = v4.fp8_matmul %codes_48, %scales_49, %79, %80 block [128, 128] : (tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>, tensor<256x128xf8E4M3FN>, tensor<2x1xf8E8M0FNU>) -> tensor<?x256xbf16>
    %82 = v4.moe_combine %71, %permutation shared %81 : (tensor<?x256xbf16>, tensor<?xi32>, tensor<?x256xbf16>) -> tensor<?x256xbf16>
    %expanded_50 = tensor.expand_shape %82 [[0, 1], [2]] output_shape [1, %dim, 256] : tensor<?x256xbf16> into tensor<1x?x256xbf16>
    %83 = v4.hc_post %expanded_50, %51, %post_30, %comb_31 : tensor<1x?x256xbf16>, tensor<1x?x4x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>
    return %83, %24, %40, %new_state : tensor<1x?x4x256xbf16>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, !v4.compressed<batch = 2, ratio = 16, capacity = 8, dim = 128, element = bf16>, !v4.compressor_state<batch = 2, ratio = 16, coff = 1, dim = 128>
  }
  func.func private @decode.layers.0(%arg0: tensor<?x1x4x256xbf16>, %arg1: tensor<?xi32>, %arg2: tensor<?xi32>, %arg3: tensor<?xi32>, %arg4: !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.0.window"}) -> (tensor<?x1x4x256xbf16>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.0.window"}) attributes {v4.attention = "swa", v4.block = 0 : i64, v4.moe = "hash", v4.ratio = 0 : i64} {
    %c0 = arith.constant 0 : index
    %dim = tensor.dim %arg1, %c0 : tensor<?xi32>
    %0 = v4.param "layers.0.hc_attn_fn" : tensor<24x1024xf32>
    %1 = v4.param "layers.0.hc_attn_base" : tensor<24xf32>
    %2 = v4.param "layers.0.hc_attn_scale" : tensor<3xf32>
    %output, %post, %comb = v4.hc_pre %arg0, %0, %1, %2 iters 20 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<?x1x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<?x1x256xbf16>, tensor<?x1x4xf32>, tensor<?x1x4x4xf32>)
    %3 = v4.param "layers.0.attn_norm.weight" : tensor<256xbf16>
    %4 = v4.rms_norm %output weight %3 eps 9.9999999999999995E-7 : tensor<?x1x256xbf16>, tensor<256xbf16>
    %generated = tensor.generate %dim {
    ^bb0(%arg5: index, %arg6: index):
      %extracted = tensor.extract %arg2[%arg5] : tensor<?xi32>
      %70 = arith.index_cast %extracted : i32 to index
      %71 = arith.addi %70, %arg6 : index
      %72 = arith.index_cast %71 : index to i32
      tensor.yield %72 : i32
    } : tensor<?x1xi32>
    %5 = v4.param "layers.0.attn.wq_a.weight" : tensor<128x256xf8E4M3FN>
    %6 = v4.param "layers.0.attn.wq_a.scale" : tensor<1x2xf8E8M0FNU>
    %codes, %scales = v4.quantize %4 block 128 rule ceil : tensor<?x1x256xbf16> -> tensor<?x1x256xf8E4M3FN>, tensor<?x1x2xf8E8M0FNU>
    %7 = v4.fp8_matmul %codes, %scales, %5, %6 block [128, 128] : (tensor<?x1x256xf8E4M3FN>, tensor<?x1x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x1x128xbf16>
    %8 = v4.param "layers.0.attn.q_norm.weight" : tensor<128xbf16>
    %9 = v4.rms_norm %7 weight %8 eps 9.9999999999999995E-7 : tensor<?x1x128xbf16>, tensor<128xbf16>
    %10 = v4.param "layers.0.attn.wq_b.weight" : tensor<512x128xf8E4M3FN>
    %11 = v4.param "layers.0.attn.wq_b.scale" : tensor<4x1xf8E8M0FNU>
    %codes_0, %scales_1 = v4.quantize %9 block 128 rule ceil : tensor<?x1x128xbf16> -> tensor<?x1x128xf8E4M3FN>, tensor<?x1x1xf8E8M0FNU>
    %12 = v4.fp8_matmul %codes_0, %scales_1, %10, %11 block [128, 128] : (tensor<?x1x128xf8E4M3FN>, tensor<?x1x1xf8E8M0FNU>, tensor<512x128xf8E4M3FN>, tensor<4x1xf8E8M0FNU>) -> tensor<?x1x512xbf16>
    %expanded = tensor.expand_shape %12 [[0], [1], [2, 3]] output_shape [%dim, 1, 4, 128] : tensor<?x1x512xbf16> into tensor<?x1x4x128xbf16>
    %13 = v4.rms_norm %expanded round_each_step eps 9.9999999999999995E-7 : tensor<?x1x4x128xbf16>
    %14 = v4.rope %13, %generated <base = 1.000000e+04, rope_dim = 64, factor = 1.000000e+00, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<?x1x4x128xbf16>, tensor<?x1xi32>
    %15 = v4.param "layers.0.attn.wkv.weight" : tensor<128x256xf8E4M3FN>
    %16 = v4.param "layers.0.attn.wkv.scale" : tensor<1x2xf8E8M0FNU>
    %codes_2, %scales_3 = v4.quantize %4 block 128 rule ceil : tensor<?x1x256xbf16> -> tensor<?x1x256xf8E4M3FN>, tensor<?x1x2xf8E8M0FNU>
    %17 = v4.fp8_matmul %codes_2, %scales_3, %15, %16 block [128, 128] : (tensor<?x1x256xf8E4M3FN>, tensor<?x1x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x1x128xbf16>
    %18 = v4.param "layers.0.attn.kv_norm.weight" : tensor<128xbf16>
    %19 = v4.rms_norm %17 weight %18 eps 9.9999999999999995E-7 : tensor<?x1x128xbf16>, tensor<128xbf16>
    %20 = v4.rope %19, %generated <base = 1.000000e+04, rope_dim = 64, factor = 1.000000e+00, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<?x1x128xbf16>, tensor<?x1xi32>
    %c0_4 = arith.constant 0 : index
    %dim_5 = tensor.dim %20, %c0_4 : tensor<?x1x128xbf16>
    %extracted_slice = tensor.extract_slice %20[0, 0, 0] [%dim_5, 1, 64] [1, 1, 1] : tensor<?x1x128xbf16> to tensor<?x1x64xbf16>
    %21 = v4.simulate_quant %extracted_slice format f8E4M3FN block 64 rule ceil : tensor<?x1x64xbf16>
    %inserted_slice = tensor.insert_slice %21 into %20[0, 0, 0] [%dim_5, 1, 64] [1, 1, 1] : tensor<?x1x64xbf16> into tensor<?x1x128xbf16>
    %22 = v4.window_append %arg4, %inserted_slice at %arg2 slots %arg3 : !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, tensor<?x1x128xbf16>, tensor<?xi32>, tensor<?xi32>
    %23 = v4.window_indices %arg2 window 16 layout ring : tensor<?xi32> -> tensor<?x1x16xi32>
    %24 = v4.cache_read %22 slots %arg3 : !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, tensor<?xi32> -> tensor<?x16x128xbf16>
    %25 = v4.param "layers.0.attn.attn_sink" : tensor<4xf32>
    %26 = v4.sparse_attention %14, %24[%23], %25 scale 0.088388347648318433 : tensor<?x1x4x128xbf16>, tensor<?x16x128xbf16>, tensor<?x1x16xi32>, tensor<4xf32>
    %27 = v4.rope %26, %generated <base = 1.000000e+04, rope_dim = 64, factor = 1.000000e+00, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> inverse : tensor<?x1x4x128xbf16>, tensor<?x1xi32>
    %28 = v4.param "layers.0.attn.wo_a.weight" : tensor<256x256xf8E4M3FN>
    %29 = v4.param "layers.0.attn.wo_a.scale" : tensor<2x2xf8E8M0FNU>
    %30 = tensor.empty() : tensor<2x128x2xf8E8M0FNU>
    %broadcasted = linalg.broadcast ins(%29 : tensor<2x2xf8E8M0FNU>) outs(%30 : tensor<2x128x2xf8E8M0FNU>) dimensions = [1] 
    %collapsed = tensor.collapse_shape %broadcasted [[0, 1], [2]] : tensor<2x128x2xf8E8M0FNU> into tensor<256x2xf8E8M0FNU>
    %31 = v4.dequantize %28, %collapsed block 128 : tensor<256x256xf8E4M3FN>, tensor<256x2xf8E8M0FNU> -> tensor<256x256xbf16>
    %expanded_6 = tensor.expand_shape %31 [[0, 1], [2]] output_shape [2, 128, 256] : tensor<256x256xbf16> into tensor<2x128x256xbf16>
    %32 = v4.grouped_linear %27, %expanded_6 groups 2 : tensor<?x1x4x128xbf16>, tensor<2x128x256xbf16> -> tensor<?x1x2x128xbf16>
    %collapsed_7 = tensor.collapse_shape %32 [[0], [1], [2, 3]] : tensor<?x1x2x128xbf16> into tensor<?x1x256xbf16>
    %33 = v4.param "layers.0.attn.wo_b.weight" : tensor<256x256xf8E4M3FN>
    %34 = v4.param "layers.0.attn.wo_b.scale" : tensor<2x2xf8E8M0FNU>
    %codes_8, %scales_9 = v4.quantize %collapsed_7 block 128 rule ceil : tensor<?x1x256xbf16> -> tensor<?x1x256xf8E4M3FN>, tensor<?x1x2xf8E8M0FNU>
    %35 = v4.fp8_matmul %codes_8, %scales_9, %33, %34 block [128, 128] : (tensor<?x1x256xf8E4M3FN>, tensor<?x1x2xf8E8M0FNU>, tensor<256x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>) -> tensor<?x1x256xbf16>
    %36 = v4.hc_post %35, %arg0, %post, %comb : tensor<?x1x256xbf16>, tensor<?x1x4x256xbf16>, tensor<?x1x4xf32>, tensor<?x1x4x4xf32>
    %37 = v4.param "layers.0.hc_ffn_fn" : tensor<24x1024xf32>
    %38 = v4.param "layers.0.hc_ffn_base" : tensor<24xf32>
    %39 = v4.param "layers.0.hc_ffn_scale" : tensor<3xf32>
    %output_10, %post_11, %comb_12 = v4.hc_pre %36, %37, %38, %39 iters 20 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<?x1x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<?x1x256xbf16>, tensor<?x1x4xf32>, tensor<?x1x4x4xf32>)
    %40 = v4.param "layers.0.ffn_norm.weight" : tensor<256xbf16>
    %41 = v4.rms_norm %output_10 weight %40 eps 9.9999999999999995E-7 : tensor<?x1x256xbf16>, tensor<256xbf16>
    %collapsed_13 = tensor.collapse_shape %41 [[0, 1], [2]] : tensor<?x1x256xbf16> into tensor<?x256xbf16>
    %42 = v4.param "layers.0.ffn.gate.weight" : tensor<8x256xbf16>
    %c0_14 = arith.constant 0 : index
    %dim_15 = tensor.dim %collapsed_13, %c0_14 : tensor<?x256xbf16>
    %c0_16 = arith.constant 0 : index
    %dim_17 = tensor.dim %collapsed_13, %c0_16 : tensor<?x256xbf16>
    %43 = tensor.empty(%dim_17) : tensor<?x8xf32>
    %cst = arith.constant 0.000000e+00 : f32
    %44 = linalg.fill ins(%cst : f32) outs(%43 : tensor<?x8xf32>) -> tensor<?x8xf32>
    %45 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_13, %42 : tensor<?x256xbf16>, tensor<8x256xbf16>) outs(%44 : tensor<?x8xf32>) -> tensor<?x8xf32>
    %46 = v4.param "layers.0.ffn.gate.tid2eid" : tensor<512x2xi64>
    %47 = arith.trunci %46 : tensor<512x2xi64> to tensor<512x2xi32>
    %weights, %experts = v4.moe_hash_route %45, %arg1, %47 route_scale 1.500000e+00 normalize : tensor<?x8xf32>, tensor<?xi32>, tensor<512x2xi32> -> tensor<?x2xf32>, tensor<?x2xi32>
    %rows, %row_weights, %permutation, %expert_offsets = v4.moe_dispatch %collapsed_13, %experts, %weights num_experts 8 : (tensor<?x256xbf16>, tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<?x256xbf16>, tensor<?xf32>, tensor<?xi32>, tensor<9xi32>)
    %codes_18, %scales_19 = v4.quantize %rows block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %48 = v4.param "layers.0.ffn.experts.*.w1.weight" : tensor<8x128x256xf4E2M1FN>
    %49 = v4.param "layers.0.ffn.experts.*.w1.scale" : tensor<8x128x8xf8E8M0FNU>
    %50 = v4.mxfp4_matmul %codes_18, %scales_19, %48, %49 groups %expert_offsets act_block 128 : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x128xbf16>
    %codes_20, %scales_21 = v4.quantize %rows block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %51 = v4.param "layers.0.ffn.experts.*.w3.weight" : tensor<8x128x256xf4E2M1FN>
    %52 = v4.param "layers.0.ffn.experts.*.w3.scale" : tensor<8x128x8xf8E8M0FNU>
    %53 = v4.mxfp4_matmul %codes_20, %scales_21, %51, %52 groups %expert_offsets act_block 128 : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x128xbf16>
    %54 = v4.swiglu %50, %53 weights %row_weights limit 1.000000e+01 : tensor<?x128xbf16>, tensor<?xf32> -> tensor<?x128xbf16>
    %codes_22, %scales_23 = v4.quantize %54 block 128 rule ceil : tensor<?x128xbf16> -> tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>
    %55 = v4.param "layers.0.ffn.experts.*.w2.weight" : tensor<8x256x128xf4E2M1FN>
    %56 = v4.param "layers.0.ffn.experts.*.w2.scale" : tensor<8x256x4xf8E8M0FNU>
    %57 = v4.mxfp4_matmul %codes_22, %scales_23, %55, %56 groups %expert_offsets act_block 128 : (tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>, tensor<8x256x128xf4E2M1FN>, tensor<8x256x4xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x256xbf16>
    %58 = v4.param "layers.0.ffn.shared_experts.w1.weight" : tensor<128x256xf8E4M3FN>
    %59 = v4.param "layers.0.ffn.shared_experts.w1.scale" : tensor<1x2xf8E8M0FNU>
    %codes_24, %scales_25 = v4.quantize %collapsed_13 block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %60 = v4.fp8_matmul %codes_24, %scales_25, %58, %59 block [128, 128] : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x128xbf16>
    %61 = v4.param "layers.0.ffn.shared_experts.w3.weight" : tensor<128x256xf8E4M3FN>
    %62 = v4.param "layers.0.ffn.shared_experts.w3.scale" : tensor<1x2xf8E8M0FNU>
    %codes_26, %scales_27 = v4.quantize %collapsed_13 block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %63 = v4.fp8_matmul %codes_26, %scales_27, %61, %62 block [128, 128] : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x128xbf16>
    %64 = v4.swiglu %60, %63 limit 1.000000e+01 : tensor<?x128xbf16> -> tensor<?x128xbf16>
    %65 = v4.param "layers.0.ffn.shared_experts.w2.weight" : tensor<256x128xf8E4M3FN>
    %66 = v4.param "layers.0.ffn.shared_experts.w2.scale" : tensor<2x1xf8E8M0FNU>
    %codes_28, %scales_29 = v4.quantize %64 block 128 rule ceil : tensor<?x128xbf16> -> tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>
    %67 = v4.fp8_matmul %codes_28, %scales_29, %65, %66 block [128, 128] : (tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>, tensor<256x128xf8E4M3FN>, tensor<2x1xf8E8M0FNU>) -> tensor<?x256xbf16>
    %68 = v4.moe_combine %57, %permutation shared %67 : (tensor<?x256xbf16>, tensor<?xi32>, tensor<?x256xbf16>) -> tensor<?x256xbf16>
    %expanded_30 = tensor.expand_shape %68 [[0, 1], [2]] output_shape [%dim, 1, 256] : tensor<?x256xbf16> into tensor<?x1x256xbf16>
    %69 = v4.hc_post %expanded_30, %36, %post_11, %comb_12 : tensor<?x1x256xbf16>, tensor<?x1x4x256xbf16>, tensor<?x1x4xf32>, tensor<?x1x4x4xf32>
    return %69, %22 : tensor<?x1x4x256xbf16>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>
  }
  func.func private @decode.layers.1(%arg0: tensor<?x1x4x256xbf16>, %arg1: tensor<?xi32>, %arg2: tensor<?xi32>, %arg3: tensor<?xi32>, %arg4: !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.1.window"}, %arg5: !v4.compressed<batch = 2, ratio = 4, capacity = 32, dim = 128, element = bf16> {v4.cache = "layers.1.compressed"}, %arg6: !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128> {v4.cache = "layers.1.compressor_state"}, %arg7: !v4.indexer_keys<batch = 2, capacity = 32, dim = 128, element = bf16> {v4.cache = "layers.1.indexer_keys"}, %arg8: !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128> {v4.cache = "layers.1.indexer_state"}) -> (tensor<?x1x4x256xbf16>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.1.window"}, !v4.compressed<batch = 2, ratio = 4, capacity = 32, dim = 128, element = bf16> {v4.cache = "layers.1.compressed"}, !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128> {v4.cache = "layers.1.compressor_state"}, !v4.indexer_keys<batch = 2, capacity = 32, dim = 128, element = bf16> {v4.cache = "layers.1.indexer_keys"}, !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128> {v4.cache = "layers.1.indexer_state"}) attributes {v4.attention = "csa", v4.block = 1 : i64, v4.moe = "score", v4.ratio = 4 : i64} {
    %c0 = arith.constant 0 : index
    %dim = tensor.dim %arg1, %c0 : tensor<?xi32>
    %0 = v4.param "layers.1.hc_attn_fn" : tensor<24x1024xf32>
    %1 = v4.param "layers.1.hc_attn_base" : tensor<24xf32>
    %2 = v4.param "layers.1.hc_attn_scale" : tensor<3xf32>
    %output, %post, %comb = v4.hc_pre %arg0, %0, %1, %2 iters 20 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<?x1x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<?x1x256xbf16>, tensor<?x1x4xf32>, tensor<?x1x4x4xf32>)
    %3 = v4.param "layers.1.attn_norm.weight" : tensor<256xbf16>
    %4 = v4.rms_norm %output weight %3 eps 9.9999999999999995E-7 : tensor<?x1x256xbf16>, tensor<256xbf16>
    %generated = tensor.generate %dim {
    ^bb0(%arg9: index, %arg10: index):
      %extracted = tensor.extract %arg2[%arg9] : tensor<?xi32>
      %115 = arith.index_cast %extracted : i32 to index
      %116 = arith.addi %115, %arg10 : index
      %117 = arith.index_cast %116 : index to i32
      tensor.yield %117 : i32
    } : tensor<?x1xi32>
    %5 = v4.param "layers.1.attn.wq_a.weight" : tensor<128x256xf8E4M3FN>
    %6 = v4.param "layers.1.attn.wq_a.scale" : tensor<1x2xf8E8M0FNU>
    %codes, %scales = v4.quantize %4 block 128 rule ceil : tensor<?x1x256xbf16> -> tensor<?x1x256xf8E4M3FN>, tensor<?x1x2xf8E8M0FNU>
    %7 = v4.fp8_matmul %codes, %scales, %5, %6 block [128, 128] : (tensor<?x1x256xf8E4M3FN>, tensor<?x1x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x1x128xbf16>
    %8 = v4.param "layers.1.attn.q_norm.weight" : tensor<128xbf16>
    %9 = v4.rms_norm %7 weight %8 eps 9.9999999999999995E-7 : tensor<?x1x128xbf16>, tensor<128xbf16>
    %10 = v4.param "layers.1.attn.wq_b.weight" : tensor<512x128xf8E4M3FN>
    %11 = v4.param "layers.1.attn.wq_b.scale" : tensor<4x1xf8E8M0FNU>
    %codes_0, %scales_1 = v4.quantize %9 block 128 rule ceil : tensor<?x1x128xbf16> -> tensor<?x1x128xf8E4M3FN>, tensor<?x1x1xf8E8M0FNU>
    %12 = v4.fp8_matmul %codes_0, %scales_1, %10, %11 block [128, 128] : (tensor<?x1x128xf8E4M3FN>, tensor<?x1x1xf8E8M0FNU>, tensor<512x128xf8E4M3FN>, tensor<4x1xf8E8M0FNU>) -> tensor<?x1x512xbf16>
    %expanded = tensor.expand_shape %12 [[0], [1], [2, 3]] output_shape [%dim, 1, 4, 128] : tensor<?x1x512xbf16> into tensor<?x1x4x128xbf16>
    %13 = v4.rms_norm %expanded round_each_step eps 9.9999999999999995E-7 : tensor<?x1x4x128xbf16>
    %14 = v4.rope %13, %generated <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<?x1x4x128xbf16>, tensor<?x1xi32>
    %15 = v4.param "layers.1.attn.wkv.weight" : tensor<128x256xf8E4M3FN>
    %16 = v4.param "layers.1.attn.wkv.scale" : tensor<1x2xf8E8M0FNU>
    %codes_2, %scales_3 = v4.quantize %4 block 128 rule ceil : tensor<?x1x256xbf16> -> tensor<?x1x256xf8E4M3FN>, tensor<?x1x2xf8E8M0FNU>
    %17 = v4.fp8_matmul %codes_2, %scales_3, %15, %16 block [128, 128] : (tensor<?x1x256xf8E4M3FN>, tensor<?x1x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x1x128xbf16>
    %18 = v4.param "layers.1.attn.kv_norm.weight" : tensor<128xbf16>
    %19 = v4.rms_norm %17 weight %18 eps 9.9999999999999995E-7 : tensor<?x1x128xbf16>, tensor<128xbf16>
    %20 = v4.rope %19, %generated <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<?x1x128xbf16>, tensor<?x1xi32>
    %c0_4 = arith.constant 0 : index
    %dim_5 = tensor.dim %20, %c0_4 : tensor<?x1x128xbf16>
    %extracted_slice = tensor.extract_slice %20[0, 0, 0] [%dim_5, 1, 64] [1, 1, 1] : tensor<?x1x128xbf16> to tensor<?x1x64xbf16>
    %21 = v4.simulate_quant %extracted_slice format f8E4M3FN block 64 rule ceil : tensor<?x1x64xbf16>
    %inserted_slice = tensor.insert_slice %21 into %20[0, 0, 0] [%dim_5, 1, 64] [1, 1, 1] : tensor<?x1x64xbf16> into tensor<?x1x128xbf16>
    %22 = v4.window_append %arg4, %inserted_slice at %arg2 slots %arg3 : !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, tensor<?x1x128xbf16>, tensor<?xi32>, tensor<?xi32>
    %23 = v4.window_indices %arg2 window 16 layout ring : tensor<?xi32> -> tensor<?x1x16xi32>
    %24 = v4.cache_read %22 slots %arg3 : !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, tensor<?xi32> -> tensor<?x16x128xbf16>
    %25 = v4.param "layers.1.attn.attn_sink" : tensor<4xf32>
    %26 = v4.param "layers.1.attn.compressor.wkv.weight" : tensor<256x256xbf16>
    %c0_6 = arith.constant 0 : index
    %dim_7 = tensor.dim %4, %c0_6 : tensor<?x1x256xbf16>
    %collapsed = tensor.collapse_shape %4 [[0, 1], [2]] : tensor<?x1x256xbf16> into tensor<?x256xbf16>
    %c0_8 = arith.constant 0 : index
    %dim_9 = tensor.dim %collapsed, %c0_8 : tensor<?x256xbf16>
    %27 = tensor.empty(%dim_9) : tensor<?x256xf32>
    %cst = arith.constant 0.000000e+00 : f32
    %28 = linalg.fill ins(%cst : f32) outs(%27 : tensor<?x256xf32>) -> tensor<?x256xf32>
    %29 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed, %26 : tensor<?x256xbf16>, tensor<256x256xbf16>) outs(%28 : tensor<?x256xf32>) -> tensor<?x256xf32>
    %expanded_10 = tensor.expand_shape %29 [[0, 1], [2]] output_shape [%dim_7, 1, 256] : tensor<?x256xf32> into tensor<?x1x256xf32>
    %30 = v4.param "layers.1.attn.compressor.wgate.weight" : tensor<256x256xbf16>
    %c0_11 = arith.constant 0 : index
    %dim_12 = tensor.dim %4, %c0_11 : tensor<?x1x256xbf16>
    %collapsed_13 = tensor.collapse_shape %4 [[0, 1], [2]] : tensor<?x1x256xbf16> into tensor<?x256xbf16>
    %c0_14 = arith.constant 0 : index
    %dim_15 = tensor.dim %collapsed_13, %c0_14 : tensor<?x256xbf16>
    %31 = tensor.empty(%dim_15) : tensor<?x256xf32>
    %cst_16 = arith.constant 0.000000e+00 : f32
    %32 = linalg.fill ins(%cst_16 : f32) outs(%31 : tensor<?x256xf32>) -> tensor<?x256xf32>
    %33 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_13, %30 : tensor<?x256xbf16>, tensor<256x256xbf16>) outs(%32 : tensor<?x256xf32>) -> tensor<?x256xf32>
    %expanded_17 = tensor.expand_shape %33 [[0, 1], [2]] output_shape [%dim_12, 1, 256] : tensor<?x256xf32> into tensor<?x1x256xf32>
    %34 = v4.param "layers.1.attn.compressor.ape" : tensor<4x256xf32>
    %entries, %new_state = v4.compress %expanded_10, %expanded_17, %34, %arg6 at %arg2 slots %arg3 ratio 4 overlap : tensor<?x1x256xf32>, tensor<4x256xf32>, !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128>, tensor<?xi32>, tensor<?xi32> -> tensor<?x1x128xf32>
    %35 = arith.truncf %entries : tensor<?x1x128xf32> to tensor<?x1x128xbf16>
    %36 = v4.param "layers.1.attn.compressor.norm.weight" : tensor<128xbf16>
    %37 = v4.rms_norm %35 weight %36 eps 9.9999999999999995E-7 : tensor<?x1x128xbf16>, tensor<128xbf16>
    %c0_18 = arith.constant 0 : index
    %dim_19 = tensor.dim %37, %c0_18 : tensor<?x1x128xbf16>
    %generated_20 = tensor.generate %dim {
    ^bb0(%arg9: index, %arg10: index):
      %extracted = tensor.extract %arg2[%arg9] : tensor<?xi32>
      %115 = arith.index_cast %extracted : i32 to index
      %c4 = arith.constant 4 : index
      %116 = arith.divui %115, %c4 : index
      %117 = arith.addi %116, %arg10 : index
      %c4_84 = arith.constant 4 : index
      %118 = arith.muli %117, %c4_84 : index
      %119 = arith.index_cast %118 : index to i32
      tensor.yield %119 : i32
    } : tensor<?x1xi32>
    %38 = v4.rope %37, %generated_20 <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<?x1x128xbf16>, tensor<?x1xi32>
    %c0_21 = arith.constant 0 : index
    %dim_22 = tensor.dim %38, %c0_21 : tensor<?x1x128xbf16>
    %extracted_slice_23 = tensor.extract_slice %38[0, 0, 0] [%dim_22, 1, 64] [1, 1, 1] : tensor<?x1x128xbf16> to tensor<?x1x64xbf16>
    %39 = v4.simulate_quant %extracted_slice_23 format f8E4M3FN block 64 rule ceil : tensor<?x1x64xbf16>
    %inserted_slice_24 = tensor.insert_slice %39 into %38[0, 0, 0] [%dim_22, 1, 64] [1, 1, 1] : tensor<?x1x64xbf16> into tensor<?x1x128xbf16>
    %c1 = arith.constant 1 : index
    %40 = v4.compressed_append %arg5, %inserted_slice_24 at %arg2 slots %arg3 tokens %c1 : !v4.compressed<batch = 2, ratio = 4, capacity = 32, dim = 128, element = bf16>, tensor<?x1x128xbf16>, tensor<?xi32>, tensor<?xi32>
    %41 = v4.param "layers.1.attn.indexer.wq_b.weight" : tensor<512x128xf8E4M3FN>
    %42 = v4.param "layers.1.attn.indexer.wq_b.scale" : tensor<4x1xf8E8M0FNU>
    %codes_25, %scales_26 = v4.quantize %9 block 128 rule ceil : tensor<?x1x128xbf16> -> tensor<?x1x128xf8E4M3FN>, tensor<?x1x1xf8E8M0FNU>
    %43 = v4.fp8_matmul %codes_25, %scales_26, %41, %42 block [128, 128] : (tensor<?x1x128xf8E4M3FN>, tensor<?x1x1xf8E8M0FNU>, tensor<512x128xf8E4M3FN>, tensor<4x1xf8E8M0FNU>) -> tensor<?x1x512xbf16>
    %expanded_27 = tensor.expand_shape %43 [[0], [1], [2, 3]] output_shape [%dim, 1, 4, 128] : tensor<?x1x512xbf16> into tensor<?x1x4x128xbf16>
    %44 = v4.rope %expanded_27, %generated <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<?x1x4x128xbf16>, tensor<?x1xi32>
    %45 = v4.hadamard %44 : tensor<?x1x4x128xbf16>
    %46 = v4.simulate_quant %45 format f4E2M1FN block 32 rule ceil : tensor<?x1x4x128xbf16>
    %47 = v4.param "layers.1.attn.indexer.compressor.wkv.weight" : tensor<256x256xbf16>
    %c0_28 = arith.constant 0 : index
    %dim_29 = tensor.dim %4, %c0_28 : tensor<?x1x256xbf16>
    %collapsed_30 = tensor.collapse_shape %4 [[0, 1], [2]] : tensor<?x1x256xbf16> into tensor<?x256xbf16>
    %c0_31 = arith.constant 0 : index
    %dim_32 = tensor.dim %collapsed_30, %c0_31 : tensor<?x256xbf16>
    %48 = tensor.empty(%dim_32) : tensor<?x256xf32>
    %cst_33 = arith.constant 0.000000e+00 : f32
    %49 = linalg.fill ins(%cst_33 : f32) outs(%48 : tensor<?x256xf32>) -> tensor<?x256xf32>
    %50 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_30, %47 : tensor<?x256xbf16>, tensor<256x256xbf16>) outs(%49 : tensor<?x256xf32>) -> tensor<?x256xf32>
    %expanded_34 = tensor.expand_shape %50 [[0, 1], [2]] output_shape [%dim_29, 1, 256] : tensor<?x256xf32> into tensor<?x1x256xf32>
    %51 = v4.param "layers.1.attn.indexer.compressor.wgate.weight" : tensor<256x256xbf16>
    %c0_35 = arith.constant 0 : index
    %dim_36 = tensor.dim %4, %c0_35 : tensor<?x1x256xbf16>
    %collapsed_37 = tensor.collapse_shape %4 [[0, 1], [2]] : tensor<?x1x256xbf16> into tensor<?x256xbf16>
    %c0_38 = arith.constant 0 : index
    %dim_39 = tensor.dim %collapsed_37, %c0_38 : tensor<?x256xbf16>
    %52 = tensor.empty(%dim_39) : tensor<?x256xf32>
    %cst_40 = arith.constant 0.000000e+00 : f32
    %53 = linalg.fill ins(%cst_40 : f32) outs(%52 : tensor<?x256xf32>) -> tensor<?x256xf32>
    %54 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_37, %51 : tensor<?x256xbf16>, tensor<256x256xbf16>) outs(%53 : tensor<?x256xf32>) -> tensor<?x256xf32>
    %expanded_41 = tensor.expand_shape %54 [[0, 1], [2]] output_shape [%dim_36, 1, 256] : tensor<?x256xf32> into tensor<?x1x256xf32>
    %55 = v4.param "layers.1.attn.indexer.compressor.ape" : tensor<4x256xf32>
    %entries_42, %new_state_43 = v4.compress %expanded_34, %expanded_41, %55, %arg8 at %arg2 slots %arg3 ratio 4 overlap : tensor<?x1x256xf32>, tensor<4x256xf32>, !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128>, tensor<?xi32>, tensor<?xi32> -> tensor<?x1x128xf32>
    %56 = arith.truncf %entries_42 : tensor<?x1x128xf32> to tensor<?x1x128xbf16>
    %57 = v4.param "layers.1.attn.indexer.compressor.norm.weight" : tensor<128xbf16>
    %58 = v4.rms_norm %56 weight %57 eps 9.9999999999999995E-7 : tensor<?x1x128xbf16>, tensor<128xbf16>
    %c0_44 = arith.constant 0 : index
    %dim_45 = tensor.dim %58, %c0_44 : tensor<?x1x128xbf16>
    %generated_46 = tensor.generate %dim {
    ^bb0(%arg9: index, %arg10: index):
      %extracted = tensor.extract %arg2[%arg9] : tensor<?xi32>
      %115 = arith.index_cast %extracted : i32 to index
      %c4 = arith.constant 4 : index
      %116 = arith.divui %115, %c4 : index
      %117 = arith.addi %116, %arg10 : index
      %c4_84 = arith.constant 4 : index
      %118 = arith.muli %117, %c4_84 : index
      %119 = arith.index_cast %118 : index to i32
      tensor.yield %119 : i32
    } : tensor<?x1xi32>
    %59 = v4.rope %58, %generated_46 <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<?x1x128xbf16>, tensor<?x1xi32>
    %60 = v4.hadamard %59 : tensor<?x1x128xbf16>
    %61 = v4.simulate_quant %60 format f4E2M1FN block 32 rule ceil : tensor<?x1x128xbf16>
    %c1_47 = arith.constant 1 : index
    %62 = v4.compressed_append %arg7, %61 at %arg2 slots %arg3 tokens %c1_47 : !v4.indexer_keys<batch = 2, capacity = 32, dim = 128, element = bf16>, tensor<?x1x128xbf16>, tensor<?xi32>, tensor<?xi32>
    %63 = v4.param "layers.1.attn.indexer.weights_proj.weight" : tensor<4x256xbf16>
    %c0_48 = arith.constant 0 : index
    %dim_49 = tensor.dim %4, %c0_48 : tensor<?x1x256xbf16>
    %collapsed_50 = tensor.collapse_shape %4 [[0, 1], [2]] : tensor<?x1x256xbf16> into tensor<?x256xbf16>
    %c0_51 = arith.constant 0 : index
    %dim_52 = tensor.dim %collapsed_50, %c0_51 : tensor<?x256xbf16>
    %64 = tensor.empty(%dim_52) : tensor<?x4xf32>
    %cst_53 = arith.constant 0.000000e+00 : f32
    %65 = linalg.fill ins(%cst_53 : f32) outs(%64 : tensor<?x4xf32>) -> tensor<?x4xf32>
    %66 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_50, %63 : tensor<?x256xbf16>, tensor<4x256xbf16>) outs(%65 : tensor<?x4xf32>) -> tensor<?x4xf32>
    %67 = arith.truncf %66 : tensor<?x4xf32> to tensor<?x4xbf16>
    %expanded_54 = tensor.expand_shape %67 [[0, 1], [2]] output_shape [%dim_49, 1, 4] : tensor<?x4xbf16> into tensor<?x1x4xbf16>
    %c0_55 = arith.constant 0 : index
    %dim_56 = tensor.dim %expanded_54, %c0_55 : tensor<?x1x4xbf16>
    %68 = tensor.empty(%dim_56) : tensor<?x1x4xbf16>
    %69 = linalg.generic {indexing_maps = [#map3, #map3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded_54 : tensor<?x1x4xbf16>) outs(%68 : tensor<?x1x4xbf16>) {
    ^bb0(%in: bf16, %out: bf16):
      %115 = arith.extf %in : bf16 to f32
      %cst_84 = arith.constant 0.0441941731 : f32
      %116 = arith.mulf %115, %cst_84 : f32
      %117 = arith.truncf %116 : f32 to bf16
      linalg.yield %117 : bf16
    } -> tensor<?x1x4xbf16>
    %70 = v4.indexer_score %46, %62, %69 slots %arg3 : tensor<?x1x4x128xbf16>, !v4.indexer_keys<batch = 2, capacity = 32, dim = 128, element = bf16>, tensor<?x1x4xbf16>, tensor<?xi32> -> tensor<?x1x32xbf16>
    %71 = v4.topk %70 at %arg2 k 4 ratio 4 : tensor<?x1x32xbf16>, tensor<?xi32> -> tensor<?x1x4xi32>
    %72 = v4.sparse_attention %14, %24[%23], %25 entries %40[%71] slots %arg3 scale 0.088388347648318433 : tensor<?x1x4x128xbf16>, tensor<?x16x128xbf16>, tensor<?x1x16xi32>, tensor<4xf32>, !v4.compressed<batch = 2, ratio = 4, capacity = 32, dim = 128, element = bf16>, tensor<?x1x4xi32>, tensor<?xi32>
    %73 = v4.rope %72, %generated <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> inverse : tensor<?x1x4x128xbf16>, tensor<?x1xi32>
    %74 = v4.param "layers.1.attn.wo_a.weight" : tensor<256x256xf8E4M3FN>
    %75 = v4.param "layers.1.attn.wo_a.scale" : tensor<2x2xf8E8M0FNU>
    %76 = tensor.empty() : tensor<2x128x2xf8E8M0FNU>
    %broadcasted = linalg.broadcast ins(%75 : tensor<2x2xf8E8M0FNU>) outs(%76 : tensor<2x128x2xf8E8M0FNU>) dimensions = [1] 
    %collapsed_57 = tensor.collapse_shape %broadcasted [[0, 1], [2]] : tensor<2x128x2xf8E8M0FNU> into tensor<256x2xf8E8M0FNU>
    %77 = v4.dequantize %74, %collapsed_57 block 128 : tensor<256x256xf8E4M3FN>, tensor<256x2xf8E8M0FNU> -> tensor<256x256xbf16>
    %expanded_58 = tensor.expand_shape %77 [[0, 1], [2]] output_shape [2, 128, 256] : tensor<256x256xbf16> into tensor<2x128x256xbf16>
    %78 = v4.grouped_linear %73, %expanded_58 groups 2 : tensor<?x1x4x128xbf16>, tensor<2x128x256xbf16> -> tensor<?x1x2x128xbf16>
    %collapsed_59 = tensor.collapse_shape %78 [[0], [1], [2, 3]] : tensor<?x1x2x128xbf16> into tensor<?x1x256xbf16>
    %79 = v4.param "layers.1.attn.wo_b.weight" : tensor<256x256xf8E4M3FN>
    %80 = v4.param "layers.1.attn.wo_b.scale" : tensor<2x2xf8E8M0FNU>
    %codes_60, %scales_61 = v4.quantize %collapsed_59 block 128 rule ceil : tensor<?x1x256xbf16> -> tensor<?x1x256xf8E4M3FN>, tensor<?x1x2xf8E8M0FNU>
    %81 = v4.fp8_matmul %codes_60, %scales_61, %79, %80 block [128, 128] : (tensor<?x1x256xf8E4M3FN>, tensor<?x1x2xf8E8M0FNU>, tensor<256x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>) -> tensor<?x1x256xbf16>
    %82 = v4.hc_post %81, %arg0, %post, %comb : tensor<?x1x256xbf16>, tensor<?x1x4x256xbf16>, tensor<?x1x4xf32>, tensor<?x1x4x4xf32>
    %83 = v4.param "layers.1.hc_ffn_fn" : tensor<24x1024xf32>
    %84 = v4.param "layers.1.hc_ffn_base" : tensor<24xf32>
    %85 = v4.param "layers.1.hc_ffn_scale" : tensor<3xf32>
    %output_62, %post_63, %comb_64 = v4.hc_pre %82, %83, %84, %85 iters 20 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<?x1x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<?x1x256xbf16>, tensor<?x1x4xf32>, tensor<?x1x4x4xf32>)
    %86 = v4.param "layers.1.ffn_norm.weight" : tensor<256xbf16>
    %87 = v4.rms_norm %output_62 weight %86 eps 9.9999999999999995E-7 : tensor<?x1x256xbf16>, tensor<256xbf16>
    %collapsed_65 = tensor.collapse_shape %87 [[0, 1], [2]] : tensor<?x1x256xbf16> into tensor<?x256xbf16>
    %88 = v4.param "layers.1.ffn.gate.weight" : tensor<8x256xbf16>
    %c0_66 = arith.constant 0 : index
    %dim_67 = tensor.dim %collapsed_65, %c0_66 : tensor<?x256xbf16>
    %c0_68 = arith.constant 0 : index
    %dim_69 = tensor.dim %collapsed_65, %c0_68 : tensor<?x256xbf16>
    %89 = tensor.empty(%dim_69) : tensor<?x8xf32>
    %cst_70 = arith.constant 0.000000e+00 : f32
    %90 = linalg.fill ins(%cst_70 : f32) outs(%89 : tensor<?x8xf32>) -> tensor<?x8xf32>
    %91 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_65, %88 : tensor<?x256xbf16>, tensor<8x256xbf16>) outs(%90 : tensor<?x8xf32>) -> tensor<?x8xf32>
    %92 = v4.param "layers.1.ffn.gate.bias" : tensor<8xf32>
    %weights, %experts = v4.moe_route %91, %92 k 2 route_scale 1.500000e+00 normalize : tensor<?x8xf32>, tensor<8xf32> -> tensor<?x2xf32>, tensor<?x2xi32>
    %rows, %row_weights, %permutation, %expert_offsets = v4.moe_dispatch %collapsed_65, %experts, %weights num_experts 8 : (tensor<?x256xbf16>, tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<?x256xbf16>, tensor<?xf32>, tensor<?xi32>, tensor<9xi32>)
    %codes_71, %scales_72 = v4.quantize %rows block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %93 = v4.param "layers.1.ffn.experts.*.w1.weight" : tensor<8x128x256xf4E2M1FN>
    %94 = v4.param "layers.1.ffn.experts.*.w1.scale" : tensor<8x128x8xf8E8M0FNU>
    %95 = v4.mxfp4_matmul %codes_71, %scales_72, %93, %94 groups %expert_offsets act_block 128 : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x128xbf16>
    %codes_73, %scales_74 = v4.quantize %rows block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %96 = v4.param "layers.1.ffn.experts.*.w3.weight" : tensor<8x128x256xf4E2M1FN>
    %97 = v4.param "layers.1.ffn.experts.*.w3.scale" : tensor<8x128x8xf8E8M0FNU>
    %98 = v4.mxfp4_matmul %codes_73, %scales_74, %96, %97 groups %expert_offsets act_block 128 : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x128xbf16>
    %99 = v4.swiglu %95, %98 weights %row_weights limit 1.000000e+01 : tensor<?x128xbf16>, tensor<?xf32> -> tensor<?x128xbf16>
    %codes_75, %scales_76 = v4.quantize %99 block 128 rule ceil : tensor<?x128xbf16> -> tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>
    %100 = v4.param "layers.1.ffn.experts.*.w2.weight" : tensor<8x256x128xf4E2M1FN>
    %101 = v4.param "layers.1.ffn.experts.*.w2.scale" : tensor<8x256x4xf8E8M0FNU>
    %102 = v4.mxfp4_matmul %codes_75, %scales_76, %100, %101 groups %expert_offsets act_block 128 : (tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>, tensor<8x256x128xf4E2M1FN>, tensor<8x256x4xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x256xbf16>
    %103 = v4.param "layers.1.ffn.shared_experts.w1.weight" : tensor<128x256xf8E4M3FN>
    %104 = v4.param "layers.1.ffn.shared_experts.w1.scale" : tensor<1x2xf8E8M0FNU>
    %codes_77, %scales_78 = v4.quantize %collapsed_65 block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %105 = v4.fp8_matmul %codes_77, %scales_78, %103, %104 block [128, 128] : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x128xbf16>
    %106 = v4.param "layers.1.ffn.shared_experts.w3.weight" : tensor<128x256xf8E4M3FN>
    %107 = v4.param "layers.1.ffn.shared_experts.w3.scale" : tensor<1x2xf8E8M0FNU>
    %codes_79, %scales_80 = v4.quantize %collapsed_65 block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %108 = v4.fp8_matmul %codes_79, %scales_80, %106, %107 block [128, 128] : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x128xbf16>
    %109 = v4.swiglu %105, %108 limit 1.000000e+01 : tensor<?x128xbf16> -> tensor<?x128xbf16>
    %110 = v4.param "layers.1.ffn.shared_experts.w2.weight" : tensor<256x128xf8E4M3FN>
    %111 = v4.param "layers.1.ffn.shared_experts.w2.scale" : tensor<2x1xf8E8M0FNU>
    %codes_81, %scales_82 = v4.quantize %109 block 128 rule ceil : tensor<?x128xbf16> -> tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>
    %112 = v4.fp8_matmul %codes_81, %scales_82, %110, %111 block [128, 128] : (tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>, tensor<256x128xf8E4M3FN>, tensor<2x1xf8E8M0FNU>) -> tensor<?x256xbf16>
    %113 = v4.moe_combine %102, %permutation shared %112 : (tensor<?x256xbf16>, tensor<?xi32>, tensor<?x256xbf16>) -> tensor<?x256xbf16>
    %expanded_83 = tensor.expand_shape %113 [[0, 1], [2]] output_shape [%dim, 1, 256] : tensor<?x256xbf16> into tensor<?x1x256xbf16>
    %114 = v4.hc_post %expanded_83, %82, %post_63, %comb_64 : tensor<?x1x256xbf16>, tensor<?x1x4x256xbf16>, tensor<?x1x4xf32>, tensor<?x1x4x4xf32>
    return %114, %22, %40, %new_state, %62, %new_state_43 : tensor<?x1x4x256xbf16>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, !v4.compressed<batch = 2, ratio = 4, capacity = 32, dim = 128, element = bf16>, !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128>, !v4.indexer_keys<batch = 2, capacity = 32, dim = 128, element = bf16>, !v4.compressor_state<batch = 2, ratio = 4, coff = 2, dim = 128>
  }
  func.func private @decode.layers.2(%arg0: tensor<?x1x4x256xbf16>, %arg1: tensor<?xi32>, %arg2: tensor<?xi32>, %arg3: tensor<?xi32>, %arg4: !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.2.window"}, %arg5: !v4.compressed<batch = 2, ratio = 16, capacity = 8, dim = 128, element = bf16> {v4.cache = "layers.2.compressed"}, %arg6: !v4.compressor_state<batch = 2, ratio = 16, coff = 1, dim = 128> {v4.cache = "layers.2.compressor_state"}) -> (tensor<?x1x4x256xbf16>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.2.window"}, !v4.compressed<batch = 2, ratio = 16, capacity = 8, dim = 128, element = bf16> {v4.cache = "layers.2.compressed"}, !v4.compressor_state<batch = 2, ratio = 16, coff = 1, dim = 128> {v4.cache = "layers.2.compressor_state"}) attributes {v4.attention = "hca", v4.block = 2 : i64, v4.moe = "score", v4.ratio = 16 : i64} {
    %c0 = arith.constant 0 : index
    %dim = tensor.dim %arg1, %c0 : tensor<?xi32>
    %0 = v4.param "layers.2.hc_attn_fn" : tensor<24x1024xf32>
    %1 = v4.param "layers.2.hc_attn_base" : tensor<24xf32>
    %2 = v4.param "layers.2.hc_attn_scale" : tensor<3xf32>
    %output, %post, %comb = v4.hc_pre %arg0, %0, %1, %2 iters 20 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<?x1x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<?x1x256xbf16>, tensor<?x1x4xf32>, tensor<?x1x4x4xf32>)
    %3 = v4.param "layers.2.attn_norm.weight" : tensor<256xbf16>
    %4 = v4.rms_norm %output weight %3 eps 9.9999999999999995E-7 : tensor<?x1x256xbf16>, tensor<256xbf16>
    %generated = tensor.generate %dim {
    ^bb0(%arg7: index, %arg8: index):
      %extracted = tensor.extract %arg2[%arg7] : tensor<?xi32>
      %84 = arith.index_cast %extracted : i32 to index
      %85 = arith.addi %84, %arg8 : index
      %86 = arith.index_cast %85 : index to i32
      tensor.yield %86 : i32
    } : tensor<?x1xi32>
    %5 = v4.param "layers.2.attn.wq_a.weight" : tensor<128x256xf8E4M3FN>
    %6 = v4.param "layers.2.attn.wq_a.scale" : tensor<1x2xf8E8M0FNU>
    %codes, %scales = v4.quantize %4 block 128 rule ceil : tensor<?x1x256xbf16> -> tensor<?x1x256xf8E4M3FN>, tensor<?x1x2xf8E8M0FNU>
    %7 = v4.fp8_matmul %codes, %scales, %5, %6 block [128, 128] : (tensor<?x1x256xf8E4M3FN>, tensor<?x1x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x1x128xbf16>
    %8 = v4.param "layers.2.attn.q_norm.weight" : tensor<128xbf16>
    %9 = v4.rms_norm %7 weight %8 eps 9.9999999999999995E-7 : tensor<?x1x128xbf16>, tensor<128xbf16>
    %10 = v4.param "layers.2.attn.wq_b.weight" : tensor<512x128xf8E4M3FN>
    %11 = v4.param "layers.2.attn.wq_b.scale" : tensor<4x1xf8E8M0FNU>
    %codes_0, %scales_1 = v4.quantize %9 block 128 rule ceil : tensor<?x1x128xbf16> -> tensor<?x1x128xf8E4M3FN>, tensor<?x1x1xf8E8M0FNU>
    %12 = v4.fp8_matmul %codes_0, %scales_1, %10, %11 block [128, 128] : (tensor<?x1x128xf8E4M3FN>, tensor<?x1x1xf8E8M0FNU>, tensor<512x128xf8E4M3FN>, tensor<4x1xf8E8M0FNU>) -> tensor<?x1x512xbf16>
    %expanded = tensor.expand_shape %12 [[0], [1], [2, 3]] output_shape [%dim, 1, 4, 128] : tensor<?x1x512xbf16> into tensor<?x1x4x128xbf16>
    %13 = v4.rms_norm %expanded round_each_step eps 9.9999999999999995E-7 : tensor<?x1x4x128xbf16>
    %14 = v4.rope %13, %generated <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<?x1x4x128xbf16>, tensor<?x1xi32>
    %15 = v4.param "layers.2.attn.wkv.weight" : tensor<128x256xf8E4M3FN>
    %16 = v4.param "layers.2.attn.wkv.scale" : tensor<1x2xf8E8M0FNU>
    %codes_2, %scales_3 = v4.quantize %4 block 128 rule ceil : tensor<?x1x256xbf16> -> tensor<?x1x256xf8E4M3FN>, tensor<?x1x2xf8E8M0FNU>
    %17 = v4.fp8_matmul %codes_2, %scales_3, %15, %16 block [128, 128] : (tensor<?x1x256xf8E4M3FN>, tensor<?x1x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x1x128xbf16>
    %18 = v4.param "layers.2.attn.kv_norm.weight" : tensor<128xbf16>
    %19 = v4.rms_norm %17 weight %18 eps 9.9999999999999995E-7 : tensor<?x1x128xbf16>, tensor<128xbf16>
    %20 = v4.rope %19, %generated <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<?x1x128xbf16>, tensor<?x1xi32>
    %c0_4 = arith.constant 0 : index
    %dim_5 = tensor.dim %20, %c0_4 : tensor<?x1x128xbf16>
    %extracted_slice = tensor.extract_slice %20[0, 0, 0] [%dim_5, 1, 64] [1, 1, 1] : tensor<?x1x128xbf16> to tensor<?x1x64xbf16>
    %21 = v4.simulate_quant %extracted_slice format f8E4M3FN block 64 rule ceil : tensor<?x1x64xbf16>
    %inserted_slice = tensor.insert_slice %21 into %20[0, 0, 0] [%dim_5, 1, 64] [1, 1, 1] : tensor<?x1x64xbf16> into tensor<?x1x128xbf16>
    %22 = v4.window_append %arg4, %inserted_slice at %arg2 slots %arg3 : !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, tensor<?x1x128xbf16>, tensor<?xi32>, tensor<?xi32>
    %23 = v4.window_indices %arg2 window 16 layout ring : tensor<?xi32> -> tensor<?x1x16xi32>
    %24 = v4.cache_read %22 slots %arg3 : !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, tensor<?xi32> -> tensor<?x16x128xbf16>
    %25 = v4.param "layers.2.attn.attn_sink" : tensor<4xf32>
    %26 = v4.param "layers.2.attn.compressor.wkv.weight" : tensor<128x256xbf16>
    %c0_6 = arith.constant 0 : index
    %dim_7 = tensor.dim %4, %c0_6 : tensor<?x1x256xbf16>
    %collapsed = tensor.collapse_shape %4 [[0, 1], [2]] : tensor<?x1x256xbf16> into tensor<?x256xbf16>
    %c0_8 = arith.constant 0 : index
    %dim_9 = tensor.dim %collapsed, %c0_8 : tensor<?x256xbf16>
    %27 = tensor.empty(%dim_9) : tensor<?x128xf32>
    %cst = arith.constant 0.000000e+00 : f32
    %28 = linalg.fill ins(%cst : f32) outs(%27 : tensor<?x128xf32>) -> tensor<?x128xf32>
    %29 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed, %26 : tensor<?x256xbf16>, tensor<128x256xbf16>) outs(%28 : tensor<?x128xf32>) -> tensor<?x128xf32>
    %expanded_10 = tensor.expand_shape %29 [[0, 1], [2]] output_shape [%dim_7, 1, 128] : tensor<?x128xf32> into tensor<?x1x128xf32>
    %30 = v4.param "layers.2.attn.compressor.wgate.weight" : tensor<128x256xbf16>
    %c0_11 = arith.constant 0 : index
    %dim_12 = tensor.dim %4, %c0_11 : tensor<?x1x256xbf16>
    %collapsed_13 = tensor.collapse_shape %4 [[0, 1], [2]] : tensor<?x1x256xbf16> into tensor<?x256xbf16>
    %c0_14 = arith.constant 0 : index
    %dim_15 = tensor.dim %collapsed_13, %c0_14 : tensor<?x256xbf16>
    %31 = tensor.empty(%dim_15) : tensor<?x128xf32>
    %cst_16 = arith.constant 0.000000e+00 : f32
    %32 = linalg.fill ins(%cst_16 : f32) outs(%31 : tensor<?x128xf32>) -> tensor<?x128xf32>
    %33 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_13, %30 : tensor<?x256xbf16>, tensor<128x256xbf16>) outs(%32 : tensor<?x128xf32>) -> tensor<?x128xf32>
    %expanded_17 = tensor.expand_shape %33 [[0, 1], [2]] output_shape [%dim_12, 1, 128] : tensor<?x128xf32> into tensor<?x1x128xf32>
    %34 = v4.param "layers.2.attn.compressor.ape" : tensor<16x128xf32>
    %entries, %new_state = v4.compress %expanded_10, %expanded_17, %34, %arg6 at %arg2 slots %arg3 ratio 16 : tensor<?x1x128xf32>, tensor<16x128xf32>, !v4.compressor_state<batch = 2, ratio = 16, coff = 1, dim = 128>, tensor<?xi32>, tensor<?xi32> -> tensor<?x1x128xf32>
    %35 = arith.truncf %entries : tensor<?x1x128xf32> to tensor<?x1x128xbf16>
    %36 = v4.param "layers.2.attn.compressor.norm.weight" : tensor<128xbf16>
    %37 = v4.rms_norm %35 weight %36 eps 9.9999999999999995E-7 : tensor<?x1x128xbf16>, tensor<128xbf16>
    %c0_18 = arith.constant 0 : index
    %dim_19 = tensor.dim %37, %c0_18 : tensor<?x1x128xbf16>
    %generated_20 = tensor.generate %dim {
    ^bb0(%arg7: index, %arg8: index):
      %extracted = tensor.extract %arg2[%arg7] : tensor<?xi32>
      %84 = arith.index_cast %extracted : i32 to index
      %c16 = arith.constant 16 : index
      %85 = arith.divui %84, %c16 : index
      %86 = arith.addi %85, %arg8 : index
      %c16_52 = arith.constant 16 : index
      %87 = arith.muli %86, %c16_52 : index
      %88 = arith.index_cast %87 : index to i32
      tensor.yield %88 : i32
    } : tensor<?x1xi32>
    %38 = v4.rope %37, %generated_20 <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<?x1x128xbf16>, tensor<?x1xi32>
    %c0_21 = arith.constant 0 : index
    %dim_22 = tensor.dim %38, %c0_21 : tensor<?x1x128xbf16>
    %extracted_slice_23 = tensor.extract_slice %38[0, 0, 0] [%dim_22, 1, 64] [1, 1, 1] : tensor<?x1x128xbf16> to tensor<?x1x64xbf16>
    %39 = v4.simulate_quant %extracted_slice_23 format f8E4M3FN block 64 rule ceil : tensor<?x1x64xbf16>
    %inserted_slice_24 = tensor.insert_slice %39 into %38[0, 0, 0] [%dim_22, 1, 64] [1, 1, 1] : tensor<?x1x64xbf16> into tensor<?x1x128xbf16>
    %c1 = arith.constant 1 : index
    %40 = v4.compressed_append %arg5, %inserted_slice_24 at %arg2 slots %arg3 tokens %c1 : !v4.compressed<batch = 2, ratio = 16, capacity = 8, dim = 128, element = bf16>, tensor<?x1x128xbf16>, tensor<?xi32>, tensor<?xi32>
    %41 = v4.hca_attention %14, %24[%23] entries %40, %25 at %arg2 slots %arg3 scale 0.088388347648318433 : tensor<?x1x4x128xbf16>, tensor<?x16x128xbf16>, tensor<?x1x16xi32>, !v4.compressed<batch = 2, ratio = 16, capacity = 8, dim = 128, element = bf16>, tensor<4xf32>, tensor<?xi32>, tensor<?xi32>
    %42 = v4.rope %41, %generated <base = 1.600000e+05, rope_dim = 64, factor = 1.600000e+01, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> inverse : tensor<?x1x4x128xbf16>, tensor<?x1xi32>
    %43 = v4.param "layers.2.attn.wo_a.weight" : tensor<256x256xf8E4M3FN>
    %44 = v4.param "layers.2.attn.wo_a.scale" : tensor<2x2xf8E8M0FNU>
    %45 = tensor.empty() : tensor<2x128x2xf8E8M0FNU>
    %broadcasted = linalg.broadcast ins(%44 : tensor<2x2xf8E8M0FNU>) outs(%45 : tensor<2x128x2xf8E8M0FNU>) dimensions = [1] 
    %collapsed_25 = tensor.collapse_shape %broadcasted [[0, 1], [2]] : tensor<2x128x2xf8E8M0FNU> into tensor<256x2xf8E8M0FNU>
    %46 = v4.dequantize %43, %collapsed_25 block 128 : tensor<256x256xf8E4M3FN>, tensor<256x2xf8E8M0FNU> -> tensor<256x256xbf16>
    %expanded_26 = tensor.expand_shape %46 [[0, 1], [2]] output_shape [2, 128, 256] : tensor<256x256xbf16> into tensor<2x128x256xbf16>
    %47 = v4.grouped_linear %42, %expanded_26 groups 2 : tensor<?x1x4x128xbf16>, tensor<2x128x256xbf16> -> tensor<?x1x2x128xbf16>
    %collapsed_27 = tensor.collapse_shape %47 [[0], [1], [2, 3]] : tensor<?x1x2x128xbf16> into tensor<?x1x256xbf16>
    %48 = v4.param "layers.2.attn.wo_b.weight" : tensor<256x256xf8E4M3FN>
    %49 = v4.param "layers.2.attn.wo_b.scale" : tensor<2x2xf8E8M0FNU>
    %codes_28, %scales_29 = v4.quantize %collapsed_27 block 128 rule ceil : tensor<?x1x256xbf16> -> tensor<?x1x256xf8E4M3FN>, tensor<?x1x2xf8E8M0FNU>
    %50 = v4.fp8_matmul %codes_28, %scales_29, %48, %49 block [128, 128] : (tensor<?x1x256xf8E4M3FN>, tensor<?x1x2xf8E8M0FNU>, tensor<256x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>) -> tensor<?x1x256xbf16>
    %51 = v4.hc_post %50, %arg0, %post, %comb : tensor<?x1x256xbf16>, tensor<?x1x4x256xbf16>, tensor<?x1x4xf32>, tensor<?x1x4x4xf32>
    %52 = v4.param "layers.2.hc_ffn_fn" : tensor<24x1024xf32>
    %53 = v4.param "layers.2.hc_ffn_base" : tensor<24xf32>
    %54 = v4.param "layers.2.hc_ffn_scale" : tensor<3xf32>
    %output_30, %post_31, %comb_32 = v4.hc_pre %51, %52, %53, %54 iters 20 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<?x1x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<?x1x256xbf16>, tensor<?x1x4xf32>, tensor<?x1x4x4xf32>)
    %55 = v4.param "layers.2.ffn_norm.weight" : tensor<256xbf16>
    %56 = v4.rms_norm %output_30 weight %55 eps 9.9999999999999995E-7 : tensor<?x1x256xbf16>, tensor<256xbf16>
    %collapsed_33 = tensor.collapse_shape %56 [[0, 1], [2]] : tensor<?x1x256xbf16> into tensor<?x256xbf16>
    %57 = v4.param "layers.2.ffn.gate.weight" : tensor<8x256xbf16>
    %c0_34 = arith.constant 0 : index
    %dim_35 = tensor.dim %collapsed_33, %c0_34 : tensor<?x256xbf16>
    %c0_36 = arith.constant 0 : index
    %dim_37 = tensor.dim %collapsed_33, %c0_36 : tensor<?x256xbf16>
    %58 = tensor.empty(%dim_37) : tensor<?x8xf32>
    %cst_38 = arith.constant 0.000000e+00 : f32
    %59 = linalg.fill ins(%cst_38 : f32) outs(%58 : tensor<?x8xf32>) -> tensor<?x8xf32>
    %60 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_33, %57 : tensor<?x256xbf16>, tensor<8x256xbf16>) outs(%59 : tensor<?x8xf32>) -> tensor<?x8xf32>
    %61 = v4.param "layers.2.ffn.gate.bias" : tensor<8xf32>
    %weights, %experts = v4.moe_route %60, %61 k 2 route_scale 1.500000e+00 normalize : tensor<?x8xf32>, tensor<8xf32> -> tensor<?x2xf32>, tensor<?x2xi32>
    %rows, %row_weights, %permutation, %expert_offsets = v4.moe_dispatch %collapsed_33, %experts, %weights num_experts 8 : (tensor<?x256xbf16>, tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<?x256xbf16>, tensor<?xf32>, tensor<?xi32>, tensor<9xi32>)
    %codes_39, %scales_40 = v4.quantize %rows block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %62 = v4.param "layers.2.ffn.experts.*.w1.weight" : tensor<8x128x256xf4E2M1FN>
    %63 = v4.param "layers.2.ffn.experts.*.w1.scale" : tensor<8x128x8xf8E8M0FNU>
    %64 = v4.mxfp4_matmul %codes_39, %scales_40, %62, %63 groups %expert_offsets act_block 128 : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x128xbf16>
    %codes_41, %scales_42 = v4.quantize %rows block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %65 = v4.param "layers.2.ffn.experts.*.w3.weight" : tensor<8x128x256xf4E2M1FN>
    %66 = v4.param "layers.2.ffn.experts.*.w3.scale" : tensor<8x128x8xf8E8M0FNU>
    %67 = v4.mxfp4_matmul %codes_41, %scales_42, %65, %66 groups %expert_offsets act_block 128 : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x128xbf16>
    %68 = v4.swiglu %64, %67 weights %row_weights limit 1.000000e+01 : tensor<?x128xbf16>, tensor<?xf32> -> tensor<?x128xbf16>
    %codes_43, %scales_44 = v4.quantize %68 block 128 rule ceil : tensor<?x128xbf16> -> tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>
    %69 = v4.param "layers.2.ffn.experts.*.w2.weight" : tensor<8x256x128xf4E2M1FN>
    %70 = v4.param "layers.2.ffn.experts.*.w2.scale" : tensor<8x256x4xf8E8M0FNU>
    %71 = v4.mxfp4_matmul %codes_43, %scales_44, %69, %70 groups %expert_offsets act_block 128 : (tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>, tensor<8x256x128xf4E2M1FN>, tensor<8x256x4xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x256xbf16>
    %72 = v4.param "layers.2.ffn.shared_experts.w1.weight" : tensor<128x256xf8E4M3FN>
    %73 = v4.param "layers.2.ffn.shared_experts.w1.scale" : tensor<1x2xf8E8M0FNU>
    %codes_45, %scales_46 = v4.quantize %collapsed_33 block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %74 = v4.fp8_matmul %codes_45, %scales_46, %72, %73 block [128, 128] : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x128xbf16>
    %75 = v4.param "layers.2.ffn.shared_experts.w3.weight" : tensor<128x256xf8E4M3FN>
    %76 = v4.param "layers.2.ffn.shared_experts.w3.scale" : tensor<1x2xf8E8M0FNU>
    %codes_47, %scales_48 = v4.quantize %collapsed_33 block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %77 = v4.fp8_matmul %codes_47, %scales_48, %75, %76 block [128, 128] : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x128xbf16>
    %78 = v4.swiglu %74, %77 limit 1.000000e+01 : tensor<?x128xbf16> -> tensor<?x128xbf16>
    %79 = v4.param "layers.2.ffn.shared_experts.w2.weight" : tensor<256x128xf8E4M3FN>
    %80 = v4.param "layers.2.ffn.shared_experts.w2.scale" : tensor<2x1xf8E8M0FNU>
    %codes_49, %scales_50 = v4.quantize %78 block 128 rule ceil : tensor<?x128xbf16> -> tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>
    %81 = v4.fp8_matmul %codes_49, %scales_50, %79, %80 block [128, 128] : (tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>, tensor<256x128xf8E4M3FN>, tensor<2x1xf8E8M0FNU>) -> tensor<?x256xbf16>
    %82 = v4.moe_combine %71, %permutation shared %81 : (tensor<?x256xbf16>, tensor<?xi32>, tensor<?x256xbf16>) -> tensor<?x256xbf16>
    %expanded_51 = tensor.expand_shape %82 [[0, 1], [2]] output_shape [%dim, 1, 256] : tensor<?x256xbf16> into tensor<?x1x256xbf16>
    %83 = v4.hc_post %expanded_51, %51, %post_31, %comb_32 : tensor<?x1x256xbf16>, tensor<?x1x4x256xbf16>, tensor<?x1x4xf32>, tensor<?x1x4x4xf32>
    return %83, %22, %40, %new_state : tensor<?x1x4x256xbf16>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, !v4.compressed<batch = 2, ratio = 16, capacity = 8, dim = 128, element = bf16>, !v4.compressor_state<batch = 2, ratio = 16, coff = 1, dim = 128>
  }
  func.func private @prefill.mtp.0(%arg0: tensor<1x?x4x256xbf16>, %arg1: tensor<?xi32>, %arg2: tensor<1xi32>, %arg3: tensor<1xi32>, %arg4: !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "mtp.0.window"}) -> (tensor<1x?x4x256xbf16>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "mtp.0.window"}) attributes {v4.attention = "swa", v4.block = 3 : i64, v4.moe = "score", v4.mtp, v4.ratio = 0 : i64} {
    %c0 = arith.constant 0 : index
    %dim = tensor.dim %arg1, %c0 : tensor<?xi32>
    %0 = v4.param "mtp.0.hc_attn_fn" : tensor<24x1024xf32>
    %1 = v4.param "mtp.0.hc_attn_base" : tensor<24xf32>
    %2 = v4.param "mtp.0.hc_attn_scale" : tensor<3xf32>
    %output, %post, %comb = v4.hc_pre %arg0, %0, %1, %2 iters 20 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<1x?x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x?x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>)
    %3 = v4.param "mtp.0.attn_norm.weight" : tensor<256xbf16>
    %4 = v4.rms_norm %output weight %3 eps 9.9999999999999995E-7 : tensor<1x?x256xbf16>, tensor<256xbf16>
    %generated = tensor.generate %dim {
    ^bb0(%arg5: index, %arg6: index):
      %extracted = tensor.extract %arg2[%arg5] : tensor<1xi32>
      %69 = arith.index_cast %extracted : i32 to index
      %70 = arith.addi %69, %arg6 : index
      %71 = arith.index_cast %70 : index to i32
      tensor.yield %71 : i32
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
    %22 = v4.cache_read %arg4 slots %arg3 : !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, tensor<1xi32> -> tensor<1x16x128xbf16>
    %concat = tensor.concat dim(1) %22, %inserted_slice : (tensor<1x16x128xbf16>, tensor<1x?x128xbf16>) -> tensor<1x?x128xbf16>
    %23 = v4.window_indices %arg2 rows %dim window 16 layout ring_chunk : tensor<1xi32> -> tensor<1x?x16xi32>
    %24 = v4.window_append %arg4, %inserted_slice at %arg2 slots %arg3 : !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, tensor<1x?x128xbf16>, tensor<1xi32>, tensor<1xi32>
    %25 = v4.param "mtp.0.attn.attn_sink" : tensor<4xf32>
    %26 = v4.sparse_attention %14, %concat[%23], %25 scale 0.088388347648318433 : tensor<1x?x4x128xbf16>, tensor<1x?x128xbf16>, tensor<1x?x16xi32>, tensor<4xf32>
    %27 = v4.rope %26, %generated <base = 1.000000e+04, rope_dim = 64, factor = 1.000000e+00, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> inverse : tensor<1x?x4x128xbf16>, tensor<1x?xi32>
    %28 = v4.param "mtp.0.attn.wo_a.weight" : tensor<256x256xf8E4M3FN>
    %29 = v4.param "mtp.0.attn.wo_a.scale" : tensor<2x2xf8E8M0FNU>
    %30 = tensor.empty() : tensor<2x128x2xf8E8M0FNU>
    %broadcasted = linalg.broadcast ins(%29 : tensor<2x2xf8E8M0FNU>) outs(%30 : tensor<2x128x2xf8E8M0FNU>) dimensions = [1] 
    %collapsed = tensor.collapse_shape %broadcasted [[0, 1], [2]] : tensor<2x128x2xf8E8M0FNU> into tensor<256x2xf8E8M0FNU>
    %31 = v4.dequantize %28, %collapsed block 128 : tensor<256x256xf8E4M3FN>, tensor<256x2xf8E8M0FNU> -> tensor<256x256xbf16>
    %expanded_5 = tensor.expand_shape %31 [[0, 1], [2]] output_shape [2, 128, 256] : tensor<256x256xbf16> into tensor<2x128x256xbf16>
    %32 = v4.grouped_linear %27, %expanded_5 groups 2 : tensor<1x?x4x128xbf16>, tensor<2x128x256xbf16> -> tensor<1x?x2x128xbf16>
    %collapsed_6 = tensor.collapse_shape %32 [[0], [1], [2, 3]] : tensor<1x?x2x128xbf16> into tensor<1x?x256xbf16>
    %33 = v4.param "mtp.0.attn.wo_b.weight" : tensor<256x256xf8E4M3FN>
    %34 = v4.param "mtp.0.attn.wo_b.scale" : tensor<2x2xf8E8M0FNU>
    %codes_7, %scales_8 = v4.quantize %collapsed_6 block 128 rule ceil : tensor<1x?x256xbf16> -> tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>
    %35 = v4.fp8_matmul %codes_7, %scales_8, %33, %34 block [128, 128] : (tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>, tensor<256x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>) -> tensor<1x?x256xbf16>
    %36 = v4.hc_post %35, %arg0, %post, %comb : tensor<1x?x256xbf16>, tensor<1x?x4x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>
    %37 = v4.param "mtp.0.hc_ffn_fn" : tensor<24x1024xf32>
    %38 = v4.param "mtp.0.hc_ffn_base" : tensor<24xf32>
    %39 = v4.param "mtp.0.hc_ffn_scale" : tensor<3xf32>
    %output_9, %post_10, %comb_11 = v4.hc_pre %36, %37, %38, %39 iters 20 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<1x?x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<1x?x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>)
    %40 = v4.param "mtp.0.ffn_norm.weight" : tensor<256xbf16>
    %41 = v4.rms_norm %output_9 weight %40 eps 9.9999999999999995E-7 : tensor<1x?x256xbf16>, tensor<256xbf16>
    %collapsed_12 = tensor.collapse_shape %41 [[0, 1], [2]] : tensor<1x?x256xbf16> into tensor<?x256xbf16>
    %42 = v4.param "mtp.0.ffn.gate.weight" : tensor<8x256xbf16>
    %c0_13 = arith.constant 0 : index
    %dim_14 = tensor.dim %collapsed_12, %c0_13 : tensor<?x256xbf16>
    %c0_15 = arith.constant 0 : index
    %dim_16 = tensor.dim %collapsed_12, %c0_15 : tensor<?x256xbf16>
    %43 = tensor.empty(%dim_16) : tensor<?x8xf32>
    %cst = arith.constant 0.000000e+00 : f32
    %44 = linalg.fill ins(%cst : f32) outs(%43 : tensor<?x8xf32>) -> tensor<?x8xf32>
    %45 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_12, %42 : tensor<?x256xbf16>, tensor<8x256xbf16>) outs(%44 : tensor<?x8xf32>) -> tensor<?x8xf32>
    %46 = v4.param "mtp.0.ffn.gate.bias" : tensor<8xf32>
    %weights, %experts = v4.moe_route %45, %46 k 2 route_scale 1.500000e+00 normalize : tensor<?x8xf32>, tensor<8xf32> -> tensor<?x2xf32>, tensor<?x2xi32>
    %rows, %row_weights, %permutation, %expert_offsets = v4.moe_dispatch %collapsed_12, %experts, %weights num_experts 8 : (tensor<?x256xbf16>, tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<?x256xbf16>, tensor<?xf32>, tensor<?xi32>, tensor<9xi32>)
    %codes_17, %scales_18 = v4.quantize %rows block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %47 = v4.param "mtp.0.ffn.experts.*.w1.weight" : tensor<8x128x256xf4E2M1FN>
    %48 = v4.param "mtp.0.ffn.experts.*.w1.scale" : tensor<8x128x8xf8E8M0FNU>
    %49 = v4.mxfp4_matmul %codes_17, %scales_18, %47, %48 groups %expert_offsets act_block 128 : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x128xbf16>
    %codes_19, %scales_20 = v4.quantize %rows block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %50 = v4.param "mtp.0.ffn.experts.*.w3.weight" : tensor<8x128x256xf4E2M1FN>
    %51 = v4.param "mtp.0.ffn.experts.*.w3.scale" : tensor<8x128x8xf8E8M0FNU>
    %52 = v4.mxfp4_matmul %codes_19, %scales_20, %50, %51 groups %expert_offsets act_block 128 : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x128xbf16>
    %53 = v4.swiglu %49, %52 weights %row_weights limit 1.000000e+01 : tensor<?x128xbf16>, tensor<?xf32> -> tensor<?x128xbf16>
    %codes_21, %scales_22 = v4.quantize %53 block 128 rule ceil : tensor<?x128xbf16> -> tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>
    %54 = v4.param "mtp.0.ffn.experts.*.w2.weight" : tensor<8x256x128xf4E2M1FN>
    %55 = v4.param "mtp.0.ffn.experts.*.w2.scale" : tensor<8x256x4xf8E8M0FNU>
    %56 = v4.mxfp4_matmul %codes_21, %scales_22, %54, %55 groups %expert_offsets act_block 128 : (tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>, tensor<8x256x128xf4E2M1FN>, tensor<8x256x4xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x256xbf16>
    %57 = v4.param "mtp.0.ffn.shared_experts.w1.weight" : tensor<128x256xf8E4M3FN>
    %58 = v4.param "mtp.0.ffn.shared_experts.w1.scale" : tensor<1x2xf8E8M0FNU>
    %codes_23, %scales_24 = v4.quantize %collapsed_12 block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %59 = v4.fp8_matmul %codes_23, %scales_24, %57, %58 block [128, 128] : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x128xbf16>
    %60 = v4.param "mtp.0.ffn.shared_experts.w3.weight" : tensor<128x256xf8E4M3FN>
    %61 = v4.param "mtp.0.ffn.shared_experts.w3.scale" : tensor<1x2xf8E8M0FNU>
    %codes_25, %scales_26 = v4.quantize %collapsed_12 block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %62 = v4.fp8_matmul %codes_25, %scales_26, %60, %61 block [128, 128] : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x128xbf16>
    %63 = v4.swiglu %59, %62 limit 1.000000e+01 : tensor<?x128xbf16> -> tensor<?x128xbf16>
    %64 = v4.param "mtp.0.ffn.shared_experts.w2.weight" : tensor<256x128xf8E4M3FN>
    %65 = v4.param "mtp.0.ffn.shared_experts.w2.scale" : tensor<2x1xf8E8M0FNU>
    %codes_27, %scales_28 = v4.quantize %63 block 128 rule ceil : tensor<?x128xbf16> -> tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>
    %66 = v4.fp8_matmul %codes_27, %scales_28, %64, %65 block [128, 128] : (tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>, tensor<256x128xf8E4M3FN>, tensor<2x1xf8E8M0FNU>) -> tensor<?x256xbf16>
    %67 = v4.moe_combine %56, %permutation shared %66 : (tensor<?x256xbf16>, tensor<?xi32>, tensor<?x256xbf16>) -> tensor<?x256xbf16>
    %expanded_29 = tensor.expand_shape %67 [[0, 1], [2]] output_shape [1, %dim, 256] : tensor<?x256xbf16> into tensor<1x?x256xbf16>
    %68 = v4.hc_post %expanded_29, %36, %post_10, %comb_11 : tensor<1x?x256xbf16>, tensor<1x?x4x256xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>
    return %68, %24 : tensor<1x?x4x256xbf16>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>
  }
  func.func private @decode.mtp.0(%arg0: tensor<?x1x4x256xbf16>, %arg1: tensor<?xi32>, %arg2: tensor<?xi32>, %arg3: tensor<?xi32>, %arg4: !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "mtp.0.window"}) -> (tensor<?x1x4x256xbf16>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "mtp.0.window"}) attributes {v4.attention = "swa", v4.block = 3 : i64, v4.moe = "score", v4.mtp, v4.ratio = 0 : i64} {
    %c0 = arith.constant 0 : index
    %dim = tensor.dim %arg1, %c0 : tensor<?xi32>
    %0 = v4.param "mtp.0.hc_attn_fn" : tensor<24x1024xf32>
    %1 = v4.param "mtp.0.hc_attn_base" : tensor<24xf32>
    %2 = v4.param "mtp.0.hc_attn_scale" : tensor<3xf32>
    %output, %post, %comb = v4.hc_pre %arg0, %0, %1, %2 iters 20 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<?x1x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<?x1x256xbf16>, tensor<?x1x4xf32>, tensor<?x1x4x4xf32>)
    %3 = v4.param "mtp.0.attn_norm.weight" : tensor<256xbf16>
    %4 = v4.rms_norm %output weight %3 eps 9.9999999999999995E-7 : tensor<?x1x256xbf16>, tensor<256xbf16>
    %generated = tensor.generate %dim {
    ^bb0(%arg5: index, %arg6: index):
      %extracted = tensor.extract %arg2[%arg5] : tensor<?xi32>
      %69 = arith.index_cast %extracted : i32 to index
      %70 = arith.addi %69, %arg6 : index
      %71 = arith.index_cast %70 : index to i32
      tensor.yield %71 : i32
    } : tensor<?x1xi32>
    %5 = v4.param "mtp.0.attn.wq_a.weight" : tensor<128x256xf8E4M3FN>
    %6 = v4.param "mtp.0.attn.wq_a.scale" : tensor<1x2xf8E8M0FNU>
    %codes, %scales = v4.quantize %4 block 128 rule ceil : tensor<?x1x256xbf16> -> tensor<?x1x256xf8E4M3FN>, tensor<?x1x2xf8E8M0FNU>
    %7 = v4.fp8_matmul %codes, %scales, %5, %6 block [128, 128] : (tensor<?x1x256xf8E4M3FN>, tensor<?x1x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x1x128xbf16>
    %8 = v4.param "mtp.0.attn.q_norm.weight" : tensor<128xbf16>
    %9 = v4.rms_norm %7 weight %8 eps 9.9999999999999995E-7 : tensor<?x1x128xbf16>, tensor<128xbf16>
    %10 = v4.param "mtp.0.attn.wq_b.weight" : tensor<512x128xf8E4M3FN>
    %11 = v4.param "mtp.0.attn.wq_b.scale" : tensor<4x1xf8E8M0FNU>
    %codes_0, %scales_1 = v4.quantize %9 block 128 rule ceil : tensor<?x1x128xbf16> -> tensor<?x1x128xf8E4M3FN>, tensor<?x1x1xf8E8M0FNU>
    %12 = v4.fp8_matmul %codes_0, %scales_1, %10, %11 block [128, 128] : (tensor<?x1x128xf8E4M3FN>, tensor<?x1x1xf8E8M0FNU>, tensor<512x128xf8E4M3FN>, tensor<4x1xf8E8M0FNU>) -> tensor<?x1x512xbf16>
    %expanded = tensor.expand_shape %12 [[0], [1], [2, 3]] output_shape [%dim, 1, 4, 128] : tensor<?x1x512xbf16> into tensor<?x1x4x128xbf16>
    %13 = v4.rms_norm %expanded round_each_step eps 9.9999999999999995E-7 : tensor<?x1x4x128xbf16>
    %14 = v4.rope %13, %generated <base = 1.000000e+04, rope_dim = 64, factor = 1.000000e+00, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<?x1x4x128xbf16>, tensor<?x1xi32>
    %15 = v4.param "mtp.0.attn.wkv.weight" : tensor<128x256xf8E4M3FN>
    %16 = v4.param "mtp.0.attn.wkv.scale" : tensor<1x2xf8E8M0FNU>
    %codes_2, %scales_3 = v4.quantize %4 block 128 rule ceil : tensor<?x1x256xbf16> -> tensor<?x1x256xf8E4M3FN>, tensor<?x1x2xf8E8M0FNU>
    %17 = v4.fp8_matmul %codes_2, %scales_3, %15, %16 block [128, 128] : (tensor<?x1x256xf8E4M3FN>, tensor<?x1x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x1x128xbf16>
    %18 = v4.param "mtp.0.attn.kv_norm.weight" : tensor<128xbf16>
    %19 = v4.rms_norm %17 weight %18 eps 9.9999999999999995E-7 : tensor<?x1x128xbf16>, tensor<128xbf16>
    %20 = v4.rope %19, %generated <base = 1.000000e+04, rope_dim = 64, factor = 1.000000e+00, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> : tensor<?x1x128xbf16>, tensor<?x1xi32>
    %c0_4 = arith.constant 0 : index
    %dim_5 = tensor.dim %20, %c0_4 : tensor<?x1x128xbf16>
    %extracted_slice = tensor.extract_slice %20[0, 0, 0] [%dim_5, 1, 64] [1, 1, 1] : tensor<?x1x128xbf16> to tensor<?x1x64xbf16>
    %21 = v4.simulate_quant %extracted_slice format f8E4M3FN block 64 rule ceil : tensor<?x1x64xbf16>
    %inserted_slice = tensor.insert_slice %21 into %20[0, 0, 0] [%dim_5, 1, 64] [1, 1, 1] : tensor<?x1x64xbf16> into tensor<?x1x128xbf16>
    %22 = v4.window_append %arg4, %inserted_slice at %arg2 slots %arg3 : !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, tensor<?x1x128xbf16>, tensor<?xi32>, tensor<?xi32>
    %23 = v4.window_indices %arg2 window 16 layout ring : tensor<?xi32> -> tensor<?x1x16xi32>
    %24 = v4.cache_read %22 slots %arg3 : !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, tensor<?xi32> -> tensor<?x16x128xbf16>
    %25 = v4.param "mtp.0.attn.attn_sink" : tensor<4xf32>
    %26 = v4.sparse_attention %14, %24[%23], %25 scale 0.088388347648318433 : tensor<?x1x4x128xbf16>, tensor<?x16x128xbf16>, tensor<?x1x16xi32>, tensor<4xf32>
    %27 = v4.rope %26, %generated <base = 1.000000e+04, rope_dim = 64, factor = 1.000000e+00, original_seq_len = 65536, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00> inverse : tensor<?x1x4x128xbf16>, tensor<?x1xi32>
    %28 = v4.param "mtp.0.attn.wo_a.weight" : tensor<256x256xf8E4M3FN>
    %29 = v4.param "mtp.0.attn.wo_a.scale" : tensor<2x2xf8E8M0FNU>
    %30 = tensor.empty() : tensor<2x128x2xf8E8M0FNU>
    %broadcasted = linalg.broadcast ins(%29 : tensor<2x2xf8E8M0FNU>) outs(%30 : tensor<2x128x2xf8E8M0FNU>) dimensions = [1] 
    %collapsed = tensor.collapse_shape %broadcasted [[0, 1], [2]] : tensor<2x128x2xf8E8M0FNU> into tensor<256x2xf8E8M0FNU>
    %31 = v4.dequantize %28, %collapsed block 128 : tensor<256x256xf8E4M3FN>, tensor<256x2xf8E8M0FNU> -> tensor<256x256xbf16>
    %expanded_6 = tensor.expand_shape %31 [[0, 1], [2]] output_shape [2, 128, 256] : tensor<256x256xbf16> into tensor<2x128x256xbf16>
    %32 = v4.grouped_linear %27, %expanded_6 groups 2 : tensor<?x1x4x128xbf16>, tensor<2x128x256xbf16> -> tensor<?x1x2x128xbf16>
    %collapsed_7 = tensor.collapse_shape %32 [[0], [1], [2, 3]] : tensor<?x1x2x128xbf16> into tensor<?x1x256xbf16>
    %33 = v4.param "mtp.0.attn.wo_b.weight" : tensor<256x256xf8E4M3FN>
    %34 = v4.param "mtp.0.attn.wo_b.scale" : tensor<2x2xf8E8M0FNU>
    %codes_8, %scales_9 = v4.quantize %collapsed_7 block 128 rule ceil : tensor<?x1x256xbf16> -> tensor<?x1x256xf8E4M3FN>, tensor<?x1x2xf8E8M0FNU>
    %35 = v4.fp8_matmul %codes_8, %scales_9, %33, %34 block [128, 128] : (tensor<?x1x256xf8E4M3FN>, tensor<?x1x2xf8E8M0FNU>, tensor<256x256xf8E4M3FN>, tensor<2x2xf8E8M0FNU>) -> tensor<?x1x256xbf16>
    %36 = v4.hc_post %35, %arg0, %post, %comb : tensor<?x1x256xbf16>, tensor<?x1x4x256xbf16>, tensor<?x1x4xf32>, tensor<?x1x4x4xf32>
    %37 = v4.param "mtp.0.hc_ffn_fn" : tensor<24x1024xf32>
    %38 = v4.param "mtp.0.hc_ffn_base" : tensor<24xf32>
    %39 = v4.param "mtp.0.hc_ffn_scale" : tensor<3xf32>
    %output_10, %post_11, %comb_12 = v4.hc_pre %36, %37, %38, %39 iters 20 eps 9.9999999999999995E-7 norm_eps 9.9999999999999995E-7 : (tensor<?x1x4x256xbf16>, tensor<24x1024xf32>, tensor<24xf32>, tensor<3xf32>) -> (tensor<?x1x256xbf16>, tensor<?x1x4xf32>, tensor<?x1x4x4xf32>)
    %40 = v4.param "mtp.0.ffn_norm.weight" : tensor<256xbf16>
    %41 = v4.rms_norm %output_10 weight %40 eps 9.9999999999999995E-7 : tensor<?x1x256xbf16>, tensor<256xbf16>
    %collapsed_13 = tensor.collapse_shape %41 [[0, 1], [2]] : tensor<?x1x256xbf16> into tensor<?x256xbf16>
    %42 = v4.param "mtp.0.ffn.gate.weight" : tensor<8x256xbf16>
    %c0_14 = arith.constant 0 : index
    %dim_15 = tensor.dim %collapsed_13, %c0_14 : tensor<?x256xbf16>
    %c0_16 = arith.constant 0 : index
    %dim_17 = tensor.dim %collapsed_13, %c0_16 : tensor<?x256xbf16>
    %43 = tensor.empty(%dim_17) : tensor<?x8xf32>
    %cst = arith.constant 0.000000e+00 : f32
    %44 = linalg.fill ins(%cst : f32) outs(%43 : tensor<?x8xf32>) -> tensor<?x8xf32>
    %45 = linalg.matmul indexing_maps = [#map, #map1, #map2] ins(%collapsed_13, %42 : tensor<?x256xbf16>, tensor<8x256xbf16>) outs(%44 : tensor<?x8xf32>) -> tensor<?x8xf32>
    %46 = v4.param "mtp.0.ffn.gate.bias" : tensor<8xf32>
    %weights, %experts = v4.moe_route %45, %46 k 2 route_scale 1.500000e+00 normalize : tensor<?x8xf32>, tensor<8xf32> -> tensor<?x2xf32>, tensor<?x2xi32>
    %rows, %row_weights, %permutation, %expert_offsets = v4.moe_dispatch %collapsed_13, %experts, %weights num_experts 8 : (tensor<?x256xbf16>, tensor<?x2xi32>, tensor<?x2xf32>) -> (tensor<?x256xbf16>, tensor<?xf32>, tensor<?xi32>, tensor<9xi32>)
    %codes_18, %scales_19 = v4.quantize %rows block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %47 = v4.param "mtp.0.ffn.experts.*.w1.weight" : tensor<8x128x256xf4E2M1FN>
    %48 = v4.param "mtp.0.ffn.experts.*.w1.scale" : tensor<8x128x8xf8E8M0FNU>
    %49 = v4.mxfp4_matmul %codes_18, %scales_19, %47, %48 groups %expert_offsets act_block 128 : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x128xbf16>
    %codes_20, %scales_21 = v4.quantize %rows block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %50 = v4.param "mtp.0.ffn.experts.*.w3.weight" : tensor<8x128x256xf4E2M1FN>
    %51 = v4.param "mtp.0.ffn.experts.*.w3.scale" : tensor<8x128x8xf8E8M0FNU>
    %52 = v4.mxfp4_matmul %codes_20, %scales_21, %50, %51 groups %expert_offsets act_block 128 : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<8x128x256xf4E2M1FN>, tensor<8x128x8xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x128xbf16>
    %53 = v4.swiglu %49, %52 weights %row_weights limit 1.000000e+01 : tensor<?x128xbf16>, tensor<?xf32> -> tensor<?x128xbf16>
    %codes_22, %scales_23 = v4.quantize %53 block 128 rule ceil : tensor<?x128xbf16> -> tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>
    %54 = v4.param "mtp.0.ffn.experts.*.w2.weight" : tensor<8x256x128xf4E2M1FN>
    %55 = v4.param "mtp.0.ffn.experts.*.w2.scale" : tensor<8x256x4xf8E8M0FNU>
    %56 = v4.mxfp4_matmul %codes_22, %scales_23, %54, %55 groups %expert_offsets act_block 128 : (tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>, tensor<8x256x128xf4E2M1FN>, tensor<8x256x4xf8E8M0FNU>, tensor<9xi32>) -> tensor<?x256xbf16>
    %57 = v4.param "mtp.0.ffn.shared_experts.w1.weight" : tensor<128x256xf8E4M3FN>
    %58 = v4.param "mtp.0.ffn.shared_experts.w1.scale" : tensor<1x2xf8E8M0FNU>
    %codes_24, %scales_25 = v4.quantize %collapsed_13 block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %59 = v4.fp8_matmul %codes_24, %scales_25, %57, %58 block [128, 128] : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x128xbf16>
    %60 = v4.param "mtp.0.ffn.shared_experts.w3.weight" : tensor<128x256xf8E4M3FN>
    %61 = v4.param "mtp.0.ffn.shared_experts.w3.scale" : tensor<1x2xf8E8M0FNU>
    %codes_26, %scales_27 = v4.quantize %collapsed_13 block 128 rule ceil : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
    %62 = v4.fp8_matmul %codes_26, %scales_27, %60, %61 block [128, 128] : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<?x128xbf16>
    %63 = v4.swiglu %59, %62 limit 1.000000e+01 : tensor<?x128xbf16> -> tensor<?x128xbf16>
    %64 = v4.param "mtp.0.ffn.shared_experts.w2.weight" : tensor<256x128xf8E4M3FN>
    %65 = v4.param "mtp.0.ffn.shared_experts.w2.scale" : tensor<2x1xf8E8M0FNU>
    %codes_28, %scales_29 = v4.quantize %63 block 128 rule ceil : tensor<?x128xbf16> -> tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>
    %66 = v4.fp8_matmul %codes_28, %scales_29, %64, %65 block [128, 128] : (tensor<?x128xf8E4M3FN>, tensor<?x1xf8E8M0FNU>, tensor<256x128xf8E4M3FN>, tensor<2x1xf8E8M0FNU>) -> tensor<?x256xbf16>
    %67 = v4.moe_combine %56, %permutation shared %66 : (tensor<?x256xbf16>, tensor<?xi32>, tensor<?x256xbf16>) -> tensor<?x256xbf16>
    %expanded_30 = tensor.expand_shape %67 [[0, 1], [2]] output_shape [%dim, 1, 256] : tensor<?x256xbf16> into tensor<?x1x256xbf16>
    %68 = v4.hc_post %expanded_30, %36, %post_11, %comb_12 : tensor<?x1x256xbf16>, tensor<?x1x4x256xbf16>, tensor<?x1x4xf32>, tensor<?x1x4x4xf32>
    return %68, %22 : tensor<?x1x4x256xbf16>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>
  }
}
