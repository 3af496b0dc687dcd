// RUN: sieve-opt %s | sieve-opt | FileCheck %s

// A program round-trips: an executable of kernels and dispatches with
// bindings, push constants, result sizes and a tied (in-place) result.
// CHECK-LABEL: program.executable @kernels
// CHECK: func.func @scale(
// CHECK-LABEL: func.func @host(
// CHECK: %[[R:.*]] = program.dispatch @kernels::@scale[%{{.*}}] (%{{.*}}) constants(%{{.*}}) dims(%{{.*}}) {tied = array<i64: -1>} : (tensor<?xf32>) -> tensor<?xf32>
// CHECK: program.dispatch @kernels::@update[%{{.*}}] (%{{.*}}, %[[R]]) {tied = array<i64: 0>}
program.executable @kernels {
  func.func @scale(%in: memref<?xi8>, %out: memref<?xi8>, %n: i32) attributes {sieve.kernel} {
    return
  }
  func.func @update(%cache: memref<?xi8>, %rows: memref<?xi8>) attributes {sieve.kernel} {
    return
  }
}

!window = !v4.window<batch = 1, rows = 8, dim = 4, element = bf16>
func.func @host(%x: tensor<?xf32>, %w: !window) -> (tensor<?xf32>, !window) {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %n32 = arith.index_cast %n : index to i32
  %y = program.dispatch @kernels::@scale[%n](%x) constants(%n32) dims(%n)
      {tied = array<i64: -1>} : (tensor<?xf32>) -> tensor<?xf32>
  %one = arith.constant 1 : index
  %w1 = program.dispatch @kernels::@update[%one](%w, %y) {tied = array<i64: 0>}
      : (!window, tensor<?xf32>) -> !window
  return %y, %w1 : tensor<?xf32>, !window
}
