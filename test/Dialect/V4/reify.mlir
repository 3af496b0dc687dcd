// RUN: sieve-opt %s --resolve-ranked-shaped-type-result-dims --split-input-file | FileCheck %s

// Result sizes in terms of the operands (ReifyRankedShapedTypeOpInterface):
// a `tensor.dim` of a v4 result becomes arithmetic on the operands' sizes,
// so the op itself is no longer needed to size a buffer.

// The compressor emits ceil(S / ratio) entry rows.
// CHECK-LABEL: func @compress_entries
//  CHECK-SAME: (%[[KV:.*]]: tensor<1x?x1024xf32>
//   CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
//   CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
//       CHECK: %[[S:.*]] = tensor.dim %[[KV]], %[[C1]]
//       CHECK: %[[N:.*]] = arith.ceildivui %[[S]], %[[C4]]
//       CHECK: return %[[N]]
func.func @compress_entries(%kv: tensor<1x?x1024xf32>, %ape: tensor<4x1024xf32>,
                            %st: !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 512>,
                            %pos: tensor<1xi32>) -> index {
  %c1 = arith.constant 1 : index
  %e, %s = v4.compress %kv, %kv, %ape, %st at %pos ratio 4 overlap
      : tensor<1x?x1024xf32>, tensor<4x1024xf32>,
        !v4.compressor_state<batch = 1, ratio = 4, coff = 2, dim = 512>, tensor<1xi32> -> tensor<1x?x512xf32>
  %d = tensor.dim %e, %c1 : tensor<1x?x512xf32>
  return %d : index
}

// -----

// Block scales: one per `block` values of the last dimension.
// CHECK-LABEL: func @quantize_scales
//  CHECK-SAME: (%[[X:.*]]: tensor<?x?xbf16>)
//   CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
//   CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
//   CHECK-DAG: %[[C128:.*]] = arith.constant 128 : index
//   CHECK-DAG: %[[M:.*]] = tensor.dim %[[X]], %[[C0]]
//   CHECK-DAG: %[[K:.*]] = tensor.dim %[[X]], %[[C1]]
//       CHECK: %[[KB:.*]] = arith.divui %[[K]], %[[C128]]
//       CHECK: return %[[M]], %[[KB]]
func.func @quantize_scales(%x: tensor<?x?xbf16>) -> (index, index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %q, %s = v4.quantize %x block 128 rule ceil
      : tensor<?x?xbf16> -> tensor<?x?xf8E4M3FN>, tensor<?x?xf8E8M0FNU>
  %m = tensor.dim %s, %c0 : tensor<?x?xf8E8M0FNU>
  %kb = tensor.dim %s, %c1 : tensor<?x?xf8E8M0FNU>
  return %m, %kb : index, index
}

// -----

// A GEMM keeps the activation's rows; its columns are the weight's rows.
// CHECK-LABEL: func @matmul_rows
//  CHECK-SAME: (%[[A:[^:]*]]: tensor<?x256xf8E4M3FN>
//       CHECK: %[[C0:.*]] = arith.constant 0 : index
//       CHECK: %[[M:.*]] = tensor.dim %[[A]], %[[C0]]
//       CHECK: return %[[M]]
func.func @matmul_rows(%a: tensor<?x256xf8E4M3FN>, %as: tensor<?x2xf8E8M0FNU>,
                       %w: tensor<64x256xf8E4M3FN>, %ws: tensor<1x2xf8E8M0FNU>) -> index {
  %c0 = arith.constant 0 : index
  %y = v4.fp8_matmul %a, %as, %w, %ws block [128, 128]
      : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<64x256xf8E4M3FN>,
         tensor<1x2xf8E8M0FNU>) -> tensor<?x64xbf16>
  %d = tensor.dim %y, %c0 : tensor<?x64xbf16>
  return %d : index
}

// -----

// Hyper-connection mixes keep the streams' token dimensions.
// CHECK-LABEL: func @hc_pre_tokens
//  CHECK-SAME: (%[[H:[^:]*]]: tensor<1x?x4x64xbf16>
//       CHECK: %[[C1:.*]] = arith.constant 1 : index
//       CHECK: %[[S:.*]] = tensor.dim %[[H]], %[[C1]]
//       CHECK: return %[[S]]
func.func @hc_pre_tokens(%h: tensor<1x?x4x64xbf16>, %fn: tensor<24x256xf32>,
                         %b: tensor<24xf32>, %s: tensor<3xf32>) -> index {
  %c1 = arith.constant 1 : index
  %a, %p, %c = v4.hc_pre %h, %fn, %b, %s iters 20 eps 1.0e-6 norm_eps 1.0e-6
      : (tensor<1x?x4x64xbf16>, tensor<24x256xf32>, tensor<24xf32>, tensor<3xf32>)
        -> (tensor<1x?x64xbf16>, tensor<1x?x4xf32>, tensor<1x?x4x4xf32>)
  %d = tensor.dim %c, %c1 : tensor<1x?x4x4xf32>
  return %d : index
}

// -----

// Window indices of a prefill chunk have `rows` query rows.
// CHECK-LABEL: func @window_rows
//  CHECK-SAME: (%{{.*}}: tensor<1xi32>, %[[ROWS:.*]]: index)
//       CHECK: return %[[ROWS]]
func.func @window_rows(%pos: tensor<1xi32>, %rows: index) -> index {
  %c1 = arith.constant 1 : index
  %i = v4.window_indices %pos rows %rows window 128 layout chunk : tensor<1xi32> -> tensor<1x?x128xi32>
  %d = tensor.dim %i, %c1 : tensor<1x?x128xi32>
  return %d : index
}

// -----

// Top-k keeps the scores' query rows.
// CHECK-LABEL: func @topk_rows
//  CHECK-SAME: (%[[SC:[^:]*]]: tensor<1x?x64xbf16>
//       CHECK: %[[C1:.*]] = arith.constant 1 : index
//       CHECK: %[[S:.*]] = tensor.dim %[[SC]], %[[C1]]
//       CHECK: return %[[S]]
func.func @topk_rows(%sc: tensor<1x?x64xbf16>, %pos: tensor<1xi32>) -> index {
  %c1 = arith.constant 1 : index
  %t = v4.topk %sc at %pos k 8 ratio 4 : tensor<1x?x64xbf16>, tensor<1xi32> -> tensor<1x?x8xi32>
  %d = tensor.dim %t, %c1 : tensor<1x?x8xi32>
  return %d : index
}

// -----

// Dispatch makes k copies of each token.
// CHECK-LABEL: func @dispatch_copies
//  CHECK-SAME: (%[[X:[^:]*]]: tensor<?x16xbf16>
//   CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
//   CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
//       CHECK: %[[T:.*]] = tensor.dim %[[X]], %[[C0]]
//       CHECK: %[[R:.*]] = arith.muli %[[T]], %[[C2]]
//       CHECK: return %[[R]]
func.func @dispatch_copies(%x: tensor<?x16xbf16>, %e: tensor<?x2xi32>, %w: tensor<?x2xf32>) -> index {
  %c0 = arith.constant 0 : index
  %r, %rw, %p, %o = v4.moe_dispatch %x, %e, %w num_experts 8
      : (tensor<?x16xbf16>, tensor<?x2xi32>, tensor<?x2xf32>)
        -> (tensor<?x16xbf16>, tensor<?xf32>, tensor<?xi32>, tensor<9xi32>)
  %d = tensor.dim %p, %c0 : tensor<?xi32>
  return %d : index
}

// -----

// Without the shared expert nothing in moe_combine gives a dynamic token
// count: the dim stays.
// CHECK-LABEL: func @combine_without_shared
//       CHECK: %[[Y:.*]] = v4.moe_combine
//       CHECK: tensor.dim %[[Y]]
func.func @combine_without_shared(%rows: tensor<?x16xbf16>, %perm: tensor<?xi32>) -> index {
  %c0 = arith.constant 0 : index
  %y = v4.moe_combine %rows, %perm : (tensor<?x16xbf16>, tensor<?xi32>) -> tensor<?x16xbf16>
  %d = tensor.dim %y, %c0 : tensor<?x16xbf16>
  return %d : index
}

// -----

// With it, the token count is the shared expert's.
// CHECK-LABEL: func @combine_with_shared
//  CHECK-SAME: %[[SH:[^:]*]]: tensor<?x16xbf16>)
//       CHECK: %[[C0:.*]] = arith.constant 0 : index
//       CHECK: %[[T:.*]] = tensor.dim %[[SH]], %[[C0]]
//       CHECK: return %[[T]]
func.func @combine_with_shared(%rows: tensor<?x16xbf16>, %perm: tensor<?xi32>, %sh: tensor<?x16xbf16>) -> index {
  %c0 = arith.constant 0 : index
  %y = v4.moe_combine %rows, %perm shared %sh
      : (tensor<?x16xbf16>, tensor<?xi32>, tensor<?x16xbf16>) -> tensor<?x16xbf16>
  %d = tensor.dim %y, %c0 : tensor<?x16xbf16>
  return %d : index
}

// -----

// Attention results are shaped like the query.
// CHECK-LABEL: func @attention_rows
//  CHECK-SAME: (%[[Q:[^:]*]]: tensor<1x?x4x64xbf16>
//       CHECK: %[[C1:.*]] = arith.constant 1 : index
//       CHECK: %[[S:.*]] = tensor.dim %[[Q]], %[[C1]]
//       CHECK: return %[[S]]
func.func @attention_rows(%q: tensor<1x?x4x64xbf16>, %win: tensor<1x?x64xbf16>,
                          %wi: tensor<1x?x8xi32>, %sink: tensor<4xf32>) -> index {
  %c1 = arith.constant 1 : index
  %o = v4.sparse_attention %q, %win[%wi], %sink scale 0.125
      : tensor<1x?x4x64xbf16>, tensor<1x?x64xbf16>, tensor<1x?x8xi32>, tensor<4xf32>
  %d = tensor.dim %o, %c1 : tensor<1x?x4x64xbf16>
  return %d : index
}

// -----

// Batched decode: the window indices have one row per position, a read at
// slots one row per slot.
// CHECK-LABEL: func @batched_rows
//  CHECK-SAME: (%[[POS:[^:]*]]: tensor<?xi32>, %[[SLOTS:[^:]*]]: tensor<?xi32>
//   CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
//   CHECK-DAG: %[[B:.*]] = tensor.dim %[[POS]], %[[C0]]
//   CHECK-DAG: %[[N:.*]] = tensor.dim %[[SLOTS]], %[[C0]]
//       CHECK: return %[[B]], %[[N]]
func.func @batched_rows(%pos: tensor<?xi32>, %slots: tensor<?xi32>,
                        %w: !v4.window<batch = 8, rows = 128, dim = 512, element = bf16>) -> (index, index) {
  %c0 = arith.constant 0 : index
  %i = v4.window_indices %pos window 128 layout ring : tensor<?xi32> -> tensor<?x1x128xi32>
  %b = tensor.dim %i, %c0 : tensor<?x1x128xi32>
  %r = v4.cache_read %w slots %slots : !v4.window<batch = 8, rows = 128, dim = 512, element = bf16>, tensor<?xi32> -> tensor<?x128x512xbf16>
  %n = tensor.dim %r, %c0 : tensor<?x128x512xbf16>
  return %b, %n : index, index
}
