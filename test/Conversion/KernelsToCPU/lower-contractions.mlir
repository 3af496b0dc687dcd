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
