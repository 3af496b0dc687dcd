// RUN: sieve-opt %s --split-input-file --verify-diagnostics --sieve-gpu-form-kernels

// Every thread runs what is outside the thread loops: a store there races.
func.func @racy(%a: memref<?xi8>) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %one = arith.constant 1.0 : f32
  %v = memref.view %a[%c0][] : memref<?xi8> to memref<4xf32>
  scf.forall (%x) in (%c4) {
    // expected-error @below {{writes memory outside the thread loops of kernel @racy}}
    memref.store %one, %v[%x] : memref<4xf32>
    scf.forall (%i) in (%c4) {
      memref.store %one, %v[%i] : memref<4xf32>
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

func.func @nested(%a: memref<?xi8>) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %one = arith.constant 1.0 : f32
  %v = memref.view %a[%c0][] : memref<?xi8> to memref<4x4xf32>
  scf.forall (%x) in (%c4) {
    scf.forall (%i) in (%c4) {
      // expected-error @below {{is a thread loop inside a thread loop of kernel @nested}}
      scf.forall (%j) in (%c4) {
        memref.store %one, %v[%i, %j] : memref<4x4xf32>
      } {mapping = [#gpu.thread<x>]}
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// A launch passes a binding's address, not its length.
func.func @length(%a: memref<?xi8>) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  // expected-error @below {{uses binding 0 of kernel @length other than through memref.view}}
  %n = memref.dim %a, %c0 : memref<?xi8>
  scf.forall (%x) in (%c1) {
    %byte = arith.index_cast %n : index to i64
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// expected-error @below {{argument 0: expects a binding (memref<?xi8>) or, after the bindings, a push constant (i32), got 'f32'}}
func.func @badarg(%a: f32) attributes {sieve.kernel} {
  %c1 = arith.constant 1 : index
  scf.forall (%x) in (%c1) {
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

func.func @shared_subview(%a: memref<?xi8>) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %one = arith.constant 1.0 : f32
  scf.forall (%x) in (%c4) {
    %s = memref.alloca() : memref<8xf32>
    // expected-error @below {{uses workgroup scratch other than by memref.load/store}}
    %sub = memref.subview %s[0] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1]>>
    scf.forall (%i) in (%c4) {
      memref.store %one, %sub[%i] : memref<4xf32, strided<[1]>>
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  return
}
