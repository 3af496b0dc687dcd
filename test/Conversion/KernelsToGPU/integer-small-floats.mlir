// RUN: sieve-opt %s --split-input-file --sieve-gpu-integer-small-floats=chip=sm_80 | FileCheck %s --check-prefixes=CHECK,FP8
// RUN: sieve-opt %s --split-input-file --sieve-gpu-integer-small-floats=chip=gfx942 | FileCheck %s --check-prefixes=CHECK,FP8
// RUN: sieve-opt %s --split-input-file --sieve-gpu-integer-small-floats=chip=sm_90 | FileCheck %s --check-prefixes=CHECK,KEEP-FP8
// RUN: sieve-opt %s --split-input-file --sieve-gpu-integer-small-floats=chip=sm_100a | FileCheck %s --check-prefix=KEEP
// RUN: sieve-opt %s --split-input-file --sieve-gpu-integer-small-floats=chip=gfx950 | FileCheck %s --check-prefix=KEEP

// An FP8 weight's decode (decodeFromTable: the E4M3 magnitude table, the
// sign ORed in) on a chip without an FP8 conversion: the code's sign to bit
// 15 and its magnitude to bits 13..7 of an f16 (the low half of a pair),
// times 2^8; the NaN magnitude by a select. sm_90 converts FP8 codes
// (sieve-gpu-native-small-floats), sm_100a and gfx950 both formats.
// FP8-LABEL: func.func @fp8_weight
// FP8: %[[CODE:.*]] = arith.extui %{{.*}} : i8 to i32
// FP8: %[[SIGNBIT:.*]] = arith.andi %[[CODE]], %{{.*}} : i32
// FP8: %[[SIGN:.*]] = arith.shli %[[SIGNBIT]], %{{.*}} : i32
// FP8: %[[MAG:.*]] = arith.andi %[[CODE]], %{{.*}} : i32
// FP8: %[[MAGBITS:.*]] = arith.shli %[[MAG]], %{{.*}} : i32
// FP8: %[[BITS:.*]] = arith.ori %[[SIGN]], %[[MAGBITS]] : i32
// FP8: %[[WORD:.*]] = vector.broadcast %[[BITS]] : i32 to vector<1xi32>
// FP8: %[[PAIR:.*]] = vector.bitcast %[[WORD]] : vector<1xi32> to vector<2xf16>
// FP8: %[[BIAS:.*]] = arith.constant dense<2.560000e+02> : vector<2xf16>
// FP8: %[[SCALED:.*]] = arith.mulf %[[PAIR]], %[[BIAS]] : vector<2xf16>
// FP8: %[[HALF:.*]] = vector.extract %[[SCALED]][0] : f16 from vector<2xf16>
// FP8: %[[VALUE:.*]] = arith.extf %[[HALF]] : f16 to f32
// FP8: %[[NAN:.*]] = arith.cmpi eq, %[[MAG]], %{{.*}} : i32
// FP8: %[[DECODED:.*]] = arith.select %[[NAN]], %{{.*}}, %[[VALUE]] : f32
// FP8: arith.mulf %{{.*}}, %[[DECODED]] : f32
// FP8-NOT: vector<128xbf16>
// FP8-NOT: arith.ori %{{.*}} : i16
// KEEP-FP8-LABEL: func.func @fp8_weight
// KEEP-FP8: vector.extract %{{.*}}[%{{.*}}] : bf16 from vector<128xbf16>
// KEEP-LABEL: func.func @fp8_weight
// KEEP: vector.extract %{{.*}}[%{{.*}}] : bf16 from vector<128xbf16>
func.func @fp8_weight(%codes: memref<?xi8>, %out: memref<?xi8>) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %cv = memref.view %codes[%c0][] : memref<?xi8> to memref<16xi8>
  %ov = memref.view %out[%c0][] : memref<?xi8> to memref<16xf32>
  %x = arith.constant 3.0 : f32
  scf.forall (%i) in (16) {
    %byte = memref.load %cv[%i] : memref<16xi8>
    %code = arith.extui %byte : i8 to i32
    %table = arith.constant dense<"0x0000003B803BC03B003C203C403C603C803C903CA03CB03CC03CD03CE03CF03C003D103D203D303D403D503D603D703D803D903DA03DB03DC03DD03DE03DF03D003E103E203E303E403E503E603E703E803E903EA03EB03EC03ED03EE03EF03E003F103F203F303F403F503F603F703F803F903FA03FB03FC03FD03FE03FF03F0040104020403040404050406040704080409040A040B040C040D040E040F0400041104120413041404150416041704180419041A041B041C041D041E041F0410042104220423042404250426042704280429042A042B042C042D042E042F0420043104320433043404350436043704380439043A043B043C043D043E043C07F"> : vector<128xbf16>
    %c127 = arith.constant 127 : i32
    %low = arith.andi %code, %c127 : i32
    %position = arith.index_cast %low : i32 to index
    %magnitude = vector.extract %table[%position] : bf16 from vector<128xbf16>
    %c8 = arith.constant 8 : i32
    %c128 = arith.constant 128 : i32
    %signbit = arith.andi %code, %c128 : i32
    %shifted = arith.shli %signbit, %c8 : i32
    %sign = arith.trunci %shifted : i32 to i16
    %bits = arith.bitcast %magnitude : bf16 to i16
    %signed = arith.ori %bits, %sign : i16
    %value = arith.bitcast %signed : i16 to bf16
    %wide = arith.extf %value : bf16 to f32
    %product = arith.mulf %x, %wide : f32
    memref.store %product, %ov[%i] : memref<16xf32>
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// MXFP4 weights as the GEMMs read them: code i is the low (even i) or high
// nibble of byte i / 2. Every chip but sm_100a and gfx950 decodes both
// nibbles of the byte as a pair of f16 (x = byte * 0x1001000: signs
// at bits 15 and 31, exponents and mantissas at 11..9 and 27..25), times
// 2^14, and takes the half the code is; once a lane's chunk is unrolled the
// half is a constant and the two codes of a byte share the pair.
// CHECK-LABEL: func.func @fp4_nibbles
// CHECK: %[[BYTE:.*]] = memref.load
// CHECK: %[[WIDE:.*]] = arith.extui %[[BYTE]] : i8 to i32
// CHECK: %[[PARITY:.*]] = arith.remui %{{.*}}, %{{.*}} : index
// CHECK: %[[TWICE:.*]] = arith.constant 16781312 : i32
// CHECK: %[[SPREAD:.*]] = arith.muli %[[WIDE]], %[[TWICE]] : i32
// CHECK: %[[C_SIGNS:.*]] = arith.constant -2147450880 : i32
// CHECK: %[[SIGNS:.*]] = arith.andi %[[SPREAD]], %[[C_SIGNS]] : i32
// CHECK: %[[DOWN:.*]] = arith.shrui %[[SPREAD]], %{{.*}} : i32
// CHECK: %[[C_MAGS:.*]] = arith.constant 234884608 : i32
// CHECK: %[[MAGS:.*]] = arith.andi %[[DOWN]], %[[C_MAGS]] : i32
// CHECK: %[[BITS:.*]] = arith.ori %[[SIGNS]], %[[MAGS]] : i32
// CHECK: vector.bitcast %{{.*}} : vector<1xi32> to vector<2xf16>
// CHECK: %[[BIAS:.*]] = arith.constant dense<1.638400e+04> : vector<2xf16>
// CHECK: %[[SCALED:.*]] = arith.mulf %{{.*}}, %[[BIAS]] : vector<2xf16>
// CHECK: %[[HALF:.*]] = vector.extract %[[SCALED]][%[[PARITY]]] : f16 from vector<2xf16>
// CHECK: %[[VALUE:.*]] = arith.extf %[[HALF]] : f16 to f32
// CHECK: arith.truncf %[[VALUE]] : f32 to bf16
// CHECK-NOT: vector<16xbf16>
// KEEP-LABEL: func.func @fp4_nibbles
// KEEP: vector.extract %{{.*}}[%{{.*}}] : bf16 from vector<16xbf16>
func.func @fp4_nibbles(%codes: memref<?xi8>, %out: memref<?xi8>) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %cv = memref.view %codes[%c0][] : memref<?xi8> to memref<16xi8>
  %ov = memref.view %out[%c0][] : memref<?xi8> to memref<32xbf16>
  scf.forall (%i) in (32) {
    %at = arith.divui %i, %c2 : index
    %byte = memref.load %cv[%at] : memref<16xi8>
    %wide = arith.extui %byte : i8 to i32
    %parity = arith.remui %i, %c2 : index
    %odd = arith.index_cast %parity : index to i32
    %c4 = arith.constant 4 : i32
    %shift = arith.muli %odd, %c4 : i32
    %shifted = arith.shrui %wide, %shift : i32
    %c15 = arith.constant 15 : i32
    %code = arith.andi %shifted, %c15 : i32
    %table = arith.constant dense<[0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, -0.0, -0.5, -1.0, -1.5, -2.0, -3.0, -4.0, -6.0]> : vector<16xbf16>
    %low = arith.andi %code, %c15 : i32
    %position = arith.index_cast %low : i32 to index
    %value = vector.extract %table[%position] : bf16 from vector<16xbf16>
    memref.store %value, %ov[%i] : memref<32xbf16>
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// A tile form's chunk: the byte's two codes by constant shifts (the low
// nibble masked, the high one shifted by 4 and masked) share one pair, the
// low code its half 0, the high code its half 1.
// CHECK-LABEL: func.func @fp4_chunk
// CHECK: %[[BYTE:.*]] = memref.load
// CHECK: %[[WIDE:.*]] = arith.extui %[[BYTE]] : i8 to i32
// CHECK: arith.muli %[[WIDE]], %{{.*}} : i32
// CHECK: %[[SCALED:.*]] = arith.mulf %{{.*}}, %{{.*}} : vector<2xf16>
// CHECK: vector.extract %[[SCALED]][0] : f16 from vector<2xf16>
// CHECK: %[[HIGH:.*]] = arith.constant 1 : index
// CHECK: arith.muli %[[WIDE]], %{{.*}} : i32
// CHECK: %[[AGAIN:.*]] = arith.mulf %{{.*}}, %{{.*}} : vector<2xf16>
// CHECK: vector.extract %[[AGAIN]][%[[HIGH]]] : f16 from vector<2xf16>
// CHECK-NOT: vector<16xbf16>
// KEEP-LABEL: func.func @fp4_chunk
// KEEP-COUNT-2: vector.extract %{{.*}}[%{{.*}}] : bf16 from vector<16xbf16>
func.func @fp4_chunk(%codes: memref<?xi8>, %out: memref<?xi8>) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %cv = memref.view %codes[%c0][] : memref<?xi8> to memref<16xi8>
  %ov = memref.view %out[%c0][] : memref<?xi8> to memref<32xbf16>
  scf.forall (%i) in (16) {
    %byte = memref.load %cv[%i] : memref<16xi8>
    %wide = arith.extui %byte : i8 to i32
    %c4 = arith.constant 4 : i32
    %c15 = arith.constant 15 : i32
    %lowCode = arith.andi %wide, %c15 : i32
    %shifted = arith.shrui %wide, %c4 : i32
    %highCode = arith.andi %shifted, %c15 : i32
    %table = arith.constant dense<[0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, -0.0, -0.5, -1.0, -1.5, -2.0, -3.0, -4.0, -6.0]> : vector<16xbf16>
    %lowMasked = arith.andi %lowCode, %c15 : i32
    %lowAt = arith.index_cast %lowMasked : i32 to index
    %low = vector.extract %table[%lowAt] : bf16 from vector<16xbf16>
    %highMasked = arith.andi %highCode, %c15 : i32
    %highAt = arith.index_cast %highMasked : i32 to index
    %high = vector.extract %table[%highAt] : bf16 from vector<16xbf16>
    %even = arith.muli %i, %c2 : index
    memref.store %low, %ov[%even] : memref<32xbf16>
    %c1 = arith.constant 1 : index
    %odd = arith.addi %even, %c1 : index
    memref.store %high, %ov[%odd] : memref<32xbf16>
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// An E2M1 code that is not a nibble of a loaded byte: its low four bits,
// the low half of the pair.
// CHECK-LABEL: func.func @fp4_code
// CHECK: %[[SUM:.*]] = arith.addi
// CHECK: %[[C15:.*]] = arith.constant 15 : i32
// CHECK: %[[NIBBLE:.*]] = arith.andi %[[SUM]], %[[C15]] : i32
// CHECK: arith.muli %[[NIBBLE]]
// CHECK: %[[SCALED:.*]] = arith.mulf %{{.*}}, %{{.*}} : vector<2xf16>
// CHECK: vector.extract %[[SCALED]][0] : f16 from vector<2xf16>
// CHECK-NOT: vector<16xbf16>
// KEEP-LABEL: func.func @fp4_code
// KEEP: vector.extract %{{.*}}[%{{.*}}] : bf16 from vector<16xbf16>
func.func @fp4_code(%codes: memref<?xi8>, %out: memref<?xi8>) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %cv = memref.view %codes[%c0][] : memref<?xi8> to memref<16xi8>
  %ov = memref.view %out[%c0][] : memref<?xi8> to memref<16xbf16>
  scf.forall (%i) in (16) {
    %byte = memref.load %cv[%i] : memref<16xi8>
    %wide = arith.extui %byte : i8 to i32
    %c1 = arith.constant 1 : i32
    %code = arith.addi %wide, %c1 : i32
    %table = arith.constant dense<[0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, -0.0, -0.5, -1.0, -1.5, -2.0, -3.0, -4.0, -6.0]> : vector<16xbf16>
    %c15 = arith.constant 15 : i32
    %low = arith.andi %code, %c15 : i32
    %position = arith.index_cast %low : i32 to index
    %value = vector.extract %table[%position] : bf16 from vector<16xbf16>
    memref.store %value, %ov[%i] : memref<16xbf16>
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// A table of other values stays (sieve-gpu-constant-tables makes it a load).
// CHECK-LABEL: func.func @other_values
// CHECK: vector.extract %{{.*}}[%{{.*}}] : bf16 from vector<16xbf16>
// CHECK-NOT: vector<2xf16>
func.func @other_values(%codes: memref<?xi8>, %out: memref<?xi8>) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %cv = memref.view %codes[%c0][] : memref<?xi8> to memref<16xi8>
  %ov = memref.view %out[%c0][] : memref<?xi8> to memref<16xbf16>
  scf.forall (%i) in (16) {
    %byte = memref.load %cv[%i] : memref<16xi8>
    %code = arith.extui %byte : i8 to i32
    %table = arith.constant dense<[0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, -0.0, -0.5, -1.0, -1.5, -2.0, -3.0, -4.0, -8.0]> : vector<16xbf16>
    %c15 = arith.constant 15 : i32
    %low = arith.andi %code, %c15 : i32
    %position = arith.index_cast %low : i32 to index
    %value = vector.extract %table[%position] : bf16 from vector<16xbf16>
    memref.store %value, %ov[%i] : memref<16xbf16>
  } {mapping = [#gpu.block<x>]}
  return
}
