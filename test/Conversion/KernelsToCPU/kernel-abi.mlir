// RUN: sieve-opt %s --split-input-file --verify-diagnostics --sieve-cpu-kernel-abi | FileCheck %s

// A lowered kernel with one binding (five descriptor scalars), one push
// constant and the workgroup id becomes @k.workgroup behind the ABI entry
// point @k, which checks the counts, reads the structs and calls it.
// CHECK-LABEL: llvm.func @k(
// CHECK-SAME: %[[D:.*]]: !llvm.ptr, %[[W:.*]]: !llvm.ptr) -> i32
// CHECK-SAME: passthrough = ["no-builtins"], sieve.kernel
// binding_count (field 3) >= 1, else 1
// CHECK: %[[BC_ADDR:.*]] = llvm.getelementptr %[[D]][0, 3] : (!llvm.ptr) -> !llvm.ptr, !llvm.struct<(array<3 x i32>, i32, ptr, i32, ptr, ptr)>
// CHECK: %[[BC:.*]] = llvm.load %[[BC_ADDR]] : !llvm.ptr -> i32
// CHECK: %[[ONE_BINDING:.*]] = llvm.mlir.constant(1 : i32) : i32
// CHECK: llvm.icmp "uge" %[[BC]], %[[ONE_BINDING]] : i32
// CHECK: llvm.return %{{.*}} : i32
// constant_count (field 1) >= 1, else 2
// CHECK: llvm.getelementptr %[[D]][0, 1]
// CHECK: llvm.mlir.constant(2 : i32) : i32
// binding_ptrs[0], binding_lengths[0] as the descriptor (base, base, 0, length, 1)
// CHECK: %[[PTRS_ADDR:.*]] = llvm.getelementptr %[[D]][0, 4]
// CHECK: %[[PTRS:.*]] = llvm.load %[[PTRS_ADDR]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[LENS_ADDR:.*]] = llvm.getelementptr %[[D]][0, 5]
// CHECK: %[[LENS:.*]] = llvm.load %[[LENS_ADDR]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[ZERO:.*]] = llvm.mlir.constant(0 : i64) : i64
// CHECK: %[[UNIT:.*]] = llvm.mlir.constant(1 : i64) : i64
// CHECK: %[[BASE_ADDR:.*]] = llvm.getelementptr %[[PTRS]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[BASE:.*]] = llvm.load %[[BASE_ADDR]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[LEN_ADDR:.*]] = llvm.getelementptr %[[LENS]][0] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK: %[[LEN:.*]] = llvm.load %[[LEN_ADDR]] : !llvm.ptr -> i64
// constants[0]
// CHECK: %[[CONSTS_ADDR:.*]] = llvm.getelementptr %[[D]][0, 2]
// CHECK: %[[CONSTS:.*]] = llvm.load %[[CONSTS_ADDR]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[C0_ADDR:.*]] = llvm.getelementptr %[[CONSTS]][0] : (!llvm.ptr) -> !llvm.ptr, i32
// CHECK: %[[C0:.*]] = llvm.load %[[C0_ADDR]] : !llvm.ptr -> i32
// workgroup_id[0..2], zero-extended
// CHECK: %[[X_ADDR:.*]] = llvm.getelementptr %[[W]][0, 0, 0] : (!llvm.ptr) -> !llvm.ptr, !llvm.struct<(array<3 x i32>, i32, ptr, i32)>
// CHECK: %[[X32:.*]] = llvm.load %[[X_ADDR]] : !llvm.ptr -> i32
// CHECK: %[[X:.*]] = llvm.zext %[[X32]] : i32 to i64
// CHECK: %[[Y:.*]] = llvm.zext
// CHECK: %[[Z:.*]] = llvm.zext
// CHECK: llvm.call @k.workgroup(%[[BASE]], %[[BASE]], %[[ZERO]], %[[LEN]], %[[UNIT]], %[[C0]], %[[X]], %[[Y]], %[[Z]])
// CHECK: %[[OK:.*]] = llvm.mlir.constant(0 : i32) : i32
// CHECK: llvm.return %[[OK]] : i32
// CHECK-LABEL: llvm.func internal @k.workgroup(
// CHECK-SAME: passthrough = ["no-builtins"], sieve.bindings = 1 : i64, sieve.constants = 1 : i64}
// Functions that are not kernels are left alone.
// CHECK-LABEL: llvm.func @not_a_kernel()
llvm.func @k(%alloc: !llvm.ptr, %aligned: !llvm.ptr, %offset: i64, %size: i64, %stride: i64,
             %n: i32, %x: i64, %y: i64, %z: i64)
    attributes {sieve.kernel, sieve.bindings = 1 : i64, sieve.constants = 1 : i64} {
  llvm.return
}
llvm.func @not_a_kernel() {
  llvm.return
}

// -----

// expected-error @+1 {{'llvm.func' op has no sieve.bindings / sieve.constants counts (run sieve-cpu-distribute-workgroups before lowering)}}
llvm.func @uncounted(%x: i64, %y: i64, %z: i64) attributes {sieve.kernel} {
  llvm.return
}

// -----

// expected-error @+1 {{'llvm.func' op expects the lowered signature of 1 bindings, 0 push constants and a workgroup id, got '!llvm.func<void (ptr, i64, i64, i64)>'}}
llvm.func @short(%p: !llvm.ptr, %x: i64, %y: i64, %z: i64)
    attributes {sieve.kernel, sieve.bindings = 1 : i64, sieve.constants = 0 : i64} {
  llvm.return
}
