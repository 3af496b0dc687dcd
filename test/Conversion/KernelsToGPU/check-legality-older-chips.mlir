// RUN: sieve-opt %s --verify-diagnostics --pass-pipeline='builtin.module(gpu.module(sieve-gpu-check-legality{chip=sm_90}))'
// RUN: not sieve-opt %s --pass-pipeline='builtin.module(gpu.module(sieve-gpu-check-legality{chip=sm_80}))' 2>&1 | FileCheck %s --check-prefix=SM80
// RUN: not sieve-opt %s --pass-pipeline='builtin.module(gpu.module(sieve-gpu-check-legality{chip=gfx942}))' 2>&1 | FileCheck %s --check-prefix=GFX942
// RUN: not sieve-opt %s --pass-pipeline='builtin.module(gpu.module(sieve-gpu-check-legality{chip=gfx950}))' 2>&1 | FileCheck %s --check-prefix=GFX950

// sieve-gpu-check-legality (as check-legality.mlir) on chips without the
// small-float conversions: LLVM 22 aborts on cvt from and to e4m3x2 below
// sm_89 and from and to e2m1x2 outside the sm_100a family; AMDGPU emits gfx950's scaled
// conversions for gfx942, which has none.
// SM80: error: 'nvvm.convert.f8x2.to.f16x2' op cannot be compiled for sm_80: LLVM 22 cannot select it for this chip (cvt from e4m3x2 needs sm_89)
// SM80: error: 'nvvm.convert.f32x2.to.f8x2' op cannot be compiled for sm_80: LLVM 22 cannot select it for this chip (cvt to e4m3x2 needs sm_89)
// SM80: error: 'nvvm.convert.f4x2.to.f16x2' op cannot be compiled for sm_80: LLVM 22 cannot select it for this chip (cvt from e2m1x2 needs an sm_100a-family chip)
// SM80: error: 'nvvm.convert.f32x2.to.f4x2' op cannot be compiled for sm_80: LLVM 22 cannot select it for this chip (cvt to e2m1x2 needs an sm_100a-family chip)
// SM80: error: 'nvvm.wgmma.fence.aligned' op cannot be compiled for sm_80: wgmma needs sm_90a
// SM80: error: 'nvvm.wgmma.mma_async' op cannot be compiled for sm_80: wgmma needs sm_90a
// SM80: error: 'nvvm.wgmma.commit.group.sync.aligned' op cannot be compiled for sm_80: wgmma needs sm_90a
// SM80: error: 'nvvm.wgmma.wait.group.sync.aligned' op cannot be compiled for sm_80: wgmma needs sm_90a
// SM80: error: 'nvvm.tcgen05.alloc' op cannot be compiled for sm_80: tcgen05 (the tensor memory and its MMAs) needs an sm_100a-family chip
// SM80: error: 'nvvm.tcgen05.mma.block_scale' op cannot be compiled for sm_80: tcgen05
// SM80: error: 'nvvm.tcgen05.dealloc' op cannot be compiled for sm_80: tcgen05
// gfx950 converts FP8 and FP4 with its own instructions, not NVVM's.
// GFX950: error: 'nvvm.convert.f8x2.to.f16x2' op cannot be compiled for gfx950
// GFX950: error: 'nvvm.convert.f32x2.to.f8x2' op cannot be compiled for gfx950
// GFX950: error: 'nvvm.convert.f4x2.to.f16x2' op cannot be compiled for gfx950
// GFX950: error: 'nvvm.convert.f32x2.to.f4x2' op cannot be compiled for gfx950
// GFX950-NOT: rocdl.cvt.scalef32
// GFX942: error: 'rocdl.cvt.scalef32.pk.f32.fp8' op cannot be compiled for gfx942: the chip has no such instruction (gfx950's scaled conversions)
// GFX942: error: 'rocdl.cvt.scalef32.pk.f32.fp4' op cannot be compiled for gfx942: the chip has no such instruction (gfx950's scaled conversions)
// GFX942: error: 'rocdl.cvt.scalef32.pk.fp8.f32' op cannot be compiled for gfx942: the chip has no such instruction (gfx950's scaled conversions)
// GFX942: error: 'rocdl.cvt.scalef32.pk.fp4.f32' op cannot be compiled for gfx942: the chip has no such instruction (gfx950's scaled conversions)
// GFX942: error: 'nvvm.wgmma.mma_async' op cannot be compiled for gfx942: wgmma needs sm_90a
// GFX942: error: 'rocdl.mfma.scale.f32.16x16x128.f8f6f4' op cannot be compiled for gfx942: the chip has no such instruction (gfx950's scaled MFMA)
// GFX950-NOT: rocdl.mfma.scale
// GFX950: error: 'nvvm.tcgen05.alloc' op cannot be compiled for gfx950: tcgen05
gpu.module @kernels {
  llvm.func @k(%pair: vector<2xi8>, %byte: i8, %word: i32, %scale: f32) attributes {nvvm.kernel} {
    %0 = nvvm.convert.f8x2.to.f16x2 %pair : vector<2xi8>(f8E4M3FN) -> vector<2xf16>
    %codes = nvvm.convert.f32x2.to.f8x2 %scale, %scale {rnd = #nvvm.fp_rnd_mode<rn>, sat = #nvvm.sat_mode<satfinite>} : vector<2xi8> (f8E4M3FN)
    // expected-error @below {{cannot be compiled for sm_90: LLVM 22 cannot select it for this chip (cvt from e2m1x2 needs an sm_100a-family chip)}}
    %1 = nvvm.convert.f4x2.to.f16x2 %byte : i8(f4E2M1FN) -> vector<2xf16>
    // expected-error @below {{cannot be compiled for sm_90: LLVM 22 cannot select it for this chip (cvt to e2m1x2 needs an sm_100a-family chip)}}
    %fp4 = nvvm.convert.f32x2.to.f4x2 %scale, %scale : i8 (f4E2M1FN)
    // expected-error @below {{cannot be compiled for sm_90: the chip has no such instruction (gfx950's scaled conversions)}}
    %2 = rocdl.cvt.scalef32.pk.f32.fp8 %word[false], %scale : vector<2xf32>
    // expected-error @below {{cannot be compiled for sm_90: the chip has no such instruction (gfx950's scaled conversions)}}
    %3 = rocdl.cvt.scalef32.pk.f32.fp4 %word[0], %scale : vector<2xf32>
    %old = llvm.mlir.zero : vector<2xi16>
    // expected-error @below {{cannot be compiled for sm_90: the chip has no such instruction (gfx950's scaled conversions)}}
    %4 = rocdl.cvt.scalef32.pk.fp8.f32 %scale, %scale, %scale -> %old[false] : vector<2xi16>
    // expected-error @below {{cannot be compiled for sm_90: the chip has no such instruction (gfx950's scaled conversions)}}
    %5 = rocdl.cvt.scalef32.pk.fp4.f32 %scale, %scale, %scale -> %word[0] : i32
    llvm.return
  }
  // wgmma is sm_90a's alone: not sm_90 (without the arch-specific features),
  // not sm_80.
  llvm.func @wgmma(%descriptor: i64, %c: !llvm.struct<(f32, f32, f32, f32)>) attributes {nvvm.kernel} {
    // expected-error @below {{cannot be compiled for sm_90: wgmma needs sm_90a}}
    nvvm.wgmma.fence.aligned
    // expected-error @below {{cannot be compiled for sm_90: wgmma needs sm_90a}}
    %d = nvvm.wgmma.mma_async %descriptor, %descriptor, %c, <m = 64, n = 8, k = 16>, D[<f32>, <one>], A[<bf16>, <one>, <row>], B[<bf16>, <one>, <col>] : !llvm.struct<(f32, f32, f32, f32)> -> !llvm.struct<(f32, f32, f32, f32)>
    // expected-error @below {{cannot be compiled for sm_90: wgmma needs sm_90a}}
    nvvm.wgmma.commit.group.sync.aligned
    // expected-error @below {{cannot be compiled for sm_90: wgmma needs sm_90a}}
    nvvm.wgmma.wait.group.sync.aligned 0
    llvm.return
  }
  // The scaled MFMA is gfx950's alone.
  llvm.func @scaled_mfma(%a: vector<8xi32>, %b: vector<4xi32>, %c: vector<4xf32>, %scale: i32) attributes {nvvm.kernel} {
    %zero = llvm.mlir.constant(0 : i32) : i32
    %fp4 = llvm.mlir.constant(4 : i32) : i32
    // expected-error @below {{cannot be compiled for sm_90: the chip has no such instruction (gfx950's scaled MFMA)}}
    %d = rocdl.mfma.scale.f32.16x16x128.f8f6f4 %a, %b, %c, %zero, %fp4, %zero, %scale, %zero, %scale : (vector<8xi32>, vector<4xi32>, vector<4xf32>, i32, i32, i32, i32, i32, i32) -> vector<4xf32>
    llvm.return
  }
  // tcgen05 (the tensor memory and its MMAs) is the sm_100a family's alone.
  llvm.func @tcgen05(%slot: !llvm.ptr<3>, %t: !llvm.ptr<6>, %descriptor: i64, %instruction: i32, %on: i1) attributes {nvvm.kernel} {
    %columns = llvm.mlir.constant(32 : i32) : i32
    // expected-error @below {{cannot be compiled for sm_90: tcgen05 (the tensor memory and its MMAs) needs an sm_100a-family chip}}
    nvvm.tcgen05.alloc %slot, %columns : !llvm.ptr<3>, i32
    // expected-error @below {{cannot be compiled for sm_90: tcgen05 (the tensor memory and its MMAs) needs an sm_100a-family chip}}
    nvvm.tcgen05.mma.block_scale %t, %descriptor, %descriptor, %instruction, %on, %t, %t {kind = #nvvm.block_scale_kind<mxf8f6f4>, ctaGroup = #nvvm.cta_group<cta_1>, blockScale = #nvvm.tcgen05_mma_block_scale<block32>} : (!llvm.ptr<6>, i64, i64, i32, i1, !llvm.ptr<6>, !llvm.ptr<6>)
    // expected-error @below {{cannot be compiled for sm_90: tcgen05 (the tensor memory and its MMAs) needs an sm_100a-family chip}}
    nvvm.tcgen05.dealloc %t, %columns : !llvm.ptr<6>, i32
    llvm.return
  }
}
