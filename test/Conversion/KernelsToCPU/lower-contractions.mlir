// RUN: sieve-opt %s --split-input-file --sieve-cpu-lower-contractions | FileCheck %s

// A matmul with a transposed weight (the graph's bf16 projections) on
// buffers: parallel loops over rows and outputs, the reduction innermost
// with the output element carried as its iteration value, one store; the
// loop is marked for the target's configuration as a bf16 dot product.
// CHECK-LABEL: func.func @projection
// CHECK-SAME: (%[[X:.*]]: memref<1x256xbf16>, %[[W:.*]]: memref<512x256xbf16>, %[[Y:.*]]: memref<1x512xf32>)
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step
// CHECK:   scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step
// CHECK:     %[[START:.*]] = memref.load %[[Y]][%[[I]], %[[J]]]
// CHECK:     %[[SUM:.*]] = scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %[[START]]) -> (f32) {
// CHECK:       %[[A:.*]] = memref.load %[[X]][%[[I]], %[[K]]]
// CHECK:       %[[B:.*]] = memref.load %[[W]][%[[J]], %[[K]]]
// CHECK:       arith.extf %[[A]]
// CHECK:       arith.extf %[[B]]
// CHECK:       %[[P:.*]] = arith.mulf
// CHECK:       %[[N:.*]] = arith.addf %[[ACC]], %[[P]]
// CHECK:       scf.yield %[[N]]
// CHECK:     } {sieve.dot_inputs = "bf16", sieve.reduction}
// CHECK:     memref.store %[[SUM]], %[[Y]][%[[I]], %[[J]]]
// CHECK-NOT: linalg.
func.func @projection(%x: memref<1x256xbf16>, %w: memref<512x256xbf16>, %y: memref<1x512xf32>) {
  linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>,
                                 affine_map<(d0, d1, d2) -> (d1, d2)>,
                                 affine_map<(d0, d1, d2) -> (d0, d1)>]
      ins(%x, %w : memref<1x256xbf16>, memref<512x256xbf16>) outs(%y : memref<1x512xf32>)
  return
}

// -----

// An f32 matmul is a plain marked sum; ops without one reduction dimension
// (a fill, an elementwise generic) are left to convert-linalg-to-loops.
// CHECK-LABEL: func.func @f32_and_others
// CHECK: linalg.fill
// CHECK: } {sieve.reduction}
// CHECK: linalg.generic
func.func @f32_and_others(%x: memref<?x64xf32>, %w: memref<64x32xf32>, %y: memref<?x32xf32>, %z: memref<?x32xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%y : memref<?x32xf32>)
  linalg.matmul ins(%x, %w : memref<?x64xf32>, memref<64x32xf32>) outs(%y : memref<?x32xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%y : memref<?x32xf32>) outs(%z : memref<?x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %twice = arith.addf %in, %in : f32
    linalg.yield %twice : f32
  }
  return
}

// -----

// A block-scaled tile product (E4M3 rows, a scale per 128 of K; E2M1
// columns two codes a byte, a scale per 32) multiplies bf16 tiles on the
// CPU: each operand decoded once into a bf16 tile by the product's own
// decode of it (an elementwise generic, the nibble's K now dimension 1),
// then the bf16 tile product, a contraction like any other: loops over
// rows and outputs, K innermost, extf of both tiles.
// CHECK-LABEL: func.func @scaled_tile_product
// CHECK: %[[ROWS:.*]] = memref.alloca() : memref<16x256xbf16>
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : memref<16x256xi8>, memref<16x2xi8>) outs(%[[ROWS]] : memref<16x256xbf16>)
// CHECK-NOT: linalg.index
// CHECK: arith.uitofp %{{.*}} : i8 to f32
// CHECK-NOT: linalg.index
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK: %[[COLUMNS:.*]] = memref.alloca() : memref<32x256xbf16>
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : memref<32x128xi8>, memref<32x8xi8>) outs(%[[COLUMNS]] : memref<32x256xbf16>)
// CHECK: linalg.index 1 : index
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for {{.*}} to %c256
// CHECK: memref.load %[[ROWS]]
// CHECK: memref.load %[[COLUMNS]]
// CHECK-NOT: sieve.scaled_tile_product
#row_codes = affine_map<(m, n, k) -> (m, k)>
#row_scales = affine_map<(m, n, k) -> (m, k floordiv 128)>
#column_codes = affine_map<(m, n, k) -> (n, k floordiv 2)>
#column_scales = affine_map<(m, n, k) -> (n, k floordiv 32)>
#acc = affine_map<(m, n, k) -> (m, n)>
func.func @scaled_tile_product(%a: memref<16x256xi8>, %sa: memref<16x2xi8>, %b: memref<32x128xi8>,
                               %sb: memref<32x8xi8>, %c: memref<16x32xf32>) {
  linalg.generic {indexing_maps = [#row_codes, #row_scales, #column_codes, #column_scales, #acc],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %sa, %b, %sb : memref<16x256xi8>, memref<16x2xi8>, memref<32x128xi8>, memref<32x8xi8>)
      outs(%c : memref<16x32xf32>) attrs = {sieve.scaled_tile_product = array<i64: 0, 128, 1, 32>} {
  ^bb0(%x: i8, %xs: i8, %y: i8, %ys: i8, %s: f32):
    %xf = arith.uitofp %x : i8 to f32
    %k = linalg.index 2 : index
    %k32 = arith.index_cast %k : index to i32
    %yk = arith.uitofp %k32 : i32 to f32
    %yf = arith.uitofp %y : i8 to f32
    %yv = arith.mulf %yf, %yk : f32
    %p = arith.mulf %xf, %yv : f32
    %r = arith.addf %s, %p : f32
    linalg.yield %r : f32
  }
  return
}
