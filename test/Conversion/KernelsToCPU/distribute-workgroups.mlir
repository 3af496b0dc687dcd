// RUN: sieve-opt %s --split-input-file --verify-diagnostics --sieve-cpu-distribute-workgroups | FileCheck %s

// One workgroup per call: the forall's body at the workgroup id, passed as
// three trailing index arguments; the binding and constant counts recorded.
// CHECK-LABEL: func.func @scale(
// CHECK-SAME: %[[A:.*]]: memref<?xi8>, %[[N:.*]]: i32, %[[X:.*]]: index, %[[Y:.*]]: index, %[[Z:.*]]: index)
// CHECK-SAME: attributes {sieve.bindings = 1 : i64, sieve.constants = 1 : i64, sieve.kernel}
// CHECK-NOT: scf.forall
// CHECK: %[[BEGIN:.*]] = arith.muli %[[X]], %{{.*}} : index
// CHECK: memref.store %{{.*}}, %{{.*}}[%[[BEGIN]]]
// CHECK: return
func.func @scale(%a: memref<?xi8>, %n: i32) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %size = arith.index_castui %n : i32 to index
  %count = arith.ceildivui %size, %c64 : index
  %v = memref.view %a[%c0][%size] : memref<?xi8> to memref<?xf32>
  %one = arith.constant 1.0 : f32
  scf.forall (%x) in (%count) {
    %begin = arith.muli %x, %c64 : index
    memref.store %one, %v[%begin] : memref<?xf32>
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// Mapped dimensions go to their ids whatever the loop order; functions
// without sieve.kernel are left alone.
// CHECK-LABEL: func.func @grid(
// CHECK-SAME: %[[A:.*]]: memref<?xi8>, %[[X:.*]]: index, %[[Y:.*]]: index, %[[Z:.*]]: index)
// CHECK: memref.store %{{.*}}, %{{.*}}[%[[Z]], %[[X]]]
// CHECK-LABEL: func.func @helper(%{{.*}}: index)
func.func @grid(%a: memref<?xi8>) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %v = memref.view %a[%c0][] : memref<?xi8> to memref<4x4xf32>
  %one = arith.constant 1.0 : f32
  scf.forall (%i, %j) in (%c4, %c4) {
    memref.store %one, %v[%i, %j] : memref<4x4xf32>
  } {mapping = [#gpu.block<z>, #gpu.block<x>]}
  return
}
func.func @helper(%i: index) {
  return
}

// -----

// expected-error @+1 {{'func.func' op argument 1: expects a binding (memref<?xi8>) or, after the bindings, a push constant (i32), got 'memref<?xf32>'}}
func.func @typed_binding(%a: memref<?xi8>, %b: memref<?xf32>) attributes {sieve.kernel} {
  return
}

// -----

// expected-error @+1 {{'func.func' op argument 1: expects a binding (memref<?xi8>) or, after the bindings, a push constant (i32), got 'memref<?xi8>'}}
func.func @binding_after_constant(%n: i32, %a: memref<?xi8>) attributes {sieve.kernel} {
  return
}

// -----

// expected-error @+1 {{'func.func' op has no top-level scf.forall over workgroups (#gpu.block mapping)}}
func.func @no_workgroups(%a: memref<?xi8>) attributes {sieve.kernel} {
  return
}

// -----

func.func @two_loops(%a: memref<?xi8>) attributes {sieve.kernel} {
  %c1 = arith.constant 1 : index
  scf.forall (%x) in (%c1) {
  } {mapping = [#gpu.block<x>]}
  // expected-error @+1 {{'scf.forall' op is a second workgroup loop of kernel @two_loops (one per kernel)}}
  scf.forall (%x) in (%c1) {
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

func.func @thread_mapping(%a: memref<?xi8>) attributes {sieve.kernel} {
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{'scf.forall' op expects a #gpu.block mapping for every dimension of the workgroup loop}}
  scf.forall (%x) in (%c1) {
  } {mapping = [#gpu.thread<x>]}
  return
}

// -----

func.func @repeated_dimension(%a: memref<?xi8>) attributes {sieve.kernel} {
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{'scf.forall' op expects distinct #gpu.block<x>, <y> or <z> mappings (workgroup ids have three dimensions), got [#gpu.block<x>, #gpu.block<x>]}}
  scf.forall (%x, %y) in (%c1, %c1) {
  } {mapping = [#gpu.block<x>, #gpu.block<x>]}
  return
}

// -----

func.func @linear_dimension(%a: memref<?xi8>) attributes {sieve.kernel} {
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{'scf.forall' op expects distinct #gpu.block<x>, <y> or <z> mappings (workgroup ids have three dimensions), got [#gpu.block<linear_dim_0>]}}
  scf.forall (%x) in (%c1) {
  } {mapping = [#gpu.block<linear_dim_0>]}
  return
}

// -----

func.func @loop_with_results(%a: memref<?xi8>) attributes {sieve.kernel} {
  %c1 = arith.constant 1 : index
  %t = tensor.empty() : tensor<1xf32>
  // expected-error @+1 {{'scf.forall' op writes its bindings in place: a workgroup loop has no results}}
  %r = scf.forall (%x) in (%c1) shared_outs(%o = %t) -> tensor<1xf32> {
    scf.forall.in_parallel {
    }
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// expected-error @+1 {{'func.func' op a kernel returns nothing (it writes its bindings), got 1 results}}
func.func @returns(%a: memref<?xi8>) -> i32 attributes {sieve.kernel} {
  %c = arith.constant 0 : i32
  return %c : i32
}

// -----

// expected-error @+1 {{'func.func' op is a kernel without a body}}
func.func private @declared(%a: memref<?xi8>) attributes {sieve.kernel}
