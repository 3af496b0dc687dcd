// RUN: sieve-opt %s --split-input-file --sieve-gpu-tile-products=chip=sm_90a | FileCheck %s --check-prefixes=CHECK,PEROUT,WGMMA
// RUN: sieve-opt %s --split-input-file --sieve-gpu-tile-products=chip=sm_90 | FileCheck %s --check-prefixes=CHECK,PEROUT,MMA
// RUN: sieve-opt %s --split-input-file --sieve-gpu-tile-products=chip=sm_80 | FileCheck %s --check-prefixes=CHECK,PEROUT,MMA
// RUN: sieve-opt %s --split-input-file --sieve-gpu-tile-products=chip=gfx942 | FileCheck %s --check-prefixes=CHECK,PEROUT,MFMA
// RUN: sieve-opt %s --split-input-file --sieve-gpu-tile-products=chip=gfx90a | FileCheck %s --check-prefixes=CHECK,PEROUT,MFMA
// RUN: sieve-opt %s --split-input-file --sieve-gpu-tile-products=chip=gfx950 | FileCheck %s --check-prefixes=CHECK,MFMA,SCALED
// RUN: sieve-opt %s --split-input-file --sieve-gpu-tile-products=chip=sm_100a | FileCheck %s --check-prefixes=CHECK,PEROUT,MMA,TC5
// RUN: sieve-opt %s --split-input-file --sieve-gpu-tile-products | FileCheck %s --check-prefixes=CHECK,PEROUT,LOOP
// Blocks that are not whole warps or waves cannot run the matrix units, nor
// blocks that are not whole warpgroups wgmma or tcgen05.
// RUN: sieve-opt %s --split-input-file --sieve-gpu-tile-products="chip=sm_100a block-size=96" | FileCheck %s --check-prefixes=CHECK,PEROUT,MMA,NO-TC5
// RUN: sieve-opt %s --split-input-file --sieve-gpu-tile-products="chip=sm_90a block-size=96" | FileCheck %s --check-prefixes=CHECK,PEROUT,MMA
// RUN: sieve-opt %s --split-input-file --sieve-gpu-tile-products="chip=sm_90 block-size=48" | FileCheck %s --check-prefixes=CHECK,PEROUT,LOOP
// RUN: sieve-opt %s --split-input-file --sieve-gpu-tile-products="chip=gfx942 block-size=96" | FileCheck %s --check-prefixes=CHECK,PEROUT,LOOP

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
// rows as its N, one warpgroup of the 256-thread block each (two units).
// The tiles move in place into wgmma's layout (1-D buffers of 8 x 8 core
// matrices); 128 iterations per unit load the accumulator transposed, run
// one wgmma per 16 of K between a fence and a commit/wait, and store it
// back. The descriptors' strides: 128 bytes to the next core matrix in K,
// 2048 (K x 16) to the next 8 rows: (128 >> 4) << 16 | (2048 >> 4) << 32.
// CHECK-LABEL: func.func @tile_product
// WGMMA-DAG: %[[ROWS:.*]] = memref.alloca() {alignment = 16 : i64} : memref<2048xbf16>
// WGMMA-DAG: %[[COLS:.*]] = memref.alloca() {alignment = 16 : i64} : memref<8192xbf16>
// WGMMA-NOT: xbf16>
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

// The tiles' own loads and stores move with them: element (r, c) of the
// 16 x 128 rows tile is at ((r / 8) 16 + c / 8) 64 + (r % 8) 8 + c % 8 of
// its new buffer, and the thread loop that writes it ends with the proxy
// fence (wgmma reads shared memory through the async proxy).
// CHECK-LABEL: func.func @tile_writes_move
// WGMMA: %[[ROWS:.*]] = memref.alloca() {alignment = 16 : i64} : memref<2048xbf16>
// WGMMA: scf.forall (%[[I:.*]]) in (128) {
// WGMMA: %[[R8:.*]] = arith.divui %[[I]], %c8
// WGMMA: %[[RC:.*]] = arith.muli %[[R8]], %c16
// WGMMA: %[[C8:.*]] = arith.divui %[[I]], %c8
// WGMMA: %[[CORE:.*]] = arith.addi %[[RC]], %[[C8]]
// WGMMA: %[[AT:.*]] = arith.muli %[[CORE]], %c64
// WGMMA: %[[RR:.*]] = arith.remui %[[I]], %c8
// WGMMA: %[[ROW:.*]] = arith.muli %[[RR]], %c8
// WGMMA: %[[BASE:.*]] = arith.addi %[[AT]], %[[ROW]]
// WGMMA: %[[CR:.*]] = arith.remui %[[I]], %c8
// WGMMA: %[[FLAT:.*]] = arith.addi %[[BASE]], %[[CR]]
// WGMMA: memref.store %{{.*}}, %[[ROWS]][%[[FLAT]]] : memref<2048xbf16>
// WGMMA-NEXT: nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}
// WGMMA-NEXT: } {mapping = [#gpu.thread<x>]}
// WGMMA: nvvm.wgmma.mma_async
// A tile some other op uses cannot move: mma.sync.
// CHECK-LABEL: func.func @tile_viewed_elsewhere
// WGMMA-NOT: nvvm.wgmma
// WGMMA: nvvm.mma.sync
#rows = affine_map<(m, n, k) -> (m, k)>
#cols = affine_map<(m, n, k) -> (n, k)>
#acc = affine_map<(m, n, k) -> (m, n)>
func.func @tile_writes_move(%out: memref<?xi8>) attributes {sieve.kernel} {
  scf.forall (%wg) in (4) {
    %a = memref.alloca() : memref<16x128xbf16>
    %b = memref.alloca() : memref<64x128xbf16>
    %c = memref.alloca() : memref<16x64xf32>
    %one = arith.constant 1.0 : bf16
    scf.forall (%i) in (128) {
      memref.store %one, %a[%i, %i] : memref<16x128xbf16>
    } {mapping = [#gpu.thread<x>]}
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
func.func @tile_viewed_elsewhere(%out: memref<?xi8>) attributes {sieve.kernel} {
  scf.forall (%wg) in (4) {
    %a = memref.alloca() : memref<16x128xbf16>
    %b = memref.alloca() : memref<64x128xbf16>
    %c = memref.alloca() : memref<16x64xf32>
    %view = memref.subview %a[0, 0] [16, 64] [1, 1] : memref<16x128xbf16> to memref<16x64xbf16, strided<[128, 1]>>
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

// A block-scaled tile product (tile_products::emitScaled): E4M3 rows with a
// scale per 128 of K, E2M1 columns two codes a byte with a scale per 32 (the
// body stands in for the decode). On gfx950 a wave per 16 x 16 fragment
// runs one scaled MFMA 16x16x128 per 128 of K: lane l takes 32 bytes of row
// l % 16 and 16 bytes of column l % 16 from K 32 (l / 16) (byte 16 (l / 16)
// of a column), with the scales of those blocks (K / 128 and K / 32), as
// the operand types; the accumulator as the bf16 MFMA's. Elsewhere, and on
// gfx950 for a fragment the shapes do not divide, each output is a thread's
// sum of the product's own terms over K, its operands read through the
// product's maps (the byte K / 2, the scales K / 128 and K / 32).
// CHECK-LABEL: func.func @scaled_tile_product
// SCALED: scf.forall (%[[I:.*]]) in (128) {
// SCALED: %[[LANE:.*]] = arith.remui %[[I]], %c64
// SCALED: %[[QUARTER:.*]] = arith.divui %[[LANE]], %c16
// SCALED: %[[KBLOCK:.*]] = arith.muli %[[QUARTER]], %c32
// SCALED-COUNT-4: memref.load %{{.*}} : memref<16x32xf32>
// SCALED: scf.for %[[K:.*]] = %c0{{.*}} to %c256 step %c128{{.*}} iter_args(%[[S:.*]] = %{{.*}})
// SCALED: %[[AT:.*]] = arith.addi %[[K]], %[[KBLOCK]]
// SCALED-COUNT-32: memref.load %{{.*}} : memref<16x256xi8>
// SCALED: %[[ROWBYTES:.*]] = vector.from_elements %{{.*}} : vector<32xi8>
// SCALED: %[[A:.*]] = vector.bitcast %[[ROWBYTES]] : vector<32xi8> to vector<32xf8E4M3FN>
// SCALED: %[[HALF:.*]] = arith.divui %[[AT]], %c2
// SCALED-COUNT-16: memref.load %{{.*}} : memref<32x128xi8>
// SCALED: %[[COLBYTES:.*]] = vector.from_elements %{{.*}} : vector<16xi8>
// SCALED: %[[B:.*]] = vector.bitcast %[[COLBYTES]] : vector<16xi8> to vector<32xf4E2M1FN>
// SCALED: %[[ROWBLOCK:.*]] = arith.divui %[[AT]], %c128
// SCALED: memref.load %{{.*}}[%{{.*}}, %[[ROWBLOCK]]] : memref<16x2xi8>
// SCALED: %[[SA:.*]] = arith.bitcast %{{.*}} : i8 to f8E8M0FNU
// SCALED: %[[COLBLOCK:.*]] = arith.divui %[[AT]], %c32
// SCALED: memref.load %{{.*}}[%{{.*}}, %[[COLBLOCK]]] : memref<32x8xi8>
// SCALED: %[[SB:.*]] = arith.bitcast %{{.*}} : i8 to f8E8M0FNU
// SCALED: amdgpu.scaled_mfma 16x16x128 (%[[SA]][0] * %[[A]]) * (%[[SB]][0] * %[[B]]) + %[[S]] : f8E8M0FNU, vector<32xf8E4M3FN>, f8E8M0FNU, vector<32xf4E2M1FN>, vector<4xf32>
// SCALED-COUNT-4: memref.store %{{.*}} : memref<16x32xf32>
// PEROUT: scf.forall (%[[O:.*]]) in (512) {
// PEROUT: %[[I:.*]] = arith.divui %[[O]], %c32
// PEROUT: %[[J:.*]] = arith.remui %[[O]], %c32
// PEROUT: %[[SUM:.*]] = scf.for %[[K:.*]] = %c0 to %c256 step %c1 iter_args(%[[S:.*]] = %{{.*}})
// PEROUT: memref.load %{{.*}}[%[[I]], %[[K]]] : memref<16x256xi8>
// PEROUT: %[[RB:.*]] = arith.divui %[[K]], %c128
// PEROUT: memref.load %{{.*}}[%[[I]], %[[RB]]] : memref<16x2xi8>
// PEROUT: %[[BYTE:.*]] = arith.divui %[[K]], %c2
// PEROUT: memref.load %{{.*}}[%[[J]], %[[BYTE]]] : memref<32x128xi8>
// PEROUT: %[[CB:.*]] = arith.divui %[[K]], %c32
// PEROUT: memref.load %{{.*}}[%[[J]], %[[CB]]] : memref<32x8xi8>
// PEROUT: arith.index_cast %[[K]] : index to i32
// PEROUT: %[[SUMMED:.*]] = arith.addf %[[S]]
// PEROUT: scf.yield %[[SUMMED]]
// PEROUT: memref.store %[[SUM]], %{{.*}}[%[[I]], %[[J]]]
// CHECK-NOT: linalg.generic
// With 24 columns (not a multiple of 16) each output is a thread's, on
// gfx950 too.
// CHECK-LABEL: func.func @ragged_scaled_tile_product
// CHECK-NOT: amdgpu.scaled_mfma
// CHECK: scf.forall (%{{.*}}) in (384) {
// CHECK-NOT: linalg.generic
#row_codes = affine_map<(m, n, k) -> (m, k)>
#row_scales = affine_map<(m, n, k) -> (m, k floordiv 128)>
#column_codes = affine_map<(m, n, k) -> (n, k floordiv 2)>
#column_scales = affine_map<(m, n, k) -> (n, k floordiv 32)>
#acc = affine_map<(m, n, k) -> (m, n)>
func.func @scaled_tile_product(%out: memref<?xi8>) attributes {sieve.kernel} {
  scf.forall (%wg) in (4) {
    %a = memref.alloca() : memref<16x256xi8>
    %sa = memref.alloca() : memref<16x2xi8>
    %b = memref.alloca() : memref<32x128xi8>
    %sb = memref.alloca() : memref<32x8xi8>
    %c = memref.alloca() : memref<16x32xf32>
    linalg.generic {indexing_maps = [#row_codes, #row_scales, #column_codes, #column_scales, #acc],
                    iterator_types = ["parallel", "parallel", "reduction"]}
        ins(%a, %sa, %b, %sb : memref<16x256xi8>, memref<16x2xi8>, memref<32x128xi8>, memref<32x8xi8>)
        outs(%c : memref<16x32xf32>) attrs = {sieve.scaled_tile_product = array<i64: 0, 128, 1, 32>} {
    ^bb0(%x: i8, %xs: i8, %y: i8, %ys: i8, %s: f32):
      %k = linalg.index 2 : index
      %k32 = arith.index_cast %k : index to i32
      %xf = arith.uitofp %x : i8 to f32
      %yf = arith.uitofp %y : i8 to f32
      %kf = arith.uitofp %k32 : i32 to f32
      %p = arith.mulf %xf, %yf : f32
      %q = arith.mulf %p, %kf : f32
      %r = arith.addf %s, %q : f32
      linalg.yield %r : f32
    }
  } {mapping = [#gpu.block<x>]}
  return
}

func.func @ragged_scaled_tile_product(%out: memref<?xi8>) attributes {sieve.kernel} {
  scf.forall (%wg) in (4) {
    %a = memref.alloca() : memref<16x256xi8>
    %sa = memref.alloca() : memref<16x2xi8>
    %b = memref.alloca() : memref<24x128xi8>
    %sb = memref.alloca() : memref<24x8xi8>
    %c = memref.alloca() : memref<16x24xf32>
    linalg.generic {indexing_maps = [#row_codes, #row_scales, #column_codes, #column_scales, #acc],
                    iterator_types = ["parallel", "parallel", "reduction"]}
        ins(%a, %sa, %b, %sb : memref<16x256xi8>, memref<16x2xi8>, memref<24x128xi8>, memref<24x8xi8>)
        outs(%c : memref<16x24xf32>) attrs = {sieve.scaled_tile_product = array<i64: 0, 128, 1, 32>} {
    ^bb0(%x: i8, %xs: i8, %y: i8, %ys: i8, %s: f32):
      %xf = arith.uitofp %x : i8 to f32
      %yf = arith.uitofp %y : i8 to f32
      %p = arith.mulf %xf, %yf : f32
      %r = arith.addf %s, %p : f32
      linalg.yield %r : f32
    }
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// A block-scaled product of one tile step (K = 128) on sm_100a:
// tcgen05.mma.block_scale (kind::mxf8f6f4, M = 128, K = 32), transposed.
// The operands move into tcgen05's core-matrix layout: the rows' 16 x 128
// E4M3 codes, and the columns' 64 x 64 E2M1 pairs as 128 x 128 E4M3 codes
// (rows past 64 padding), each store of a pair two stores of its widened
// codes, the loop closed by one proxy fence. Then five thread loops: warp 0
// allocates 32 columns of tensor memory and thread 0 sets up the mbarrier;
// warps 0-3 store the columns' scale words (4 columns from column 16) and
// the rows' (1 column from 20) into their lane quarters; thread 0 issues
// four MMAs (instruction descriptors 0x08840000 | i << 4 | i << 29, scale
// addresses with i in bits 30-31; descriptors with the leading byte offset
// 128, the stride 1024 and bit 46) and commits them; warps 0-1 wait, load
// 16 columns of D a lane and add them to the accumulator's column; warp 0
// frees the tensor memory.
// CHECK-LABEL: func.func @tcgen05_tile_product
// TC5-DAG: %[[ROWS:.*]] = memref.alloca() {alignment = 16 : i64} : memref<2048xi8>
// TC5-DAG: %[[SLOT:.*]] = memref.alloca() : memref<1xi32>
// TC5-DAG: %[[BARRIER:.*]] = memref.alloca() {alignment = 8 : i64} : memref<1xi64>
// TC5-DAG: %[[COLUMNS:.*]] = memref.alloca() {alignment = 16 : i64} : memref<16384xi8>
// TC5: scf.forall (%{{.*}}) in (128) {
// TC5: memref.store %{{.*}}, %[[ROWS]][%{{.*}}] : memref<2048xi8>
// TC5: %[[HIGH:.*]] = arith.shrui %{{.*}}, %c4_i8 : i8
// TC5: %[[LOW:.*]] = arith.ori %{{.*}} : i8
// TC5: arith.andi %[[HIGH]]
// TC5: %[[WIDE:.*]] = arith.ori %{{.*}} : i8
// TC5: memref.store %[[LOW]], %[[COLUMNS]][%{{.*}}] : memref<16384xi8>
// TC5: memref.store %[[WIDE]], %[[COLUMNS]][%{{.*}}] : memref<16384xi8>
// TC5-NEXT: nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}
// TC5-NEXT: } {mapping = [#gpu.thread<x>]}
// TC5: scf.forall (%[[T:.*]]) in (32) {
// TC5: nvvm.tcgen05.alloc %{{.*}}, %c32_i32 : !llvm.ptr<3>, i32
// TC5: scf.if
// TC5: nvvm.mbarrier.init %{{.*}}, %c1_i32 : !llvm.ptr<3>, i32
// TC5-NEXT: nvvm.fence.mbarrier.init
// TC5: nvvm.tcgen05.fence <before>
// TC5-NEXT: } {mapping = [#gpu.thread<x>]}
// TC5: scf.forall (%{{.*}}) in (128) {
// TC5-NEXT: nvvm.tcgen05.fence <after>
// TC5: memref.load %[[SLOT]]
// TC5-COUNT-16: memref.load %{{.*}} : memref<64x4xi8>
// TC5: vector.from_elements %{{.*}} : vector<4xi32>
// TC5: arith.constant 16 : i32
// TC5: nvvm.tcgen05.st %{{.*}} {shape = #nvvm.tcgen05_ldst_shape<shape_32x32b>} : vector<4xi32>
// TC5-COUNT-4: memref.load %{{.*}} : memref<16x1xi8>
// TC5: arith.constant 20 : i32
// TC5: nvvm.tcgen05.st %{{.*}} {shape = #nvvm.tcgen05_ldst_shape<shape_32x32b>} : i32
// TC5-NEXT: nvvm.tcgen05.wait <store>
// TC5-NEXT: nvvm.tcgen05.fence <before>
// TC5-NEXT: } {mapping = [#gpu.thread<x>]}
// TC5: scf.forall (%{{.*}}) in (1) {
// TC5-NEXT: nvvm.tcgen05.fence <after>
// TC5: %[[FIELDS:.*]] = arith.constant 70643622608896 : i64
// TC5: nvvm.tcgen05.mma.block_scale %{{.*}}, %{{.*}}, %{{.*}}, %c142868480_i32, %false, {{.*}} {blockScale = #nvvm.tcgen05_mma_block_scale<block32>, ctaGroup = #nvvm.cta_group<cta_1>, kind = #nvvm.block_scale_kind<mxf8f6f4>}
// TC5: arith.constant 1073741824 : i32
// TC5: arith.constant 256 : i64
// TC5: nvvm.tcgen05.mma.block_scale %{{.*}}, %{{.*}}, %{{.*}}, %c679739408_i32, %true
// TC5: nvvm.tcgen05.mma.block_scale %{{.*}}, %{{.*}}, %{{.*}}, %c1216610336_i32, %true
// TC5: nvvm.tcgen05.mma.block_scale %{{.*}}, %{{.*}}, %{{.*}}, %c1753481264_i32, %true
// TC5: nvvm.tcgen05.commit %{{.*}} : !llvm.ptr<3>
// TC5-NEXT: } {mapping = [#gpu.thread<x>]}
// TC5: scf.forall (%[[C:.*]]) in (64) {
// TC5: scf.while
// TC5: nvvm.mbarrier.try_wait %{{.*}}, %c0_i32
// TC5: nvvm.tcgen05.fence <after>
// TC5: %[[D:.*]] = nvvm.tcgen05.ld %{{.*}} {shape = #nvvm.tcgen05_ldst_shape<shape_32x32b>} : vector<16xi32>
// TC5-NEXT: nvvm.tcgen05.wait <load>
// TC5-NEXT: scf.if
// TC5: vector.extract %[[D]][15]
// TC5: memref.store %{{.*}}[%{{.*}}, %[[C]]] : memref<16x64xf32>
// TC5: nvvm.tcgen05.fence <before>
// TC5: scf.forall (%{{.*}}) in (32) {
// TC5-NEXT: nvvm.tcgen05.fence <after>
// TC5: nvvm.tcgen05.dealloc %{{.*}}, %c32_i32 : !llvm.ptr<6>, i32
// TC5: nvvm.mbarrier.inval
// TC5-NOT: nvvm.tcgen05
// NO-TC5-NOT: nvvm.tcgen05
// CHECK-NOT: linalg.generic
#row_codes = affine_map<(m, n, k) -> (m, k)>
#row_scales = affine_map<(m, n, k) -> (m, k floordiv 128)>
#column_codes = affine_map<(m, n, k) -> (n, k floordiv 2)>
#column_scales = affine_map<(m, n, k) -> (n, k floordiv 32)>
#acc = affine_map<(m, n, k) -> (m, n)>
func.func @tcgen05_tile_product(%out: memref<?xi8>) attributes {sieve.kernel} {
  scf.forall (%wg) in (4) {
    %a = memref.alloca() : memref<16x128xi8>
    %sa = memref.alloca() : memref<16x1xi8>
    %b = memref.alloca() : memref<64x64xi8>
    %sb = memref.alloca() : memref<64x4xi8>
    %c = memref.alloca() : memref<16x64xf32>
    %code = arith.constant 56 : i8
    %pair = arith.constant 33 : i8
    scf.forall (%i) in (128) {
      memref.store %code, %a[%i, %i] : memref<16x128xi8>
      memref.store %pair, %b[%i, %i] : memref<64x64xi8>
    } {mapping = [#gpu.thread<x>]}
    linalg.generic {indexing_maps = [#row_codes, #row_scales, #column_codes, #column_scales, #acc],
                    iterator_types = ["parallel", "parallel", "reduction"]}
        ins(%a, %sa, %b, %sb : memref<16x128xi8>, memref<16x1xi8>, memref<64x64xi8>, memref<64x4xi8>)
        outs(%c : memref<16x64xf32>) attrs = {sieve.scaled_tile_product = array<i64: 0, 128, 1, 32>} {
    ^bb0(%x: i8, %xs: i8, %y: i8, %ys: i8, %s: f32):
      %xf = arith.uitofp %x : i8 to f32
      %yf = arith.uitofp %y : i8 to f32
      %p = arith.mulf %xf, %yf : f32
      %r = arith.addf %s, %p : f32
      linalg.yield %r : f32
    }
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// Two products in one kernel take the same tensor memory, the larger's
// (64 rows: D 64 columns, A's scales 4, B's 2: 128 columns), as the ISA
// allows no allocation larger than the one before it.
// CHECK-LABEL: func.func @tcgen05_two_products
// TC5: arith.constant 128 : i32
// TC5: nvvm.tcgen05.alloc %{{.*}}, %c128_i32 : !llvm.ptr<3>, i32
// TC5: arith.constant 128 : i32
// TC5: nvvm.tcgen05.alloc %{{.*}}, %c128_i32_{{[0-9]+}} : !llvm.ptr<3>, i32
#row_codes = affine_map<(m, n, k) -> (m, k)>
#row_scales = affine_map<(m, n, k) -> (m, k floordiv 128)>
#column_codes = affine_map<(m, n, k) -> (n, k)>
#column_scales = affine_map<(m, n, k) -> (n, k floordiv 128)>
#acc = affine_map<(m, n, k) -> (m, n)>
func.func @tcgen05_two_products(%out: memref<?xi8>) attributes {sieve.kernel} {
  scf.forall (%wg) in (4) {
    %a = memref.alloca() : memref<16x128xi8>
    %sa = memref.alloca() : memref<16x1xi8>
    %b = memref.alloca() : memref<64x128xi8>
    %sb = memref.alloca() : memref<64x1xi8>
    %c = memref.alloca() : memref<16x64xf32>
    linalg.generic {indexing_maps = [#row_codes, #row_scales, #column_codes, #column_scales, #acc],
                    iterator_types = ["parallel", "parallel", "reduction"]}
        ins(%a, %sa, %b, %sb : memref<16x128xi8>, memref<16x1xi8>, memref<64x128xi8>, memref<64x1xi8>)
        outs(%c : memref<16x64xf32>) attrs = {sieve.scaled_tile_product = array<i64: 0, 128, 0, 128>} {
    ^bb0(%x: i8, %xs: i8, %y: i8, %ys: i8, %s: f32):
      %xf = arith.uitofp %x : i8 to f32
      %yf = arith.uitofp %y : i8 to f32
      %p = arith.mulf %xf, %yf : f32
      %r = arith.addf %s, %p : f32
      linalg.yield %r : f32
    }
    %a2 = memref.alloca() : memref<64x128xi8>
    %sa2 = memref.alloca() : memref<64x1xi8>
    %b2 = memref.alloca() : memref<64x128xi8>
    %sb2 = memref.alloca() : memref<64x1xi8>
    %c2 = memref.alloca() : memref<64x64xf32>
    linalg.generic {indexing_maps = [#row_codes, #row_scales, #column_codes, #column_scales, #acc],
                    iterator_types = ["parallel", "parallel", "reduction"]}
        ins(%a2, %sa2, %b2, %sb2 : memref<64x128xi8>, memref<64x1xi8>, memref<64x128xi8>, memref<64x1xi8>)
        outs(%c2 : memref<64x64xf32>) attrs = {sieve.scaled_tile_product = array<i64: 0, 128, 0, 128>} {
    ^bb0(%x: i8, %xs: i8, %y: i8, %ys: i8, %s: f32):
      %xf = arith.uitofp %x : i8 to f32
      %yf = arith.uitofp %y : i8 to f32
      %p = arith.mulf %xf, %yf : f32
      %r = arith.addf %s, %p : f32
      linalg.yield %r : f32
    }
  } {mapping = [#gpu.block<x>]}
  return
}
