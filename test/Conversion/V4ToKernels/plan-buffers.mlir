// RUN: sieve-opt %s --split-input-file --verify-diagnostics --sieve-plan-buffers | FileCheck %s

// Buffers share arena space when their lifetimes do not overlap: in a chain
// of four dispatches each result dies at the next one's, so two 256-byte
// slots suffice.
program.executable @kernels {
  func.func @unary(%in: memref<?xi8>, %out: memref<?xi8>) attributes {sieve.kernel} {
    return
  }
}
// CHECK-LABEL: func.func @chain
// CHECK-SAME: program.arena_bytes = 512 : i64
// CHECK: program.dispatch {{.*}}program.buffer_bytes = array<i64: 256>, program.buffer_offsets = array<i64: 0>
// CHECK: program.dispatch {{.*}}program.buffer_bytes = array<i64: 256>, program.buffer_offsets = array<i64: 256>
// CHECK: program.dispatch {{.*}}program.buffer_bytes = array<i64: 256>, program.buffer_offsets = array<i64: 0>
// CHECK: program.dispatch {{.*}}program.buffer_bytes = array<i64: 256>, program.buffer_offsets = array<i64: 256>
func.func @chain(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %c1 = arith.constant 1 : index
  %a = program.dispatch @kernels::@unary[%c1](%x) {tied = array<i64: -1>} : (tensor<4x16xf32>) -> tensor<4x16xf32>
  %b = program.dispatch @kernels::@unary[%c1](%a) {tied = array<i64: -1>} : (tensor<4x16xf32>) -> tensor<4x16xf32>
  %c = program.dispatch @kernels::@unary[%c1](%b) {tied = array<i64: -1>} : (tensor<4x16xf32>) -> tensor<4x16xf32>
  %d = program.dispatch @kernels::@unary[%c1](%c) {tied = array<i64: -1>} : (tensor<4x16xf32>) -> tensor<4x16xf32>
  return %d : tensor<4x16xf32>
}

// -----

// Dynamic sizes are bounded from v4.max_tokens (10) through reshapes and
// the host's arithmetic: %a is 10x8 bf16 (160 bytes), %b ceil(10/4) = 3 rows
// of 32 FP4 codes packed two per byte (48 bytes), %c like %a. A view (%e)
// keeps %a alive; %c cannot reuse %a (both alive at %c), %b sits above both.
program.executable @kernels {
  func.func @unary(%in: memref<?xi8>, %out: memref<?xi8>, %n: i32) attributes {sieve.kernel} {
    return
  }
  func.func @binary(%x: memref<?xi8>, %y: memref<?xi8>, %out: memref<?xi8>, %n: i32) attributes {sieve.kernel} {
    return
  }
}
// CHECK-LABEL: func.func @sizes
// CHECK-SAME: program.arena_bytes = 432 : i64
// CHECK: program.dispatch @kernels::@unary{{.*}}program.buffer_bytes = array<i64: 160>, program.buffer_offsets = array<i64: 0>
// CHECK: program.dispatch @kernels::@unary{{.*}}program.buffer_bytes = array<i64: 48>, program.buffer_offsets = array<i64: 384>
// CHECK: program.dispatch @kernels::@binary{{.*}}program.buffer_bytes = array<i64: 160>, program.buffer_offsets = array<i64: 192>
func.func @sizes(%tokens: tensor<?xi32>) -> tensor<?x8xbf16> attributes {v4.max_tokens = 10 : i64} {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %tokens, %c0 : tensor<?xi32>
  %n32 = arith.index_cast %n : index to i32
  %a = program.dispatch @kernels::@unary[%n](%tokens) constants(%n32) dims(%n) {tied = array<i64: -1>}
      : (tensor<?xi32>) -> tensor<?x8xbf16>
  %e = tensor.expand_shape %a [[0, 1], [2]] output_shape [%n, 1, 8] : tensor<?x8xbf16> into tensor<?x1x8xbf16>
  %m = affine.apply affine_map<()[s0] -> (s0 ceildiv 4)>()[%n]
  %b = program.dispatch @kernels::@unary[%m](%e) constants(%n32) dims(%m) {tied = array<i64: -1>}
      : (tensor<?x1x8xbf16>) -> tensor<?x32xf4E2M1FN>
  %c = program.dispatch @kernels::@binary[%n](%a, %b) constants(%n32) dims(%n) {tied = array<i64: -1>}
      : (tensor<?x8xbf16>, tensor<?x32xf4E2M1FN>) -> tensor<?x8xbf16>
  return %c : tensor<?x8xbf16>
}

// -----

// A cache is updated in place (a tied result has no arena space) and
// returned as its argument's buffer; the host-filled position tensor gets a
// slot. The layer function is inlined and erased.
program.executable @kernels {
  func.func @append(%cache: memref<?xi8>, %pos: memref<?xi8>) attributes {sieve.kernel} {
    return
  }
}
// CHECK-NOT: func.func private @layer
// CHECK-LABEL: func.func @step
// CHECK-SAME: program.arena_bytes = 4 : i64
// CHECK-NOT: call
// CHECK: tensor.from_elements {{.*}} {program.buffer_bytes = array<i64: 4>, program.buffer_offsets = array<i64: 0>}
// CHECK: %[[NEW:.*]] = program.dispatch @kernels::@append{{.*}}program.buffer_bytes = array<i64: 0>, program.buffer_offsets = array<i64: -1>
// CHECK: program.dispatch @kernels::@append[%{{.*}}] (%[[NEW]],
// CHECK-SAME: program.buffer_offsets = array<i64: -1>
func.func private @layer(%cache: !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, %pos: tensor<1xi32>)
    -> !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {
  %c1 = arith.constant 1 : index
  %new = program.dispatch @kernels::@append[%c1](%cache, %pos) {tied = array<i64: 0>}
      : (!v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, tensor<1xi32>)
      -> !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>
  return %new : !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>
}
func.func @step(%position: index,
                %cache: !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.0.window"})
    -> (!v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "layers.0.window"}) {
  %p = arith.index_cast %position : index to i32
  %t = tensor.from_elements %p : tensor<1xi32>
  %once = call @layer(%cache, %t) : (!v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, tensor<1xi32>)
      -> !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>
  %twice = call @layer(%once, %t) : (!v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, tensor<1xi32>)
      -> !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>
  return %twice : !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>
}

// -----

// Reading a cache after a dispatch updated it in place would need the old
// contents: a copy. The plan refuses.
program.executable @kernels {
  func.func @append(%cache: memref<?xi8>, %pos: memref<?xi8>) attributes {sieve.kernel} {
    return
  }
  func.func @read(%cache: memref<?xi8>, %out: memref<?xi8>) attributes {sieve.kernel} {
    return
  }
}
func.func @stale(%pos: tensor<1xi32>, %cache: !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>)
    -> (tensor<4xf32>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>) {
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{updates a '!v4.window<batch = 2, rows = 16, dim = 128, element = bf16>' in place that is read again later; the old value would need a copy}}
  %new = program.dispatch @kernels::@append[%c1](%cache, %pos) {tied = array<i64: 0>}
      : (!v4.window<batch = 2, rows = 16, dim = 128, element = bf16>, tensor<1xi32>)
      -> !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>
  %old = program.dispatch @kernels::@read[%c1](%cache) {tied = array<i64: -1>}
      : (!v4.window<batch = 2, rows = 16, dim = 128, element = bf16>) -> tensor<4xf32>
  return %old, %new : tensor<4xf32>, !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>
}

// -----

// A cache returned in a new buffer would have to be copied back.
program.executable @kernels {
  func.func @fresh(%pos: memref<?xi8>, %out: memref<?xi8>) attributes {sieve.kernel} {
    return
  }
}
// expected-error @+1 {{returns cache 'w' in a buffer other than its argument's; it would need a copy}}
func.func @copied(%pos: tensor<1xi32>, %cache: !v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "w"})
    -> (!v4.window<batch = 2, rows = 16, dim = 128, element = bf16> {v4.cache = "w"}) {
  %c1 = arith.constant 1 : index
  %new = program.dispatch @kernels::@fresh[%c1](%pos) {tied = array<i64: -1>}
      : (tensor<1xi32>) -> !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>
  return %new : !v4.window<batch = 2, rows = 16, dim = 128, element = bf16>
}

// -----

// Weights are never written.
program.executable @kernels {
  func.func @scale(%w: memref<?xi8>) attributes {sieve.kernel} {
    return
  }
}
func.func @weight() -> tensor<4xf32> {
  %c1 = arith.constant 1 : index
  %w = v4.param "norm.weight" : tensor<4xf32>
  // expected-error @+1 {{writes result 0 in place into a weight or an input, which the program must not change}}
  %s = program.dispatch @kernels::@scale[%c1](%w) {tied = array<i64: 0>} : (tensor<4xf32>) -> tensor<4xf32>
  return %s : tensor<4xf32>
}

// -----

// Without v4.max_tokens a token count has no bound.
program.executable @kernels {
  func.func @unary(%in: memref<?xi8>, %out: memref<?xi8>) attributes {sieve.kernel} {
    return
  }
}
// expected-error @+1 {{has argument 0 with a dynamic size but no v4.max_tokens to bound it}}
func.func @unbounded(%x: tensor<?xf32>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %y = program.dispatch @kernels::@unary[%n](%x) dims(%n) {tied = array<i64: -1>} : (tensor<?xf32>) -> tensor<?xf32>
  return %y : tensor<?xf32>
}

// -----

// A size computed from a scalar argument (not a token count) has no bound.
program.executable @kernels {
  func.func @make(%out: memref<?xi8>) attributes {sieve.kernel} {
    return
  }
}
func.func @scalar_size(%n: index) -> tensor<?xf32> attributes {v4.max_tokens = 8 : i64} {
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{sizes a buffer by argument 0; the buffer plan bounds sizes by token counts only}}
  %y = program.dispatch @kernels::@make[%c1]() dims(%n) {tied = array<i64: -1>} : () -> tensor<?xf32>
  return %y : tensor<?xf32>
}
