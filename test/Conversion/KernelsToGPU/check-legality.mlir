// RUN: sieve-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(gpu.module(sieve-gpu-check-legality{chip=sm_100a}))'

// A lowered module passes: LLVM and NVVM ops, calls inside the module.
gpu.module @kernels {
  llvm.func internal @body() {
    llvm.return
  }
  llvm.func @k() attributes {nvvm.kernel} {
    %0 = nvvm.read.ptx.sreg.tid.x : i32
    llvm.call @body() : () -> ()
    llvm.return
  }
}

// -----

gpu.module @kernels {
  llvm.func @__nv_expf(f32) -> f32
  llvm.func @k(%x: f32) attributes {nvvm.kernel} {
    // expected-error @below {{calls @__nv_expf, which is not a kernel function: kernels call nothing outside themselves (sm_100a)}}
    %0 = llvm.call @__nv_expf(%x) : (f32) -> f32
    llvm.return
  }
}

// -----

gpu.module @kernels {
  llvm.func @k(%x: f32) attributes {nvvm.kernel} {
    // expected-error @below {{cannot be compiled for sm_100a: it was not lowered to the LLVM, NVVM or ROCDL dialect}}
    %0 = math.exp %x : f32
    llvm.return
  }
}

// -----

// LLVM 22 aborts on the warp-level block-scaled MMA for sm_100a.
gpu.module @kernels {
  llvm.func @k(%a: i32, %b: i32, %c: f32, %scale: i32, %byte: i16, %thread: i16) attributes {nvvm.kernel} {
    // expected-error @below {{cannot be compiled for sm_100a: LLVM 22 cannot select it for this chip}}
    %0 = nvvm.mma.block_scale A[%a, %a, %a, %a] B[%b, %b] C[%c, %c, %c, %c]
                              scaleA[%scale, %byte, %thread] scaleB[%scale, %byte, %thread]
                              {shape = #nvvm.shape<m = 16, n = 8, k = 32>,
                               multiplicandAPtxType = #nvvm.mma_type<e2m1>,
                               multiplicandBPtxType = #nvvm.mma_type<e2m1>,
                               scaleVecSize = #nvvm.scale_vec_size<x1>,
                               blockScaleFormat = #nvvm.block_scale_format<ue8m0>,
                               kind = #nvvm.block_scale_kind<mxf8f6f4>}
        : (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
    llvm.return
  }
}

// -----

// sm_100a converts E4M3 and E2M1 pairs; gfx950's scaled conversion is not
// an NVIDIA instruction.
gpu.module @kernels {
  llvm.func @k(%pair: vector<2xi8>, %byte: i8, %word: i32, %scale: f32) attributes {nvvm.kernel} {
    %0 = nvvm.convert.f8x2.to.f16x2 %pair : vector<2xi8>(f8E4M3FN) -> vector<2xf16>
    %1 = nvvm.convert.f4x2.to.f16x2 %byte : i8(f4E2M1FN) -> vector<2xf16>
    // expected-error @below {{cannot be compiled for sm_100a: the chip has no such instruction (gfx950's scaled conversions)}}
    %2 = rocdl.cvt.scalef32.pk.f32.fp8 %word[false], %scale : vector<2xf32>
    llvm.return
  }
}
