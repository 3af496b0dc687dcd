// RUN: sieve-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(sieve-cpu-serialize-thread-loops))' | FileCheck %s
// RUN: sieve-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(sieve-cpu-serialize-thread-loops{reverse=true}))' | FileCheck %s --check-prefix=REVERSE

// A thread loop runs its iterations in order; workgroup and unmapped
// foralls are left alone.
// CHECK-LABEL: func.func @columns(
// CHECK: scf.forall (%[[X:.*]]) in
// CHECK: scf.for %[[C:.*]] = %[[FIRST:.*]] to %[[END:.*]] step %c1 {
// CHECK-NEXT: memref.store %{{.*}}, %{{.*}}[%[[X]], %[[C]]]
// CHECK-NOT: #gpu.thread
// CHECK: mapping = [#gpu.block<x>]

// Reversed: trip count ceil((end - first) / step), iteration j at
// first + (trips - 1 - j) * step.
// REVERSE-LABEL: func.func @columns(
// REVERSE: %[[SPAN:.*]] = arith.subi %{{.*}}, %[[FIRST:.*]] : index
// REVERSE: %[[TRIPS:.*]] = arith.ceildivui %[[SPAN]], %c1
// REVERSE: scf.for %[[J:.*]] = %{{.*}} to %[[TRIPS]] step %{{.*}} {
// REVERSE: %[[LAST:.*]] = arith.subi %[[TRIPS]], %{{.*}}
// REVERSE: %[[BACK:.*]] = arith.subi %[[LAST]], %[[J]]
// REVERSE: %[[OFF:.*]] = arith.muli %[[BACK]], %c1
// REVERSE: %[[C:.*]] = arith.addi %[[FIRST]], %[[OFF]]
// REVERSE: memref.store %{{.*}}, %{{.*}}[%{{.*}}, %[[C]]]
func.func @columns(%out: memref<8x64xf32>, %first: index, %end: index) {
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %one = arith.constant 1.0 : f32
  scf.forall (%x) in (%c8) {
    scf.forall (%c) = (%first) to (%end) step (%c1) {
      memref.store %one, %out[%x, %c] : memref<8x64xf32>
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// A thread's scratch moves to the function's entry: allocated once, not in
// every iteration.
// CHECK-LABEL: func.func @scratch(
// CHECK-NEXT: %[[SCRATCH:.*]] = memref.alloca() : memref<4xf32>
// CHECK: scf.for %[[C:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT: memref.store %{{.*}}, %[[SCRATCH]][%{{.*}}]
// CHECK-NOT: memref.alloca
// REVERSE-LABEL: func.func @scratch(
// REVERSE-NEXT: memref.alloca() : memref<4xf32>
func.func @scratch(%out: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %one = arith.constant 1.0 : f32
  scf.forall (%c) in (64) {
    %tmp = memref.alloca() : memref<4xf32>
    memref.store %one, %tmp[%c0] : memref<4xf32>
    %v = memref.load %tmp[%c0] : memref<4xf32>
    memref.store %v, %out[%c] : memref<64xf32>
  } {mapping = [#gpu.thread<x>]}
  return
}
