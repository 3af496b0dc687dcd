// RUN: sieve-opt %s --split-input-file --verify-diagnostics --sieve-library-gemms | FileCheck %s
// RUN: sieve-opt %s --split-input-file --verify-diagnostics --sieve-library-gemms --sieve-form-dispatches | FileCheck %s --check-prefix=FORMED
// RUN: not sieve-opt %s --split-input-file --sieve-library-gemms=library=mkl 2>&1 | FileCheck %s --check-prefix=UNKNOWN

// UNKNOWN: error: sieve-library-gemms: unknown GEMM library 'mkl' (known: onednn)

// The prefill's FP8 GEMM becomes a dispatch of the oneDNN library kernel:
// its activation decoded to bf16 (the quantize's input, simulated), viewed
// [M, K], one workgroup per 128 outputs, constants M, N, K, bn, bk and the
// columns per workgroup; the result viewed back. The quantize is gone. The
// decode function keeps its v4.fp8_matmul (a generated GEMV).
// CHECK-LABEL: program.executable @kernels
// CHECK: func.func private @onednn_matmul_fp8w_bf16(memref<?xi8>, memref<?xi8>, memref<?xi8>, memref<?xi8>, i32, i32, i32, i32, i32, i32, i32)
// CHECK-SAME: attributes {program.library = "onednn.matmul_fp8w_bf16", sieve.kernel}
// CHECK-LABEL: func.func @prefill(
// CHECK: call @prefill.layer(
// CHECK-LABEL: func.func private @prefill.layer(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<1x?x256xbf16>, %[[W:[a-z0-9]+]]: tensor<384x256xf8E4M3FN>, %[[S:[a-z0-9]+]]: tensor<3x2xf8E8M0FNU>
// CHECK-NOT: v4.quantize
// CHECK: %[[A:.*]] = v4.simulate_quant %[[X]] format f8E4M3FN block 128 rule ceil : tensor<1x?x256xbf16>
// CHECK: %[[A2:.*]] = tensor.collapse_shape %[[A]] {{\[\[}}0, 1], [2]] : tensor<1x?x256xbf16> into tensor<?x256xbf16>
// CHECK: %[[M:.*]] = tensor.dim %[[A2]], %c0
// CHECK: %[[M32:.*]] = arith.index_cast %[[M]] : index to i32
// CHECK: %[[Y:.*]] = program.dispatch @kernels::@onednn_matmul_fp8w_bf16[%c3] (%[[A2]], %[[W]], %[[S]]) constants(%[[M32]], %c384_i32, %c256_i32, %c128_i32{{(_[0-9]+)?}}, %c128_i32{{(_[0-9]+)?}}, %c128_i32{{(_[0-9]+)?}}, %c1_i32) dims(%[[M]]) {tied = array<i64: -1>} : (tensor<?x256xbf16>, tensor<384x256xf8E4M3FN>, tensor<3x2xf8E8M0FNU>) -> tensor<?x384xbf16>
// CHECK: %[[N:.*]] = tensor.dim %[[A]], %c1
// CHECK: %[[R:.*]] = tensor.expand_shape %[[Y]] {{\[\[}}0, 1], [2]] output_shape [1, %[[N]], 384] : tensor<?x384xbf16> into tensor<1x?x384xbf16>
// CHECK: return %[[R]]
// CHECK-LABEL: func.func @decode(
// CHECK: v4.quantize
// CHECK: v4.fp8_matmul
// After dispatch formation: the simulation is a kernel of its own, the
// library kernel stays a declaration.
// FORMED-LABEL: program.executable @kernels
// FORMED: func.func private @onednn_matmul_fp8w_bf16(
// FORMED: func.func @simulate_quant_0(
// FORMED-LABEL: func.func private @prefill.layer(
// FORMED: program.dispatch @kernels::@simulate_quant_0
// FORMED: program.dispatch @kernels::@onednn_matmul_fp8w_bf16[%c3]
// FORMED-LABEL: func.func @decode(
// FORMED: program.dispatch @kernels::@quantize_fp8_matmul_0
func.func @prefill(%x: tensor<1x?x256xbf16>, %w: tensor<384x256xf8E4M3FN>, %s: tensor<3x2xf8E8M0FNU>)
    -> tensor<1x?x384xbf16> attributes {v4.phase = "prefill"} {
  %y = call @prefill.layer(%x, %w, %s)
      : (tensor<1x?x256xbf16>, tensor<384x256xf8E4M3FN>, tensor<3x2xf8E8M0FNU>) -> tensor<1x?x384xbf16>
  return %y : tensor<1x?x384xbf16>
}
func.func private @prefill.layer(%x: tensor<1x?x256xbf16>, %w: tensor<384x256xf8E4M3FN>,
                                 %s: tensor<3x2xf8E8M0FNU>) -> tensor<1x?x384xbf16> {
  %codes, %scales = v4.quantize %x block 128 rule ceil
      : tensor<1x?x256xbf16> -> tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>
  %y = v4.fp8_matmul %codes, %scales, %w, %s block [128, 128]
      : (tensor<1x?x256xf8E4M3FN>, tensor<1x?x2xf8E8M0FNU>, tensor<384x256xf8E4M3FN>,
         tensor<3x2xf8E8M0FNU>) -> tensor<1x?x384xbf16>
  return %y : tensor<1x?x384xbf16>
}
func.func @decode(%x: tensor<?x256xbf16>, %w: tensor<384x256xf8E4M3FN>, %s: tensor<3x2xf8E8M0FNU>)
    -> tensor<?x384xbf16> attributes {v4.phase = "decode"} {
  %codes, %scales = v4.quantize %x block 128 rule ceil
      : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
  %y = v4.fp8_matmul %codes, %scales, %w, %s block [128, 128]
      : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<384x256xf8E4M3FN>,
         tensor<3x2xf8E8M0FNU>) -> tensor<?x384xbf16>
  return %y : tensor<?x384xbf16>
}

// -----

// Codes that do not come from a quantize of bf16 are decoded by a
// v4.dequantize; an f32 result calls the f32 kernel; a quantize with another
// user stays. A layer function decode also calls, and a grouped GEMM (the
// experts), keep their v4.fp8_matmul.
// CHECK-LABEL: program.executable @kernels
// CHECK: func.func private @onednn_matmul_fp8w_f32(
// CHECK-SAME: program.library = "onednn.matmul_fp8w_f32"
// CHECK-LABEL: func.func @prefill(
// CHECK: %[[A:.*]] = v4.dequantize %{{.*}}, %{{.*}} block 128 : tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU> -> tensor<?x256xbf16>
// CHECK: program.dispatch @kernels::@onednn_matmul_fp8w_f32[%c1] (%[[A]], %{{.*}}, %{{.*}}) constants({{.*}}, %c64_i32, %c256_i32, %c64_i32{{(_[0-9]+)?}}, %c128_i32{{(_[0-9]+)?}}, %c128_i32{{(_[0-9]+)?}}, %c1_i32)
// CHECK-SAME: -> tensor<?x64xf32>
// CHECK: %[[Q:.*]], %{{.*}} = v4.quantize
// CHECK: v4.simulate_quant
// CHECK: program.dispatch @kernels::@onednn_matmul_fp8w_f32
// CHECK: v4.fp8_matmul {{.*}} groups
// CHECK: call @shared.layer
// CHECK: return {{.*}}, %[[Q]] :
// CHECK-LABEL: func.func private @shared.layer(
// CHECK: v4.fp8_matmul
func.func @prefill(%codes: tensor<?x256xf8E4M3FN>, %scales: tensor<?x2xf8E8M0FNU>,
                   %x: tensor<?x256xbf16>, %w: tensor<64x256xf8E4M3FN>, %s: tensor<1x2xf8E8M0FNU>,
                   %we: tensor<4x64x256xf8E4M3FN>, %se: tensor<4x1x2xf8E8M0FNU>, %offsets: tensor<5xi32>)
    -> (tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x64xbf16>, tensor<?x64xbf16>, tensor<?x256xf8E4M3FN>)
    attributes {v4.phase = "prefill"} {
  %a = v4.fp8_matmul %codes, %scales, %w, %s block [64, 128]
      : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<64x256xf8E4M3FN>,
         tensor<1x2xf8E8M0FNU>) -> tensor<?x64xf32>
  %qc, %qs = v4.quantize %x block 128 rule ceil
      : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
  %b = v4.fp8_matmul %qc, %qs, %w, %s block [64, 128]
      : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<64x256xf8E4M3FN>,
         tensor<1x2xf8E8M0FNU>) -> tensor<?x64xf32>
  %e = v4.fp8_matmul %qc, %qs, %we, %se groups %offsets block [64, 128]
      : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<4x64x256xf8E4M3FN>,
         tensor<4x1x2xf8E8M0FNU>, tensor<5xi32>) -> tensor<?x64xbf16>
  %d = call @shared.layer(%qc, %qs, %w, %s)
      : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<64x256xf8E4M3FN>,
         tensor<1x2xf8E8M0FNU>) -> tensor<?x64xbf16>
  return %a, %b, %e, %d, %qc
      : tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x64xbf16>, tensor<?x64xbf16>, tensor<?x256xf8E4M3FN>
}
func.func @decode(%codes: tensor<?x256xf8E4M3FN>, %scales: tensor<?x2xf8E8M0FNU>,
                  %w: tensor<64x256xf8E4M3FN>, %s: tensor<1x2xf8E8M0FNU>) -> tensor<?x64xbf16>
    attributes {v4.phase = "decode"} {
  %d = call @shared.layer(%codes, %scales, %w, %s)
      : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<64x256xf8E4M3FN>,
         tensor<1x2xf8E8M0FNU>) -> tensor<?x64xbf16>
  return %d : tensor<?x64xbf16>
}
func.func private @shared.layer(%codes: tensor<?x256xf8E4M3FN>, %scales: tensor<?x2xf8E8M0FNU>,
                                %w: tensor<64x256xf8E4M3FN>, %s: tensor<1x2xf8E8M0FNU>)
    -> tensor<?x64xbf16> {
  %y = v4.fp8_matmul %codes, %scales, %w, %s block [64, 128]
      : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<64x256xf8E4M3FN>,
         tensor<1x2xf8E8M0FNU>) -> tensor<?x64xbf16>
  return %y : tensor<?x64xbf16>
}

// -----

// The grouped output projection (wo_a) whose weight is E4M3 codes decoded
// with broadcast 128x128 tile scales: the library GEMM with groups, bound to
// the codes and the tiles themselves; the bf16 weight is no longer made
// unless something else reads it.
// CHECK-LABEL: func.func @prefill(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<1x?x4x64xbf16>, %[[W:[a-z0-9]+]]: tensor<256x128xf8E4M3FN>, %[[T:[a-z0-9]+]]: tensor<2x1xf8E8M0FNU>
// CHECK-NOT: v4.dequantize
// CHECK-NOT: linalg.broadcast
// CHECK: %[[A:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1], [2, 3]] : tensor<1x?x4x64xbf16> into tensor<?x256xbf16>
// CHECK: %[[Y:.*]] = program.dispatch @kernels::@onednn_matmul_fp8w_bf16[%c2] (%[[A]], %[[W]], %[[T]]) constants(%{{.*}}, %c128_i32{{(_[0-9]+)?}}, %c128_i32{{(_[0-9]+)?}}, %c128_i32{{(_[0-9]+)?}}, %c128_i32{{(_[0-9]+)?}}, %c128_i32{{(_[0-9]+)?}}, %c2_i32) {{.*}} -> tensor<?x256xbf16>
// CHECK: tensor.expand_shape %[[Y]] {{\[\[}}0, 1], [2, 3]] output_shape [1, %{{.*}}, 2, 128] : tensor<?x256xbf16> into tensor<1x?x2x128xbf16>
// CHECK-LABEL: func.func @prefill_shared(
// CHECK: %[[D:.*]] = v4.dequantize
// CHECK: program.dispatch @kernels::@onednn_matmul_fp8w_bf16[%c2]
// CHECK: return %{{.*}}, %[[D]]
func.func @prefill(%x: tensor<1x?x4x64xbf16>, %w: tensor<256x128xf8E4M3FN>,
                   %tiles: tensor<2x1xf8E8M0FNU>) -> tensor<1x?x2x128xbf16> attributes {v4.phase = "prefill"} {
  %empty = tensor.empty() : tensor<2x128x1xf8E8M0FNU>
  %spread = linalg.broadcast ins(%tiles : tensor<2x1xf8E8M0FNU>) outs(%empty : tensor<2x128x1xf8E8M0FNU>) dimensions = [1]
  %rows = tensor.collapse_shape %spread [[0, 1], [2]] : tensor<2x128x1xf8E8M0FNU> into tensor<256x1xf8E8M0FNU>
  %d = v4.dequantize %w, %rows block 128 : tensor<256x128xf8E4M3FN>, tensor<256x1xf8E8M0FNU> -> tensor<256x128xbf16>
  %g = tensor.expand_shape %d [[0, 1], [2]] output_shape [2, 128, 128] : tensor<256x128xbf16> into tensor<2x128x128xbf16>
  %y = v4.grouped_linear %x, %g groups 2 : tensor<1x?x4x64xbf16>, tensor<2x128x128xbf16> -> tensor<1x?x2x128xbf16>
  return %y : tensor<1x?x2x128xbf16>
}
func.func @prefill_shared(%x: tensor<1x?x4x64xbf16>, %w: tensor<256x128xf8E4M3FN>,
                          %tiles: tensor<2x1xf8E8M0FNU>) -> (tensor<1x?x2x128xbf16>, tensor<256x128xbf16>)
    attributes {v4.phase = "prefill"} {
  %empty = tensor.empty() : tensor<2x128x1xf8E8M0FNU>
  %spread = linalg.broadcast ins(%tiles : tensor<2x1xf8E8M0FNU>) outs(%empty : tensor<2x128x1xf8E8M0FNU>) dimensions = [1]
  %rows = tensor.collapse_shape %spread [[0, 1], [2]] : tensor<2x128x1xf8E8M0FNU> into tensor<256x1xf8E8M0FNU>
  %d = v4.dequantize %w, %rows block 128 : tensor<256x128xf8E4M3FN>, tensor<256x1xf8E8M0FNU> -> tensor<256x128xbf16>
  %g = tensor.expand_shape %d [[0, 1], [2]] output_shape [2, 128, 128] : tensor<256x128xbf16> into tensor<2x128x128xbf16>
  %y = v4.grouped_linear %x, %g groups 2 : tensor<1x?x4x64xbf16>, tensor<2x128x128xbf16> -> tensor<1x?x2x128xbf16>
  return %y, %d : tensor<1x?x2x128xbf16>, tensor<256x128xbf16>
}

// -----

// The routed experts' MXFP4 GEMM: the grouped library kernel, bound to the
// decoded activation, the E2M1 stack, its scales and the offsets; one
// workgroup per expert and 128 outputs.
// CHECK-LABEL: program.executable @kernels
// CHECK: func.func private @onednn_grouped_matmul_mxfp4w_bf16(memref<?xi8>, memref<?xi8>, memref<?xi8>, memref<?xi8>, memref<?xi8>, i32, i32, i32, i32, i32)
// CHECK-SAME: program.library = "onednn.grouped_matmul_mxfp4w_bf16"
// CHECK-LABEL: func.func @prefill(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<?x256xbf16>, %[[W:[a-z0-9]+]]: tensor<4x320x256xf4E2M1FN>, %[[S:[a-z0-9]+]]: tensor<4x320x8xf8E8M0FNU>, %[[O:[a-z0-9]+]]: tensor<5xi32>
// CHECK-NOT: v4.quantize
// CHECK: %[[A:.*]] = v4.simulate_quant %[[X]] format f8E4M3FN block 128 rule ceil
// CHECK: %[[M:.*]] = tensor.dim %[[A]], %c0
// CHECK: %[[M32:.*]] = arith.index_cast %[[M]]
// CHECK: program.dispatch @kernels::@onednn_grouped_matmul_mxfp4w_bf16[%c12] (%[[A]], %[[W]], %[[S]], %[[O]]) constants(%[[M32]], %c320_i32, %c256_i32, %c4_i32, %c128_i32) dims(%[[M]]) {{.*}} -> tensor<?x320xbf16>
// CHECK-NOT: v4.mxfp4_matmul
func.func @prefill(%x: tensor<?x256xbf16>, %w: tensor<4x320x256xf4E2M1FN>, %s: tensor<4x320x8xf8E8M0FNU>,
                   %offsets: tensor<5xi32>) -> tensor<?x320xbf16> attributes {v4.phase = "prefill"} {
  %codes, %scales = v4.quantize %x block 128 rule ceil
      : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
  %y = v4.mxfp4_matmul %codes, %scales, %w, %s groups %offsets act_block 128
      : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<4x320x256xf4E2M1FN>,
         tensor<4x320x8xf8E8M0FNU>, tensor<5xi32>) -> tensor<?x320xbf16>
  return %y : tensor<?x320xbf16>
}
