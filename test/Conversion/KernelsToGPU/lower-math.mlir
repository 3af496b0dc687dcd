// RUN: sieve-opt %s --split-input-file --pass-pipeline='builtin.module(gpu.module(sieve-gpu-lower-math))' | FileCheck %s

// What approximation leaves becomes the LLVM intrinsic (one instruction on
// both GPUs), not a libdevice / ocml call; other math ops and other types
// are left for the legality check to name.
// CHECK-LABEL: gpu.func @math
// CHECK: llvm.call_intrinsic "llvm.fabs.f32"(%{{.*}}) : (f32) -> f32
// CHECK: llvm.call_intrinsic "llvm.floor.f32"
// CHECK: llvm.call_intrinsic "llvm.ceil.f32"
// CHECK: llvm.call_intrinsic "llvm.roundeven.f32"
// CHECK: llvm.call_intrinsic "llvm.sqrt.f64"(%{{.*}}) : (f64) -> f64
// CHECK: llvm.call_intrinsic "llvm.fma.v4f32"(%{{.*}}, %{{.*}}, %{{.*}}) : (vector<4xf32>, vector<4xf32>, vector<4xf32>) -> vector<4xf32>
// CHECK: math.sqrt %{{.*}} : f16
// CHECK: math.tanh
gpu.module @kernels {
  gpu.func @math(%x: f32, %d: f64, %v: vector<4xf32>, %h: f16) {
    %a = math.absf %x : f32
    %b = math.floor %a : f32
    %c = math.ceil %b : f32
    %r = math.roundeven %c : f32
    %s = math.sqrt %d : f64
    %f = math.fma %v, %v, %v : vector<4xf32>
    %hs = math.sqrt %h : f16
    %t = math.tanh %r : f32
    gpu.return
  }
}

// -----

// A count of leading zeros (the quantizers' exponent of a mantissa) is
// LLVM's ctlz with zero defined (the bit width), scalars and vectors.
// CHECK-LABEL: gpu.func @leading_zeros
// CHECK: "llvm.intr.ctlz"(%{{.*}}) <{is_zero_poison = false}> : (i32) -> i32
// CHECK: "llvm.intr.ctlz"(%{{.*}}) <{is_zero_poison = false}> : (vector<4xi32>) -> vector<4xi32>
// CHECK-NOT: math.ctlz
gpu.module @counts {
  gpu.func @leading_zeros(%x: i32, %v: vector<4xi32>) {
    %a = math.ctlz %x : i32
    %b = math.ctlz %v : vector<4xi32>
    gpu.return
  }
}
