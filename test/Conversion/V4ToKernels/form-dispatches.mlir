// RUN: sieve-opt %s --split-input-file --verify-diagnostics --sieve-form-dispatches | FileCheck %s

// Every v4 op becomes a dispatch of a kernel in @kernels. The same op on
// the same types shares one kernel; a cache result is tied to the cache it
// updates in place; push constants come from operand sizes, the op's reified
// result sizes or its index operands; the workgroup count is the kernel's
// own bound computed from them; dispatch results' sizes resolve to their
// producer's `dims` (no tensor.dim of a dispatch result).
// CHECK-LABEL: program.executable @kernels
// CHECK: func.func @rms_norm_0({{.*}}: i32) attributes {sieve.kernel, sieve.push_constants = [{binding = 0 : i64, dim = 1 : i64}]}
// CHECK-NOT: func.func @rms_norm_1
// CHECK: func.func @window_append_0(
// CHECK-SAME: sieve.push_constants = [{dim = 1 : i64, operand = 1 : i64}]
// CHECK: func.func @compressed_append_0(
// CHECK-SAME: sieve.push_constants = [{dim = 1 : i64, operand = 1 : i64}, {operand = 4 : i64}]
// CHECK: func.func @window_indices_0(
// CHECK-SAME: sieve.push_constants = [{dim = 1 : i64, result = 0 : i64}]
// CHECK-LABEL: func.func @layer(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<1x?x64xbf16>, %[[W:[a-z0-9]+]]: tensor<64xbf16>, %[[WIN:[a-z0-9]+]]: !v4.window
// CHECK-SAME: %[[C:[a-z0-9]+]]: !v4.compressed
// CHECK-SAME: %[[POS:[a-z0-9]+]]: tensor<1xi32>, %[[SLOTS:[a-z0-9]+]]: tensor<1xi32>, %[[E:[a-z0-9]+]]: tensor<1x?x64xbf16>, %[[N:[a-z0-9]+]]: index
// CHECK: %[[S:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<1x?x64xbf16>
// CHECK: %[[S32:.*]] = arith.index_cast %[[S]] : index to i32
// CHECK: %[[ROWS:.*]] = arith.index_castui %[[S32]] : i32 to index
// CHECK: %[[Y:.*]] = program.dispatch @kernels::@rms_norm_0[%[[ROWS]]] (%[[X]], %[[W]]) constants(%[[S32]]) dims(%[[YS:.*]]) {tied = array<i64: -1>}
// CHECK: %[[YS32:.*]] = arith.index_cast %[[YS]] : index to i32
// CHECK: program.dispatch @kernels::@rms_norm_0[%{{.*}}] (%[[Y]], %[[W]]) constants(%[[YS32]]) dims(%[[YS]])
// CHECK: program.dispatch @kernels::@window_append_0[%{{.*}}] (%[[WIN]], %[[Y]], %[[POS]], %[[SLOTS]]) constants(%{{.*}}) {tied = array<i64: 0>}
// CHECK: %[[N32:.*]] = arith.index_cast %[[N]] : index to i32
// CHECK: program.dispatch @kernels::@compressed_append_0[%{{.*}}] (%[[C]], %[[E]], %[[POS]], %[[SLOTS]]) constants(%{{.*}}, %[[N32]]) {tied = array<i64: 0>}
// CHECK: program.dispatch @kernels::@window_indices_0[%{{.*}}] (%[[POS]]) constants(%{{.*}}) dims(%[[N]]) {tied = array<i64: -1>}
// CHECK-NOT: tensor.dim %{{.*}} : tensor<1x?x64xbf16>
// CHECK: return
!window = !v4.window<batch = 2, rows = 8, dim = 64, element = bf16>
!entries = !v4.compressed<batch = 2, ratio = 4, capacity = 16, dim = 64, element = bf16>
func.func @layer(%x: tensor<1x?x64xbf16>, %w: tensor<64xbf16>, %win: !window, %c: !entries,
    %pos: tensor<1xi32>, %slots: tensor<1xi32>, %e: tensor<1x?x64xbf16>, %n: index)
    -> (tensor<1x?x64xbf16>, tensor<1x?x64xbf16>, !window, !entries, tensor<1x?x8xi32>) {
  %y = v4.rms_norm %x weight %w eps 1.0e-06 : tensor<1x?x64xbf16>, tensor<64xbf16>
  %z = v4.rms_norm %y weight %w eps 1.0e-06 : tensor<1x?x64xbf16>, tensor<64xbf16>
  %w1 = v4.window_append %win, %y at %pos slots %slots
      : !window, tensor<1x?x64xbf16>, tensor<1xi32>, tensor<1xi32>
  %c1 = v4.compressed_append %c, %e at %pos slots %slots tokens %n
      : !entries, tensor<1x?x64xbf16>, tensor<1xi32>, tensor<1xi32>
  %i = v4.window_indices %pos rows %n window 8 layout ring_chunk
      : tensor<1xi32> -> tensor<1x?x8xi32>
  return %y, %z, %w1, %c1, %i
      : tensor<1x?x64xbf16>, tensor<1x?x64xbf16>, !window, !entries, tensor<1x?x8xi32>
}

// -----

// Weights stay v4.param (bound by name at run time); the tensor dialect's
// ops are left for now.
// CHECK-LABEL: func.func @weights_stay(
// CHECK: %[[P:.*]] = v4.param "norm.weight"
// CHECK: %[[D:.*]] = program.dispatch @kernels::@rms_norm_0[%{{.*}}] (%{{.*}}, %[[P]])
// CHECK: tensor.collapse_shape %[[D]]
func.func @weights_stay(%x: tensor<4x64xbf16>) -> tensor<256xbf16> {
  %w = v4.param "norm.weight" : tensor<64xbf16>
  %y = v4.rms_norm %x weight %w eps 1.0e-06 : tensor<4x64xbf16>, tensor<64xbf16>
  %f = tensor.collapse_shape %y [[0, 1]] : tensor<4x64xbf16> into tensor<256xbf16>
  return %f : tensor<256xbf16>
}

// -----

// A projection: linalg.matmul and the fill of its accumulator are one
// kernel (the fill per workgroup tile, in place in the result binding), and
// elementwise arith on tensors becomes a linalg.generic kernel; neither
// kernel copies or allocates.
// CHECK-LABEL: program.executable @kernels
// CHECK: func.func @matmul_0(
// CHECK: scf.forall (%[[ROW:.*]]) in (%{{.*}}) {
// CHECK: %[[TILE:.*]] = memref.subview %{{.*}}[%[[ROW]], 0] [1, 8] [1, 1]
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[TILE]]
// CHECK: linalg.matmul {{.*}} outs(%[[TILE]]
// CHECK: } {mapping = [#gpu.block<x>]}
// CHECK: func.func @generic_0(
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK-LABEL: func.func @projection(
// CHECK-NOT: linalg.fill
// CHECK: %[[Y:.*]] = program.dispatch @kernels::@matmul_0[%{{.*}}] (%{{.*}}, %{{.*}}) constants
// CHECK: program.dispatch @kernels::@generic_0[%{{.*}}] (%[[Y]]) constants
// CHECK-NOT: memref.copy
func.func @projection(%x: tensor<?x256xbf16>, %w: tensor<8x256xbf16>) -> tensor<?x8xbf16> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %m = tensor.dim %x, %c0 : tensor<?x256xbf16>
  %e = tensor.empty(%m) : tensor<?x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                                      affine_map<(m, n, k) -> (n, k)>,
                                      affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<?x256xbf16>, tensor<8x256xbf16>) outs(%f : tensor<?x8xf32>)
      -> tensor<?x8xf32>
  %t = arith.truncf %y : tensor<?x8xf32> to tensor<?x8xbf16>
  return %t : tensor<?x8xbf16>
}

// -----

// A GEMV whose single row is static (prefill's head on the last token): its
// outputs are tiled per workgroup and the workgroups numbered 0, 1, 2, 3,
// as with a dynamic row count, not one output per workgroup. 1100 outputs
// take tiles of 320 (the smallest multiple of 64 giving four workgroups).
// CHECK-LABEL: program.executable @kernels
// CHECK: func.func @matmul_0(
// CHECK: scf.forall (%[[TILE:.*]]) in (%c4) {
// CHECK: %[[FIRST:.*]] = arith.muli %[[TILE]], %c320
// CHECK: %[[WIDTH:.*]] = affine.min #{{.*}}(%[[FIRST]])
// CHECK: memref.subview %{{.*}}[%[[FIRST]], 0] [%[[WIDTH]], 64] [1, 1]
// CHECK: %[[OUT:.*]] = memref.subview %{{.*}}[0, %[[FIRST]]] [1, %[[WIDTH]]] [1, 1]
// CHECK: linalg.matmul {{.*}} outs(%[[OUT]]
// CHECK-LABEL: func.func @one_row_head(
// CHECK: program.dispatch @kernels::@matmul_0[%c4]
func.func @one_row_head(%x: tensor<1x64xbf16>, %w: tensor<1100x64xbf16>) -> tensor<1x1100xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x1100xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x1100xf32>) -> tensor<1x1100xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                                      affine_map<(m, n, k) -> (n, k)>,
                                      affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<1x64xbf16>, tensor<1100x64xbf16>) outs(%f : tensor<1x1100xf32>)
      -> tensor<1x1100xf32>
  return %y : tensor<1x1100xf32>
}

// -----

// The fusion table's first row: the per-token FP8 quantization of a GEMM's
// activation is computed by the GEMM's kernel, which binds the bf16
// activation; a quantize every user takes in has no dispatch. A quantize
// with another user keeps its own dispatch for that user.
// CHECK-LABEL: program.executable @kernels
// CHECK: func.func @quantize_fp8_matmul_0(
// CHECK: func.func @quantize_0(
// CHECK-LABEL: func.func @fused(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<?x256xbf16>, %[[W:[a-z0-9]+]]: tensor<128x256xf8E4M3FN>, %[[S:[a-z0-9]+]]: tensor<1x2xf8E8M0FNU>
// CHECK-NOT: v4.quantize
// CHECK: program.dispatch @kernels::@quantize_fp8_matmul_0[%{{.*}}] (%[[X]], %[[W]], %[[S]])
// CHECK-LABEL: func.func @shared(
// CHECK: %[[Q:.*]]:2 = program.dispatch @kernels::@quantize_0[%{{.*}}] (%{{.*}})
// CHECK: program.dispatch @kernels::@quantize_fp8_matmul_0[%{{.*}}] (%{{.*}}, %{{.*}}, %{{.*}})
// CHECK: return %{{.*}}, %[[Q]]#0
func.func @fused(%x: tensor<?x256xbf16>, %w: tensor<128x256xf8E4M3FN>, %s: tensor<1x2xf8E8M0FNU>)
    -> tensor<?x128xbf16> {
  %codes, %scales = v4.quantize %x block 128 rule ceil
      : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
  %y = v4.fp8_matmul %codes, %scales, %w, %s block [128, 128]
      : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>,
         tensor<1x2xf8E8M0FNU>) -> tensor<?x128xbf16>
  return %y : tensor<?x128xbf16>
}
func.func @shared(%x: tensor<?x256xbf16>, %w: tensor<128x256xf8E4M3FN>, %s: tensor<1x2xf8E8M0FNU>)
    -> (tensor<?x128xbf16>, tensor<?x256xf8E4M3FN>) {
  %codes, %scales = v4.quantize %x block 128 rule ceil
      : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
  %y = v4.fp8_matmul %codes, %scales, %w, %s block [128, 128]
      : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>,
         tensor<1x2xf8E8M0FNU>) -> tensor<?x128xbf16>
  return %y, %codes : tensor<?x128xbf16>, tensor<?x256xf8E4M3FN>
}

// -----

// Row 3: the rms_norm that the activation quantization reads is taken in
// too (RMSNorm in the GEMM's prologue): the kernel binds the norm's input
// and weight. A norm that another op also reads keeps its dispatch for it,
// and the GEMM still normalizes its rows itself.
// CHECK-LABEL: program.executable @kernels
// CHECK: func.func @rms_norm_quantize_fp8_matmul_0(
// CHECK-LABEL: func.func @norm_prologue(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<?x256xbf16>, %[[G:[a-z0-9]+]]: tensor<256xbf16>, %[[W:[a-z0-9]+]]: tensor<128x256xf8E4M3FN>, %[[S:[a-z0-9]+]]: tensor<1x2xf8E8M0FNU>
// CHECK-NOT: program.dispatch
// CHECK: program.dispatch @kernels::@rms_norm_quantize_fp8_matmul_0[%{{.*}}] (%[[X]], %[[G]], %[[W]], %[[S]])
// CHECK-NOT: program.dispatch
// CHECK-LABEL: func.func @norm_shared(
// CHECK: %[[N:.*]] = program.dispatch @kernels::@rms_norm_
// CHECK: program.dispatch @kernels::@rms_norm_quantize_fp8_matmul_0[
// CHECK: return %{{.*}}, %[[N]]
func.func @norm_prologue(%x: tensor<?x256xbf16>, %g: tensor<256xbf16>, %w: tensor<128x256xf8E4M3FN>,
                         %s: tensor<1x2xf8E8M0FNU>) -> tensor<?x128xbf16> {
  %n = v4.rms_norm %x weight %g eps 1.0e-06 : tensor<?x256xbf16>, tensor<256xbf16>
  %codes, %scales = v4.quantize %n block 128 rule ceil
      : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
  %y = v4.fp8_matmul %codes, %scales, %w, %s block [128, 128]
      : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>,
         tensor<1x2xf8E8M0FNU>) -> tensor<?x128xbf16>
  return %y : tensor<?x128xbf16>
}
func.func @norm_shared(%x: tensor<?x256xbf16>, %g: tensor<256xbf16>, %w: tensor<128x256xf8E4M3FN>,
                       %s: tensor<1x2xf8E8M0FNU>) -> (tensor<?x128xbf16>, tensor<?x256xbf16>) {
  %n = v4.rms_norm %x weight %g eps 1.0e-06 : tensor<?x256xbf16>, tensor<256xbf16>
  %codes, %scales = v4.quantize %n block 128 rule ceil
      : tensor<?x256xbf16> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>
  %y = v4.fp8_matmul %codes, %scales, %w, %s block [128, 128]
      : (tensor<?x256xf8E4M3FN>, tensor<?x2xf8E8M0FNU>, tensor<128x256xf8E4M3FN>,
         tensor<1x2xf8E8M0FNU>) -> tensor<?x128xbf16>
  return %y, %n : tensor<?x128xbf16>, tensor<?x256xbf16>
}

// -----

// Row 4: a top-k over an indexer_score's scores of several query tokens
// (prefill) is one kernel that scores only the visible candidates on its
// stack and picks from them; the scores tensor is gone.
// CHECK-LABEL: program.executable @kernels
// CHECK: func.func @indexer_score_topk_0(
// CHECK-LABEL: func.func @score_and_select(
// CHECK-SAME: %[[Q:[a-z0-9]+]]: tensor<?x2x4x128xbf16>, %[[K:[a-z0-9]+]]: !v4.indexer_keys<{{.*}}>, %[[W:[a-z0-9]+]]: tensor<?x2x4xbf16>, %[[SL:[a-z0-9]+]]: tensor<?xi32>, %[[P:[a-z0-9]+]]: tensor<?xi32>
// CHECK-NOT: program.dispatch
// CHECK: program.dispatch @kernels::@indexer_score_topk_0[%{{.*}}] (%[[Q]], %[[K]], %[[W]], %[[SL]], %[[P]])
// CHECK-SAME: -> tensor<?x2x4xi32>
// CHECK-NOT: program.dispatch
func.func @score_and_select(%q: tensor<?x2x4x128xbf16>,
                            %keys: !v4.indexer_keys<batch = 2, capacity = 32, dim = 128, element = bf16>,
                            %w: tensor<?x2x4xbf16>, %slots: tensor<?xi32>, %positions: tensor<?xi32>)
    -> tensor<?x2x4xi32> {
  %scores = v4.indexer_score %q, %keys, %w slots %slots
      : tensor<?x2x4x128xbf16>, !v4.indexer_keys<batch = 2, capacity = 32, dim = 128, element = bf16>,
        tensor<?x2x4xbf16>, tensor<?xi32> -> tensor<?x2x32xbf16>
  %picks = v4.topk %scores at %positions k 4 ratio 4 : tensor<?x2x32xbf16>, tensor<?xi32> -> tensor<?x2x4xi32>
  return %picks : tensor<?x2x4xi32>
}

// -----

// Row 4 split (queries of one token, decode): the score kernel binds the
// top-k's positions too and runs ceil(600 / 256) = 3 workgroups per query
// row; the top-k is its own dispatch over the scores.
// CHECK-LABEL: program.executable @kernels
// CHECK: func.func @indexer_score_0(
// CHECK: scf.forall
// CHECK: scf.forall
// CHECK: {mapping = [#gpu.thread<x>], sieve.split_reductions}
// CHECK-NEXT: {mapping = [#gpu.block<x>]}
// CHECK: func.func @topk_0(
// CHECK-LABEL: func.func @score_then_select(
// CHECK-SAME: %[[Q:[a-z0-9]+]]: tensor<?x1x4x128xbf16>, %[[K:[a-z0-9]+]]: !v4.indexer_keys<{{.*}}>, %[[W:[a-z0-9]+]]: tensor<?x1x4xbf16>, %[[SL:[a-z0-9]+]]: tensor<?xi32>, %[[P:[a-z0-9]+]]: tensor<?xi32>
// CHECK: %[[N:.*]] = arith.muli %{{.*}}, %c3
// CHECK: %[[S:.*]] = program.dispatch @kernels::@indexer_score_0[%[[N]]] (%[[Q]], %[[K]], %[[W]], %[[SL]], %[[P]])
// CHECK-SAME: -> tensor<?x1x600xbf16>
// CHECK: program.dispatch @kernels::@topk_0[%{{.*}}] (%[[S]], %[[P]])
// CHECK-SAME: -> tensor<?x1x4xi32>
// CHECK-NOT: program.dispatch
func.func @score_then_select(%q: tensor<?x1x4x128xbf16>,
                             %keys: !v4.indexer_keys<batch = 2, capacity = 600, dim = 128, element = bf16>,
                             %w: tensor<?x1x4xbf16>, %slots: tensor<?xi32>, %positions: tensor<?xi32>)
    -> tensor<?x1x4xi32> {
  %scores = v4.indexer_score %q, %keys, %w slots %slots
      : tensor<?x1x4x128xbf16>, !v4.indexer_keys<batch = 2, capacity = 600, dim = 128, element = bf16>,
        tensor<?x1x4xbf16>, tensor<?xi32> -> tensor<?x1x600xbf16>
  %picks = v4.topk %scores at %positions k 4 ratio 4 : tensor<?x1x600xbf16>, tensor<?xi32> -> tensor<?x1x4xi32>
  return %picks : tensor<?x1x4xi32>
}

// -----

// Row 5: the routing taken into the dispatch: one kernel of one workgroup
// binds the logits and bias (or token ids and hash table) and the rows.
// CHECK-LABEL: program.executable @kernels
// CHECK: func.func @moe_route_moe_dispatch_0(
// CHECK-LABEL: func.func @route_and_dispatch(
// CHECK-SAME: %[[L:[a-z0-9]+]]: tensor<?x8xf32>, %[[B:[a-z0-9]+]]: tensor<8xf32>, %[[X:[a-z0-9]+]]: tensor<?x64xbf16>
// CHECK-NOT: program.dispatch
// CHECK: %[[C1:.*]] = arith.constant 1 : index
// CHECK-NOT: program.dispatch
// CHECK: program.dispatch @kernels::@moe_route_moe_dispatch_0[%[[C1]]] (%[[L]], %[[B]], %[[X]])
// CHECK-NOT: program.dispatch
func.func @route_and_dispatch(%logits: tensor<?x8xf32>, %bias: tensor<8xf32>, %x: tensor<?x64xbf16>)
    -> (tensor<?x64xbf16>, tensor<?xf32>, tensor<?xi32>, tensor<9xi32>) {
  %weights, %experts = v4.moe_route %logits, %bias k 2 route_scale 1.5 normalize
      : tensor<?x8xf32>, tensor<8xf32> -> tensor<?x2xf32>, tensor<?x2xi32>
  %rows, %row_weights, %permutation, %offsets = v4.moe_dispatch %x, %experts, %weights num_experts 8
      : (tensor<?x64xbf16>, tensor<?x2xi32>, tensor<?x2xf32>)
      -> (tensor<?x64xbf16>, tensor<?xf32>, tensor<?xi32>, tensor<9xi32>)
  return %rows, %row_weights, %permutation, %offsets
      : tensor<?x64xbf16>, tensor<?xf32>, tensor<?xi32>, tensor<9xi32>
}

// -----

// Row 2: a grouped_linear's weight dequantize (tile scales broadcast over
// their 128 rows, as the importer emits wo_a) is computed by its kernel,
// which binds the FP8 codes and the tile scales: neither the dequantize nor
// the broadcast gets a dispatch. A dequantized weight another op also reads
// keeps its dispatch, and the grouped_linear still takes it in.
// CHECK-LABEL: program.executable @kernels
// CHECK: func.func @broadcast_dequantize_grouped_linear_0(
// CHECK-LABEL: func.func @fused_weight(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<?x4x64xbf16>, %[[W:[a-z0-9]+]]: tensor<256x128xf8E4M3FN>, %[[T:[a-z0-9]+]]: tensor<2x1xf8E8M0FNU>
// CHECK-NOT: program.dispatch
// CHECK: program.dispatch @kernels::@broadcast_dequantize_grouped_linear_0[%{{.*}}] (%[[X]], %[[W]], %[[T]])
// CHECK-NOT: program.dispatch
// CHECK-LABEL: func.func @shared_weight(
// CHECK: program.dispatch @kernels::@broadcast_
// CHECK: %[[D:.*]] = program.dispatch @kernels::@dequantize_
// CHECK: program.dispatch @kernels::@broadcast_dequantize_grouped_linear_0[
// CHECK: return %{{.*}}, %[[D]]
func.func @fused_weight(%x: tensor<?x4x64xbf16>, %w: tensor<256x128xf8E4M3FN>,
                        %tiles: tensor<2x1xf8E8M0FNU>) -> tensor<?x2x128xbf16> {
  %empty = tensor.empty() : tensor<2x128x1xf8E8M0FNU>
  %spread = linalg.broadcast ins(%tiles : tensor<2x1xf8E8M0FNU>) outs(%empty : tensor<2x128x1xf8E8M0FNU>) dimensions = [1]
  %rows = tensor.collapse_shape %spread [[0, 1], [2]] : tensor<2x128x1xf8E8M0FNU> into tensor<256x1xf8E8M0FNU>
  %d = v4.dequantize %w, %rows block 128 : tensor<256x128xf8E4M3FN>, tensor<256x1xf8E8M0FNU> -> tensor<256x128xbf16>
  %g = tensor.expand_shape %d [[0, 1], [2]] output_shape [2, 128, 128] : tensor<256x128xbf16> into tensor<2x128x128xbf16>
  %y = v4.grouped_linear %x, %g groups 2 : tensor<?x4x64xbf16>, tensor<2x128x128xbf16> -> tensor<?x2x128xbf16>
  return %y : tensor<?x2x128xbf16>
}
func.func @shared_weight(%x: tensor<?x4x64xbf16>, %w: tensor<256x128xf8E4M3FN>,
                         %tiles: tensor<2x1xf8E8M0FNU>) -> (tensor<?x2x128xbf16>, tensor<256x128xbf16>) {
  %empty = tensor.empty() : tensor<2x128x1xf8E8M0FNU>
  %spread = linalg.broadcast ins(%tiles : tensor<2x1xf8E8M0FNU>) outs(%empty : tensor<2x128x1xf8E8M0FNU>) dimensions = [1]
  %rows = tensor.collapse_shape %spread [[0, 1], [2]] : tensor<2x128x1xf8E8M0FNU> into tensor<256x1xf8E8M0FNU>
  %d = v4.dequantize %w, %rows block 128 : tensor<256x128xf8E4M3FN>, tensor<256x1xf8E8M0FNU> -> tensor<256x128xbf16>
  %g = tensor.expand_shape %d [[0, 1], [2]] output_shape [2, 128, 128] : tensor<256x128xbf16> into tensor<2x128x128xbf16>
  %y = v4.grouped_linear %x, %g groups 2 : tensor<?x4x64xbf16>, tensor<2x128x128xbf16> -> tensor<?x2x128xbf16>
  return %y, %d : tensor<?x2x128xbf16>, tensor<256x128xbf16>
}

// -----

// Row 6: the read of a window ring taken into the attention over it, which
// binds the ring's storage and the read's slots last: no copy of the ring.
// A read another op also uses keeps its dispatch, and the attention still
// reads the ring in place.
// CHECK-LABEL: program.executable @kernels
// CHECK: func.func @cache_read_sparse_attention_0(
// CHECK-SAME: %{{.*}}: memref<?xi8>, %{{.*}}: memref<?xi8>, %{{.*}}: memref<?xi8>, %{{.*}}: memref<?xi8>, %{{.*}}: memref<?xi8>, %{{.*}}: memref<?xi8>
// CHECK: memref.view %{{.*}} : memref<?xi8> to memref<3x16x64xbf16>
// CHECK-LABEL: func.func @ring_in_place(
// CHECK-SAME: %[[Q:[a-z0-9]+]]: tensor<?x1x4x64xbf16>, %[[W:[a-z0-9]+]]: !v4.window<{{.*}}>, %[[I:[a-z0-9]+]]: tensor<?x1x8xi32>, %[[SK:[a-z0-9]+]]: tensor<4xf32>, %[[SL:[a-z0-9]+]]: tensor<?xi32>
// CHECK-NOT: program.dispatch
// CHECK: program.dispatch @kernels::@cache_read_sparse_attention_0[%{{.*}}] (%[[Q]], %[[W]], %[[I]], %[[SK]], %[[SL]])
// CHECK-NOT: program.dispatch
// CHECK-LABEL: func.func @ring_also_returned(
// CHECK-SAME: %{{[a-z0-9]+}}: tensor<?x1x4x64xbf16>, %[[W2:[a-z0-9]+]]: !v4.window<{{.*}}>
// CHECK: %[[R:.*]] = program.dispatch @kernels::@cache_read_
// CHECK: program.dispatch @kernels::@cache_read_sparse_attention_0[%{{.*}}] (%{{.*}}, %[[W2]],
// CHECK: return %{{.*}}, %[[R]]
// A read both attentions of a step take in (sharing the batch's slots, as
// the importer gives them): no dispatch of its own; HCA binds the slots
// twice, its own and the read's.
// CHECK-LABEL: func.func @ring_shared_by_two(
// CHECK-SAME: %[[Q3:[a-z0-9]+]]: tensor<?x1x4x64xbf16>, %[[W3:[a-z0-9]+]]: !v4.window<{{.*}}>, %[[I3:[a-z0-9]+]]: tensor<?x1x8xi32>, %[[SK3:[a-z0-9]+]]: tensor<4xf32>, %[[SL3:[a-z0-9]+]]: tensor<?xi32>, %[[H3:[a-z0-9]+]]: !v4.compressed<{{.*}}>, %[[P3:[a-z0-9]+]]: tensor<?xi32>
// CHECK-NOT: @kernels::@cache_read_0
// CHECK-DAG: program.dispatch @kernels::@cache_read_sparse_attention_0[%{{.*}}] (%[[Q3]], %[[W3]], %[[I3]], %[[SK3]], %[[SL3]])
// CHECK-DAG: program.dispatch @kernels::@cache_read_hca_attention_0[%{{.*}}] (%[[Q3]], %[[W3]], %[[I3]], %[[H3]], %[[SK3]], %[[P3]], %[[SL3]], %[[SL3]])
func.func @ring_in_place(%q: tensor<?x1x4x64xbf16>,
                         %w: !v4.window<batch = 3, rows = 16, dim = 64, element = bf16>,
                         %i: tensor<?x1x8xi32>, %sink: tensor<4xf32>, %slots: tensor<?xi32>)
    -> tensor<?x1x4x64xbf16> {
  %ring = v4.cache_read %w slots %slots
      : !v4.window<batch = 3, rows = 16, dim = 64, element = bf16>, tensor<?xi32> -> tensor<?x16x64xbf16>
  %o = v4.sparse_attention %q, %ring[%i], %sink scale 0.125
      : tensor<?x1x4x64xbf16>, tensor<?x16x64xbf16>, tensor<?x1x8xi32>, tensor<4xf32>
  return %o : tensor<?x1x4x64xbf16>
}
func.func @ring_also_returned(%q: tensor<?x1x4x64xbf16>,
                              %w: !v4.window<batch = 3, rows = 16, dim = 64, element = bf16>,
                              %i: tensor<?x1x8xi32>, %sink: tensor<4xf32>, %slots: tensor<?xi32>)
    -> (tensor<?x1x4x64xbf16>, tensor<?x16x64xbf16>) {
  %ring = v4.cache_read %w slots %slots
      : !v4.window<batch = 3, rows = 16, dim = 64, element = bf16>, tensor<?xi32> -> tensor<?x16x64xbf16>
  %o = v4.sparse_attention %q, %ring[%i], %sink scale 0.125
      : tensor<?x1x4x64xbf16>, tensor<?x16x64xbf16>, tensor<?x1x8xi32>, tensor<4xf32>
  return %o, %ring : tensor<?x1x4x64xbf16>, tensor<?x16x64xbf16>
}
func.func @ring_shared_by_two(%q: tensor<?x1x4x64xbf16>,
                              %w: !v4.window<batch = 3, rows = 16, dim = 64, element = bf16>,
                              %i: tensor<?x1x8xi32>, %sink: tensor<4xf32>, %slots: tensor<?xi32>,
                              %h: !v4.compressed<batch = 3, ratio = 128, capacity = 8, dim = 64, element = bf16>,
                              %pos: tensor<?xi32>)
    -> (tensor<?x1x4x64xbf16>, tensor<?x1x4x64xbf16>) {
  %ring = v4.cache_read %w slots %slots
      : !v4.window<batch = 3, rows = 16, dim = 64, element = bf16>, tensor<?xi32> -> tensor<?x16x64xbf16>
  %o = v4.sparse_attention %q, %ring[%i], %sink scale 0.125
      : tensor<?x1x4x64xbf16>, tensor<?x16x64xbf16>, tensor<?x1x8xi32>, tensor<4xf32>
  %o2 = v4.hca_attention %q, %ring[%i] entries %h, %sink at %pos slots %slots scale 0.125
      : tensor<?x1x4x64xbf16>, tensor<?x16x64xbf16>, tensor<?x1x8xi32>,
        !v4.compressed<batch = 3, ratio = 128, capacity = 8, dim = 64, element = bf16>, tensor<4xf32>,
        tensor<?xi32>, tensor<?xi32>
  return %o, %o2 : tensor<?x1x4x64xbf16>, tensor<?x1x4x64xbf16>
}

// -----

// An op its kernel cannot take is an error at the op.
func.func @dynamic_width(%x: tensor<4x?xbf16>) -> tensor<4x?xbf16> {
  // expected-error @+1 {{'v4.rms_norm' op needs a static last dimension to become a kernel}}
  %y = v4.rms_norm %x eps 1.0e-06 : tensor<4x?xbf16>
  return %y : tensor<4x?xbf16>
}
