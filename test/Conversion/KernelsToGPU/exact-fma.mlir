// RUN: sieve-opt %s --split-input-file --sieve-gpu-exact-fma | FileCheck %s

// A GEMM term: a bf16 activation times a decoded FP8 weight (f16: 11 bits)
// is exact (19 bits), and so is that product times an E8M0 scale (an
// exponent field: a power of two). The sum's add and the scale's multiply
// become one fma; the first product stays.
// CHECK-LABEL: func.func @gemm_term
// CHECK: %[[P:.*]] = arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK: %[[S:.*]] = arith.bitcast %{{.*}} : i32 to f32
// CHECK: %[[SUM:.*]] = math.fma %[[P]], %[[S]], %arg3 : f32
// CHECK-NOT: arith.addf
// CHECK: return %[[SUM]]
func.func @gemm_term(%x: bf16, %w: f16, %e: i8, %acc: f32) -> f32 {
  %xf = arith.extf %x : bf16 to f32
  %wf = arith.extf %w : f16 to f32
  %p = arith.mulf %xf, %wf : f32
  %e32 = arith.extui %e : i8 to i32
  %c23 = arith.constant 23 : i32
  %field = arith.shli %e32, %c23 : i32
  %c0 = arith.constant 0 : i32
  %tiny = arith.constant 4194304 : i32
  %nan = arith.constant 2143289344 : i32
  %c255 = arith.constant 255 : i32
  %zero = arith.cmpi eq, %e32, %c0 : i32
  %small = arith.select %zero, %tiny, %field : i32
  %bad = arith.cmpi eq, %e32, %c255 : i32
  %bits = arith.select %bad, %nan, %small : i32
  %s = arith.bitcast %bits : i32 to f32
  %t = arith.mulf %p, %s : f32
  %sum = arith.addf %acc, %t : f32
  return %sum : f32
}

// -----

// bf16 values widened by a shift (arith-expand's form) multiplied: 16 bits,
// exact; the product on the left of the add too.
// CHECK-LABEL: func.func @bf16_by_shift
// CHECK: %[[SUM:.*]] = math.fma %{{.*}}, %{{.*}}, %arg2 : f32
// CHECK: return %[[SUM]]
func.func @bf16_by_shift(%a: i16, %b: i16, %acc: f32) -> f32 {
  %c16 = arith.constant 16 : i32
  %a32 = arith.extui %a : i16 to i32
  %b32 = arith.extui %b : i16 to i32
  %ab = arith.shli %a32, %c16 : i32
  %bb = arith.shli %b32, %c16 : i32
  %af = arith.bitcast %ab : i32 to f32
  %bf = arith.bitcast %bb : i32 to f32
  %p = arith.mulf %af, %bf : f32
  %sum = arith.addf %p, %acc : f32
  return %sum : f32
}

// -----

// Left alone: f32 values of unknown width (their product rounds), a product
// used twice, fast-math flags, and f16 arithmetic.
// CHECK-LABEL: func.func @not_exact
// CHECK-NOT: math.fma
// CHECK: arith.addf
// CHECK-LABEL: func.func @used_twice
// CHECK-NOT: math.fma
// CHECK-LABEL: func.func @fast_math
// CHECK-NOT: math.fma
// CHECK-LABEL: func.func @half_precision
// CHECK-NOT: math.fma
func.func @not_exact(%a: f32, %b: f32, %acc: f32) -> f32 {
  %p = arith.mulf %a, %b : f32
  %sum = arith.addf %acc, %p : f32
  return %sum : f32
}
func.func @used_twice(%x: bf16, %y: bf16, %acc: f32) -> (f32, f32) {
  %xf = arith.extf %x : bf16 to f32
  %yf = arith.extf %y : bf16 to f32
  %p = arith.mulf %xf, %yf : f32
  %sum = arith.addf %acc, %p : f32
  return %sum, %p : f32, f32
}
func.func @fast_math(%x: bf16, %y: bf16, %acc: f32) -> f32 {
  %xf = arith.extf %x : bf16 to f32
  %yf = arith.extf %y : bf16 to f32
  %p = arith.mulf %xf, %yf : f32
  %sum = arith.addf %acc, %p fastmath<reassoc> : f32
  return %sum : f32
}
func.func @half_precision(%x: f16, %y: f16, %acc: f16) -> f16 {
  %p = arith.mulf %x, %y : f16
  %sum = arith.addf %acc, %p : f16
  return %sum : f16
}
