// RUN: sieve-opt %s --split-input-file --verify-diagnostics --sieve-cpu-check-legality | FileCheck %s

// LLVM ops and calls between functions of the module pass.
// CHECK-LABEL: llvm.func @k
llvm.func @k(%x: f32) -> f32 {
  %y = llvm.call @helper(%x) : (f32) -> f32
  %z = llvm.intr.fma(%x, %y, %x) : (f32, f32, f32) -> f32
  llvm.return %z : f32
}
llvm.func internal @helper(%x: f32) -> f32 {
  llvm.return %x : f32
}

// -----

llvm.func @leftover(%x: i32) -> i32 {
  // expected-error @+1 {{'arith.addi' op cannot be compiled for the CPU target: it was not lowered to the LLVM dialect}}
  %y = arith.addi %x, %x : i32
  llvm.return %y : i32
}

// -----

llvm.func @expf(f32) -> f32
llvm.func @libm(%x: f32) -> f32 {
  // expected-error @+1 {{'llvm.call' op calls @expf, which is not a kernel function: kernels call nothing outside themselves (CPU target)}}
  %y = llvm.call @expf(%x) : (f32) -> f32
  llvm.return %y : f32
}

// -----

llvm.func @indirect(%f: !llvm.ptr, %x: f32) -> f32 {
  // expected-error @+1 {{'llvm.call' op calls through a pointer, which is not a kernel function: kernels call nothing outside themselves (CPU target)}}
  %y = llvm.call %f(%x) : !llvm.ptr, (f32) -> f32
  llvm.return %y : f32
}

// -----

llvm.func @intrinsics(%x: f32, %p: !llvm.ptr, %q: !llvm.ptr, %n: i64) -> f32 {
  // expected-error @+1 {{'llvm.intr.exp' op would become a library call on the CPU target; kernels call nothing outside themselves}}
  %y = llvm.intr.exp(%x) : (f32) -> f32
  // expected-error @+1 {{'llvm.intr.memcpy' op would become a library call on the CPU target; kernels call nothing outside themselves}}
  "llvm.intr.memcpy"(%p, %q, %n) <{isVolatile = false}> : (!llvm.ptr, !llvm.ptr, i64) -> ()
  // expected-error @+1 {{'llvm.frem' op would become a library call on the CPU target; kernels call nothing outside themselves}}
  %z = llvm.frem %x, %y : f32
  llvm.return %z : f32
}

// -----

// A cast the conversions could not resolve, with nothing else wrong.
llvm.func @cast(%x: i64) -> i64 {
  // expected-error @+1 {{'builtin.unrealized_conversion_cast' op is a type conversion the lowering to the CPU target left unresolved}}
  %i = builtin.unrealized_conversion_cast %x : i64 to index
  %y = builtin.unrealized_conversion_cast %i : index to i64
  // expected-error @-1 {{'builtin.unrealized_conversion_cast' op is a type conversion the lowering to the CPU target left unresolved}}
  llvm.return %y : i64
}
