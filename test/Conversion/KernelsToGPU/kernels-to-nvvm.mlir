// RUN: sieve-opt %s --pass-pipeline='builtin.module(sieve-kernels-to-nvvm{chip=sm_90a block-size=64})' | FileCheck %s

// The whole NVIDIA lowering of one kernel: the launch signature (binding
// pointers, then i32 constants) with the launch bounds, block and thread
// ids from PTX special registers, the barrier after the thread loop, and
// math as intrinsics NVPTX selects (exp approximated), bf16 conversions
// left to it (an instruction on every NVIDIA chip Sieve targets); no call
// leaves the kernel.
// CHECK: gpu.module @kernels [#nvvm.target<O = 3, chip = "sm_90a">]
// CHECK: llvm.func @norm(%{{.*}}: !llvm.ptr {llvm.align = 16 : i64}, %{{.*}}: !llvm.ptr {llvm.align = 16 : i64}, %{{.*}}: i32)
// CHECK-SAME: gpu.known_block_size = array<i32: 64, 1, 1>, nvvm.kernel, nvvm.maxntid = array<i32: 64, 1, 1>
// CHECK: llvm.call @norm.workgroup(
// CHECK: llvm.func internal @norm.workgroup(
// CHECK-SAME: always_inline
// CHECK: nvvm.read.ptx.sreg.ctaid.x
// CHECK: llvm.fpext %{{.*}} : bf16 to f32
// CHECK: llvm.call_intrinsic "llvm.sqrt.f32"
// CHECK: llvm.call_intrinsic "llvm.floor.f32"
// CHECK: nvvm.read.ptx.sreg.tid.x range <i32, 0, 64>
// CHECK: llvm.call_intrinsic "llvm.fabs.f32"
// CHECK: llvm.call_intrinsic "llvm.roundeven.f32"
// CHECK: nvvm.barrier0
// CHECK-NOT: llvm.call @
// CHECK-NOT: __nv_
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
