// RUN: sieve-opt %s --split-input-file --sieve-gpu-emulate | FileCheck %s

// A kernel that shares a workgroup buffer and exchanges lanes: the special
// registers, the barrier and the shuffle become calls through the
// emulator's table (slots 1, 2 and 3, each with its own site), the shared
// global an offset in the block's arena (slot 7: laid out per kernel, so
// the one global @k uses is at 0 and its block has 256 bytes), every
// pointer a host pointer; the kernel is renamed and the CPU kernel ABI's @k
// runs a block.
// CHECK-LABEL: module {
// CHECK: llvm.mlir.global external @__sieve_simt_runtime() {{.*}} : !llvm.ptr
// CHECK-NOT: addr_space = 3
// CHECK-LABEL: llvm.func @k.simt_kernel(%{{.*}}: !llvm.ptr {llvm.align = 16 : i64}, %{{.*}}: i32)
// CHECK-SAME: passthrough = ["no-builtins"]
// CHECK: %[[TID_SLOT:.*]] = llvm.getelementptr %{{.*}}[1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[TID_FN:.*]] = llvm.load %[[TID_SLOT]]
// CHECK: %[[TID:.*]] = llvm.call %[[TID_FN]](%{{.*}}) : !llvm.ptr, (i32) -> i32
// CHECK: %[[SHARED_SLOT:.*]] = llvm.getelementptr %{{.*}}[7]
// CHECK: %[[SHARED_FN:.*]] = llvm.load %[[SHARED_SLOT]]
// CHECK: %[[ARENA:.*]] = llvm.call %[[SHARED_FN]]() : !llvm.ptr, () -> !llvm.ptr
// CHECK: %[[BUFFER:.*]] = llvm.getelementptr %[[ARENA]][0] : (!llvm.ptr) -> !llvm.ptr, i8
// CHECK: llvm.getelementptr %[[BUFFER]][%[[TID]]]
// CHECK: %[[SITE0:.*]] = llvm.mlir.constant(0 : i32) : i32
// CHECK: %[[BARRIER_SLOT:.*]] = llvm.getelementptr %{{.*}}[2]
// CHECK: %[[BARRIER_FN:.*]] = llvm.load %[[BARRIER_SLOT]]
// CHECK: llvm.call %[[BARRIER_FN]](%[[SITE0]]) : !llvm.ptr, (i32) -> ()
// CHECK: %[[BITS:.*]] = llvm.bitcast %{{.*}} : f32 to i32
// CHECK: %[[SITE1:.*]] = llvm.mlir.constant(1 : i32) : i32
// CHECK: %[[BFLY:.*]] = llvm.mlir.constant(2 : i32) : i32
// CHECK: %[[SHUFFLE_SLOT:.*]] = llvm.getelementptr %{{.*}}[3]
// CHECK: %[[SHUFFLE_FN:.*]] = llvm.load %[[SHUFFLE_SLOT]]
// CHECK: %[[PACKED:.*]] = llvm.call %[[SHUFFLE_FN]](%[[SITE1]], %[[BFLY]], %{{.*}}, %[[BITS]], %{{.*}}, %{{.*}}) : !llvm.ptr, (i32, i32, i32, i32, i32, i32) -> i64
// CHECK: %[[LOW:.*]] = llvm.trunc %[[PACKED]] : i64 to i32
// CHECK: llvm.bitcast %[[LOW]] : i32 to f32
// CHECK-NOT: llvm.addrspacecast
// CHECK-NOT: nvvm.
// CHECK-LABEL: llvm.func internal @k.simt_thread(%{{.*}}: !llvm.ptr)
// CHECK: llvm.call @k.simt_kernel(%{{.*}}, %{{.*}}) : (!llvm.ptr, i32) -> ()
// CHECK: llvm.mlir.global internal constant @k.simt_info(dense<[64, 1, 1, 256, 1, 1, 32]> : tensor<7xi32>)
// CHECK-LABEL: llvm.func @k(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) -> i32
// CHECK: llvm.icmp "eq"
// CHECK: llvm.mlir.addressof @k.simt_thread
// CHECK: llvm.mlir.addressof @k.simt_info
// CHECK: %[[BLOCK_SLOT:.*]] = llvm.getelementptr %{{.*}}[0]
// CHECK: llvm.return %{{.*}} : i32
// CHECK-NOT: gpu.module
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.mlir.global internal @__wg_k_0() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<64 x f32>
    llvm.mlir.global internal @__wg_k_1() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<64 x f32>
    llvm.func @k(%out: !llvm.ptr<1> {llvm.align = 16 : i64}, %n: i32) attributes {gpu.kernel, gpu.known_block_size = array<i32: 64, 1, 1>, nvvm.kernel, nvvm.maxntid = array<i32: 64, 1, 1>} {
      %tid = nvvm.read.ptx.sreg.tid.x : i32
      %wg = llvm.mlir.addressof @__wg_k_1 : !llvm.ptr<3>
      %f = llvm.sitofp %tid : i32 to f32
      %slot = llvm.getelementptr %wg[%tid] : (!llvm.ptr<3>, i32) -> !llvm.ptr<3>, f32
      llvm.store %f, %slot : f32, !llvm.ptr<3>
      nvvm.barrier0
      %v = llvm.load %slot : !llvm.ptr<3> -> f32
      %mask = llvm.mlir.constant(-1 : i32) : i32
      %one = llvm.mlir.constant(1 : i32) : i32
      %clamp = llvm.mlir.constant(31 : i32) : i32
      %x = nvvm.shfl.sync bfly %mask, %v, %one, %clamp : f32 -> f32
      %generic = llvm.addrspacecast %out : !llvm.ptr<1> to !llvm.ptr
      %dst = llvm.getelementptr %generic[%tid] : (!llvm.ptr, i32) -> !llvm.ptr, f32
      llvm.store %x, %dst : f32, !llvm.ptr
      llvm.return
    }
  }
}

// -----

// A warp's tensor-core product: the lane's fragments go to slot 4 with the
// accumulators as one vector<4xf32>, which comes back as the op's struct.
// CHECK-LABEL: llvm.func @mma.simt_kernel
// CHECK-COUNT-3: llvm.insertelement
// CHECK: %[[C:.*]] = llvm.insertelement %{{.*}}, %{{.*}}[%{{.*}} : i32] : vector<4xf32>
// CHECK: %[[SLOT:.*]] = llvm.getelementptr %{{.*}}[4]
// CHECK: %[[FN:.*]] = llvm.load %[[SLOT]]
// CHECK: %[[D:.*]] = llvm.call %[[FN]](%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[C]]) : !llvm.ptr, (i32, i32, i32, i32, i32, i32, i32, vector<4xf32>) -> vector<4xf32>
// CHECK: llvm.extractelement %[[D]]
// CHECK: llvm.insertvalue %{{.*}}, %{{.*}}[3] : !llvm.struct<(f32, f32, f32, f32)>
// CHECK-NOT: nvvm.mma.sync
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.func @mma(%out: !llvm.ptr<1>, %a: i32) attributes {gpu.kernel, gpu.known_block_size = array<i32: 32, 1, 1>, nvvm.kernel} {
      %c = llvm.mlir.constant(0.0 : f32) : f32
      %d = nvvm.mma.sync A[%a, %a, %a, %a] B[%a, %a] C[%c, %c, %c, %c] {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
      %e = llvm.extractvalue %d[0] : !llvm.struct<(f32, f32, f32, f32)>
      llvm.store %e, %out : f32, !llvm.ptr<1>
      llvm.return
    }
  }
}

// -----

// A warpgroup's wgmma: the thread's accumulators go through an array in the
// kernel's entry block to slot 15 with N and both descriptors, and come
// back as the op's struct; the fences and the commit/wait are gone (the
// emulator completes the product at the call).
// CHECK-LABEL: llvm.func @wgmma.simt_kernel
// CHECK: %[[FOUR:.*]] = llvm.mlir.constant(4 : i32) : i32
// CHECK: %[[ARRAY:.*]] = llvm.alloca %[[FOUR]] x f32 {alignment = 16 : i64}
// CHECK: %[[DA:.*]] = llvm.zext
// CHECK: %[[DB:.*]] = llvm.sext
// CHECK-COUNT-4: llvm.store %{{.*}}, %{{.*}} : f32, !llvm.ptr
// CHECK: %[[N:.*]] = llvm.mlir.constant(8 : i32) : i32
// CHECK: %[[SLOT:.*]] = llvm.getelementptr %{{.*}}[15]
// CHECK: %[[FN:.*]] = llvm.load %[[SLOT]]
// CHECK: llvm.call %[[FN]](%{{.*}}, %[[N]], %[[DA]], %[[DB]], %[[ARRAY]]) : !llvm.ptr, (i32, i32, i64, i64, !llvm.ptr) -> ()
// CHECK-COUNT-4: llvm.load %{{.*}} : !llvm.ptr -> f32
// CHECK: llvm.insertvalue %{{.*}}, %{{.*}}[3] : !llvm.struct<(f32, f32, f32, f32)>
// CHECK-NOT: nvvm.wgmma
// CHECK-NOT: nvvm.fence.proxy
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.func @wgmma(%out: !llvm.ptr<1>, %a: i32) attributes {gpu.kernel, gpu.known_block_size = array<i32: 128, 1, 1>, nvvm.kernel} {
      %da = llvm.zext %a : i32 to i64
      %db = llvm.sext %a : i32 to i64
      %c = llvm.mlir.constant(0.0 : f32) : f32
      %u = llvm.mlir.poison : !llvm.struct<(f32, f32, f32, f32)>
      %c0 = llvm.insertvalue %c, %u[0] : !llvm.struct<(f32, f32, f32, f32)>
      %c1 = llvm.insertvalue %c, %c0[1] : !llvm.struct<(f32, f32, f32, f32)>
      %c2 = llvm.insertvalue %c, %c1[2] : !llvm.struct<(f32, f32, f32, f32)>
      %c3 = llvm.insertvalue %c, %c2[3] : !llvm.struct<(f32, f32, f32, f32)>
      nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}
      nvvm.wgmma.fence.aligned
      %d = nvvm.wgmma.mma_async %da, %db, %c3, <m = 64, n = 8, k = 16>, D[<f32>, <one>], A[<bf16>, <one>, <row>], B[<bf16>, <one>, <col>] : !llvm.struct<(f32, f32, f32, f32)> -> !llvm.struct<(f32, f32, f32, f32)>
      nvvm.wgmma.commit.group.sync.aligned
      nvvm.wgmma.wait.group.sync.aligned 0
      %e = llvm.extractvalue %d[0] : !llvm.struct<(f32, f32, f32, f32)>
      llvm.store %e, %out : f32, !llvm.ptr<1>
      llvm.return
    }
  }
}

// -----

// Rounding two f32 to E4M3 codes (cvt.rn.satfinite.e4m3x2.f32) goes to
// slot 13 with the two values' bits; its 16 bits are the pair.
// CHECK-LABEL: llvm.func @round.simt_kernel
// CHECK: %[[A:.*]] = llvm.bitcast %{{.*}} : f32 to i32
// CHECK: %[[B:.*]] = llvm.bitcast %{{.*}} : f32 to i32
// CHECK: %[[SLOT:.*]] = llvm.getelementptr %{{.*}}[13]
// CHECK: %[[FN:.*]] = llvm.load %[[SLOT]]
// CHECK: %[[CODES:.*]] = llvm.call %[[FN]](%[[A]], %[[B]]) : !llvm.ptr, (i32, i32) -> i32
// CHECK: %[[PAIR:.*]] = llvm.trunc %[[CODES]] : i32 to i16
// CHECK: llvm.bitcast %[[PAIR]] : i16 to vector<2xi8>
// CHECK-NOT: nvvm.convert
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.func @round(%out: !llvm.ptr<1>, %in: !llvm.ptr<1>) attributes {gpu.kernel, gpu.known_block_size = array<i32: 1, 1, 1>, nvvm.kernel} {
      %x = llvm.load %in : !llvm.ptr<1> -> f32
      %y = llvm.load %in : !llvm.ptr<1> -> f32
      %codes = nvvm.convert.f32x2.to.f8x2 %x, %y {rnd = #nvvm.fp_rnd_mode<rn>, sat = #nvvm.sat_mode<satfinite>} : vector<2xi8> (f8E4M3FN)
      llvm.store %codes, %out : vector<2xi8>, !llvm.ptr<1>
      llvm.return
    }
  }
}

// -----

// The same rounding with the pair as an i16: the slot's low 16 bits are it.
// CHECK-LABEL: llvm.func @round_packed.simt_kernel
// CHECK: %[[CODES:.*]] = llvm.call %{{.*}}(%{{.*}}, %{{.*}}) : !llvm.ptr, (i32, i32) -> i32
// CHECK: %[[PAIR:.*]] = llvm.trunc %[[CODES]] : i32 to i16
// CHECK-NOT: llvm.bitcast %[[PAIR]]
// CHECK: llvm.store %[[PAIR]], %{{.*}} : i16, !llvm.ptr
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.func @round_packed(%out: !llvm.ptr<1>, %in: !llvm.ptr<1>) attributes {gpu.kernel, gpu.known_block_size = array<i32: 1, 1, 1>, nvvm.kernel} {
      %x = llvm.load %in : !llvm.ptr<1> -> f32
      %codes = nvvm.convert.f32x2.to.f8x2 %x, %x {rnd = #nvvm.fp_rnd_mode<rn>, sat = #nvvm.sat_mode<satfinite>} : i16 (f8E4M3FN)
      llvm.store %codes, %out : i16, !llvm.ptr<1>
      llvm.return
    }
  }
}

// -----

// Rounding two f32 to E2M1 codes (cvt.rn.satfinite.e2m1x2.f32) goes to
// slot 14 with the two values' bits; its low 8 bits are the pair.
// CHECK-LABEL: llvm.func @round_fp4.simt_kernel
// CHECK: %[[A:.*]] = llvm.bitcast %{{.*}} : f32 to i32
// CHECK: %[[B:.*]] = llvm.bitcast %{{.*}} : f32 to i32
// CHECK: %[[SLOT:.*]] = llvm.getelementptr %{{.*}}[14]
// CHECK: %[[FN:.*]] = llvm.load %[[SLOT]]
// CHECK: %[[CODES:.*]] = llvm.call %[[FN]](%[[A]], %[[B]]) : !llvm.ptr, (i32, i32) -> i32
// CHECK: %[[PAIR:.*]] = llvm.trunc %[[CODES]] : i32 to i8
// CHECK: llvm.store %[[PAIR]], %{{.*}} : i8, !llvm.ptr
// CHECK-NOT: nvvm.convert
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.func @round_fp4(%out: !llvm.ptr<1>, %in: !llvm.ptr<1>) attributes {gpu.kernel, gpu.known_block_size = array<i32: 1, 1, 1>, nvvm.kernel} {
      %x = llvm.load %in : !llvm.ptr<1> -> f32
      %y = llvm.load %in : !llvm.ptr<1> -> f32
      %codes = nvvm.convert.f32x2.to.f4x2 %x, %y : i8 (f4E2M1FN)
      llvm.store %codes, %out : i8, !llvm.ptr<1>
      llvm.return
    }
  }
}

// -----

// FP8 pairs go to slot 5 as the 16 bits of the two codes; bf16
// conversions become integer arithmetic (x86 would call __truncsfbf2).
// CHECK-LABEL: llvm.func @convert.simt_kernel
// CHECK: %[[PAIR:.*]] = llvm.bitcast %{{.*}} : vector<2xi8> to i16
// CHECK: %[[WIDE:.*]] = llvm.zext %[[PAIR]] : i16 to i32
// CHECK: %[[SLOT:.*]] = llvm.getelementptr %{{.*}}[5]
// CHECK: %[[FN:.*]] = llvm.load %[[SLOT]]
// CHECK: %[[HALVES:.*]] = llvm.call %[[FN]](%[[WIDE]]) : !llvm.ptr, (i32) -> i32
// CHECK: llvm.bitcast %[[HALVES]] : i32 to vector<2xf16>
// CHECK: %[[BITS:.*]] = llvm.bitcast %{{.*}} : bf16 to i16
// CHECK: %[[EXT:.*]] = llvm.zext %[[BITS]] : i16 to i32
// CHECK: %[[SHIFTED:.*]] = llvm.shl %[[EXT]], %{{.*}} : i32
// CHECK: llvm.bitcast %[[SHIFTED]] : i32 to f32
// CHECK: llvm.fcmp "uno"
// CHECK: llvm.select
// CHECK: llvm.trunc %{{.*}} : vector<2xi32> to vector<2xi16>
// CHECK: llvm.bitcast %{{.*}} : vector<2xi16> to vector<2xbf16>
// CHECK-NOT: llvm.fptrunc
// CHECK-NOT: llvm.fpext
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.func @convert(%out: !llvm.ptr<1>, %codes: i32) attributes {gpu.kernel, gpu.known_block_size = array<i32: 1, 1, 1>, nvvm.kernel} {
      %pair = llvm.trunc %codes : i32 to i16
      %bytes = llvm.bitcast %pair : i16 to vector<2xi8>
      %halves = nvvm.convert.f8x2.to.f16x2 %bytes : vector<2xi8> (f8E4M3FN) -> vector<2xf16>
      llvm.store %halves, %out : vector<2xf16>, !llvm.ptr<1>
      %b = llvm.bitcast %pair : i16 to bf16
      %f = llvm.fpext %b : bf16 to f32
      %two = llvm.mlir.undef : vector<2xf32>
      %v = llvm.bitcast %codes : i32 to vector<2xi16>
      %vf = llvm.sitofp %v : vector<2xi16> to vector<2xf32>
      %vb = llvm.fptrunc %vf : vector<2xf32> to vector<2xbf16>
      llvm.store %vb, %out : vector<2xbf16>, !llvm.ptr<1>
      llvm.store %f, %out : f32, !llvm.ptr<1>
      llvm.return
    }
  }
}
