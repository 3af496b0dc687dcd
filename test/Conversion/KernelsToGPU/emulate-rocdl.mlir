// RUN: sieve-opt %s --split-input-file --sieve-gpu-emulate | FileCheck %s

// A ROCDL kernel: the work-item id (slot 1), mbcnt (slot 8, the half as
// its first operand), ds_bpermute (slot 9, with its site), the barrier
// (slot 2) and the MFMA (slot 10: A and B as i64, C as vector<4xf32>); the
// kernel's warps are waves of 64 lanes (the info's last word); private
// allocas become host allocas.
// CHECK-LABEL: llvm.func @k.simt_kernel
// CHECK: llvm.getelementptr %{{.*}}[1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: llvm.mlir.constant(-1 : i32)
// CHECK: llvm.mlir.constant(0 : i32)
// CHECK: %[[LOW_HALF:.*]] = llvm.mlir.constant(0 : i32) : i32
// CHECK: %[[MBCNT_SLOT:.*]] = llvm.getelementptr %{{.*}}[8]
// CHECK: %[[MBCNT_FN:.*]] = llvm.load %[[MBCNT_SLOT]]
// CHECK: %[[LOW:.*]] = llvm.call %[[MBCNT_FN]](%[[LOW_HALF]], %{{.*}}, %{{.*}}) : !llvm.ptr, (i32, i32, i32) -> i32
// CHECK: %[[HIGH_HALF:.*]] = llvm.mlir.constant(1 : i32) : i32
// CHECK: %[[MBCNT_HI_SLOT:.*]] = llvm.getelementptr %{{.*}}[8]
// CHECK: %[[MBCNT_HI_FN:.*]] = llvm.load %[[MBCNT_HI_SLOT]]
// CHECK: llvm.call %[[MBCNT_HI_FN]](%[[HIGH_HALF]], %{{.*}}, %[[LOW]])
// CHECK: %[[PERMUTE_SLOT:.*]] = llvm.getelementptr %{{.*}}[9]
// CHECK: %[[PERMUTE_FN:.*]] = llvm.load %[[PERMUTE_SLOT]]
// CHECK: llvm.call %[[PERMUTE_FN]](%{{.*}}, %{{.*}}, %{{.*}}) : !llvm.ptr, (i32, i32, i32) -> i32
// CHECK: llvm.getelementptr %{{.*}}[2]
// CHECK: %[[A:.*]] = llvm.bitcast %{{.*}} : vector<4xi16> to i64
// CHECK: %[[B:.*]] = llvm.bitcast %{{.*}} : vector<4xi16> to i64
// CHECK: %[[MFMA_SLOT:.*]] = llvm.getelementptr %{{.*}}[10]
// CHECK: %[[MFMA_FN:.*]] = llvm.load %[[MFMA_SLOT]]
// CHECK: llvm.call %[[MFMA_FN]](%{{.*}}, %[[A]], %[[B]], %{{.*}}) : !llvm.ptr, (i32, i64, i64, vector<4xf32>) -> vector<4xf32>
// CHECK: llvm.alloca %{{.*}} x f32 : (i64) -> !llvm.ptr
// CHECK-NOT: rocdl.
// CHECK: llvm.mlir.global internal constant @k.simt_info(dense<[256, 1, 1, 0, 1, 0, 64]> : tensor<7xi32>)
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.func @k(%out: !llvm.ptr {llvm.align = 16 : i64}) attributes {gpu.kernel, gpu.known_block_size = array<i32: 256, 1, 1>, rocdl.flat_work_group_size = "256,256", rocdl.kernel, rocdl.reqd_work_group_size = array<i32: 256, 1, 1>} {
      %tid = rocdl.workitem.id.x : i32
      %mask = llvm.mlir.constant(-1 : i32) : i32
      %zero = llvm.mlir.constant(0 : i32) : i32
      %lo = rocdl.mbcnt.lo %mask, %zero : (i32, i32) -> i32
      %lane = rocdl.mbcnt.hi %mask, %lo : (i32, i32) -> i32
      %read = rocdl.ds_bpermute %lane, %tid : (i32, i32) -> i32
      rocdl.barrier
      %a = llvm.mlir.constant(dense<0> : vector<4xi16>) : vector<4xi16>
      %c = llvm.mlir.constant(dense<0.0> : vector<4xf32>) : vector<4xf32>
      %d = rocdl.mfma.f32.16x16x16bf16.1k %a, %a, %c, %zero, %zero, %zero : (vector<4xi16>, vector<4xi16>, vector<4xf32>, i32, i32, i32) -> vector<4xf32>
      %one = llvm.mlir.constant(1 : i64) : i64
      %private = llvm.alloca %one x f32 : (i64) -> !llvm.ptr<5>
      %e = llvm.extractelement %d[%zero : i32] : vector<4xf32>
      llvm.store %e, %private : f32, !llvm.ptr<5>
      llvm.store %read, %out : i32, !llvm.ptr
      llvm.return
    }
  }
}

// -----

// gfx950's conversions at scale 1: the pair's half (FP8) or byte (FP4) of
// the source word goes to slot 11 or 12, two f32 come back as an i64.
// CHECK-LABEL: llvm.func @convert.simt_kernel
// CHECK: %[[SIXTEEN:.*]] = llvm.mlir.constant(16 : i32) : i32
// CHECK: %[[HIGH:.*]] = llvm.lshr %{{.*}}, %[[SIXTEEN]] : i32
// CHECK: %[[PAIR:.*]] = llvm.and %[[HIGH]], %{{.*}} : i32
// CHECK: llvm.getelementptr %{{.*}}[11]
// CHECK: %[[FP8:.*]] = llvm.call %{{.*}}(%[[PAIR]]) : !llvm.ptr, (i32) -> i64
// CHECK: llvm.bitcast %[[FP8]] : i64 to vector<2xf32>
// CHECK: %[[EIGHT:.*]] = llvm.mlir.constant(8 : i32) : i32
// CHECK: %[[BYTE1:.*]] = llvm.lshr %{{.*}}, %[[EIGHT]] : i32
// CHECK: %[[BYTE:.*]] = llvm.and %[[BYTE1]], %{{.*}} : i32
// CHECK: llvm.getelementptr %{{.*}}[12]
// CHECK: %[[FP4:.*]] = llvm.call %{{.*}}(%[[BYTE]]) : !llvm.ptr, (i32) -> i64
// CHECK: llvm.bitcast %[[FP4]] : i64 to vector<2xf32>
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.func @convert(%out: !llvm.ptr, %codes: i32) attributes {gpu.kernel, gpu.known_block_size = array<i32: 64, 1, 1>, rocdl.kernel} {
      %one = llvm.mlir.constant(1.0 : f32) : f32
      %a = rocdl.cvt.scalef32.pk.f32.fp8 %codes[true], %one : vector<2xf32>
      %b = rocdl.cvt.scalef32.pk.f32.fp4 %codes[1], %one : vector<2xf32>
      %s = llvm.fadd %a, %b : vector<2xf32>
      llvm.store %s, %out : vector<2xf32>, !llvm.ptr
      llvm.return
    }
  }
}

// -----

// gfx950's scaled truncations at scale 1: the PTX conversions' slots (13:
// E4M3, 14: E2M1) with the operands swapped (src0's code comes first), and
// the codes put into the selected half or byte of the old value.
// (The kernel's body is @truncate.simt_kernel; @truncate, the CPU kernel
// ABI's entry that runs a block of it, follows.)
// CHECK-LABEL: llvm.func @truncate.simt_kernel
// CHECK-SAME: (%[[OUT:.*]]: !llvm.ptr, %{{.*}}: i32, %{{.*}}: i32, %[[WORD:.*]]: i32)
// CHECK: %[[X:.*]] = llvm.bitcast %{{.*}} : i32 to f32
// CHECK: %[[Y:.*]] = llvm.bitcast %{{.*}} : i32 to f32
// CHECK: %[[X0:.*]] = llvm.bitcast %[[X]] : f32 to i32
// CHECK: %[[Y0:.*]] = llvm.bitcast %[[Y]] : f32 to i32
// CHECK: llvm.getelementptr %{{.*}}[13]
// CHECK: %[[FP8:.*]] = llvm.call %{{.*}}(%[[Y0]], %[[X0]]) : !llvm.ptr, (i32, i32) -> i32
// CHECK: %[[OLD:.*]] = llvm.bitcast %{{.*}} : vector<2xi16> to i32
// CHECK: %[[LOW:.*]] = llvm.mlir.constant(65535 : i32) : i32
// CHECK: %[[KEPT:.*]] = llvm.and %[[OLD]], %[[LOW]] : i32
// CHECK: %[[SIXTEEN:.*]] = llvm.mlir.constant(16 : i32) : i32
// CHECK: %[[HIGH:.*]] = llvm.shl %[[FP8]], %[[SIXTEEN]] : i32
// CHECK: %[[MERGED:.*]] = llvm.or %[[KEPT]], %[[HIGH]] : i32
// CHECK: llvm.bitcast %[[MERGED]] : i32 to vector<2xi16>
// CHECK: %[[X1:.*]] = llvm.bitcast %[[X]] : f32 to i32
// CHECK: %[[Y1:.*]] = llvm.bitcast %[[Y]] : f32 to i32
// CHECK: llvm.getelementptr %{{.*}}[14]
// CHECK: %[[FP4:.*]] = llvm.call %{{.*}}(%[[Y1]], %[[X1]]) : !llvm.ptr, (i32, i32) -> i32
// CHECK: %[[MASK:.*]] = llvm.mlir.constant(-65281 : i32) : i32
// CHECK: %[[KEPT4:.*]] = llvm.and %[[WORD]], %[[MASK]] : i32
// CHECK: %[[EIGHT:.*]] = llvm.mlir.constant(8 : i32) : i32
// CHECK: %[[BYTE1:.*]] = llvm.shl %[[FP4]], %[[EIGHT]] : i32
// CHECK: llvm.or %[[KEPT4]], %[[BYTE1]] : i32
// CHECK-NOT: rocdl.cvt.scalef32.pk.fp4.f32
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.func @truncate(%out: !llvm.ptr, %xBits: i32, %yBits: i32, %word: i32) attributes {gpu.kernel, gpu.known_block_size = array<i32: 64, 1, 1>, rocdl.kernel} {
      %x = llvm.bitcast %xBits : i32 to f32
      %y = llvm.bitcast %yBits : i32 to f32
      %one = llvm.mlir.constant(1.0 : f32) : f32
      %old = llvm.mlir.zero : vector<2xi16>
      %fp8 = rocdl.cvt.scalef32.pk.fp8.f32 %x, %y, %one -> %old[true] : vector<2xi16>
      %fp4 = rocdl.cvt.scalef32.pk.fp4.f32 %x, %y, %one -> %word[1] : i32
      %bits = llvm.bitcast %fp8 : vector<2xi16> to i32
      %both = llvm.xor %bits, %fp4 : i32
      llvm.store %both, %out : i32, !llvm.ptr
      llvm.return
    }
  }
}

// -----

// gfx950's scaled MFMA (E4M3FN A, E2M1 B) goes to slot 16: A and B stored
// into stack slots in the entry block and passed by pointer, the formats
// as one constant (cbsz | blgp << 8: 0 | 4 << 8), the E8M0 bytes opsel
// picks (A's byte 1, B's byte 0) as A's | B's << 8.
// CHECK-LABEL: llvm.func @scaled.simt_kernel
// CHECK-SAME: (%{{.*}}: !llvm.ptr, %[[SCALE_A:.*]]: i32, %[[SCALE_B:.*]]: i32)
// CHECK: %[[B_SLOT:.*]] = llvm.alloca %{{.*}} x vector<4xi32> {alignment = 32 : i64} : (i32) -> !llvm.ptr
// CHECK: %[[A_SLOT:.*]] = llvm.alloca %{{.*}} x vector<8xi32> {alignment = 32 : i64} : (i32) -> !llvm.ptr
// CHECK: %[[A:.*]] = llvm.mlir.constant(dense<1> : vector<8xi32>)
// CHECK: %[[B:.*]] = llvm.mlir.constant(dense<2> : vector<4xi32>)
// CHECK: llvm.store %[[A]], %[[A_SLOT]] : vector<8xi32>, !llvm.ptr
// CHECK: llvm.store %[[B]], %[[B_SLOT]] : vector<4xi32>, !llvm.ptr
// CHECK: %[[EIGHT:.*]] = llvm.mlir.constant(8 : i32) : i32
// CHECK: %[[SHIFTED_A:.*]] = llvm.lshr %[[SCALE_A]], %[[EIGHT]] : i32
// CHECK: %[[BYTE:.*]] = llvm.mlir.constant(255 : i32) : i32
// CHECK: %[[BYTE_A:.*]] = llvm.and %[[SHIFTED_A]], %[[BYTE]] : i32
// CHECK: %[[ZERO:.*]] = llvm.mlir.constant(0 : i32) : i32
// CHECK: %[[SHIFTED_B:.*]] = llvm.lshr %[[SCALE_B]], %[[ZERO]] : i32
// CHECK: %[[BYTE_B:.*]] = llvm.and %[[SHIFTED_B]], %{{.*}} : i32
// CHECK: %[[HIGH:.*]] = llvm.shl %[[BYTE_B]], %{{.*}} : i32
// CHECK: %[[SCALES:.*]] = llvm.or %[[BYTE_A]], %[[HIGH]] : i32
// CHECK: %[[FORMATS:.*]] = llvm.mlir.constant(1024 : i32) : i32
// CHECK: %[[SCALED_SLOT:.*]] = llvm.getelementptr %{{.*}}[16]
// CHECK: %[[SCALED_FN:.*]] = llvm.load %[[SCALED_SLOT]]
// CHECK: llvm.call %[[SCALED_FN]](%{{.*}}, %[[A_SLOT]], %[[B_SLOT]], %[[FORMATS]], %[[SCALES]], %{{.*}}) : !llvm.ptr, (i32, !llvm.ptr, !llvm.ptr, i32, i32, vector<4xf32>) -> vector<4xf32>
// CHECK-NOT: rocdl.mfma
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.func @scaled(%out: !llvm.ptr, %scaleA: i32, %scaleB: i32) attributes {gpu.kernel, gpu.known_block_size = array<i32: 64, 1, 1>, rocdl.kernel} {
      %a = llvm.mlir.constant(dense<1> : vector<8xi32>) : vector<8xi32>
      %b = llvm.mlir.constant(dense<2> : vector<4xi32>) : vector<4xi32>
      %c = llvm.mlir.constant(dense<0.0> : vector<4xf32>) : vector<4xf32>
      %e4m3 = llvm.mlir.constant(0 : i32) : i32
      %e2m1 = llvm.mlir.constant(4 : i32) : i32
      %opselA = llvm.mlir.constant(1 : i32) : i32
      %opselB = llvm.mlir.constant(0 : i32) : i32
      %d = rocdl.mfma.scale.f32.16x16x128.f8f6f4 %a, %b, %c, %e4m3, %e2m1, %opselA, %scaleA, %opselB, %scaleB : (vector<8xi32>, vector<4xi32>, vector<4xf32>, i32, i32, i32, i32, i32, i32) -> vector<4xf32>
      llvm.store %d, %out : vector<4xf32>, !llvm.ptr
      llvm.return
    }
  }
}
