// RUN: sieve-opt %s --split-input-file --verify-diagnostics --sieve-cpu-configure-kernels | FileCheck %s
// RUN: sieve-opt %s --split-input-file --verify-diagnostics --sieve-cpu-configure-kernels="target=cpu:x86-64-v3" | FileCheck %s --check-prefix=OPTION

// The table per target: AVX-512 takes 16 f32 lanes, AVX2 8; a sum of bf16
// products takes 32 bf16 elements per vdpbf16ps where the CPU has
// AVX512-BF16 (x86-64-v4 itself does not), else the plain lanes. AVX-512
// permutes lanes, so a 16-entry table lookup may be one vpermps. Every
// vectorized sum keeps four vectors of partial sums.
// CHECK-LABEL: module @v4 attributes {sieve.target = "cpu:x86-64-v4"}
// CHECK: } {sieve.jam_columns = 16 : i64, sieve.lookup = "avx512.permvar", sieve.partial_sums = 4 : i64, sieve.reduction, sieve.vector_width = 16 : i64}
// CHECK: } {sieve.dot_inputs = "bf16", sieve.jam_columns = 16 : i64, sieve.lookup = "avx512.permvar", sieve.partial_sums = 4 : i64, sieve.reduction, sieve.vector_width = 16 : i64}
// CHECK-NEXT: scf.for
// CHECK-NOT: sieve.vector_width
// CHECK: return
module @v4 attributes {sieve.target = "cpu:x86-64-v4"} {
  func.func @k(%m: memref<64xf32>, %n: index) -> (f32, f32, f32) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %zero = arith.constant 0.0 : f32
    %a = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> f32 {
      %x = memref.load %m[%i] : memref<64xf32>
      %s = arith.addf %acc, %x : f32
      scf.yield %s : f32
    } {sieve.reduction}
    %b = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> f32 {
      %x = memref.load %m[%i] : memref<64xf32>
      %s = arith.addf %acc, %x : f32
      scf.yield %s : f32
    } {sieve.reduction, sieve.dot_inputs = "bf16"}
    %c = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> f32 {
      %x = memref.load %m[%i] : memref<64xf32>
      %s = arith.addf %acc, %x : f32
      scf.yield %s : f32
    }
    return %a, %b, %c : f32, f32, f32
  }
}

// -----

// CHECK-LABEL: module @bf16 attributes {sieve.target = "cpu:x86-64-v4+avx512bf16"}
// CHECK: } {sieve.jam_columns = 16 : i64, sieve.lookup = "avx512.permvar", sieve.partial_sums = 4 : i64, sieve.reduction, sieve.vector_width = 16 : i64}
// CHECK: } {sieve.dot = "avx512bf16", sieve.dot_inputs = "bf16", sieve.jam_columns = 16 : i64, sieve.lookup = "avx512.permvar", sieve.partial_sums = 4 : i64, sieve.reduction, sieve.vector_width = 32 : i64}
module @bf16 attributes {sieve.target = "cpu:x86-64-v4+avx512bf16"} {
  func.func @k(%m: memref<64xf32>, %n: index) -> (f32, f32) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %zero = arith.constant 0.0 : f32
    %a = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> f32 {
      %x = memref.load %m[%i] : memref<64xf32>
      %s = arith.addf %acc, %x : f32
      scf.yield %s : f32
    } {sieve.reduction}
    %b = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> f32 {
      %x = memref.load %m[%i] : memref<64xf32>
      %s = arith.addf %acc, %x : f32
      scf.yield %s : f32
    } {sieve.reduction, sieve.dot_inputs = "bf16"}
    return %a, %b : f32, f32
  }
}

// -----

// With VBMI, lookups may also be byte permutations (vpermi2b).
// CHECK-LABEL: module @vbmi attributes {sieve.target = "cpu:x86-64-v4+avx512bf16+avx512vbmi"}
// CHECK: } {sieve.dot = "avx512bf16", sieve.dot_inputs = "bf16", sieve.jam_columns = 16 : i64, sieve.lookup = "avx512.vbmi", sieve.partial_sums = 4 : i64, sieve.reduction, sieve.vector_width = 32 : i64}
module @vbmi attributes {sieve.target = "cpu:x86-64-v4+avx512bf16+avx512vbmi"} {
  func.func @k(%m: memref<64xf32>, %n: index) -> f32 {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %zero = arith.constant 0.0 : f32
    %b = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> f32 {
      %x = memref.load %m[%i] : memref<64xf32>
      %s = arith.addf %acc, %x : f32
      scf.yield %s : f32
    } {sieve.reduction, sieve.dot_inputs = "bf16"}
    return %b : f32
  }
}

// -----

// AVX2: 8 lanes. Without a target (and no option) nothing is configured.
// CHECK-LABEL: module @v3 attributes {sieve.target = "cpu:x86-64-v3"}
// CHECK: } {sieve.jam_columns = 8 : i64, sieve.partial_sums = 4 : i64, sieve.reduction, sieve.vector_width = 8 : i64}
module @v3 attributes {sieve.target = "cpu:x86-64-v3"} {
  func.func @k(%m: memref<64xf32>, %n: index) -> f32 {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %zero = arith.constant 0.0 : f32
    %a = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> f32 {
      %x = memref.load %m[%i] : memref<64xf32>
      %s = arith.addf %acc, %x : f32
      scf.yield %s : f32
    } {sieve.reduction}
    return %a : f32
  }
}

// -----

// CHECK-LABEL: module @untargeted {
// CHECK: } {sieve.reduction}
// OPTION-LABEL: module @untargeted {
// OPTION: } {sieve.jam_columns = 8 : i64, sieve.partial_sums = 4 : i64, sieve.reduction, sieve.vector_width = 8 : i64}
module @untargeted {
  func.func @k(%m: memref<64xf32>, %n: index) -> f32 {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %zero = arith.constant 0.0 : f32
    %a = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> f32 {
      %x = memref.load %m[%i] : memref<64xf32>
      %s = arith.addf %acc, %x : f32
      scf.yield %s : f32
    } {sieve.reduction}
    return %a : f32
  }
}

// -----

// expected-error @+1 {{unknown CPU 'x86-64-v7' in target 'cpu:x86-64-v7'}}
module @bad attributes {sieve.target = "cpu:x86-64-v7"} {
}

// -----

// An elementwise loop (sieve.elementwise) gets the plain lanes too (no
// partial sums: it has none).
// CHECK-LABEL: module @elementwise
// CHECK: } {sieve.elementwise, sieve.lookup = "avx512.permvar", sieve.vector_width = 16 : i64}
module @elementwise attributes {sieve.target = "cpu:x86-64-v4+avx512bf16"} {
  func.func @k(%m: memref<64xf32>, %n: index) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %buf = memref.alloca() : memref<64xf32>
    scf.for %i = %c0 to %n step %c1 {
      %x = memref.load %m[%i] : memref<64xf32>
      memref.store %x, %buf[%i] : memref<64xf32>
    } {sieve.elementwise}
    return
  }
}
