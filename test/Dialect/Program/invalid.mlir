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
