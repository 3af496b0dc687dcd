// RUN: sieve-opt %s --sieve-graph-pipeline | FileCheck %s
// RUN: sieve-opt %s --sieve-graph-pipeline="cache-layout-entry=step print-cache-layout=true" -o /dev/null | FileCheck %s --check-prefix=TABLE
// RUN: sieve-opt %s --sieve-graph-pipeline --dump-pass-pipeline -o /dev/null 2>&1 | FileCheck %s --check-prefix=PIPELINE

// The graph pipeline: canonicalize and CSE per function (the duplicate
// parameter, quantization and GEMM merge; the unused parameter goes), then
// the cache layout of the entry function.
// CHECK-LABEL: func.func @decode(
// CHECK-SAME: attributes {v4.cache_layout = {bytes_per_token = 0 : i64, capacity_bytes = 4096 : i64, fixed_bytes = 4096 : i64, layers = 1 : i64, slots = 1 : i64}}
// CHECK-NEXT: %[[W:.*]] = v4.param "layers.0.attn.wkv.weight" : tensor<128x256xf8E4M3FN>
// CHECK-NEXT: %[[WS:.*]] = v4.param "layers.0.attn.wkv.scale" : tensor<1x2xf8E8M0FNU>
// CHECK-NEXT: %[[C:.*]], %[[S:.*]] = v4.quantize %arg0
// CHECK-NEXT: %[[R:.*]] = v4.fp8_matmul %[[C]], %[[S]], %[[W]], %[[WS]]
// CHECK-NEXT: return %[[R]], %[[R]]
// TABLE: cache layout of @step: 0 layers
// PIPELINE: Pass Manager with 2 passes:
// PIPELINE-NEXT: builtin.module(
// PIPELINE-NEXT: func.func(
// PIPELINE-NEXT: canonicalize{
// PIPELINE-NEXT: cse
// PIPELINE-NEXT: ),
// PIPELINE-NEXT: v4-cache-layout{entry=decode print=false}
func.func @decode(%x: tensor<1x1x256xbf16>,
                  %w0: !v4.window<batch = 1, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.0.window"})
    -> (tensor<1x1x128xbf16>, tensor<1x1x128xbf16>) {
  %dead = v4.param "dead" : tensor<4xf32>
  %w = v4.param "layers.0.attn.wkv.weight" : tensor<128x256xf8E4M3FN>
  %ws = v4.param "layers.0.attn.wkv.scale" : tensor<1x2xf8E8M0FNU>
  %c, %s = v4.quantize %x block 128 rule ceil : tensor<1x1x256xbf16> -> tensor<1x1x256xf8E4M3FN>, tensor<1x1x2xf8E8M0FNU>
  %a = v4.fp8_matmul %c, %s, %w, %ws block [128, 128] : (tensor<1x1x256xf8E4M3FN>, tensor<1x1x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<1x1x128xbf16>
  %w2 = v4.param "layers.0.attn.wkv.weight" : tensor<128x256xf8E4M3FN>
  %c2, %s2 = v4.quantize %x block 128 rule ceil : tensor<1x1x256xbf16> -> tensor<1x1x256xf8E4M3FN>, tensor<1x1x2xf8E8M0FNU>
  %b = v4.fp8_matmul %c2, %s2, %w2, %ws block [128, 128] : (tensor<1x1x256xf8E4M3FN>, tensor<1x1x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>, tensor<1x2xf8E8M0FNU>) -> tensor<1x1x128xbf16>
  return %a, %b : tensor<1x1x128xbf16>, tensor<1x1x128xbf16>
}

func.func @step() {
  return
}
