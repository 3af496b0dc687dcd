// RUN: sieve-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(gpu.module(sieve-gpu-kernel-abi))' | FileCheck %s

// A binding's descriptor (allocated, aligned, offset, size, stride) is built
// from its pointer: offset 0, size 0 (never read), stride 1. The kernel
// attributes move to the launch signature; the old body is always inlined.
// CHECK-LABEL: gpu.module @kernels
// CHECK: llvm.func @k(%[[A:.*]]: !llvm.ptr {llvm.align = 16 : i64}, %[[N:.*]]: i32)
// CHECK-SAME: gpu.kernel
// CHECK-SAME: nvvm.kernel
// CHECK-SAME: sieve.workgroup_memory = 16 : i64
// CHECK: %[[ZERO:.*]] = llvm.mlir.constant(0 : i64) : i64
// CHECK: %[[ONE:.*]] = llvm.mlir.constant(1 : i64) : i64
// CHECK: llvm.call @k.workgroup(%[[A]], %[[A]], %[[ZERO]], %[[ZERO]], %[[ONE]], %[[N]])
// CHECK: llvm.return
// CHECK: llvm.func internal @k.workgroup(
// CHECK-SAME: always_inline
// CHECK-NOT: nvvm.kernel
// CHECK-SAME: sieve.bindings = 1 : i64
gpu.module @kernels {
  llvm.func @k(%a: !llvm.ptr, %b: !llvm.ptr, %off: i64, %size: i64, %stride: i64, %n: i32)
      attributes {gpu.kernel, nvvm.kernel, sieve.bindings = 1 : i64, sieve.constants = 1 : i64,
                  sieve.workgroup_memory = 16 : i64} {
    llvm.return
  }
}

// -----

gpu.module @kernels {
  // expected-error @below {{expects the lowered signature of 2 binding descriptors and 0 push constants}}
  llvm.func @short(%a: !llvm.ptr, %b: !llvm.ptr, %off: i64, %size: i64, %stride: i64)
      attributes {gpu.kernel, sieve.bindings = 2 : i64, sieve.constants = 0 : i64} {
    llvm.return
  }
}

// -----

gpu.module @kernels {
  // expected-error @below {{push constant 0 is not an i32}}
  llvm.func @wide(%n: i64) attributes {gpu.kernel, sieve.bindings = 0 : i64, sieve.constants = 1 : i64} {
    llvm.return
  }
}
