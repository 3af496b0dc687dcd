// RUN: sieve-opt %s --split-input-file --sieve-gpu-emulate | FileCheck %s

// sm_100a's tensor memory, block-scaled MMA and mbarriers: each op a call
// through the emulator's table with its own site (alloc slot 17, dealloc
// 18, 32x32b st 19 and ld 20, mma.block_scale 21, commit 22, mbarrier.init
// 23, inval 24, try_wait.parity 25). A tensor-memory address goes as the
// i32 its llvm.inttoptr made the !llvm.ptr<6> from; st and ld pass their
// registers through a slot in the entry block; try_wait's i1 is the call's
// result != 0. The fences, tcgen05.wait and relinquish_alloc_permit are
// gone: the emulator completes each op at its call.
// CHECK-LABEL: llvm.func @tc5.simt_kernel
// CHECK-DAG: %[[LD_SLOT:.*]] = llvm.alloca %{{.*}} x vector<16xi32> {alignment = 16 : i64}
// CHECK-DAG: %[[ST1_SLOT:.*]] = llvm.alloca %{{.*}} x i32 {alignment = 16 : i64}
// CHECK-DAG: %[[ST4_SLOT:.*]] = llvm.alloca %{{.*}} x vector<4xi32> {alignment = 16 : i64}
// CHECK-DAG: %[[NCOLS:.*]] = llvm.mlir.constant(32 : i32) : i32
// CHECK-DAG: %[[IDESC:.*]] = llvm.mlir.constant(142868480 : i32) : i32
// CHECK-DAG: %[[FALSE:.*]] = llvm.mlir.constant(false) : i1
// CHECK: %[[TMEM_SLOT:.*]] = llvm.getelementptr %{{.*}}[0] : (!llvm.ptr) -> !llvm.ptr, i8
// CHECK: %[[MBAR:.*]] = llvm.getelementptr %{{.*}}[16] : (!llvm.ptr) -> !llvm.ptr, i8
// CHECK: %[[SITE0:.*]] = llvm.mlir.constant(0 : i32) : i32
// CHECK: %[[ALLOC:.*]] = llvm.getelementptr %{{.*}}[17] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[ALLOC_FN:.*]] = llvm.load %[[ALLOC]]
// CHECK: llvm.call %[[ALLOC_FN]](%[[SITE0]], %[[TMEM_SLOT]], %[[NCOLS]]) : !llvm.ptr, (i32, !llvm.ptr, i32) -> ()
// CHECK: %[[SITE1:.*]] = llvm.mlir.constant(1 : i32) : i32
// CHECK: llvm.getelementptr %{{.*}}[23]
// CHECK: llvm.call %{{.*}}(%[[SITE1]], %[[MBAR]], %{{.*}}) : !llvm.ptr, (i32, !llvm.ptr, i32) -> ()
// CHECK: llvm.getelementptr %{{.*}}[2]
// CHECK: %[[BASE:.*]] = llvm.load %[[TMEM_SLOT]] : !llvm.ptr -> i32
// CHECK: llvm.store %{{.*}}, %[[ST4_SLOT]] {alignment = 16 : i64} : vector<4xi32>, !llvm.ptr
// CHECK: %[[SITE3:.*]] = llvm.mlir.constant(3 : i32) : i32
// CHECK: %[[FOUR:.*]] = llvm.mlir.constant(4 : i32) : i32
// CHECK: llvm.getelementptr %{{.*}}[19]
// CHECK: llvm.call %{{.*}}(%[[SITE3]], %[[BASE]], %[[ST4_SLOT]], %[[FOUR]]) : !llvm.ptr, (i32, i32, !llvm.ptr, i32) -> ()
// CHECK: llvm.store %{{.*}}, %[[ST1_SLOT]] {alignment = 16 : i64} : i32, !llvm.ptr
// CHECK: %[[ONE:.*]] = llvm.mlir.constant(1 : i32) : i32
// CHECK: llvm.getelementptr %{{.*}}[19]
// CHECK: llvm.call %{{.*}}(%{{.*}}, %[[BASE]], %[[ST1_SLOT]], %[[ONE]]) : !llvm.ptr, (i32, i32, !llvm.ptr, i32) -> ()
// CHECK: %[[ENABLE:.*]] = llvm.zext %[[FALSE]] : i1 to i32
// CHECK: llvm.getelementptr %{{.*}}[21]
// CHECK: llvm.call %{{.*}}(%{{.*}}, %[[BASE]], %[[DA:.*]], %[[DB:.*]], %[[IDESC]], %[[SCALE_A:.*]], %[[SCALE_B:.*]], %[[ENABLE]]) : !llvm.ptr, (i32, i32, i64, i64, i32, i32, i32, i32) -> ()
// CHECK: llvm.getelementptr %{{.*}}[22]
// CHECK: llvm.call %{{.*}}(%{{.*}}, %[[MBAR]]) : !llvm.ptr, (i32, !llvm.ptr) -> ()
// CHECK: ^[[WAIT:bb[0-9]+]]:
// CHECK: llvm.getelementptr %{{.*}}[25]
// CHECK: %[[DONE:.*]] = llvm.call %{{.*}}(%{{.*}}, %[[MBAR]], %{{.*}}) : !llvm.ptr, (i32, !llvm.ptr, i32) -> i32
// CHECK: %[[ZERO:.*]] = llvm.mlir.constant(0 : i32) : i32
// CHECK: %[[READY:.*]] = llvm.icmp "ne" %[[DONE]], %[[ZERO]] : i32
// CHECK: llvm.cond_br %[[READY]], ^{{bb[0-9]+}}, ^[[WAIT]]
// CHECK: %[[SIXTEEN:.*]] = llvm.mlir.constant(16 : i32) : i32
// CHECK: llvm.getelementptr %{{.*}}[20]
// CHECK: llvm.call %{{.*}}(%{{.*}}, %[[BASE]], %[[LD_SLOT]], %[[SIXTEEN]]) : !llvm.ptr, (i32, i32, !llvm.ptr, i32) -> ()
// CHECK: %[[ACC:.*]] = llvm.load %[[LD_SLOT]] {alignment = 16 : i64} : !llvm.ptr -> vector<16xi32>
// CHECK: llvm.store %[[ACC]], %{{.*}} : vector<16xi32>, !llvm.ptr
// CHECK: llvm.getelementptr %{{.*}}[24]
// CHECK: llvm.call %{{.*}}(%{{.*}}, %[[MBAR]]) : !llvm.ptr, (i32, !llvm.ptr) -> ()
// CHECK: %[[SITE10:.*]] = llvm.mlir.constant(10 : i32) : i32
// CHECK: llvm.getelementptr %{{.*}}[18]
// CHECK: llvm.call %{{.*}}(%[[SITE10]], %[[BASE]], %[[NCOLS]]) : !llvm.ptr, (i32, i32, i32) -> ()
// CHECK-NOT: nvvm.
// CHECK-LABEL: llvm.func internal @tc5.simt_thread
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.mlir.global internal @slot() {addr_space = 3 : i32, alignment = 16 : i64} : i32
    llvm.mlir.global internal @mbar() {addr_space = 3 : i32, alignment = 8 : i64} : i64
    llvm.func @tc5(%out: !llvm.ptr<1>, %a: i32, %b: i32) attributes {gpu.kernel, gpu.known_block_size = array<i32: 128, 1, 1>, nvvm.kernel} {
      %c0 = llvm.mlir.constant(0 : i32) : i32
      %c1 = llvm.mlir.constant(1 : i32) : i32
      %ncols = llvm.mlir.constant(32 : i32) : i32
      %idesc = llvm.mlir.constant(142868480 : i32) : i32
      %false = llvm.mlir.constant(false) : i1
      %slot = llvm.mlir.addressof @slot : !llvm.ptr<3>
      %mbar = llvm.mlir.addressof @mbar : !llvm.ptr<3>
      nvvm.tcgen05.alloc %slot, %ncols : !llvm.ptr<3>, i32
      nvvm.tcgen05.relinquish_alloc_permit
      nvvm.mbarrier.init %mbar, %c1 : !llvm.ptr<3>, i32
      nvvm.fence.mbarrier.init
      nvvm.tcgen05.fence <before>
      nvvm.barrier0
      nvvm.tcgen05.fence <after>
      %base = llvm.load %slot : !llvm.ptr<3> -> i32
      %t = llvm.inttoptr %base : i32 to !llvm.ptr<6>
      %words = llvm.mlir.constant(dense<127> : vector<4xi32>) : vector<4xi32>
      nvvm.tcgen05.st %t, %words {shape = #nvvm.tcgen05_ldst_shape<shape_32x32b>} : vector<4xi32>
      nvvm.tcgen05.st %t, %c1 {shape = #nvvm.tcgen05_ldst_shape<shape_32x32b>} : i32
      nvvm.tcgen05.wait <store>
      %adesc = llvm.zext %a : i32 to i64
      %bdesc = llvm.zext %b : i32 to i64
      nvvm.tcgen05.mma.block_scale %t, %adesc, %bdesc, %idesc, %false, %t, %t {kind = #nvvm.block_scale_kind<mxf8f6f4>, ctaGroup = #nvvm.cta_group<cta_1>, blockScale = #nvvm.tcgen05_mma_block_scale<block32>} : (!llvm.ptr<6>, i64, i64, i32, i1, !llvm.ptr<6>, !llvm.ptr<6>)
      nvvm.tcgen05.commit %mbar : !llvm.ptr<3>
      llvm.br ^wait
    ^wait:
      %done = nvvm.mbarrier.try_wait %mbar, %c0 : !llvm.ptr<3>, i32 -> i1
      llvm.cond_br %done, ^epilogue, ^wait
    ^epilogue:
      %acc = nvvm.tcgen05.ld %t {shape = #nvvm.tcgen05_ldst_shape<shape_32x32b>} : vector<16xi32>
      nvvm.tcgen05.wait <load>
      llvm.store %acc, %out : vector<16xi32>, !llvm.ptr<1>
      nvvm.mbarrier.inval %mbar : !llvm.ptr<3>
      nvvm.tcgen05.dealloc %t, %ncols : !llvm.ptr<6>, i32
      llvm.return
    }
  }
}

// -----

// A tensor-memory address that no llvm.inttoptr of an i32 made goes as the
// pointer's low 32 bits.
// CHECK-LABEL: llvm.func @addresses.simt_kernel
// CHECK: %[[T:.*]] = llvm.select %{{.*}}, %{{.*}}, %{{.*}} : i1, !llvm.ptr
// CHECK: %[[ADDRESS:.*]] = llvm.ptrtoint %[[T]] : !llvm.ptr to i32
// CHECK: llvm.getelementptr %{{.*}}[18]
// CHECK: llvm.call %{{.*}}(%{{.*}}, %[[ADDRESS]], %{{.*}}) : !llvm.ptr, (i32, i32, i32) -> ()
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.func @addresses(%out: !llvm.ptr<1>, %a: i32, %b: i32) attributes {gpu.kernel, gpu.known_block_size = array<i32: 32, 1, 1>, nvvm.kernel} {
      %ncols = llvm.mlir.constant(32 : i32) : i32
      %ta = llvm.inttoptr %a : i32 to !llvm.ptr<6>
      %tb = llvm.inttoptr %b : i32 to !llvm.ptr<6>
      %first = llvm.icmp "ult" %a, %b : i32
      %t = llvm.select %first, %ta, %tb : i1, !llvm.ptr<6>
      nvvm.tcgen05.dealloc %t, %ncols : !llvm.ptr<6>, i32
      llvm.return
    }
  }
}
