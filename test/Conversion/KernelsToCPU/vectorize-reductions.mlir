// RUN: sieve-opt %s --split-input-file --sieve-cpu-vectorize-reductions | FileCheck %s

// A configured fp32 sum over contiguous loads: 16-lane partial sums over
// whole vectors, one reduction (reassociating), then the original loop for
// the rest, starting where the vectors stopped. Values that do not move with
// the iteration (the scale) stay scalar and are splat once.
// CHECK-LABEL: func.func @sum
// CHECK-SAME: (%[[A:.*]]: memref<?xf32>, %[[B:.*]]: memref<?xf32>, %[[S:.*]]: f32, %[[LB:.*]]: index, %[[UB:.*]]: index)
// CHECK: %[[C16:.*]] = arith.constant 16 : index
// CHECK: %[[N:.*]] = arith.maxsi
// CHECK: %[[REM:.*]] = arith.remui %[[N]], %[[C16]]
// CHECK: %[[WHOLE:.*]] = arith.subi %[[N]], %[[REM]]
// CHECK: %[[END:.*]] = arith.addi %[[LB]], %[[WHOLE]]
// CHECK: %[[ZEROS:.*]] = arith.constant dense<0.000000e+00> : vector<16xf32>
// CHECK: %[[V:.*]] = scf.for %[[I:.*]] = %[[LB]] to %[[END]] step %[[C16]] iter_args(%[[P:.*]] = %[[ZEROS]]) -> (vector<16xf32>) {
// CHECK:   %[[X:.*]] = vector.load %[[A]][%[[I]]] : memref<?xf32>, vector<16xf32>
// CHECK:   %[[Y:.*]] = vector.load %[[B]][%[[I]]] : memref<?xf32>, vector<16xf32>
// CHECK:   %[[XY:.*]] = arith.mulf %[[X]], %[[Y]] : vector<16xf32>
// CHECK:   %[[SPLAT:.*]] = vector.broadcast %[[S]] : f32 to vector<16xf32>
// CHECK:   %[[T:.*]] = arith.mulf %[[XY]], %[[SPLAT]] fastmath<contract>
// CHECK:   %[[NEXT:.*]] = arith.addf %[[P]], %[[T]] fastmath<contract> : vector<16xf32>
// CHECK:   scf.yield %[[NEXT]]
// CHECK: %[[SUM:.*]] = vector.reduction <add>, %[[V]], %{{.*}} fastmath<reassoc,contract> : vector<16xf32> into f32
// CHECK: scf.for %{{.*}} = %[[END]] to %[[UB]] step %{{.*}} iter_args(%{{.*}} = %[[SUM]]) -> (f32) {
// CHECK-NOT: sieve.
// CHECK: return
func.func @sum(%a: memref<?xf32>, %b: memref<?xf32>, %s: f32, %lb: index, %ub: index) -> f32 {
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %r = scf.for %i = %lb to %ub step %c1 iter_args(%acc = %zero) -> f32 {
    %x = memref.load %a[%i] : memref<?xf32>
    %y = memref.load %b[%i] : memref<?xf32>
    %xy = arith.mulf %x, %y : f32
    %t = arith.mulf %xy, %s : f32
    %next = arith.addf %acc, %t : f32
    scf.yield %next : f32
  } {sieve.reduction, sieve.vector_width = 16 : i64}
  return %r : f32
}

// -----

// A load at base + iv is contiguous. Element iv of two 4-bit codes per
// byte, (byte[iv / 2] >> 4 * (iv % 2)) & 15 with every chunk starting at an
// even iv, is half as many contiguous bytes, each widened to 32 bits with
// its high nibble moved to bits 16-19: the 16-bit halves are the codes in
// element order, without byte shuffles.
// CHECK-LABEL: func.func @nibbles
// CHECK: scf.for %[[I:.*]] = {{.*}} iter_args({{.*}}) -> (vector<8xf32>) {
// CHECK:   %[[AT:.*]] = arith.addi %{{.*}}, %[[I]] : index
// CHECK:   vector.load %{{.*}}[%[[AT]]] : memref<?xf32>, vector<8xf32>
// CHECK:   %[[HALF:.*]] = arith.divui %[[I]], %{{.*}} : index
// CHECK:   %[[BYTES:.*]] = vector.load %{{.*}}[%[[HALF]]] : memref<?xi8>, vector<4xi8>
// CHECK:   %[[WIDE:.*]] = arith.extui %[[BYTES]] : vector<4xi8> to vector<4xi32>
// CHECK:   %[[UP:.*]] = arith.shli %[[WIDE]], %{{.*}} : vector<4xi32>
// CHECK:   %[[BOTH:.*]] = arith.ori %[[WIDE]], %[[UP]] : vector<4xi32>
// CHECK:   %[[CODES:.*]] = arith.andi %[[BOTH]], %{{.*}} : vector<4xi32>
// CHECK:   %[[WORDS:.*]] = vector.bitcast %[[CODES]] : vector<4xi32> to vector<8xi16>
// CHECK:   %[[LANES:.*]] = arith.extui %[[WORDS]] : vector<8xi16> to vector<8xi32>
// CHECK-NOT: vector.gather
// CHECK-NOT: vector.shuffle
// CHECK:   arith.uitofp %[[LANES]] : vector<8xi32> to vector<8xf32>
func.func @nibbles(%x: memref<?xf32>, %codes: memref<?xi8>, %base: index, %n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : i32
  %c15 = arith.constant 15 : i32
  %zero = arith.constant 0.0 : f32
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> f32 {
    %at = arith.addi %base, %i : index
    %v = memref.load %x[%at] : memref<?xf32>
    %half = arith.divui %i, %c2 : index
    %byte = memref.load %codes[%half] : memref<?xi8>
    %wide = arith.extui %byte : i8 to i32
    %odd = arith.remui %i, %c2 : index
    %odd32 = arith.index_cast %odd : index to i32
    %shift = arith.muli %odd32, %c4 : i32
    %shifted = arith.shrui %wide, %shift : i32
    %code = arith.andi %shifted, %c15 : i32
    %f = arith.uitofp %code : i32 to f32
    %t = arith.mulf %v, %f : f32
    %next = arith.addf %acc, %t : f32
    scf.yield %next : f32
  } {sieve.reduction, sieve.vector_width = 8 : i64}
  return %r : f32
}

// -----

// A byte at iv / 2 used whole (not one of its nibbles): half as many
// contiguous bytes, each given to two lanes.
// CHECK-LABEL: func.func @half_rate
// CHECK: scf.for %[[I:.*]] = {{.*}} iter_args({{.*}}) -> (vector<8xf32>) {
// CHECK:   %[[HALF:.*]] = arith.divui %[[I]], %{{.*}} : index
// CHECK:   %[[BYTES:.*]] = vector.load %{{.*}}[%[[HALF]]] : memref<?xi8>, vector<4xi8>
// CHECK:   vector.shuffle %[[BYTES]], %[[BYTES]] [0, 0, 1, 1, 2, 2, 3, 3] : vector<4xi8>, vector<4xi8>
// CHECK-NOT: vector.gather
// CHECK:   arith.uitofp {{.*}} : vector<8xi8> to vector<8xf32>
func.func @half_rate(%x: memref<?xf32>, %codes: memref<?xi8>, %n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %zero = arith.constant 0.0 : f32
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> f32 {
    %v = memref.load %x[%i] : memref<?xf32>
    %half = arith.divui %i, %c2 : index
    %byte = memref.load %codes[%half] : memref<?xi8>
    %f = arith.uitofp %byte : i8 to f32
    %t = arith.mulf %v, %f : f32
    %next = arith.addf %acc, %t : f32
    scf.yield %next : f32
  } {sieve.reduction, sieve.vector_width = 8 : i64}
  return %r : f32
}

// -----

// When a chunk may start at an odd position (an offset of unknown parity),
// lanes do not pair up: the bytes are gathered, one per lane.
// CHECK-LABEL: func.func @nibbles_unknown_parity
// CHECK: scf.for {{.*}} -> (vector<8xf32>) {
// CHECK:   %[[HALF:.*]] = arith.divui %{{.*}}, %{{.*}} : vector<8xindex>
// CHECK:   vector.gather %{{.*}}[%{{.*}}] [%[[HALF]]], %{{.*}}, %{{.*}} : memref<?xi8>, vector<8xindex>, vector<8xi1>, vector<8xi8> into vector<8xi8>
func.func @nibbles_unknown_parity(%codes: memref<?xi8>, %base: index, %n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %zero = arith.constant 0.0 : f32
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> f32 {
    %at = arith.addi %base, %i : index
    %half = arith.divui %at, %c2 : index
    %byte = memref.load %codes[%half] : memref<?xi8>
    %wide = arith.extui %byte : i8 to i32
    %f = arith.uitofp %wide : i32 to f32
    %next = arith.addf %acc, %f : f32
    scf.yield %next : f32
  } {sieve.reduction, sieve.vector_width = 8 : i64}
  return %r : f32
}

// -----

// With the BF16 dot product: a sum of extf(bf16) * extf(bf16) takes 32
// bf16 elements per step into 16 partial sums (vdpbf16ps); the bf16
// operands feed it directly (a rounded product of a dequantization
// included), their f32 widening is not emitted.
// CHECK-LABEL: func.func @dot
// CHECK: %[[C32:.*]] = arith.constant 32 : index
// CHECK: scf.for %[[I:.*]] = {{.*}} step %[[C32]] iter_args(%[[P:.*]] = %{{.*}}) -> (vector<16xf32>) {
// CHECK:   %[[X:.*]] = vector.load %{{.*}}[%[[I]]] : memref<?xbf16>, vector<32xbf16>
// CHECK:   %[[C:.*]] = vector.load %{{.*}}[%[[I]]] : memref<?xi8>, vector<32xi8>
// CHECK:   %[[Y:.*]] = arith.truncf %{{.*}} : vector<32xf32> to vector<32xbf16>
// CHECK:   %[[D:.*]] = x86vector.avx512.dot %[[P]], %[[X]], %[[Y]] : vector<32xbf16> -> vector<16xf32>
// CHECK-NOT: arith.extf
// CHECK:   scf.yield %[[D]]
// CHECK: vector.reduction <add>, %{{.*}} : vector<16xf32> into f32
func.func @dot(%x: memref<?xbf16>, %codes: memref<?xi8>, %scale: f32, %n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> f32 {
    %a = memref.load %x[%i] : memref<?xbf16>
    %code = memref.load %codes[%i] : memref<?xi8>
    %f = arith.sitofp %code : i8 to f32
    %w = arith.mulf %f, %scale : f32
    %wb = arith.truncf %w : f32 to bf16
    %xa = arith.extf %a : bf16 to f32
    %xw = arith.extf %wb : bf16 to f32
    %t = arith.mulf %xa, %xw : f32
    %next = arith.addf %acc, %t : f32
    scf.yield %next : f32
  } {sieve.dot = "avx512bf16", sieve.vector_width = 32 : i64}
  return %r : f32
}

// -----

// Configured for the dot product, but the terms are not bf16 products:
// plain f32 lanes, half the width (16).
// CHECK-LABEL: func.func @not_a_dot
// CHECK: scf.for {{.*}} -> (vector<16xf32>)
// CHECK-NOT: x86vector
func.func @not_a_dot(%x: memref<?xf32>, %n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> f32 {
    %a = memref.load %x[%i] : memref<?xf32>
    %t = arith.mulf %a, %a : f32
    %next = arith.addf %acc, %t : f32
    scf.yield %next : f32
  } {sieve.dot = "avx512bf16", sieve.vector_width = 32 : i64}
  return %r : f32
}

// -----

// A block scale at iv / 32 with 16-lane chunks from 0: every chunk lies in
// one block, so the scale's load and decode run once per chunk as scalars
// and are splat; nothing is gathered.
// CHECK-LABEL: func.func @block_scale
// CHECK: scf.for %[[I:[a-z0-9]+]] = {{.*}} -> (vector<16xf32>) {
// CHECK:   vector.load %{{.*}}[%[[I]]] : memref<?xf32>, vector<16xf32>
// CHECK:   %[[BLOCK:.*]] = arith.divui %[[I]], %{{.*}} : index
// CHECK:   %[[BYTE:.*]] = memref.load %{{.*}}[%[[BLOCK]]] : memref<?xi8>
// CHECK:   %[[WIDE:.*]] = arith.extui %[[BYTE]] : i8 to i32
// CHECK:   %[[S:.*]] = arith.uitofp %[[WIDE]] : i32 to f32
// CHECK:   vector.broadcast %[[S]] : f32 to vector<16xf32>
// CHECK-NOT: vector.gather
// CHECK: vector.reduction
func.func @block_scale(%x: memref<?xf32>, %scales: memref<?xi8>, %n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %zero = arith.constant 0.0 : f32
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> f32 {
    %a = memref.load %x[%i] : memref<?xf32>
    %block = arith.divui %i, %c32 : index
    %byte = memref.load %scales[%block] : memref<?xi8>
    %wide = arith.extui %byte : i8 to i32
    %s = arith.uitofp %wide : i32 to f32
    %t = arith.mulf %a, %s : f32
    %next = arith.addf %acc, %t : f32
    scf.yield %next : f32
  } {sieve.reduction, sieve.vector_width = 16 : i64}
  return %r : f32
}

// -----

// Blocks of 8 are smaller than a chunk of 16: the scale moves inside the
// chunk and is computed per lane (gathered).
// CHECK-LABEL: func.func @block_smaller_than_chunk
// CHECK: scf.for {{.*}} -> (vector<16xf32>) {
// CHECK:   arith.divui %{{.*}}, %{{.*}} : vector<16xindex>
// CHECK:   vector.gather
func.func @block_smaller_than_chunk(%x: memref<?xf32>, %scales: memref<?xf32>, %n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> f32 {
    %a = memref.load %x[%i] : memref<?xf32>
    %block = arith.divui %i, %c8 : index
    %s = memref.load %scales[%block] : memref<?xf32>
    %t = arith.mulf %a, %s : f32
    %next = arith.addf %acc, %t : f32
    scf.yield %next : f32
  } {sieve.reduction, sieve.vector_width = 16 : i64}
  return %r : f32
}

// -----

// A lookup in a 16-entry f32 table (an FP4 decode) with the permutation
// configured: one vpermps per chunk over the codes as i32.
// CHECK-LABEL: func.func @lookup_f32
// CHECK: %[[TABLE:.*]] = arith.constant dense<{{.*}}> : vector<16xf32>
// CHECK: scf.for {{.*}} -> (vector<16xf32>) {
// CHECK:   %[[CODES:.*]] = arith.andi %{{.*}}, %{{.*}} : vector<16xi32>
// CHECK:   llvm.call_intrinsic "llvm.x86.avx512.permvar.sf.512"(%[[TABLE]], %[[CODES]]) : (vector<16xf32>, vector<16xi32>) -> vector<16xf32>
func.func @lookup_f32(%x: memref<?xf32>, %codes: memref<?xi8>, %n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c15 = arith.constant 15 : i32
  %table = arith.constant dense<[0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, -0.0, -0.5, -1.0, -1.5, -2.0, -3.0, -4.0, -6.0]> : vector<16xf32>
  %zero = arith.constant 0.0 : f32
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> f32 {
    %a = memref.load %x[%i] : memref<?xf32>
    %byte = memref.load %codes[%i] : memref<?xi8>
    %wide = arith.extui %byte : i8 to i32
    %code = arith.andi %wide, %c15 : i32
    %at = arith.index_cast %code : i32 to index
    %w = vector.extract %table[%at] : f32 from vector<16xf32>
    %t = arith.mulf %a, %w : f32
    %next = arith.addf %acc, %t : f32
    scf.yield %next : f32
  } {sieve.lookup = "avx512.permvar", sieve.reduction, sieve.vector_width = 16 : i64}
  return %r : f32
}

// -----

// Without the permutation: one extraction per lane.
// CHECK-LABEL: func.func @lookup_per_lane
// CHECK: scf.for {{.*}} -> (vector<8xf32>) {
// CHECK-COUNT-8: vector.extract %{{.*}}[%{{.*}}] : f32 from vector<16xf32>
// CHECK-NOT: llvm.call_intrinsic
func.func @lookup_per_lane(%x: memref<?xf32>, %codes: memref<?xi8>, %n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c15 = arith.constant 15 : i32
  %table = arith.constant dense<[0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, -0.0, -0.5, -1.0, -1.5, -2.0, -3.0, -4.0, -6.0]> : vector<16xf32>
  %zero = arith.constant 0.0 : f32
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> f32 {
    %a = memref.load %x[%i] : memref<?xf32>
    %byte = memref.load %codes[%i] : memref<?xi8>
    %wide = arith.extui %byte : i8 to i32
    %code = arith.andi %wide, %c15 : i32
    %at = arith.index_cast %code : i32 to index
    %w = vector.extract %table[%at] : f32 from vector<16xf32>
    %t = arith.mulf %a, %w : f32
    %next = arith.addf %acc, %t : f32
    scf.yield %next : f32
  } {sieve.reduction, sieve.vector_width = 8 : i64}
  return %r : f32
}

// -----

// The dot product form with a block scale: bf16 codes decoded from a
// 256-entry table (an E4M3 decode) by four vpermi2w over 32-entry slices
// and two levels of selects on index bits 6 and 7; one vdpbf16ps per chunk
// from zero, scaled once and added.
// CHECK-LABEL: func.func @dot_table_scaled
// CHECK: scf.for %[[I:[a-z0-9]+]] = {{.*}} iter_args(%[[P:[a-z0-9]+]] = %[[ZEROS:[a-z0-9_]+]]) -> (vector<16xf32>) {
// CHECK:   %[[X:.*]] = vector.load %{{.*}}[%[[I]]] : memref<?xbf16>, vector<32xbf16>
// CHECK:   %[[CODES:.*]] = arith.trunci %{{.*}} : vector<32xi32> to vector<32xi16>
// CHECK-COUNT-4: llvm.call_intrinsic "llvm.x86.avx512.vpermi2var.hi.512"
// CHECK-COUNT-3: arith.select
// CHECK:   %[[W:.*]] = vector.bitcast %{{.*}} : vector<32xi16> to vector<32xbf16>
// CHECK:   %[[PAIRS:.*]] = x86vector.avx512.dot %[[ZEROS]], %[[X]], %[[W]] : vector<32xbf16> -> vector<16xf32>
// CHECK:   %[[S:.*]] = vector.broadcast %{{.*}} : f32 to vector<16xf32>
// CHECK:   %[[SCALED:.*]] = arith.mulf %[[PAIRS]], %[[S]] fastmath<contract>
// CHECK:   %[[NEXT:.*]] = arith.addf %[[P]], %[[SCALED]] fastmath<contract>
// CHECK:   scf.yield %[[NEXT]]
func.func @dot_table_scaled(%x: memref<?xbf16>, %codes: memref<?xi8>, %scales: memref<?xf32>,
                            %table: vector<256xbf16>, %n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c128 = arith.constant 128 : index
  %zero = arith.constant 0.0 : f32
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> f32 {
    %a = memref.load %x[%i] : memref<?xbf16>
    %byte = memref.load %codes[%i] : memref<?xi8>
    %code = arith.extui %byte : i8 to i32
    %at = arith.index_cast %code : i32 to index
    %w = vector.extract %table[%at] : bf16 from vector<256xbf16>
    %block = arith.divui %i, %c128 : index
    %s = memref.load %scales[%block] : memref<?xf32>
    %xa = arith.extf %a : bf16 to f32
    %xw = arith.extf %w : bf16 to f32
    %p = arith.mulf %xa, %xw : f32
    %t = arith.mulf %p, %s : f32
    %next = arith.addf %acc, %t : f32
    scf.yield %next : f32
  } {sieve.dot = "avx512bf16", sieve.lookup = "avx512.permvar", sieve.reduction, sieve.vector_width = 32 : i64}
  return %r : f32
}

// -----

// The byte form (VBMI): the FP8 decode (a 128-entry magnitude table at the
// low seven bits, the sign put back as bit 15) is a function of the byte,
// tabulated for all 256 values: per 64 codes one load, one vpermi2b per
// table plane (the low bytes of the bf16 results, then the high bytes),
// the sign or-ed into the high plane, two interleaves of the planes as 32
// bf16 each, two dot products; the activation row (a local buffer) is
// copied once in the interleaves' order (codes 0-7, 16-23, 32-39, 48-55,
// then 8-15, ...). The table is E4M3's magnitudes (code 1 is 2^-9, bf16
// 0x3B00; codes 4-15 have exponent byte 0x3C; code 127 is NaN): the high
// plane starts 0, 59 (0x3B), 59, 59, 60.
// CHECK-LABEL: func.func @byte_table
// CHECK-SAME: (%[[CODES:.*]]: memref<?x256xi8>, %[[SCALES:.*]]: memref<?x2xf32>, %[[OUT:.*]]: memref<?xf32>, %[[COLS:.*]]: index)
// CHECK-DAG: %[[ORDERED:.*]] = memref.alloca() : memref<256xbf16>
// CHECK: %[[ROW:.*]] = memref.alloca() : memref<256xbf16>
// CHECK: scf.for %[[C:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK:   %[[V:.*]] = vector.load %[[ROW]][%[[C]]] : memref<256xbf16>, vector<64xbf16>
// CHECK:   %[[P:.*]] = vector.shuffle %[[V]], %[[V]] [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, {{.*}}, 55, 8, 9, {{.*}}, 62, 63]
// CHECK:   vector.store %[[P]], %[[ORDERED]][%[[C]]]
// CHECK: scf.for %[[COL:.*]] = %{{.*}} to %[[COLS]] step %{{.*}} {
// CHECK:   scf.for %[[I:[a-z0-9_]+]] = {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// CHECK:     %[[BYTES:.*]] = vector.load %[[CODES]][%[[COL]], %[[I]]] : memref<?x256xi8>, vector<64xi8>
// CHECK:     %[[LOW:.*]] = llvm.call_intrinsic "llvm.x86.avx512.vpermi2var.qi.512"(%{{.*}}, %[[BYTES]], %{{.*}}) : (vector<64xi8>, vector<64xi8>, vector<64xi8>) -> vector<64xi8>
// CHECK:     arith.constant dense<[0, 59, 59, 59, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 61, {{.*}}]> : vector<64xi8>
// CHECK:     %[[HIGH:.*]] = llvm.call_intrinsic "llvm.x86.avx512.vpermi2var.qi.512"(%{{.*}}, %[[BYTES]], %{{.*}})
// CHECK:     %[[SIGN:.*]] = arith.andi %[[BYTES]], %{{.*}} : vector<64xi8>
// CHECK:     %[[SIGNED:.*]] = arith.ori %[[HIGH]], %[[SIGN]] : vector<64xi8>
// CHECK:     %[[W0:.*]] = vector.shuffle %[[LOW]], %[[SIGNED]] [0, 64, 1, 65, 2, 66, 3, 67, 4, 68, 5, 69, 6, 70, 7, 71, 16, 80, {{.*}}] : vector<64xi8>, vector<64xi8>
// CHECK:     %[[D0:.*]] = vector.bitcast %[[W0]] : vector<64xi8> to vector<32xbf16>
// CHECK:     %[[W1:.*]] = vector.shuffle %[[LOW]], %[[SIGNED]] [8, 72, 9, 73, {{.*}}]
// CHECK:     %[[D1:.*]] = vector.bitcast %[[W1]] : vector<64xi8> to vector<32xbf16>
// CHECK:     %[[X0:.*]] = vector.load %[[ORDERED]][%[[I]]] : memref<256xbf16>, vector<32xbf16>
// CHECK:     %[[PAIRS:.*]] = x86vector.avx512.dot %{{.*}}, %[[X0]], %[[D0]]
// CHECK:     x86vector.avx512.dot %[[PAIRS]], %{{.*}}, %[[D1]]
// CHECK:     arith.mulf %{{.*}} fastmath<contract> : vector<16xf32>
// CHECK-NOT: vpermi2var.hi
// CHECK: return
func.func @byte_table(%codes: memref<?x256xi8>, %scales: memref<?x2xf32>, %out: memref<?xf32>,
                      %cols: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c128 = arith.constant 128 : index
  %c256 = arith.constant 256 : index
  %c127 = arith.constant 127 : i32
  %c128i = arith.constant 128 : i32
  %c8 = arith.constant 8 : i32
  %one = arith.constant 1.0 : bf16
  %zero = arith.constant 0.0 : f32
  %table = arith.constant dense<"0x0000003B803BC03B003C203C403C603C803C903CA03CB03CC03CD03CE03CF03C003D103D203D303D403D503D603D703D803D903DA03DB03DC03DD03DE03DF03D003E103E203E303E403E503E603E703E803E903EA03EB03EC03ED03EE03EF03E003F103F203F303F403F503F603F703F803F903FA03FB03FC03FD03FE03FF03F0040104020403040404050406040704080409040A040B040C040D040E040F0400041104120413041404150416041704180419041A041B041C041D041E041F0410042104220423042404250426042704280429042A042B042C042D042E042F0420043104320433043404350436043704380439043A043B043C043D043E043C07F"> : vector<128xbf16>
  %row = memref.alloca() : memref<256xbf16>
  scf.for %i = %c0 to %c256 step %c1 {
    memref.store %one, %row[%i] : memref<256xbf16>
  }
  scf.for %col = %c0 to %cols step %c1 {
    %r = scf.for %i = %c0 to %c256 step %c1 iter_args(%acc = %zero) -> f32 {
      %a = memref.load %row[%i] : memref<256xbf16>
      %byte = memref.load %codes[%col, %i] : memref<?x256xi8>
      %wide = arith.extui %byte : i8 to i32
      %magnitude = arith.andi %wide, %c127 : i32
      %at = arith.index_cast %magnitude : i32 to index
      %m = vector.extract %table[%at] : bf16 from vector<128xbf16>
      %sign = arith.andi %wide, %c128i : i32
      %high = arith.shli %sign, %c8 : i32
      %sign16 = arith.trunci %high : i32 to i16
      %mbits = arith.bitcast %m : bf16 to i16
      %wbits = arith.ori %mbits, %sign16 : i16
      %w = arith.bitcast %wbits : i16 to bf16
      %block = arith.divui %i, %c128 : index
      %s = memref.load %scales[%col, %block] : memref<?x2xf32>
      %xa = arith.extf %a : bf16 to f32
      %xw = arith.extf %w : bf16 to f32
      %p = arith.mulf %xa, %xw : f32
      %t = arith.mulf %p, %s : f32
      %next = arith.addf %acc, %t : f32
      scf.yield %next : f32
    } {sieve.dot = "avx512bf16", sieve.lookup = "avx512.vbmi", sieve.partial_sums = 4 : i64, sieve.vector_width = 32 : i64}
    memref.store %r, %out[%col] : memref<?xf32>
  }
  return
}

// -----

// A byte function that is not odd in bit 7 (the byte as an unsigned
// number): the upper 128 values are their own two table planes, picked by
// the byte's top bit.
// CHECK-LABEL: func.func @byte_table_unsigned
// CHECK:     %[[BYTES:.*]] = vector.load %{{.*}} : memref<?xi8>, vector<64xi8>
// CHECK:     %[[LOW:.*]] = llvm.call_intrinsic "llvm.x86.avx512.vpermi2var.qi.512"(%{{.*}}, %[[BYTES]], %{{.*}})
// CHECK:     %[[HIGH:.*]] = llvm.call_intrinsic "llvm.x86.avx512.vpermi2var.qi.512"(%{{.*}}, %[[BYTES]], %{{.*}})
// CHECK:     %[[UPPER:.*]] = arith.cmpi slt, %[[BYTES]], %{{.*}} : vector<64xi8>
// CHECK:     %[[LOW2:.*]] = llvm.call_intrinsic "llvm.x86.avx512.vpermi2var.qi.512"(%{{.*}}, %[[BYTES]], %{{.*}})
// CHECK:     arith.select %[[UPPER]], %[[LOW2]], %[[LOW]] : vector<64xi1>, vector<64xi8>
// CHECK:     %[[HIGH2:.*]] = llvm.call_intrinsic "llvm.x86.avx512.vpermi2var.qi.512"(%{{.*}}, %[[BYTES]], %{{.*}})
// CHECK:     arith.select %[[UPPER]], %[[HIGH2]], %[[HIGH]] : vector<64xi1>, vector<64xi8>
// CHECK:     x86vector.avx512.dot
func.func @byte_table_unsigned(%codes: memref<?xi8>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c128 = arith.constant 128 : index
  %one = arith.constant 1.0 : bf16
  %zero = arith.constant 0.0 : f32
  %row = memref.alloca() : memref<128xbf16>
  scf.for %i = %c0 to %c128 step %c1 {
    memref.store %one, %row[%i] : memref<128xbf16>
  }
  %r = scf.for %i = %c0 to %c128 step %c1 iter_args(%acc = %zero) -> f32 {
    %a = memref.load %row[%i] : memref<128xbf16>
    %byte = memref.load %codes[%i] : memref<?xi8>
    %w = arith.uitofp %byte : i8 to bf16
    %xa = arith.extf %a : bf16 to f32
    %xw = arith.extf %w : bf16 to f32
    %p = arith.mulf %xa, %xw : f32
    %next = arith.addf %acc, %p : f32
    scf.yield %next : f32
  } {sieve.dot = "avx512bf16", sieve.lookup = "avx512.vbmi", sieve.vector_width = 32 : i64}
  return %r : f32
}

// -----

// The byte form over an operand that is not a local buffer (a binding,
// and bounds only known at run time): it is read as it is, and the codes
// are permuted instead (one vpermb: codes 0-7, 32-39, 8-15, 40-47, ...) so
// that the interleaved planes come out in element order.
// CHECK-LABEL: func.func @byte_table_operand
// CHECK-SAME: (%[[CODES:.*]]: memref<?xi8>, %[[X:.*]]: memref<?xbf16>, %[[N:.*]]: index)
// CHECK-NOT: memref.alloca
// CHECK: scf.for %[[I:[a-z0-9_]+]] = {{.*}} -> (vector<16xf32>) {
// CHECK:   %[[BYTES:.*]] = vector.load %[[CODES]][%[[I]]] : memref<?xi8>, vector<64xi8>
// CHECK:   %[[ORDERED:.*]] = vector.shuffle %[[BYTES]], %[[BYTES]] [0, 1, 2, 3, 4, 5, 6, 7, 32, 33, 34, 35, 36, 37, 38, 39, 8, 9, 10, 11, 12, 13, 14, 15, 40, {{.*}}, 63] : vector<64xi8>, vector<64xi8>
// CHECK:   llvm.call_intrinsic "llvm.x86.avx512.vpermi2var.qi.512"(%{{.*}}, %[[ORDERED]], %{{.*}})
// CHECK:   %[[X0:.*]] = vector.load %[[X]][%[[I]]] : memref<?xbf16>, vector<32xbf16>
// CHECK:   x86vector.avx512.dot %{{.*}}, %[[X0]], %{{.*}}
// CHECK:   %[[I32:.*]] = arith.addi %[[I]], %{{.*}} : index
// CHECK:   %[[X1:.*]] = vector.load %[[X]][%[[I32]]] : memref<?xbf16>, vector<32xbf16>
// CHECK:   x86vector.avx512.dot %{{.*}}, %[[X1]], %{{.*}}
func.func @byte_table_operand(%codes: memref<?xi8>, %x: memref<?xbf16>, %n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c127 = arith.constant 127 : i32
  %zero = arith.constant 0.0 : f32
  %known = arith.constant dense<1.0> : vector<128xbf16>
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> f32 {
    %a = memref.load %x[%i] : memref<?xbf16>
    %byte = memref.load %codes[%i] : memref<?xi8>
    %wide = arith.extui %byte : i8 to i32
    %m = arith.andi %wide, %c127 : i32
    %at = arith.index_cast %m : i32 to index
    %w = vector.extract %known[%at] : bf16 from vector<128xbf16>
    %xa = arith.extf %a : bf16 to f32
    %xw = arith.extf %w : bf16 to f32
    %p = arith.mulf %xa, %xw : f32
    %next = arith.addf %acc, %p : f32
    scf.yield %next : f32
  } {sieve.dot = "avx512bf16", sieve.lookup = "avx512.vbmi", sieve.vector_width = 32 : i64}
  return %r : f32
}

// -----

// Not the byte form: a decode that also reads a value only known at run
// time (the table is an argument), an operand that is not a load, and a
// block factor that changes within 64 elements (blocks of 32). They keep
// the word permutations.
// CHECK-LABEL: func.func @byte_table_refused
// CHECK-NOT: vpermi2var.qi
// CHECK: vpermi2var.hi
// CHECK-NOT: vpermi2var.qi
// CHECK: return
func.func @byte_table_refused(%codes: memref<?xi8>, %x: memref<?xbf16>, %scales: memref<?xf32>,
                              %table: vector<128xbf16>) -> (f32, f32, f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %c128 = arith.constant 128 : index
  %c127 = arith.constant 127 : i32
  %one = arith.constant 1.0 : bf16
  %zero = arith.constant 0.0 : f32
  %known = arith.constant dense<1.0> : vector<128xbf16>
  %row = memref.alloca() : memref<128xbf16>
  scf.for %i = %c0 to %c128 step %c1 {
    memref.store %one, %row[%i] : memref<128xbf16>
  }
  %r0 = scf.for %i = %c0 to %c128 step %c1 iter_args(%acc = %zero) -> f32 {
    %a = memref.load %row[%i] : memref<128xbf16>
    %byte = memref.load %codes[%i] : memref<?xi8>
    %wide = arith.extui %byte : i8 to i32
    %m = arith.andi %wide, %c127 : i32
    %at = arith.index_cast %m : i32 to index
    %w = vector.extract %table[%at] : bf16 from vector<128xbf16>
    %xa = arith.extf %a : bf16 to f32
    %xw = arith.extf %w : bf16 to f32
    %p = arith.mulf %xa, %xw : f32
    %next = arith.addf %acc, %p : f32
    scf.yield %next : f32
  } {sieve.dot = "avx512bf16", sieve.lookup = "avx512.vbmi", sieve.vector_width = 32 : i64}
  %r1 = scf.for %i = %c0 to %c128 step %c1 iter_args(%acc = %zero) -> f32 {
    %a = memref.load %x[%i] : memref<?xbf16>
    %square = arith.mulf %a, %a : bf16
    %byte = memref.load %codes[%i] : memref<?xi8>
    %wide = arith.extui %byte : i8 to i32
    %m = arith.andi %wide, %c127 : i32
    %at = arith.index_cast %m : i32 to index
    %w = vector.extract %known[%at] : bf16 from vector<128xbf16>
    %xa = arith.extf %square : bf16 to f32
    %xw = arith.extf %w : bf16 to f32
    %p = arith.mulf %xa, %xw : f32
    %next = arith.addf %acc, %p : f32
    scf.yield %next : f32
  } {sieve.dot = "avx512bf16", sieve.lookup = "avx512.vbmi", sieve.vector_width = 32 : i64}
  %r2 = scf.for %i = %c0 to %c128 step %c1 iter_args(%acc = %zero) -> f32 {
    %a = memref.load %row[%i] : memref<128xbf16>
    %byte = memref.load %codes[%i] : memref<?xi8>
    %wide = arith.extui %byte : i8 to i32
    %m = arith.andi %wide, %c127 : i32
    %at = arith.index_cast %m : i32 to index
    %w = vector.extract %known[%at] : bf16 from vector<128xbf16>
    %block = arith.divui %i, %c32 : index
    %s = memref.load %scales[%block] : memref<?xf32>
    %xa = arith.extf %a : bf16 to f32
    %xw = arith.extf %w : bf16 to f32
    %p = arith.mulf %xa, %xw : f32
    %t = arith.mulf %p, %s : f32
    %next = arith.addf %acc, %t : f32
    scf.yield %next : f32
  } {sieve.dot = "avx512bf16", sieve.lookup = "avx512.vbmi", sieve.vector_width = 32 : i64}
  return %r0, %r1, %r2 : f32, f32, f32
}


// -----

// A group of rows against one weight row (the block-scaled GEMMs' row
// groups, gemmRowGroup): the rows' sums jammed, the codes loaded and
// decoded once per chunk and dotted with each row, the block scale (the
// weight's, the same for every row) hoisted once. The rows' buffer is
// re-laid whole, each row's chunks at its own offset.
// CHECK-LABEL: func.func @byte_table_row_group
// CHECK-DAG: %[[SCALES:.*]] = memref.alloca() : memref<2xf32>
// CHECK-DAG: %[[ORDERED:.*]] = memref.alloca() : memref<1024xbf16>
// CHECK: vector.store %{{.*}}, %[[ORDERED]][%{{.*}}] : memref<1024xbf16>, vector<64xbf16>
// CHECK: scf.for %[[COL:[a-z0-9_]+]] =
// CHECK:   scf.for %[[J:[a-z0-9_]+]] = %{{.*}} to %{{.*}} step %[[FOUR:[a-z0-9_]+]] {
// CHECK:     %[[ROW0:.*]] = arith.muli %[[J]], %{{.*}} : index
// CHECK:     memref.store %{{.*}}, %[[SCALES]]
// CHECK:     scf.for %[[I:[a-z0-9_]+]] = {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// CHECK:       %[[BYTES:.*]] = vector.load %{{.*}}[%[[COL]], %[[I]]] : memref<?x256xi8>, vector<64xi8>
// CHECK-COUNT-2: llvm.call_intrinsic "llvm.x86.avx512.vpermi2var.qi.512"(%{{.*}}, %[[BYTES]], %{{.*}})
// CHECK-NOT:   vpermi2var
// CHECK:       %[[AT0:.*]] = arith.addi %[[I]], %[[ROW0]] : index
// CHECK:       vector.load %[[ORDERED]][%[[AT0]]] : memref<1024xbf16>, vector<32xbf16>
// CHECK-COUNT-8: x86vector.avx512.dot
// CHECK-NOT:   vpermi2var
// CHECK:       scf.yield
func.func @byte_table_row_group(%codes: memref<?x256xi8>, %scales: memref<?x2xf32>,
                                %out: memref<4x?xf32>, %cols: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c128 = arith.constant 128 : index
  %c256 = arith.constant 256 : index
  %c1024 = arith.constant 1024 : index
  %c127 = arith.constant 127 : i32
  %c128i = arith.constant 128 : i32
  %c8 = arith.constant 8 : i32
  %one = arith.constant 1.0 : bf16
  %zero = arith.constant 0.0 : f32
  %table = arith.constant dense<"0x0000003B803BC03B003C203C403C603C803C903CA03CB03CC03CD03CE03CF03C003D103D203D303D403D503D603D703D803D903DA03DB03DC03DD03DE03DF03D003E103E203E303E403E503E603E703E803E903EA03EB03EC03ED03EE03EF03E003F103F203F303F403F503F603F703F803F903FA03FB03FC03FD03FE03FF03F0040104020403040404050406040704080409040A040B040C040D040E040F0400041104120413041404150416041704180419041A041B041C041D041E041F0410042104220423042404250426042704280429042A042B042C042D042E042F0420043104320433043404350436043704380439043A043B043C043D043E043C07F"> : vector<128xbf16>
  %rows = memref.alloca() : memref<1024xbf16>
  scf.for %i = %c0 to %c1024 step %c1 {
    memref.store %one, %rows[%i] : memref<1024xbf16>
  }
  scf.for %col = %c0 to %cols step %c1 {
    scf.for %j = %c0 to %c4 step %c1 {
      %first = arith.muli %j, %c256 : index
      %r = scf.for %i = %c0 to %c256 step %c1 iter_args(%acc = %zero) -> f32 {
        %at = arith.addi %first, %i : index
        %a = memref.load %rows[%at] : memref<1024xbf16>
        %byte = memref.load %codes[%col, %i] : memref<?x256xi8>
        %wide = arith.extui %byte : i8 to i32
        %magnitude = arith.andi %wide, %c127 : i32
        %m_at = arith.index_cast %magnitude : i32 to index
        %m = vector.extract %table[%m_at] : bf16 from vector<128xbf16>
        %sign = arith.andi %wide, %c128i : i32
        %high = arith.shli %sign, %c8 : i32
        %sign16 = arith.trunci %high : i32 to i16
        %mbits = arith.bitcast %m : bf16 to i16
        %wbits = arith.ori %mbits, %sign16 : i16
        %w = arith.bitcast %wbits : i16 to bf16
        %block = arith.divui %i, %c128 : index
        %s = memref.load %scales[%col, %block] : memref<?x2xf32>
        %xa = arith.extf %a : bf16 to f32
        %xw = arith.extf %w : bf16 to f32
        %p = arith.mulf %xa, %xw : f32
        %t = arith.mulf %p, %s : f32
        %next = arith.addf %acc, %t : f32
        scf.yield %next : f32
      } {sieve.dot = "avx512bf16", sieve.jam_columns = 16 : i64, sieve.lookup = "avx512.vbmi", sieve.partial_sums = 4 : i64, sieve.vector_width = 32 : i64}
      memref.store %r, %out[%j, %col] : memref<4x?xf32>
    }
  }
  return
}

// -----

// A block factor that differs between the rows (their own scales): the
// rows are not jammed; each row's sum is vectorized on its own.
// CHECK-LABEL: func.func @byte_table_row_scales
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK:   scf.for %[[J:[a-z0-9_]+]] = %{{.*}} to %{{.*}} step %c1 {
// CHECK:     scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// CHECK-COUNT-2: llvm.call_intrinsic "llvm.x86.avx512.vpermi2var.qi.512"
// CHECK-COUNT-2: x86vector.avx512.dot
// CHECK-NOT: memref<4x?xf32>, vector
func.func @byte_table_row_scales(%codes: memref<?x256xi8>, %scales: memref<4x2xf32>,
                                %out: memref<4x?xf32>, %cols: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c128 = arith.constant 128 : index
  %c256 = arith.constant 256 : index
  %c1024 = arith.constant 1024 : index
  %c127 = arith.constant 127 : i32
  %c128i = arith.constant 128 : i32
  %c8 = arith.constant 8 : i32
  %one = arith.constant 1.0 : bf16
  %zero = arith.constant 0.0 : f32
  %table = arith.constant dense<"0x0000003B803BC03B003C203C403C603C803C903CA03CB03CC03CD03CE03CF03C003D103D203D303D403D503D603D703D803D903DA03DB03DC03DD03DE03DF03D003E103E203E303E403E503E603E703E803E903EA03EB03EC03ED03EE03EF03E003F103F203F303F403F503F603F703F803F903FA03FB03FC03FD03FE03FF03F0040104020403040404050406040704080409040A040B040C040D040E040F0400041104120413041404150416041704180419041A041B041C041D041E041F0410042104220423042404250426042704280429042A042B042C042D042E042F0420043104320433043404350436043704380439043A043B043C043D043E043C07F"> : vector<128xbf16>
  %rows = memref.alloca() : memref<1024xbf16>
  scf.for %i = %c0 to %c1024 step %c1 {
    memref.store %one, %rows[%i] : memref<1024xbf16>
  }
  scf.for %col = %c0 to %cols step %c1 {
    scf.for %j = %c0 to %c4 step %c1 {
      %first = arith.muli %j, %c256 : index
      %r = scf.for %i = %c0 to %c256 step %c1 iter_args(%acc = %zero) -> f32 {
        %at = arith.addi %first, %i : index
        %a = memref.load %rows[%at] : memref<1024xbf16>
        %byte = memref.load %codes[%col, %i] : memref<?x256xi8>
        %wide = arith.extui %byte : i8 to i32
        %magnitude = arith.andi %wide, %c127 : i32
        %m_at = arith.index_cast %magnitude : i32 to index
        %m = vector.extract %table[%m_at] : bf16 from vector<128xbf16>
        %sign = arith.andi %wide, %c128i : i32
        %high = arith.shli %sign, %c8 : i32
        %sign16 = arith.trunci %high : i32 to i16
        %mbits = arith.bitcast %m : bf16 to i16
        %wbits = arith.ori %mbits, %sign16 : i16
        %w = arith.bitcast %wbits : i16 to bf16
        %block = arith.divui %i, %c128 : index
        %s = memref.load %scales[%j, %block] : memref<4x2xf32>
        %xa = arith.extf %a : bf16 to f32
        %xw = arith.extf %w : bf16 to f32
        %p = arith.mulf %xa, %xw : f32
        %t = arith.mulf %p, %s : f32
        %next = arith.addf %acc, %t : f32
        scf.yield %next : f32
      } {sieve.dot = "avx512bf16", sieve.jam_columns = 16 : i64, sieve.lookup = "avx512.vbmi", sieve.partial_sums = 4 : i64, sieve.vector_width = 32 : i64}
      memref.store %r, %out[%j, %col] : memref<4x?xf32>
    }
  }
  return
}

// -----

// What the pass cannot take stays scalar, without the attributes: a store
// in the body, a second accumulator, a leading index that moves.
// CHECK-LABEL: func.func @scalar
// CHECK-NOT: vector
// CHECK-NOT: sieve.
// CHECK: return
func.func @scalar(%x: memref<?xf32>, %m: memref<?x4xf32>, %n: index) -> (f32, f32, f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> f32 {
    %a = memref.load %x[%i] : memref<?xf32>
    memref.store %a, %x[%c0] : memref<?xf32>
    %next = arith.addf %acc, %a : f32
    scf.yield %next : f32
  } {sieve.reduction, sieve.vector_width = 16 : i64}
  %s:2 = scf.for %i = %c0 to %n step %c1 iter_args(%p = %zero, %q = %zero) -> (f32, f32) {
    %a = memref.load %x[%i] : memref<?xf32>
    %p2 = arith.addf %p, %a : f32
    %q2 = arith.addf %q, %a : f32
    scf.yield %p2, %q2 : f32, f32
  } {sieve.reduction, sieve.vector_width = 16 : i64}
  %t = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> f32 {
    %a = memref.load %m[%i, %c0] : memref<?x4xf32>
    %next = arith.addf %acc, %a : f32
    scf.yield %next : f32
  } {sieve.reduction, sieve.vector_width = 16 : i64}
  return %r, %s#0, %t : f32, f32, f32
}

// -----

// Four vectors of partial sums (sieve.partial_sums): four chunks per step,
// each into its own accumulator, added pairwise after the loop; the whole
// chunks left go through the one-accumulator loop. A block scale (E8M0 at
// iv / 32) with constant bounds is decoded for all 33 blocks before the
// loops, 16 per vector step and the last one scalar, into a buffer at the
// function's entry; each chunk reads its block's value from it.
// CHECK-LABEL: func.func @block_scales
// CHECK-SAME: (%[[X:.*]]: memref<?xbf16>, %[[W:.*]]: memref<?xbf16>, %[[E:.*]]: memref<?xi8>)
// CHECK: %[[BUF:.*]] = memref.alloca() : memref<33xf32>
// CHECK: %[[ZEROS:.*]] = arith.constant dense<0.000000e+00> : vector<16xf32>
// CHECK: scf.for %[[Q:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK:   %[[BYTES:.*]] = vector.load %[[E]][%{{.*}}] : memref<?xi8>, vector<16xi8>
// CHECK:   arith.shli {{.*}} : vector<16xi32>
// CHECK:   arith.bitcast {{.*}} : vector<16xi32> to vector<16xf32>
// CHECK:   vector.store %{{.*}}, %[[BUF]][%[[Q]]] : memref<33xf32>, vector<16xf32>
// CHECK: scf.for %[[Q1:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK:   memref.load %[[E]][%{{.*}}] : memref<?xi8>
// CHECK:   memref.store %{{.*}}, %[[BUF]][%[[Q1]]] : memref<33xf32>
// CHECK: %[[U:.*]]:4 = scf.for %{{.*}} iter_args(%[[P0:.*]] = %[[ZEROS]], %[[P1:.*]] = %[[ZEROS]], %[[P2:.*]] = %[[ZEROS]], %[[P3:.*]] = %[[ZEROS]]) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// CHECK-NOT: arith.select
// CHECK:   x86vector.avx512.dot %[[ZEROS]]
// CHECK:   memref.load %[[BUF]]
// CHECK:   arith.addf %[[P0]]
// CHECK:   arith.addf %[[P1]]
// CHECK:   arith.addf %[[P2]]
// CHECK:   arith.addf %[[P3]]
// CHECK: %[[L:.*]] = arith.addf %[[U]]#0, %[[U]]#1
// CHECK: %[[R:.*]] = arith.addf %[[U]]#2, %[[U]]#3
// CHECK: %[[ALL:.*]] = arith.addf %[[L]], %[[R]]
// CHECK: scf.for %{{.*}} iter_args(%{{.*}} = %[[ALL]]) -> (vector<16xf32>) {
// CHECK:   memref.load %[[BUF]]
func.func @block_scales(%x: memref<?xbf16>, %w: memref<?xbf16>, %e: memref<?xi8>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %c1056 = arith.constant 1056 : index
  %c23 = arith.constant 23 : i32
  %c0_i32 = arith.constant 0 : i32
  %c255 = arith.constant 255 : i32
  %tiny = arith.constant 4194304 : i32
  %nan = arith.constant 2143289344 : i32
  %zero = arith.constant 0.0 : f32
  %r = scf.for %i = %c0 to %c1056 step %c1 iter_args(%acc = %zero) -> f32 {
    %a = memref.load %x[%i] : memref<?xbf16>
    %b = memref.load %w[%i] : memref<?xbf16>
    %block = arith.divui %i, %c32 : index
    %byte = memref.load %e[%block] : memref<?xi8>
    %wide = arith.extui %byte : i8 to i32
    %bits = arith.shli %wide, %c23 : i32
    %is0 = arith.cmpi eq, %wide, %c0_i32 : i32
    %s0 = arith.select %is0, %tiny, %bits : i32
    %is255 = arith.cmpi eq, %wide, %c255 : i32
    %s1 = arith.select %is255, %nan, %s0 : i32
    %scale = arith.bitcast %s1 : i32 to f32
    %xa = arith.extf %a : bf16 to f32
    %xb = arith.extf %b : bf16 to f32
    %p = arith.mulf %xa, %xb : f32
    %t = arith.mulf %p, %scale : f32
    %next = arith.addf %acc, %t : f32
    scf.yield %next : f32
  } {sieve.dot = "avx512bf16", sieve.partial_sums = 4 : i64, sieve.vector_width = 32 : i64}
  return %r : f32
}

// -----

// The word form of an FP4 dot product (a 16-entry bf16 table at packed
// codes, times a local buffer): 128 elements per chunk as 32 words of four
// codes; code k of each word is one vpermw after a shift by 4k, and the
// buffer is copied once in that lane order (4j + k) before the column loop,
// which only reads it. The block scales (iv / 32) give each chunk four
// values, each spread over the four lanes that sum its block.
// CHECK-LABEL: func.func @word_nibbles
// CHECK-SAME: (%[[CODES:.*]]: memref<?x128xi8>, %[[E:.*]]: memref<?x8xi8>, %[[OUT:.*]]: memref<?xf32>, %[[COLS:.*]]: index)
// CHECK-DAG: %[[WORDER:.*]] = memref.alloca() : memref<256xbf16>
// CHECK-DAG: %[[SCALES:.*]] = memref.alloca() : memref<8xf32>
// CHECK: %[[ROW:.*]] = memref.alloca() : memref<256xbf16>
// CHECK: scf.for
// CHECK:   memref.store %{{.*}}, %[[ROW]]
// CHECK: scf.for %[[C:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK:   %[[V:.*]] = vector.load %[[ROW]][%[[C]]] : memref<256xbf16>, vector<128xbf16>
// CHECK:   %[[P:.*]] = vector.shuffle %[[V]], %[[V]] [0, 4, 8, {{.*}}, 124, 1, 5, {{.*}}, 127]
// CHECK:   vector.store %[[P]], %[[WORDER]][%[[C]]]
// CHECK: scf.for %[[COL:.*]] = %{{.*}} to %[[COLS]] step %{{.*}} {
// CHECK:   scf.for %[[I:[a-z0-9_]+]] = {{.*}} -> (vector<16xf32>) {
// CHECK:     %[[BYTES:.*]] = vector.load %[[CODES]][%[[COL]], %{{.*}}] : memref<?x128xi8>, vector<64xi8>
// CHECK:     %[[WORDS:.*]] = vector.bitcast %[[BYTES]] : vector<64xi8> to vector<32xi16>
// CHECK:     llvm.call_intrinsic "llvm.x86.avx512.permvar.hi.512"(%{{.*}}, %[[WORDS]])
// CHECK:     arith.shrui %[[WORDS]], %{{.*}} : vector<32xi16>
// CHECK:     arith.shrui %[[WORDS]], %{{.*}} : vector<32xi16>
// CHECK:     arith.shrui %[[WORDS]], %{{.*}} : vector<32xi16>
// CHECK:     vector.load %[[WORDER]][%[[I]]] : memref<256xbf16>, vector<32xbf16>
// CHECK:     x86vector.avx512.dot
// CHECK:     %[[S4:.*]] = vector.load %[[SCALES]][%{{.*}}] : memref<8xf32>, vector<4xf32>
// CHECK:     vector.shuffle %[[S4]], %[[S4]] [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]
func.func @word_nibbles(%codes: memref<?x128xi8>, %e: memref<?x8xi8>, %out: memref<?xf32>,
                        %cols: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c32 = arith.constant 32 : index
  %c256 = arith.constant 256 : index
  %c4 = arith.constant 4 : i32
  %c15 = arith.constant 15 : i32
  %c23 = arith.constant 23 : i32
  %one = arith.constant 1.0 : bf16
  %zero = arith.constant 0.0 : f32
  %table = arith.constant dense<[0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, -0.0, -0.5, -1.0, -1.5, -2.0, -3.0, -4.0, -6.0]> : vector<16xbf16>
  %row = memref.alloca() : memref<256xbf16>
  scf.for %i = %c0 to %c256 step %c1 {
    memref.store %one, %row[%i] : memref<256xbf16>
  }
  scf.for %col = %c0 to %cols step %c1 {
    %r = scf.for %i = %c0 to %c256 step %c1 iter_args(%acc = %zero) -> f32 {
      %a = memref.load %row[%i] : memref<256xbf16>
      %half = arith.divui %i, %c2 : index
      %byte = memref.load %codes[%col, %half] : memref<?x128xi8>
      %wide = arith.extui %byte : i8 to i32
      %odd = arith.remui %i, %c2 : index
      %odd32 = arith.index_cast %odd : index to i32
      %shift = arith.muli %odd32, %c4 : i32
      %shifted = arith.shrui %wide, %shift : i32
      %code = arith.andi %shifted, %c15 : i32
      %at = arith.index_cast %code : i32 to index
      %w = vector.extract %table[%at] : bf16 from vector<16xbf16>
      %block = arith.divui %i, %c32 : index
      %sbyte = memref.load %e[%col, %block] : memref<?x8xi8>
      %sw = arith.extui %sbyte : i8 to i32
      %sbits = arith.shli %sw, %c23 : i32
      %scale = arith.bitcast %sbits : i32 to f32
      %xa = arith.extf %a : bf16 to f32
      %xw = arith.extf %w : bf16 to f32
      %p = arith.mulf %xa, %xw : f32
      %t = arith.mulf %p, %scale : f32
      %next = arith.addf %acc, %t : f32
      scf.yield %next : f32
    } {sieve.dot = "avx512bf16", sieve.lookup = "avx512.permvar", sieve.partial_sums = 4 : i64, sieve.vector_width = 32 : i64}
    memref.store %r, %out[%col] : memref<?xf32>
  }
  return
}

// -----

// A maximum (arith.maximumf: exact in any order): lanes start at the
// loop's initial value, the partial maxima combine with maximumf, and one
// vector.reduction <maximumf> takes it in again; no contraction flags.
// CHECK-LABEL: func.func @amax
// CHECK-SAME: (%[[X:.*]]: memref<?xf32>, %[[N:.*]]: index)
// CHECK: %[[INIT:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[START:.*]] = vector.broadcast %[[INIT]] : f32 to vector<16xf32>
// CHECK: %[[U:.*]]:2 = scf.for {{.*}} iter_args(%[[P0:.*]] = %[[START]], %[[P1:.*]] = %[[START]])
// CHECK:   math.absf {{.*}} : vector<16xf32>
// CHECK:   arith.maximumf %[[P0]], {{.*}} : vector<16xf32>
// CHECK:   arith.maximumf %[[P1]], {{.*}} : vector<16xf32>
// CHECK: %[[BOTH:.*]] = arith.maximumf %[[U]]#0, %[[U]]#1 : vector<16xf32>
// CHECK: %[[V:.*]] = scf.for {{.*}} iter_args(%{{.*}} = %[[BOTH]]) -> (vector<16xf32>)
// CHECK: %[[M:.*]] = vector.reduction <maximumf>, %[[V]], %[[INIT]] : vector<16xf32> into f32
// CHECK: scf.for %{{.*}} iter_args(%{{.*}} = %[[M]]) -> (f32)
// CHECK-NOT: sieve.
func.func @amax(%x: memref<?xf32>, %n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> f32 {
    %v = memref.load %x[%i] : memref<?xf32>
    %a = math.absf %v : f32
    %next = arith.maximumf %acc, %a : f32
    scf.yield %next : f32
  } {sieve.partial_sums = 2 : i64, sieve.reduction, sieve.vector_width = 16 : i64}
  return %r : f32
}

// -----

// An elementwise loop storing into a stack buffer at the iteration's own
// element (an in-place update included): each chunk's values computed as
// vectors and stored as one; the original loop stores the rest.
// CHECK-LABEL: func.func @elementwise
// CHECK-SAME: (%[[X:.*]]: memref<?xf32>, %[[S:.*]]: f32, %[[N:.*]]: index)
// CHECK: %[[BUF:.*]] = memref.alloca() : memref<64xbf16>
// CHECK: %[[END:.*]] = arith.addi
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %[[END]] step %{{.*}} {
// CHECK:   %[[V:.*]] = vector.load %[[X]][%[[I]]] : memref<?xf32>, vector<16xf32>
// CHECK:   %[[OLD:.*]] = vector.load %[[BUF]][%[[I]]] : memref<64xbf16>, vector<16xbf16>
// CHECK:   %[[T:.*]] = arith.truncf %{{.*}} : vector<16xf32> to vector<16xbf16>
// CHECK:   vector.store %[[T]], %[[BUF]][%[[I]]] : memref<64xbf16>, vector<16xbf16>
// CHECK: scf.for %{{.*}} = %[[END]] to %[[N]]
// CHECK:   memref.store
// CHECK-NOT: sieve.
func.func @elementwise(%x: memref<?xf32>, %s: f32, %n: index) -> memref<64xbf16> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %buf = memref.alloca() : memref<64xbf16>
  scf.for %i = %c0 to %n step %c1 {
    %v = memref.load %x[%i] : memref<?xf32>
    %old = memref.load %buf[%i] : memref<64xbf16>
    %o = arith.extf %old : bf16 to f32
    %p = arith.mulf %v, %s : f32
    %q = arith.addf %p, %o : f32
    %t = arith.truncf %q : f32 to bf16
    memref.store %t, %buf[%i] : memref<64xbf16>
  } {sieve.elementwise, sieve.vector_width = 16 : i64}
  return %buf : memref<64xbf16>
}

// -----

// What the elementwise form leaves scalar: a store into memory that may
// alias the loads (a function argument), a load of the stored buffer at
// another element (a loop-carried dependence), a moving leading index.
// CHECK-LABEL: func.func @elementwise_kept
// CHECK-NOT: vector
// CHECK-NOT: sieve.
// CHECK: return
func.func @elementwise_kept(%x: memref<?xf32>, %y: memref<?xf32>, %m: memref<4x?xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %buf = memref.alloca() : memref<64xf32>
  scf.for %i = %c0 to %n step %c1 {
    %v = memref.load %x[%i] : memref<?xf32>
    memref.store %v, %y[%i] : memref<?xf32>
  } {sieve.elementwise, sieve.vector_width = 16 : i64}
  scf.for %i = %c0 to %n step %c1 {
    %j = arith.addi %i, %c1 : index
    %v = memref.load %buf[%j] : memref<64xf32>
    memref.store %v, %buf[%i] : memref<64xf32>
  } {sieve.elementwise, sieve.vector_width = 16 : i64}
  scf.for %i = %c0 to %n step %c1 {
    %v = memref.load %x[%i] : memref<?xf32>
    memref.store %v, %buf[%i] : memref<64xf32>
    memref.store %v, %m[%i, %i] : memref<4x?xf32>
  } {sieve.elementwise, sieve.vector_width = 16 : i64}
  return
}

// -----

// Jammed (`sieve.jam_columns`): the indexer's score, a sum over 16 heads
// of relu(q[h] . k) * w[h] with each q . k a bf16 dot of 128. One loop
// keeps a vector of lane sums per head (no partial sums: the heads are the
// independent accumulators), the key they share first in each vdpbf16ps
// (the head's row can then be its memory operand); the 16 vectors are
// folded pairwise into one with head h in lane h (8 + 4 + 2 + 1 folds of
// two shuffles and an add), and the loop over heads is a vector loop of
// 16 lanes, the rest of its body applied to the vector.
// CHECK-LABEL: func.func @jammed_heads
// CHECK-SAME: (%[[Q:.*]]: memref<16x128xbf16>, %[[K:.*]]: memref<128xbf16>, %[[W:.*]]: memref<16xf32>)
// CHECK: %[[HEADS:.*]] = scf.for %[[H:.*]] = %{{.*}} step %[[C16:.*]] iter_args(%[[ACC:.*]] = %{{.*}}) -> (vector<16xf32>) {
// CHECK:   %[[H1:.*]] = arith.addi %[[H]], %{{.*}} : index
// CHECK:   %[[DOTS:.*]]:16 = scf.for %[[D:.*]] = {{.*}} step %{{.*}} iter_args(%[[S0:[a-z0-9_]+]] = %[[Z:[a-z0-9_]+]], %[[S1:[a-z0-9_]+]] = %[[Z]], {{.*}}) -> (vector<16xf32>, {{.*}}) {
// CHECK:     %[[Q0:.*]] = vector.load %[[Q]][%[[H]], %[[D]]] : memref<16x128xbf16>, vector<32xbf16>
// CHECK:     %[[K0:.*]] = vector.load %[[K]][%[[D]]] : memref<128xbf16>, vector<32xbf16>
// CHECK:     x86vector.avx512.dot %[[S0]], %[[K0]], %[[Q0]] : vector<32xbf16> -> vector<16xf32>
// CHECK:     %[[Q1:.*]] = vector.load %[[Q]][%[[H1]], %[[D]]] : memref<16x128xbf16>, vector<32xbf16>
// CHECK:     x86vector.avx512.dot %[[S1]], %{{.*}}, %[[Q1]] : vector<32xbf16> -> vector<16xf32>
// CHECK-COUNT-14: x86vector.avx512.dot
// CHECK:     scf.yield
// CHECK:   %[[LOW:.*]] = vector.shuffle %[[DOTS]]#0, %[[DOTS]]#1 [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]
// CHECK:   %[[HIGH:.*]] = vector.shuffle %[[DOTS]]#0, %[[DOTS]]#1 [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31]
// CHECK:   arith.addf %[[LOW]], %[[HIGH]] : vector<16xf32>
// CHECK-COUNT-14: arith.addf %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK:   %[[T:.*]] = arith.truncf %{{.*}} : vector<16xf32> to vector<16xbf16>
// CHECK:   arith.cmpf olt, %{{.*}} : vector<16xf32>
// CHECK:   %[[WH:.*]] = vector.load %[[W]][%[[H]]] : memref<16xf32>, vector<16xf32>
// CHECK:   arith.mulf %{{.*}}, %[[WH]] fastmath<contract> : vector<16xf32>
// CHECK:   scf.yield %{{.*}} : vector<16xf32>
// CHECK: vector.reduction <add>, %[[HEADS]]
// CHECK-NOT: sieve.
// CHECK: return
func.func @jammed_heads(%q: memref<16x128xbf16>, %k: memref<128xbf16>, %w: memref<16xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c128 = arith.constant 128 : index
  %zero = arith.constant 0.0 : f32
  %score = scf.for %h = %c0 to %c16 step %c1 iter_args(%total = %zero) -> f32 {
    %dot = scf.for %d = %c0 to %c128 step %c1 iter_args(%acc = %zero) -> f32 {
      %x = memref.load %q[%h, %d] : memref<16x128xbf16>
      %y = memref.load %k[%d] : memref<128xbf16>
      %xf = arith.extf %x : bf16 to f32
      %yf = arith.extf %y : bf16 to f32
      %p = arith.mulf %xf, %yf : f32
      %next = arith.addf %acc, %p : f32
      scf.yield %next : f32
    } {sieve.dot = "avx512bf16", sieve.jam_columns = 16 : i64, sieve.partial_sums = 4 : i64,
       sieve.reduction, sieve.vector_width = 32 : i64}
    %rounded = arith.truncf %dot : f32 to bf16
    %r = arith.extf %rounded : bf16 to f32
    %negative = arith.cmpf olt, %r, %zero : f32
    %relu = arith.select %negative, %zero, %r : f32
    %wh = memref.load %w[%h] : memref<16xf32>
    %t = arith.mulf %relu, %wh : f32
    %sum = arith.addf %total, %t : f32
    scf.yield %sum : f32
  }
  return %score : f32
}

// -----

// Jammed columns whose loop is not a sum (it stores each column's result
// in an output buffer): 8 columns per step (the trip count's largest power
// of two up to `sieve.jam_columns`), f32 lanes, the 8 vectors folded into
// one (4 + 2 + 1 folds, then the 16 lanes halved once within it), then per
// column: its value taken out, the rest of its sum (the original loop from
// the whole chunks' end), the store.
// CHECK-LABEL: func.func @jammed_outputs
// CHECK-SAME: (%[[A:.*]]: memref<24x?xf32>, %[[X:.*]]: memref<?xf32>, %[[OUT:.*]]: memref<24xf32>, %[[N:.*]]: index)
// CHECK: scf.for %[[C:.*]] = %{{.*}} to %{{.*}} step %[[C8:.*]] {
// CHECK:   %[[SUMS:.*]]:8 = scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// CHECK-COUNT-8: arith.addf %{{.*}}, %{{.*}} fastmath<contract> : vector<16xf32>
// CHECK:   }
// CHECK-COUNT-7: vector.shuffle %{{.*}}, %{{.*}} [{{.*}}] : vector<16xf32>, vector<16xf32>
// CHECK:   %[[FOLDED:.*]] = arith.addf %{{.*}}, %{{.*}} : vector<8xf32>
// CHECK:   %[[S0:.*]] = vector.extract %[[FOLDED]][0] : f32 from vector<8xf32>
// CHECK:   %[[INIT0:.*]] = arith.addf %{{.*}}, %[[S0]] : f32
// CHECK:   %[[REST0:.*]] = scf.for %{{.*}} = %[[END:.*]] to %[[N]] step %{{.*}} iter_args(%{{.*}} = %[[INIT0]]) -> (f32) {
// CHECK:   memref.store %[[REST0]], %[[OUT]][%[[C]]] : memref<24xf32>
// CHECK:   vector.extract %[[FOLDED]][1] : f32 from vector<8xf32>
// CHECK-COUNT-6: memref.store
// CHECK:   memref.store %{{.*}}, %[[OUT]][%{{.*}}] : memref<24xf32>
// CHECK-NEXT: }
// CHECK-NOT: sieve.
// CHECK: return
func.func @jammed_outputs(%a: memref<24x?xf32>, %x: memref<?xf32>, %out: memref<24xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c24 = arith.constant 24 : index
  %zero = arith.constant 0.0 : f32
  scf.for %c = %c0 to %c24 step %c1 {
    %dot = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> f32 {
      %u = memref.load %a[%c, %i] : memref<24x?xf32>
      %v = memref.load %x[%i] : memref<?xf32>
      %p = arith.mulf %u, %v : f32
      %next = arith.addf %acc, %p : f32
      scf.yield %next : f32
    } {sieve.jam_columns = 16 : i64, sieve.reduction, sieve.vector_width = 16 : i64}
    memref.store %dot, %out[%c] : memref<24xf32>
  }
  return
}

// -----

// Not jammed: a column's store into the buffer the sums read (a later
// column's sum would see it), a trip count without a power-of-two factor of
// at least 4, sums whose range moves with the column, and an op before the
// sum that reads the columns' loop's iteration value (it would run for
// every column before the earlier columns produced that value).
// CHECK-LABEL: func.func @jam_refused
// CHECK-NOT: vector.shuffle
// CHECK-NOT: sieve.
// CHECK: return
func.func @jam_refused(%a: memref<16x?xf32>, %x: memref<?xf32>, %out: memref<16xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c6 = arith.constant 6 : index
  %c16 = arith.constant 16 : index
  %zero = arith.constant 0.0 : f32
  scf.for %c = %c0 to %c16 step %c1 {
    %dot = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> f32 {
      %u = memref.load %a[%c, %i] : memref<16x?xf32>
      %v = memref.load %x[%i] : memref<?xf32>
      %p = arith.mulf %u, %v : f32
      %next = arith.addf %acc, %p : f32
      scf.yield %next : f32
    } {sieve.jam_columns = 16 : i64, sieve.reduction, sieve.vector_width = 16 : i64}
    memref.store %dot, %x[%c] : memref<?xf32>
  }
  scf.for %c = %c0 to %c6 step %c1 {
    %dot = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> f32 {
      %u = memref.load %a[%c, %i] : memref<16x?xf32>
      %next = arith.addf %acc, %u : f32
      scf.yield %next : f32
    } {sieve.jam_columns = 16 : i64, sieve.reduction, sieve.vector_width = 16 : i64}
    memref.store %dot, %out[%c] : memref<16xf32>
  }
  scf.for %c = %c0 to %c16 step %c1 {
    %dot = scf.for %i = %c0 to %c step %c1 iter_args(%acc = %zero) -> f32 {
      %u = memref.load %a[%c, %i] : memref<16x?xf32>
      %next = arith.addf %acc, %u : f32
      scf.yield %next : f32
    } {sieve.jam_columns = 16 : i64, sieve.reduction, sieve.vector_width = 16 : i64}
    memref.store %dot, %out[%c] : memref<16xf32>
  }
  %last = scf.for %c = %c0 to %c16 step %c1 iter_args(%row = %c0) -> index {
    %scale = memref.load %x[%row] : memref<?xf32>
    %dot = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> f32 {
      %u = memref.load %a[%c, %i] : memref<16x?xf32>
      %p = arith.mulf %u, %scale : f32
      %next = arith.addf %acc, %p : f32
      scf.yield %next : f32
    } {sieve.jam_columns = 16 : i64, sieve.reduction, sieve.vector_width = 16 : i64}
    memref.store %dot, %out[%c] : memref<16xf32>
    %following = arith.addi %row, %c1 : index
    scf.yield %following : index
  }
  return
}
