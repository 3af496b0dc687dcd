// RUN: sieve-opt %s --split-input-file --sieve-gpu-constant-tables | FileCheck %s

// A code table indexed by a loaded byte becomes one load from a constant
// global; both kernels using the same table share it, and an extract at a
// constant position stays as it is.
// CHECK: memref.global "private" constant @__sieve_lookup_table : memref<4xbf16> = dense<[0.000000e+00, 5.000000e-01, 1.000000e+00, 1.500000e+00]>
// CHECK-NOT: memref.global
// CHECK-LABEL: func.func @decode
// CHECK: %[[CODE:.*]] = arith.index_cast
// CHECK: %[[TABLE:.*]] = memref.get_global @__sieve_lookup_table : memref<4xbf16>
// CHECK: %[[VALUE:.*]] = memref.load %[[TABLE]][%[[CODE]]] : memref<4xbf16>
// CHECK: memref.store %[[VALUE]]
// CHECK: vector.extract %{{.*}}[2] : bf16 from vector<4xbf16>
// CHECK-LABEL: func.func @decode_again
// CHECK: memref.get_global @__sieve_lookup_table : memref<4xbf16>
func.func @decode(%codes: memref<?xi8>, %out: memref<?xi8>) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %table = arith.constant dense<[0.0, 0.5, 1.0, 1.5]> : vector<4xbf16>
  %cv = memref.view %codes[%c0][] : memref<?xi8> to memref<16xi8>
  %ov = memref.view %out[%c0][] : memref<?xi8> to memref<17xbf16>
  scf.forall (%i) in (16) {
    %byte = memref.load %cv[%i] : memref<16xi8>
    %code = arith.index_cast %byte : i8 to index
    %value = vector.extract %table[%code] : bf16 from vector<4xbf16>
    memref.store %value, %ov[%i] : memref<17xbf16>
    %fixed = vector.extract %table[2] : bf16 from vector<4xbf16>
    memref.store %fixed, %ov[%c0] : memref<17xbf16>
  } {mapping = [#gpu.block<x>]}
  return
}
func.func @decode_again(%codes: memref<?xi8>, %out: memref<?xi8>) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %table = arith.constant dense<[0.0, 0.5, 1.0, 1.5]> : vector<4xbf16>
  %cv = memref.view %codes[%c0][] : memref<?xi8> to memref<16xi8>
  %ov = memref.view %out[%c0][] : memref<?xi8> to memref<16xbf16>
  scf.forall (%i) in (16) {
    %byte = memref.load %cv[%i] : memref<16xi8>
    %code = arith.index_cast %byte : i8 to index
    %value = vector.extract %table[%code] : bf16 from vector<4xbf16>
    memref.store %value, %ov[%i] : memref<16xbf16>
  } {mapping = [#gpu.block<x>]}
  return
}
