// RUN: sieve-opt %s --split-input-file --verify-diagnostics

program.executable @kernels {
  func.func @k(%a: memref<?xi8>, %b: memref<?xi8>) attributes {sieve.kernel} {
    return
  }
}
func.func @tied_count(%x: tensor<4xf32>) {
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{has 2 tied entries for 1 results}}
  %y = program.dispatch @kernels::@k[%c1](%x) {tied = array<i64: -1, -1>}
      : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

program.executable @kernels {
  func.func @k(%a: memref<?xi8>) attributes {sieve.kernel} {
    return
  }
}
func.func @tied_past_bindings(%x: tensor<4xf32>) {
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{result 0 is tied to binding 3, which does not exist}}
  %y = program.dispatch @kernels::@k[%c1](%x) {tied = array<i64: 3>}
      : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

program.executable @kernels {
  func.func @k(%a: memref<?xi8>) attributes {sieve.kernel} {
    return
  }
}
func.func @tied_type(%x: tensor<4xf32>) {
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{result 0 has type 'tensor<8xf32>' but is tied to a binding of type 'tensor<4xf32>'}}
  %y = program.dispatch @kernels::@k[%c1](%x) {tied = array<i64: 0>}
      : (tensor<4xf32>) -> tensor<8xf32>
  return
}

// -----

program.executable @kernels {
  func.func @k(%a: memref<?xi8>, %b: memref<?xi8>) attributes {sieve.kernel} {
    return
  }
}
func.func @result_dims(%x: tensor<?xf32>) {
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{has 0 result dims for 1 dynamic result sizes}}
  %y = program.dispatch @kernels::@k[%c1](%x) {tied = array<i64: -1>}
      : (tensor<?xf32>) -> tensor<?xf32>
  return
}

// -----

program.executable @kernels {
}
func.func @unknown_kernel(%x: tensor<4xf32>) {
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{names @kernels::@missing, which is not a kernel function}}
  %y = program.dispatch @kernels::@missing[%c1](%x) {tied = array<i64: -1>}
      : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

program.executable @kernels {
  func.func @plain(%a: memref<?xi8>, %b: memref<?xi8>) {
    return
  }
}
func.func @not_a_kernel(%x: tensor<4xf32>) {
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{names @kernels::@plain, which lacks the sieve.kernel attribute}}
  %y = program.dispatch @kernels::@plain[%c1](%x) {tied = array<i64: -1>}
      : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

program.executable @kernels {
  func.func @k(%a: memref<?xi8>, %b: memref<?xi8>, %n: i32) attributes {sieve.kernel} {
    return
  }
}
func.func @arity(%x: tensor<4xf32>) {
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{passes 1 bindings, 1 result bindings and 0 constants, but @kernels::@k takes 3 arguments}}
  %y = program.dispatch @kernels::@k[%c1](%x) {tied = array<i64: -1>}
      : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

program.executable @kernels {
  func.func @k(%a: memref<?xi8>, %b: memref<?xi8>) attributes {sieve.kernel} {
    return
  }
}
func.func @offsets_per_result(%x: tensor<4xf32>) attributes {program.arena_bytes = 64 : i64} {
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{has 'program.buffer_offsets', which must be an array<i64> with one entry per result (1)}}
  %y = program.dispatch @kernels::@k[%c1](%x) {tied = array<i64: -1>, program.buffer_offsets = array<i64: 0, 64>, program.buffer_bytes = array<i64: 16>}
      : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

program.executable @kernels {
  func.func @k(%a: memref<?xi8>, %b: memref<?xi8>) attributes {sieve.kernel} {
    return
  }
}
func.func @unaligned(%x: tensor<4xf32>) attributes {program.arena_bytes = 128 : i64} {
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{has 'program.buffer_offsets' entry 0 = 16, which is not a multiple of 64}}
  %y = program.dispatch @kernels::@k[%c1](%x) {tied = array<i64: -1>, program.buffer_offsets = array<i64: 16>, program.buffer_bytes = array<i64: 16>}
      : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

program.executable @kernels {
  func.func @k(%a: memref<?xi8>) attributes {sieve.kernel} {
    return
  }
}
func.func @tied_offset(%x: tensor<4xf32>) attributes {program.arena_bytes = 128 : i64} {
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{has 'program.buffer_offsets' entry 0 = 0, but the result is tied (-1 expected)}}
  %y = program.dispatch @kernels::@k[%c1](%x) {tied = array<i64: 0>, program.buffer_offsets = array<i64: 0>, program.buffer_bytes = array<i64: 0>}
      : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

program.executable @kernels {
  func.func @k(%a: memref<?xi8>, %b: memref<?xi8>) attributes {sieve.kernel} {
    return
  }
}
func.func @past_arena(%x: tensor<4xf32>) attributes {program.arena_bytes = 64 : i64} {
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{places result 0 at bytes [64, 80), past the arena's 64}}
  %y = program.dispatch @kernels::@k[%c1](%x) {tied = array<i64: -1>, program.buffer_offsets = array<i64: 64>, program.buffer_bytes = array<i64: 16>}
      : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @no_arena(%i: i32) {
  // expected-error @+1 {{has 'program.buffer_offsets', but a placed result needs both 'program.buffer_offsets' and 'program.buffer_bytes' inside a function with 'program.arena_bytes'}}
  %t = tensor.from_elements %i {program.buffer_offsets = array<i64: 0>} : tensor<1xi32>
  return
}

// -----

// expected-error @+1 {{has 'program.arena_bytes', which must be a non-negative integer on a function}}
func.func @negative_arena() attributes {program.arena_bytes = -1 : i64} {
  return
}
