// RUN: sieve-opt %s --split-input-file --sieve-gpu-tile-products=chip=sm_90a | FileCheck %s --check-prefixes=CHECK,WGMMA
// RUN: sieve-opt %s --split-input-file --sieve-gpu-tile-products=chip=sm_90 | FileCheck %s --check-prefixes=CHECK,MMA
// RUN: sieve-opt %s --split-input-file --sieve-gpu-tile-products=chip=sm_80 | FileCheck %s --check-prefixes=CHECK,MMA
// RUN: sieve-opt %s --split-input-file --sieve-gpu-tile-products=chip=gfx942 | FileCheck %s --check-prefixes=CHECK,MFMA
// RUN: sieve-opt %s --split-input-file --sieve-gpu-tile-products=chip=gfx90a | FileCheck %s --check-prefixes=CHECK,MFMA
// RUN: sieve-opt %s --split-input-file --sieve-gpu-tile-products | FileCheck %s --check-prefixes=CHECK,LOOP
// Blocks that are not whole warps or waves cannot run the matrix units, nor
// blocks that are not whole warpgroups wgmma.
// RUN: sieve-opt %s --split-input-file --sieve-gpu-tile-products="chip=sm_90a block-size=96" | FileCheck %s --check-prefixes=CHECK,MMA
// RUN: sieve-opt %s --split-input-file --sieve-gpu-tile-products="chip=sm_90 block-size=48" | FileCheck %s --check-prefixes=CHECK,LOOP
// RUN: sieve-opt %s --split-input-file --sieve-gpu-tile-products="chip=gfx942 block-size=96" | FileCheck %s --check-prefixes=CHECK,LOOP

// A workgroup's tile product (16 rows x 64 columns, K = 128 per step): on
// NVIDIA chips a loop of one iteration per warp (split_reductions) over the
// eight accumulator fragments of 16 x 8; each lane loads its four
// accumulator elements (rows g and g + 8, columns 2t and 2t + 1), adds one
// bf16 mma.sync m16n8k16 per 16 of K to them and stores them back. Its A
// registers are the bf16 pairs of rows g and g + 8 at K offsets 2t and
// 2t + 8; its B registers are the same offsets of column g. On gfx90a and
// gfx942 a wave (64 iterations) per 16 x 16 fragment: lane l loads rows
// 4 (l / 16) .. + 3 of column l % 16 of the accumulator, then adds one bf16
// MFMA 16x16x16 per 16 of K (A row l % 16 and B column l % 16, each at K
// 4 (l / 16) .. + 3). Elsewhere one thread per output sums K in order.
// On sm_90a, wgmma with the product's 64 columns as its M and 8 of the 16
// rows as its N, one warpgroup of the 256-thread block each (two units):
// per K chunk (all 128 here) a thread loop copies 16 bytes of the rows'
// and then the columns' tile an iteration into buffers of 8 x 8 core
// matrices (element (r, c) at ((r / 8) 16 + c / 8) 64 + (r % 8) 8 + c % 8)
// and fences the generic proxy's writes from wgmma's async proxy; then 128
// iterations per unit load the accumulator transposed, run one wgmma per
// 16 of K between a fence and a commit/wait, and store it back. The
// descriptors' strides: 128 bytes to the next core matrix in K, 2048 (the
// chunk x 16) to the next 8 rows: (128 >> 4) << 16 | (2048 >> 4) << 32.
// CHECK-LABEL: func.func @tile_product
// WGMMA-DAG: %[[COLS:.*]] = memref.alloca() {alignment = 16 : i64} : memref<8192xbf16>
// WGMMA-DAG: %[[ROWS:.*]] = memref.alloca() {alignment = 16 : i64} : memref<2048xbf16>
// WGMMA: scf.for %[[K0:.*]] = %c0{{.*}} to %c128{{.*}} step %c128
// WGMMA: scf.forall (%[[I:.*]]) in (1280) {
// WGMMA: scf.if
// WGMMA-COUNT-8: memref.store %{{.*}}, %[[ROWS]]
// WGMMA: } else {
// WGMMA-COUNT-8: memref.store %{{.*}}, %[[COLS]]
// WGMMA: nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}
// WGMMA: } {mapping = [#gpu.thread<x>]}
// WGMMA: scf.forall (%{{.*}}) in (256) {
// WGMMA-COUNT-4: memref.load %{{.*}} : memref<16x64xf32>
// WGMMA: %[[STRIDES:.*]] = arith.constant 549756338176 : i64
// WGMMA: memref.extract_aligned_pointer_as_index %[[COLS]]
// WGMMA: memref.extract_aligned_pointer_as_index %[[ROWS]]
// WGMMA: nvvm.wgmma.fence.aligned
// WGMMA: %[[START:.*]] = arith.shrui
// WGMMA: %[[DESCRIPTOR:.*]] = arith.ori %[[START]], %[[STRIDES]] : i64
// WGMMA-COUNT-8: nvvm.wgmma.mma_async {{.*}} <m = 64, n = 8, k = 16>, D[<f32>, <one>], A[<bf16>, <one>, <row>], B[<bf16>, <one>, <col>] : !llvm.struct<(f32, f32, f32, f32)>
// WGMMA: nvvm.wgmma.commit.group.sync.aligned
// WGMMA: nvvm.wgmma.wait.group.sync.aligned 0
// WGMMA-COUNT-4: memref.store %{{.*}} : memref<16x64xf32>
// WGMMA: } {mapping = [#gpu.thread<x>]}
// MMA: scf.forall (%[[F:.*]]) in (8) {
// MMA: %[[LANE:.*]] = gpu.lane_id
// MMA: %[[G:.*]] = arith.divui %[[LANE]], %c4
// MMA: %[[T:.*]] = arith.remui %[[LANE]], %c4
// MMA: %[[ACC:.*]]:4 = scf.for %{{.*}} = %c0 to %c128 step %c16{{.*}} iter_args
// MMA: %[[SUM:.*]] = nvvm.mma.sync A[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] B[%{{.*}}, %{{.*}}] C[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}]
// MMA-SAME: multiplicandAPtxType = #nvvm.mma_type<bf16>
// MMA-SAME: shape = #nvvm.shape<m = 16, n = 8, k = 16>
// MMA-SAME: -> !llvm.struct<(f32, f32, f32, f32)>
// MMA-COUNT-4: llvm.extractvalue %[[SUM]]
// MMA-COUNT-4: memref.store %[[ACC]]#{{[0-3]}}, %{{.*}}
// MMA: } {mapping = [#gpu.thread<x>], sieve.split_reductions}
// MFMA: scf.forall (%[[I:.*]]) in (256) {
// MFMA: %[[FRAGMENT:.*]] = arith.divui %[[I]], %c64
// MFMA: %[[LANE:.*]] = arith.remui %[[I]], %c64
// MFMA-COUNT-4: memref.load %{{.*}} : memref<16x64xf32>
// MFMA: %[[C:.*]] = vector.from_elements %{{.*}} : vector<4xf32>
// MFMA: %[[ACC:.*]] = scf.for %{{.*}} = %c0{{.*}} to %c128 step %c16{{.*}} iter_args(%[[S:.*]] = %[[C]])
// MFMA-COUNT-4: memref.load %{{.*}} : memref<16x128xbf16>
// MFMA: %[[A:.*]] = vector.from_elements %{{.*}} : vector<4xbf16>
// MFMA-COUNT-4: memref.load %{{.*}} : memref<64x128xbf16>
// MFMA: %[[B:.*]] = vector.from_elements %{{.*}} : vector<4xbf16>
// MFMA: amdgpu.mfma 16x16x16 %[[A]] * %[[B]] + %[[S]] {{.*}}: vector<4xbf16>, vector<4xbf16>, vector<4xf32>
// MFMA-COUNT-4: memref.store %{{.*}} : memref<16x64xf32>
// MFMA: } {mapping = [#gpu.thread<x>]}
// LOOP: scf.forall (%[[O:.*]]) in (1024) {
// LOOP: %[[INIT:.*]] = memref.load
// LOOP: %[[SUM:.*]] = scf.for %{{.*}} = %c0 to %c128 step %c1 iter_args(%[[S:.*]] = %[[INIT]])
// LOOP: arith.extf %{{.*}} : bf16 to f32
// LOOP: arith.extf %{{.*}} : bf16 to f32
// LOOP: arith.mulf
// LOOP: arith.addf %[[S]]
// LOOP: memref.store %[[SUM]]
// LOOP: } {mapping = [#gpu.thread<x>]}
// CHECK-NOT: linalg.generic
#rows = affine_map<(m, n, k) -> (m, k)>
#cols = affine_map<(m, n, k) -> (n, k)>
#acc = affine_map<(m, n, k) -> (m, n)>
func.func @tile_product(%out: memref<?xi8>) attributes {sieve.kernel} {
  scf.forall (%wg) in (4) {
    %a = memref.alloca() : memref<16x128xbf16>
    %b = memref.alloca() : memref<64x128xbf16>
    %c = memref.alloca() : memref<16x64xf32>
    linalg.generic {indexing_maps = [#rows, #cols, #acc],
                    iterator_types = ["parallel", "parallel", "reduction"]}
        ins(%a, %b : memref<16x128xbf16>, memref<64x128xbf16>) outs(%c : memref<16x64xf32>) {
    ^bb0(%x: bf16, %y: bf16, %s: f32):
      %xf = arith.extf %x : bf16 to f32
      %yf = arith.extf %y : bf16 to f32
      %p = arith.mulf %xf, %yf : f32
      %r = arith.addf %s, %p : f32
      linalg.yield %r : f32
    }
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// Shapes that do not divide into fragments (12 rows): one thread per output
// on every chip.
// CHECK-LABEL: func.func @ragged_tile
// CHECK-NOT: nvvm.mma.sync
// CHECK-NOT: amdgpu.mfma
// CHECK: scf.forall (%{{.*}}) in (96) {
// CHECK: } {mapping = [#gpu.thread<x>]}
#rows = affine_map<(m, n, k) -> (m, k)>
#cols = affine_map<(m, n, k) -> (n, k)>
#acc = affine_map<(m, n, k) -> (m, n)>
func.func @ragged_tile(%out: memref<?xi8>) attributes {sieve.kernel} {
  scf.forall (%wg) in (4) {
    %a = memref.alloca() : memref<12x32xbf16>
    %b = memref.alloca() : memref<8x32xbf16>
    %c = memref.alloca() : memref<12x8xf32>
    linalg.generic {indexing_maps = [#rows, #cols, #acc],
                    iterator_types = ["parallel", "parallel", "reduction"]}
        ins(%a, %b : memref<12x32xbf16>, memref<8x32xbf16>) outs(%c : memref<12x8xf32>) {
    ^bb0(%x: bf16, %y: bf16, %s: f32):
      %xf = arith.extf %x : bf16 to f32
      %yf = arith.extf %y : bf16 to f32
      %p = arith.mulf %xf, %yf : f32
      %r = arith.addf %p, %s : f32
      linalg.yield %r : f32
    }
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// Not tile products, left alone: a product inside a thread loop (one
// thread's), f32 operands, and one function that is not a kernel.
// CHECK-LABEL: func.func @in_thread_loop
// CHECK-NOT: nvvm.mma.sync
// CHECK: linalg.generic
// CHECK-LABEL: func.func @f32_operands
// CHECK: linalg.generic
// CHECK-LABEL: func.func @not_a_kernel
// CHECK: linalg.generic
#rows = affine_map<(m, n, k) -> (m, k)>
#cols = affine_map<(m, n, k) -> (n, k)>
#acc = affine_map<(m, n, k) -> (m, n)>
func.func @in_thread_loop(%out: memref<?xi8>) attributes {sieve.kernel} {
  scf.forall (%wg) in (4) {
    scf.forall (%t) in (2) {
      %a = memref.alloca() : memref<16x16xbf16>
      %b = memref.alloca() : memref<8x16xbf16>
      %c = memref.alloca() : memref<16x8xf32>
      linalg.generic {indexing_maps = [#rows, #cols, #acc],
                      iterator_types = ["parallel", "parallel", "reduction"]}
          ins(%a, %b : memref<16x16xbf16>, memref<8x16xbf16>) outs(%c : memref<16x8xf32>) {
      ^bb0(%x: bf16, %y: bf16, %s: f32):
        %xf = arith.extf %x : bf16 to f32
        %yf = arith.extf %y : bf16 to f32
        %p = arith.mulf %xf, %yf : f32
        %r = arith.addf %s, %p : f32
        linalg.yield %r : f32
      }
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  return
}
func.func @f32_operands(%out: memref<?xi8>) attributes {sieve.kernel} {
  scf.forall (%wg) in (4) {
    %a = memref.alloca() : memref<16x16xf32>
    %b = memref.alloca() : memref<8x16xf32>
    %c = memref.alloca() : memref<16x8xf32>
    linalg.generic {indexing_maps = [#rows, #cols, #acc],
                    iterator_types = ["parallel", "parallel", "reduction"]}
        ins(%a, %b : memref<16x16xf32>, memref<8x16xf32>) outs(%c : memref<16x8xf32>) {
    ^bb0(%x: f32, %y: f32, %s: f32):
      %p = arith.mulf %x, %y : f32
      %r = arith.addf %s, %p : f32
      linalg.yield %r : f32
    }
  } {mapping = [#gpu.block<x>]}
  return
}
func.func @not_a_kernel(%a: memref<16x16xbf16>, %b: memref<8x16xbf16>, %c: memref<16x8xf32>) {
  linalg.generic {indexing_maps = [#rows, #cols, #acc],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<16x16xbf16>, memref<8x16xbf16>) outs(%c : memref<16x8xf32>) {
  ^bb0(%x: bf16, %y: bf16, %s: f32):
    %xf = arith.extf %x : bf16 to f32
    %yf = arith.extf %y : bf16 to f32
    %p = arith.mulf %xf, %yf : f32
    %r = arith.addf %s, %p : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// wgmma's operand copies must fit the 48 KiB a block may use statically
// beside what the kernel has: with 40,576 bytes taken, a K chunk of 32
// (four chunks of K = 128, 5,120 bytes of copies); with 46,576 none fits
// and the product runs on mma.sync.
// CHECK-LABEL: func.func @chunked_copies
// WGMMA: memref.alloca() {alignment = 16 : i64} : memref<2048xbf16>
// WGMMA: memref.alloca() {alignment = 16 : i64} : memref<512xbf16>
// WGMMA: scf.for %{{.*}} = %c0{{.*}} to %c128{{.*}} step %c32
// WGMMA-COUNT-2: nvvm.wgmma.mma_async
// WGMMA-NOT: nvvm.wgmma.mma_async
// WGMMA: nvvm.wgmma.commit.group.sync.aligned
// CHECK-LABEL: func.func @no_room_for_copies
// WGMMA-NOT: nvvm.wgmma
// WGMMA: nvvm.mma.sync
#rows = affine_map<(m, n, k) -> (m, k)>
#cols = affine_map<(m, n, k) -> (n, k)>
#acc = affine_map<(m, n, k) -> (m, n)>
func.func @chunked_copies(%out: memref<?xi8>) attributes {sieve.kernel} {
  scf.forall (%wg) in (4) {
    %other = memref.alloca() : memref<8000xbf16>
    %a = memref.alloca() : memref<16x128xbf16>
    %b = memref.alloca() : memref<64x128xbf16>
    %c = memref.alloca() : memref<16x64xf32>
    linalg.generic {indexing_maps = [#rows, #cols, #acc],
                    iterator_types = ["parallel", "parallel", "reduction"]}
        ins(%a, %b : memref<16x128xbf16>, memref<64x128xbf16>) outs(%c : memref<16x64xf32>) {
    ^bb0(%x: bf16, %y: bf16, %s: f32):
      %xf = arith.extf %x : bf16 to f32
      %yf = arith.extf %y : bf16 to f32
      %p = arith.mulf %xf, %yf : f32
      %r = arith.addf %s, %p : f32
      linalg.yield %r : f32
    }
  } {mapping = [#gpu.block<x>]}
  return
}
func.func @no_room_for_copies(%out: memref<?xi8>) attributes {sieve.kernel} {
  scf.forall (%wg) in (4) {
    %other = memref.alloca() : memref<11000xbf16>
    %a = memref.alloca() : memref<16x128xbf16>
    %b = memref.alloca() : memref<64x128xbf16>
    %c = memref.alloca() : memref<16x64xf32>
    linalg.generic {indexing_maps = [#rows, #cols, #acc],
                    iterator_types = ["parallel", "parallel", "reduction"]}
        ins(%a, %b : memref<16x128xbf16>, memref<64x128xbf16>) outs(%c : memref<16x64xf32>) {
    ^bb0(%x: bf16, %y: bf16, %s: f32):
      %xf = arith.extf %x : bf16 to f32
      %yf = arith.extf %y : bf16 to f32
      %p = arith.mulf %xf, %yf : f32
      %r = arith.addf %s, %p : f32
      linalg.yield %r : f32
    }
  } {mapping = [#gpu.block<x>]}
  return
}
