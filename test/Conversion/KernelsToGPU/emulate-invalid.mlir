// RUN: sieve-opt %s --split-input-file --verify-diagnostics --sieve-gpu-emulate

// The pass takes the one gpu.module of a compiled variant.
// expected-error @below {{sieve-gpu-emulate expects one gpu.module of NVVM kernels, found 0}}
module {
}

// -----

// An NVVM op the emulator has no model of is named, not miscompiled.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.func @k(%out: !llvm.ptr<1>) attributes {gpu.kernel, gpu.known_block_size = array<i32: 32, 1, 1>, nvvm.kernel} {
      // expected-error @below {{'nvvm.read.ptx.sreg.clock' op has no SIMT emulation}}
      %t = nvvm.read.ptx.sreg.clock : i32
      llvm.store %t, %out : i32, !llvm.ptr<1>
      llvm.return
    }
  }
}

// -----

// Only the product the tile form uses: bf16 x bf16 + f32, m16n8k16.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.func @k(%out: !llvm.ptr<1>, %a: vector<2xf16>) attributes {gpu.kernel, gpu.known_block_size = array<i32: 32, 1, 1>, nvvm.kernel} {
      %c = llvm.mlir.constant(0.0 : f32) : f32
      // expected-error @below {{has no SIMT emulation for this form (m16n8k16, row x col, bf16 x bf16 + f32)}}
      %d = nvvm.mma.sync A[%a, %a, %a, %a] B[%a, %a] C[%c, %c, %c, %c] {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (vector<2xf16>, vector<2xf16>, f32) -> !llvm.struct<(f32, f32, f32, f32)>
      %e = llvm.extractvalue %d[0] : !llvm.struct<(f32, f32, f32, f32)>
      llvm.store %e, %out : f32, !llvm.ptr<1>
      llvm.return
    }
  }
}

// -----

// Only the wgmma the tile form uses: bf16 x bf16 + f32, no negation.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.func @k(%out: !llvm.ptr<1>, %da: i64, %db: i64, %c: !llvm.struct<(f32, f32, f32, f32)>) attributes {gpu.kernel, gpu.known_block_size = array<i32: 128, 1, 1>, nvvm.kernel} {
      // expected-error @below {{has no SIMT emulation for this form (m64nNk16, bf16 x bf16 + f32, row x col, no scaling or negation)}}
      %d = nvvm.wgmma.mma_async %da, %db, %c, <m = 64, n = 8, k = 16>, D[<f32>, <one>], A[<bf16>, <neg>, <row>], B[<bf16>, <one>, <col>] : !llvm.struct<(f32, f32, f32, f32)> -> !llvm.struct<(f32, f32, f32, f32)>
      %e = llvm.extractvalue %d[0] : !llvm.struct<(f32, f32, f32, f32)>
      llvm.store %e, %out : f32, !llvm.ptr<1>
      llvm.return
    }
  }
}

// -----

// The emulator sizes a block from the kernel's known block size.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    // expected-error @below {{has no gpu.known_block_size, which the emulator needs}}
    llvm.func @k(%out: !llvm.ptr<1>) attributes {gpu.kernel, nvvm.kernel} {
      llvm.return
    }
  }
}

// -----

// Launch arguments are binding pointers, then i32 constants.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    // expected-error @below {{is not in the GPU kernel ABI (binding pointers, then i32 constants)}}
    llvm.func @k(%n: i32, %out: !llvm.ptr<1>) attributes {gpu.kernel, gpu.known_block_size = array<i32: 32, 1, 1>, nvvm.kernel} {
      llvm.return
    }
  }
}

// -----

// Shared memory starts as garbage on a GPU; an initializer is a bug.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    // expected-error @below {{is initialized shared memory, which a GPU does not have}}
    llvm.mlir.global internal @__wg_k_0(dense<1.0> : tensor<4xf32>) {addr_space = 3 : i32} : !llvm.array<4 x f32>
  }
}

// -----

// An MFMA that broadcasts or rotates operands (cbsz, abid, blgp) is refused.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.func @k(%out: !llvm.ptr) attributes {gpu.kernel, gpu.known_block_size = array<i32: 64, 1, 1>, rocdl.kernel} {
      %zero = llvm.mlir.constant(0 : i32) : i32
      %one = llvm.mlir.constant(1 : i32) : i32
      %a = llvm.mlir.constant(dense<0> : vector<4xi16>) : vector<4xi16>
      %c = llvm.mlir.constant(dense<0.0> : vector<4xf32>) : vector<4xf32>
      // expected-error @below {{has no SIMT emulation for this form (cbsz, abid and blgp 0)}}
      %d = rocdl.mfma.f32.16x16x16bf16.1k %a, %a, %c, %one, %zero, %zero : (vector<4xi16>, vector<4xi16>, vector<4xf32>, i32, i32, i32) -> vector<4xf32>
      llvm.store %d, %out : vector<4xf32>, !llvm.ptr
      llvm.return
    }
  }
}

// -----

// The kernels convert gfx950's codes at scale 1 and scale the products
// themselves; another scale is not emulated.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.func @k(%out: !llvm.ptr, %codes: i32) attributes {gpu.kernel, gpu.known_block_size = array<i32: 64, 1, 1>, rocdl.kernel} {
      %two = llvm.mlir.constant(2.0 : f32) : f32
      // expected-error @below {{has no SIMT emulation for this form (an i32 source, scale 1)}}
      %a = rocdl.cvt.scalef32.pk.f32.fp8 %codes[false], %two : vector<2xf32>
      llvm.store %a, %out : vector<2xf32>, !llvm.ptr
      llvm.return
    }
  }
}

// -----

// Only the rounding the kernels use: to E4M3FN, to nearest, saturating.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.func @k(%out: !llvm.ptr<1>, %x: f32) attributes {gpu.kernel, gpu.known_block_size = array<i32: 32, 1, 1>, nvvm.kernel} {
      // expected-error @below {{has no SIMT emulation for this form (E4M3FN, rn, satfinite, without relu)}}
      %codes = nvvm.convert.f32x2.to.f8x2 %x, %x {rnd = #nvvm.fp_rnd_mode<rn>, sat = #nvvm.sat_mode<satfinite>} : vector<2xi8> (f8E5M2)
      llvm.store %codes, %out : vector<2xi8>, !llvm.ptr<1>
      llvm.return
    }
  }
}

// -----

// Rounding to E2M1 without relu only.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.func @k(%out: !llvm.ptr<1>, %x: f32) attributes {gpu.kernel, gpu.known_block_size = array<i32: 32, 1, 1>, nvvm.kernel} {
      // expected-error @below {{has no SIMT emulation for this form (without relu)}}
      %codes = nvvm.convert.f32x2.to.f4x2 %x, %x {relu = true} : i8 (f4E2M1FN)
      llvm.store %codes, %out : i8, !llvm.ptr<1>
      llvm.return
    }
  }
}

// -----

// gfx950's truncations only at scale 1 (the kernels scale the values
// themselves), and only into one of a word's four bytes.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.func @k(%out: !llvm.ptr, %bits: i32, %word: i32) attributes {gpu.kernel, gpu.known_block_size = array<i32: 64, 1, 1>, rocdl.kernel} {
      %x = llvm.bitcast %bits : i32 to f32
      %two = llvm.mlir.constant(2.0 : f32) : f32
      %old = llvm.mlir.zero : vector<2xi16>
      // expected-error @below {{'rocdl.cvt.scalef32.pk.fp8.f32' op has no SIMT emulation for this form (scale 1)}}
      %fp8 = rocdl.cvt.scalef32.pk.fp8.f32 %x, %x, %two -> %old[false] : vector<2xi16>
      llvm.store %fp8, %out : vector<2xi16>, !llvm.ptr
      llvm.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.func @k(%out: !llvm.ptr, %bits: i32, %word: i32) attributes {gpu.kernel, gpu.known_block_size = array<i32: 64, 1, 1>, rocdl.kernel} {
      %x = llvm.bitcast %bits : i32 to f32
      %one = llvm.mlir.constant(1.0 : f32) : f32
      // expected-error @below {{'rocdl.cvt.scalef32.pk.fp4.f32' op selects byte 4 of a 4-byte word}}
      %fp4 = rocdl.cvt.scalef32.pk.fp4.f32 %x, %x, %one -> %word[4] : i32
      llvm.store %fp4, %out : i32, !llvm.ptr
      llvm.return
    }
  }
}

// -----

// gfx950's scaled MFMA only on the formats the emulator decodes: E4M3FN
// (0) and E2M1 (4); E5M2 (1) is refused.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.func @k(%out: !llvm.ptr, %scale: i32) attributes {gpu.kernel, gpu.known_block_size = array<i32: 64, 1, 1>, rocdl.kernel} {
      %a = llvm.mlir.constant(dense<0> : vector<8xi32>) : vector<8xi32>
      %c = llvm.mlir.constant(dense<0.0> : vector<4xf32>) : vector<4xf32>
      %zero = llvm.mlir.constant(0 : i32) : i32
      %e5m2 = llvm.mlir.constant(1 : i32) : i32
      // expected-error @below {{'rocdl.mfma.scale.f32.16x16x128.f8f6f4' op has no SIMT emulation for format 1 (E4M3FN = 0 and E2M1 = 4 only)}}
      %d = rocdl.mfma.scale.f32.16x16x128.f8f6f4 %a, %a, %c, %e5m2, %zero, %zero, %scale, %zero, %scale : (vector<8xi32>, vector<8xi32>, vector<4xf32>, i32, i32, i32, i32, i32, i32) -> vector<4xf32>
      llvm.store %d, %out : vector<4xf32>, !llvm.ptr
      llvm.return
    }
  }
}

// -----

// A's words must be the format's: 4 for E2M1, 8 for E4M3FN.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.func @k(%out: !llvm.ptr, %scale: i32) attributes {gpu.kernel, gpu.known_block_size = array<i32: 64, 1, 1>, rocdl.kernel} {
      %a = llvm.mlir.constant(dense<0> : vector<8xi32>) : vector<8xi32>
      %c = llvm.mlir.constant(dense<0.0> : vector<4xf32>) : vector<4xf32>
      %zero = llvm.mlir.constant(0 : i32) : i32
      %e2m1 = llvm.mlir.constant(4 : i32) : i32
      // expected-error @below {{has A of type 'vector<8xi32>', but format 4 takes 'vector<4xi32>'}}
      %d = rocdl.mfma.scale.f32.16x16x128.f8f6f4 %a, %a, %c, %e2m1, %zero, %zero, %scale, %zero, %scale : (vector<8xi32>, vector<8xi32>, vector<4xf32>, i32, i32, i32, i32, i32, i32) -> vector<4xf32>
      llvm.store %d, %out : vector<4xf32>, !llvm.ptr
      llvm.return
    }
  }
}

// -----

// cbsz, blgp and opsel are the instruction's immediates.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.func @k(%out: !llvm.ptr, %scale: i32, %opsel: i32) attributes {gpu.kernel, gpu.known_block_size = array<i32: 64, 1, 1>, rocdl.kernel} {
      %a = llvm.mlir.constant(dense<0> : vector<8xi32>) : vector<8xi32>
      %c = llvm.mlir.constant(dense<0.0> : vector<4xf32>) : vector<4xf32>
      %zero = llvm.mlir.constant(0 : i32) : i32
      // expected-error @below {{has no SIMT emulation for this form (constant cbsz, blgp and opsel)}}
      %d = rocdl.mfma.scale.f32.16x16x128.f8f6f4 %a, %a, %c, %zero, %zero, %opsel, %scale, %zero, %scale : (vector<8xi32>, vector<8xi32>, vector<4xf32>, i32, i32, i32, i32, i32, i32) -> vector<4xf32>
      llvm.store %d, %out : vector<4xf32>, !llvm.ptr
      llvm.return
    }
  }
}

// -----

// Tensor memory moves by the 32x32b shape only (a lane per thread).
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.func @k(%out: !llvm.ptr<1>, %address: i32) attributes {gpu.kernel, gpu.known_block_size = array<i32: 128, 1, 1>, nvvm.kernel} {
      %t = llvm.inttoptr %address : i32 to !llvm.ptr<6>
      // expected-error @below {{'nvvm.tcgen05.ld' op has no SIMT emulation for this form (32x32b, no pack or unpack, no offset)}}
      %v = nvvm.tcgen05.ld %t {shape = #nvvm.tcgen05_ldst_shape<shape_16x64b>} : vector<2xi32>
      llvm.store %v, %out : vector<2xi32>, !llvm.ptr<1>
      llvm.return
    }
  }
}

// -----

// Nor does the emulator unpack 16-bit halves into tensor memory.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.func @k(%out: !llvm.ptr<1>, %address: i32, %value: i32) attributes {gpu.kernel, gpu.known_block_size = array<i32: 128, 1, 1>, nvvm.kernel} {
      %t = llvm.inttoptr %address : i32 to !llvm.ptr<6>
      // expected-error @below {{'nvvm.tcgen05.st' op has no SIMT emulation for this form (32x32b, no pack or unpack, no offset)}}
      nvvm.tcgen05.st %t, %value unpack {shape = #nvvm.tcgen05_ldst_shape<shape_32x32b>} : i32
      llvm.return
    }
  }
}

// -----

// The block-scaled MMA only as kind::mxf8f6f4 with A in shared memory.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.func @k(%out: !llvm.ptr<1>, %address: i32, %idesc: i32) attributes {gpu.kernel, gpu.known_block_size = array<i32: 128, 1, 1>, nvvm.kernel} {
      %t = llvm.inttoptr %address : i32 to !llvm.ptr<6>
      %b = llvm.zext %idesc : i32 to i64
      %false = llvm.mlir.constant(false) : i1
      // expected-error @below {{'nvvm.tcgen05.mma.block_scale' op has no SIMT emulation for this form (kind::mxf8f6f4, cta_group::1, block32, collector discard, A in shared memory)}}
      nvvm.tcgen05.mma.block_scale %t, %t, %b, %idesc, %false, %t, %t {kind = #nvvm.block_scale_kind<mxf8f6f4>, ctaGroup = #nvvm.cta_group<cta_1>, blockScale = #nvvm.tcgen05_mma_block_scale<block32>} : (!llvm.ptr<6>, !llvm.ptr<6>, i64, i32, i1, !llvm.ptr<6>, !llvm.ptr<6>)
      llvm.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.func @k(%out: !llvm.ptr<1>, %address: i32, %idesc: i32) attributes {gpu.kernel, gpu.known_block_size = array<i32: 128, 1, 1>, nvvm.kernel} {
      %t = llvm.inttoptr %address : i32 to !llvm.ptr<6>
      %d = llvm.zext %idesc : i32 to i64
      %false = llvm.mlir.constant(false) : i1
      // expected-error @below {{'nvvm.tcgen05.mma.block_scale' op has no SIMT emulation for this form}}
      nvvm.tcgen05.mma.block_scale %t, %d, %d, %idesc, %false, %t, %t {kind = #nvvm.block_scale_kind<mxf4>, ctaGroup = #nvvm.cta_group<cta_1>, blockScale = #nvvm.tcgen05_mma_block_scale<block32>} : (!llvm.ptr<6>, i64, i64, i32, i1, !llvm.ptr<6>, !llvm.ptr<6>)
      llvm.return
    }
  }
}

// -----

// One CTA per cluster: a commit that multicasts to other CTAs is refused.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.mlir.global internal @mbar() {addr_space = 3 : i32, alignment = 8 : i64} : i64
    llvm.func @k(%out: !llvm.ptr<1>) attributes {gpu.kernel, gpu.known_block_size = array<i32: 32, 1, 1>, nvvm.kernel} {
      %mbar = llvm.mlir.addressof @mbar : !llvm.ptr<3>
      %mask = llvm.mlir.constant(3 : i16) : i16
      // expected-error @below {{'nvvm.tcgen05.commit' op has no SIMT emulation for this form (cta_group::1, no multicast)}}
      nvvm.tcgen05.commit %mbar, multicast_mask = %mask : !llvm.ptr<3>, i16
      llvm.return
    }
  }
}

// -----

// mbarrier.try_wait only on a phase parity, without a time limit.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.mlir.global internal @mbar() {addr_space = 3 : i32, alignment = 8 : i64} : i64
    llvm.func @k(%out: !llvm.ptr<1>, %ticks: i32) attributes {gpu.kernel, gpu.known_block_size = array<i32: 32, 1, 1>, nvvm.kernel} {
      %mbar = llvm.mlir.addressof @mbar : !llvm.ptr<3>
      %c0 = llvm.mlir.constant(0 : i32) : i32
      // expected-error @below {{'nvvm.mbarrier.try_wait' op has no SIMT emulation for this form (an i32 phase parity, no time limit)}}
      %done = nvvm.mbarrier.try_wait %mbar, %c0, %ticks : !llvm.ptr<3>, i32, i32 -> i1
      llvm.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.mlir.global internal @mbar() {addr_space = 3 : i32, alignment = 8 : i64} : i64
    llvm.func @k(%out: !llvm.ptr<1>, %p: i32) attributes {gpu.kernel, gpu.known_block_size = array<i32: 32, 1, 1>, nvvm.kernel} {
      %mbar = llvm.mlir.addressof @mbar : !llvm.ptr<3>
      %c1 = llvm.mlir.constant(1 : i32) : i32
      %pred = llvm.trunc %p : i32 to i1
      // expected-error @below {{'nvvm.mbarrier.init' op has no SIMT emulation for this form (no predicate)}}
      nvvm.mbarrier.init %mbar, %c1, predicate = %pred : !llvm.ptr<3>, i32, i1
      llvm.return
    }
  }
}

// -----

// Tensor memory of one CTA (cta_group::1).
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.mlir.global internal @slot() {addr_space = 3 : i32, alignment = 16 : i64} : i32
    llvm.func @k(%out: !llvm.ptr<1>) attributes {gpu.kernel, gpu.known_block_size = array<i32: 32, 1, 1>, nvvm.kernel} {
      %slot = llvm.mlir.addressof @slot : !llvm.ptr<3>
      %c32 = llvm.mlir.constant(32 : i32) : i32
      // expected-error @below {{'nvvm.tcgen05.alloc' op has no SIMT emulation for this form (cta_group::1)}}
      nvvm.tcgen05.alloc %slot, %c32 {group = #nvvm.cta_group<cta_2>} : !llvm.ptr<3>, i32
      llvm.return
    }
  }
}
