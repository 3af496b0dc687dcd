// RUN: sieve-opt %s --pass-pipeline='builtin.module(sieve-kernels-to-rocdl{chip=gfx942 block-size=64})' | FileCheck %s

// The same kernel for AMD: ROCDL ids, the workgroup size as kernel
// attributes, code-object ABI 500 by default, no ocml calls.
// CHECK: gpu.module @kernels [#rocdl.target<O = 3, chip = "gfx942", abi = "500">]
// CHECK: llvm.func @norm(%{{.*}}: !llvm.ptr {llvm.align = 16 : i64}, %{{.*}}: !llvm.ptr {llvm.align = 16 : i64}, %{{.*}}: i32)
// CHECK-SAME: rocdl.flat_work_group_size = "64,64", rocdl.kernel, rocdl.reqd_work_group_size = array<i32: 64, 1, 1>
// CHECK: llvm.func internal @norm.workgroup(
// CHECK: rocdl.workgroup.id.x
// CHECK: llvm.call_intrinsic "llvm.sqrt.f32"
// CHECK: rocdl.workitem.id.x range <i32, 0, 64>
// CHECK: llvm.call_intrinsic "llvm.roundeven.f32"
// CHECK: rocdl.barrier
// CHECK-NOT: llvm.call @
// CHECK-NOT: __ocml_
func.func @norm(%in: memref<?xi8>, %out: memref<?xi8>, %n: i32) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %rows = arith.index_castui %n : i32 to index
  %x = memref.view %in[%c0][%rows] : memref<?xi8> to memref<?x64xbf16>
  %y = memref.view %out[%c0][%rows] : memref<?xi8> to memref<?x64xf32>
  scf.forall (%row) in (%rows) {
    %zero = arith.constant 0.0 : f32
    %sum = scf.for %i = %c0 to %c64 step %c1 iter_args(%acc = %zero) -> (f32) {
      %v = memref.load %x[%row, %i] : memref<?x64xbf16>
      %f = arith.extf %v : bf16 to f32
      %s = arith.mulf %f, %f : f32
      %a = arith.addf %acc, %s : f32
      scf.yield %a : f32
    }
    %r = math.sqrt %sum : f32
    %e = math.exp %r : f32
    scf.forall (%i) in (%c64) {
      %v = memref.load %x[%row, %i] : memref<?x64xbf16>
      %f = arith.extf %v : bf16 to f32
      %a = math.absf %f : f32
      %q = math.roundeven %a : f32
      %o = arith.mulf %q, %e : f32
      memref.store %o, %y[%row, %i] : memref<?x64xf32>
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  return
}
