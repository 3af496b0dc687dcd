// RUN: sieve-opt %s --split-input-file --verify-diagnostics --sieve-kernels-to-cpu | FileCheck %s

// The whole CPU lowering of a kernel: one workgroup per call, everything in
// the LLVM dialect, the ABI entry point in front.
// CHECK-LABEL: llvm.func @scale_add(
// CHECK-SAME: %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) -> i32
// CHECK: llvm.call @scale_add.workgroup(
// CHECK-LABEL: llvm.func internal @scale_add.workgroup(
// CHECK-NOT: func.func
// CHECK-NOT: memref.
// CHECK-NOT: scf.
// CHECK-NOT: arith.
// CHECK: llvm.fmul
// CHECK: llvm.fadd
// CHECK: llvm.store
func.func @scale_add(%a: memref<?xi8>, %b: memref<?xi8>, %out: memref<?xi8>, %n: i32, %scale_bits: i32)
    attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %size = arith.index_castui %n : i32 to index
  %count = arith.ceildivui %size, %c64 : index
  %scale = arith.bitcast %scale_bits : i32 to f32
  %va = memref.view %a[%c0][%size] : memref<?xi8> to memref<?xf32>
  %vb = memref.view %b[%c0][%size] : memref<?xi8> to memref<?xf32>
  %vo = memref.view %out[%c0][%size] : memref<?xi8> to memref<?xf32>
  scf.forall (%x) in (%count) {
    %begin = arith.muli %x, %c64 : index
    %tile_end = arith.addi %begin, %c64 : index
    %end = arith.minui %tile_end, %size : index
    scf.for %i = %begin to %end step %c1 {
      %ea = memref.load %va[%i] : memref<?xf32>
      %eb = memref.load %vb[%i] : memref<?xf32>
      %p = arith.mulf %ea, %scale : f32
      %s = arith.addf %p, %eb : f32
      memref.store %s, %vo[%i] : memref<?xf32>
    }
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// A math op without an approximation, whose LLVM intrinsic x86 would turn
// into a libm call, is named at the op, before LLVM or the linker.
func.func @tan(%a: memref<?xi8>) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %v = memref.view %a[%c0][] : memref<?xi8> to memref<f32>
  scf.forall (%x) in (%c1) {
    %e = memref.load %v[] : memref<f32>
    // expected-error @+1 {{'llvm.intr.tan' op would become a library call on the CPU target; kernels call nothing outside themselves}}
    %y = math.tan %e : f32
    memref.store %y, %v[] : memref<f32>
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// math.exp becomes arithmetic (a polynomial approximation), never a call.
// CHECK-LABEL: llvm.func internal @exp.workgroup(
// CHECK-NOT: llvm.intr.exp
// CHECK-NOT: llvm.call
// CHECK: llvm.fmul
// CHECK: llvm.return
func.func @exp(%a: memref<?xi8>) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %v = memref.view %a[%c0][] : memref<?xi8> to memref<f32>
  scf.forall (%x) in (%c1) {
    %e = memref.load %v[] : memref<f32>
    %y = math.exp %e : f32
    memref.store %y, %v[] : memref<f32>
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// An op the CPU lowering does not handle is named at the op before LLVM.
func.func @barrier(%a: memref<?xi8>) attributes {sieve.kernel} {
  %c1 = arith.constant 1 : index
  scf.forall (%x) in (%c1) {
    // expected-error @+1 {{'gpu.barrier' op cannot be compiled for the CPU target: it was not lowered to the LLVM dialect}}
    gpu.barrier
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// Linalg ops of the kernel IR (tiles of upstream ops) become loops, and
// bf16 arithmetic is done in f32 and rounded with integer arithmetic: no
// bfloat arithmetic reaches LLVM, where it would call __truncsfbf2.
// CHECK-LABEL: llvm.func internal @fill_add.workgroup(
// CHECK-NOT: linalg.
// CHECK-NOT: llvm.fadd {{.*}} : bf16
// CHECK: llvm.fadd {{.*}} : f32
// CHECK-NOT: llvm.fadd {{.*}} : bf16
// CHECK: llvm.return
func.func @fill_add(%a: memref<?xi8>) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %half = arith.constant 0.5 : bf16
  %v = memref.view %a[%c0][] : memref<?xi8> to memref<4xbf16>
  scf.forall (%x) in (%c1) {
    linalg.fill ins(%half : bf16) outs(%v : memref<4xbf16>)
    %e = memref.load %v[%c0] : memref<4xbf16>
    %s = arith.addf %e, %half : bf16
    memref.store %s, %v[%c0] : memref<4xbf16>
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// A workgroup's thread loops (written for a GPU block's threads) run one
// after another; their shared scratch stays a stack buffer.
// CHECK-LABEL: llvm.func internal @threads.workgroup(
// CHECK: llvm.alloca
// CHECK: llvm.store
// CHECK: llvm.load
// CHECK-NOT: scf.forall
func.func @threads(%in: memref<?xi8>, %out: memref<?xi8>) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %x = memref.view %in[%c0][] : memref<?xi8> to memref<4x16xf32>
  %y = memref.view %out[%c0][] : memref<?xi8> to memref<4x16xf32>
  %c4 = arith.constant 4 : index
  scf.forall (%row) in (%c4) {
    %scratch = memref.alloca() : memref<16xf32>
    scf.forall (%i) in (%c16) {
      %v = memref.load %x[%row, %i] : memref<4x16xf32>
      memref.store %v, %scratch[%i] : memref<16xf32>
    } {mapping = [#gpu.thread<x>]}
    scf.forall (%i) in (%c16) {
      %j = arith.subi %c16, %i : index
      %k = arith.subi %j, %c1 : index
      %v = memref.load %scratch[%k] : memref<16xf32>
      memref.store %v, %y[%row, %i] : memref<4x16xf32>
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  return
}
