// RUN: sieve-opt %s --split-input-file --sieve-gpu-distribute-linalg | FileCheck %s

// A matmul tile and the fill before it: each a thread loop over the tile's
// 256 output columns, the op inside on one column; the matmul's loop may
// split its sums over a group of threads, the fill's has none.
// CHECK-LABEL: func.func @matmul_tile
// CHECK: scf.forall (%[[WG:.*]]) in
// CHECK:   %[[XS:.*]] = memref.subview %{{.*}}[%{{.*}}, 0] [1, 512] [1, 1]
// CHECK:   %[[WS:.*]] = memref.subview %{{.*}}[%{{.*}}, 0] [256, 512] [1, 1]
// CHECK:   %[[YS:.*]] = memref.subview %{{.*}}[%{{.*}}, %{{.*}}] [1, 256] [1, 1]
// CHECK:   scf.forall (%[[J:.*]]) in (256) {
// CHECK:     %[[FILLED:.*]] = memref.subview %[[YS]][0, %[[J]]] [1, 1] [1, 1]
// CHECK:     linalg.fill ins(%{{.*}} : f32) outs(%[[FILLED]] : memref<1x1xf32
// CHECK:   } {mapping = [#gpu.thread<x>]}{{$}}
// CHECK:   scf.forall (%[[K:.*]]) in (256) {
// CHECK:     %[[B:.*]] = memref.subview %[[WS]][%[[K]], 0] [1, 512] [1, 1]
// CHECK:     %[[C:.*]] = memref.subview %[[YS]][0, %[[K]]] [1, 1] [1, 1]
// CHECK:     linalg.matmul {{.*}} ins(%[[XS]], %[[B]] : {{.*}}) outs(%[[C]] :
// CHECK:   } {mapping = [#gpu.thread<x>], sieve.split_reductions}
// CHECK: } {mapping = [#gpu.block<x>]}
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (n, k)>
#c = affine_map<(m, n, k) -> (m, n)>
func.func @matmul_tile(%x: memref<?xi8>, %w: memref<?xi8>, %y: memref<?xi8>, %rows: i32)
    attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %c256 = arith.constant 256 : index
  %zero = arith.constant 0.0 : f32
  %n = arith.index_castui %rows : i32 to index
  %xv = memref.view %x[%c0][%n] : memref<?xi8> to memref<?x512xbf16>
  %wv = memref.view %w[%c0][] : memref<?xi8> to memref<1024x512xbf16>
  %yv = memref.view %y[%c0][%n] : memref<?xi8> to memref<?x1024xf32>
  %wgs = arith.muli %n, %c4 : index
  scf.forall (%wg) in (%wgs) {
    %row = arith.remui %wg, %n : index
    %tile = arith.divui %wg, %n : index
    %col = arith.muli %tile, %c256 : index
    %xs = memref.subview %xv[%row, 0] [1, 512] [1, 1] : memref<?x512xbf16> to memref<1x512xbf16, strided<[512, 1], offset: ?>>
    %ws = memref.subview %wv[%col, 0] [256, 512] [1, 1] : memref<1024x512xbf16> to memref<256x512xbf16, strided<[512, 1], offset: ?>>
    %ys = memref.subview %yv[%row, %col] [1, 256] [1, 1] : memref<?x1024xf32> to memref<1x256xf32, strided<[1024, 1], offset: ?>>
    linalg.fill ins(%zero : f32) outs(%ys : memref<1x256xf32, strided<[1024, 1], offset: ?>>)
    linalg.matmul indexing_maps = [#a, #b, #c]
      ins(%xs, %ws : memref<1x512xbf16, strided<[512, 1], offset: ?>>, memref<256x512xbf16, strided<[512, 1], offset: ?>>)
      outs(%ys : memref<1x256xf32, strided<[1024, 1], offset: ?>>)
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// A tile of dynamic length (the last tile of a vocabulary) is split over
// that length; the unit row dimension is not taken.
// CHECK-LABEL: func.func @dynamic_tile
// CHECK: %[[LEN:.*]] = affine.min
// CHECK: scf.forall (%[[J:.*]]) in (%[[LEN]]) {
// CHECK:   linalg.generic
// CHECK: } {mapping = [#gpu.thread<x>]}
#id = affine_map<(i, j) -> (i, j)>
func.func @dynamic_tile(%x: memref<?xi8>, %y: memref<?xi8>) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  %xv = memref.view %x[%c0][] : memref<?xi8> to memref<1x1000xf32>
  %yv = memref.view %y[%c0][] : memref<?xi8> to memref<1x1000xf32>
  scf.forall (%wg) in (%c3) {
    %first = affine.apply affine_map<(w) -> (w * 512)>(%wg)
    %len = affine.min affine_map<(w) -> (512, w * -512 + 1000)>(%wg)
    %xs = memref.subview %xv[0, %first] [1, %len] [1, 1] : memref<1x1000xf32> to memref<1x?xf32, strided<[1000, 1], offset: ?>>
    %ys = memref.subview %yv[0, %first] [1, %len] [1, 1] : memref<1x1000xf32> to memref<1x?xf32, strided<[1000, 1], offset: ?>>
    linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%xs : memref<1x?xf32, strided<[1000, 1], offset: ?>>)
      outs(%ys : memref<1x?xf32, strided<[1000, 1], offset: ?>>) {
    ^bb0(%in: f32, %out: f32):
      %twice = arith.addf %in, %in : f32
      linalg.yield %twice : f32
    }
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// A kernel that also writes through a store outside linalg keeps its one
// thread: splitting only the linalg op would leave that store to every
// thread of the block.
// CHECK-LABEL: func.func @mixed_writes
// CHECK-NOT: #gpu.thread
// CHECK: linalg.fill
// CHECK: memref.store
#id1 = affine_map<(i) -> (i)>
func.func @mixed_writes(%y: memref<?xi8>) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %yv = memref.view %y[%c0][] : memref<?xi8> to memref<64xf32>
  scf.forall (%wg) in (%c1) {
    linalg.fill ins(%zero : f32) outs(%yv : memref<64xf32>)
    memref.store %one, %yv[%c0] : memref<64xf32>
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// An op that reads its output buffer at another index (a shift in place)
// would race across threads: the kernel is left alone.
// CHECK-LABEL: func.func @shift_in_place
// CHECK-NOT: #gpu.thread
#next = affine_map<(i) -> (i + 1)>
func.func @shift_in_place(%y: memref<?xi8>) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %yv = memref.view %y[%c0][] : memref<?xi8> to memref<65xf32>
  scf.forall (%wg) in (%c1) {
    %src = memref.subview %yv[1] [64] [1] : memref<65xf32> to memref<64xf32, strided<[1], offset: 1>>
    %dst = memref.subview %yv[0] [64] [1] : memref<65xf32> to memref<64xf32, strided<[1]>>
    linalg.copy ins(%src : memref<64xf32, strided<[1], offset: 1>>) outs(%dst : memref<64xf32, strided<[1]>>)
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// Kernels that already have thread loops are the emitter's.
// CHECK-LABEL: func.func @has_threads
// CHECK: scf.forall (%{{.*}}) in (64) {
// CHECK-NOT: scf.forall
// CHECK: } {mapping = [#gpu.thread<x>]}
// CHECK: linalg.fill
func.func @has_threads(%y: memref<?xi8>) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %yv = memref.view %y[%c0][] : memref<?xi8> to memref<64xf32>
  scf.forall (%wg) in (%c1) {
    scf.forall (%i) in (64) {
      memref.store %zero, %yv[%i] : memref<64xf32>
    } {mapping = [#gpu.thread<x>]}
    linalg.fill ins(%zero : f32) outs(%yv : memref<64xf32>)
  } {mapping = [#gpu.block<x>]}
  return
}
