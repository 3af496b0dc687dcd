// RUN: sieve-opt %s --split-input-file --sieve-gpu-native-small-floats=chip=sm_90 | FileCheck %s --check-prefix=SM90
// RUN: sieve-opt %s --split-input-file --sieve-gpu-native-small-floats=chip=sm_100a | FileCheck %s --check-prefix=SM100
// RUN: sieve-opt %s --split-input-file --sieve-gpu-native-small-floats=chip=gfx950 | FileCheck %s --check-prefix=GFX950
// RUN: sieve-opt %s --split-input-file --sieve-gpu-native-small-floats=chip=sm_80 | FileCheck %s --check-prefix=KEEP
// RUN: sieve-opt %s --split-input-file --sieve-gpu-native-small-floats=chip=gfx942 | FileCheck %s --check-prefix=KEEP

// An FP8 weight's decode as QuantArith's decodeFromTable writes it: the
// E4M3 magnitude table, the sign ORed in, widened to f32 for the product.
// sm_90 and sm_100a convert the whole code (sign included) with cvt
// e4m3x2 -> f16x2, gfx950 with its scaled conversion; the f32 product takes
// the converted value. sm_80 has no FP8 conversion, and gfx942's is FNUZ.
// SM90-LABEL: func.func @fp8_weight
// SM90: %[[CODE:.*]] = arith.extui %{{.*}} : i8 to i32
// SM90: %[[BYTE:.*]] = arith.trunci %[[CODE]] : i32 to i8
// SM90: %[[PAIR:.*]] = vector.broadcast %[[BYTE]] : i8 to vector<2xi8>
// SM90: %[[HALVES:.*]] = nvvm.convert.f8x2.to.f16x2 %[[PAIR]] : vector<2xi8>(f8E4M3FN) -> vector<2xf16>
// SM90: %[[HALF:.*]] = vector.extract %[[HALVES]][0] : f16 from vector<2xf16>
// SM90: %[[VALUE:.*]] = arith.extf %[[HALF]] : f16 to f32
// SM90: arith.mulf %{{.*}}, %[[VALUE]] : f32
// SM90-NOT: vector.extract %{{.*}} : bf16 from vector<128xbf16>
// SM90-NOT: arith.ori
// SM100-LABEL: func.func @fp8_weight
// SM100: nvvm.convert.f8x2.to.f16x2
// GFX950-LABEL: func.func @fp8_weight
// GFX950: %[[BYTE:.*]] = arith.trunci %{{.*}} : i32 to i8
// GFX950: %[[FP8:.*]] = arith.bitcast %[[BYTE]] : i8 to f8E4M3FN
// GFX950: %[[PAIR:.*]] = vector.broadcast %[[FP8]] : f8E4M3FN to vector<2xf8E4M3FN>
// GFX950: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// GFX950: %[[WORDS:.*]] = amdgpu.scaled_ext_packed %[[PAIR]][0], %[[ONE]] : vector<2xf8E4M3FN> to vector<2xf32>
// GFX950: %[[VALUE:.*]] = vector.extract %[[WORDS]][0] : f32 from vector<2xf32>
// GFX950: arith.mulf %{{.*}}, %[[VALUE]] : f32
// KEEP-LABEL: func.func @fp8_weight
// KEEP: vector.extract %{{.*}}[%{{.*}}] : bf16 from vector<128xbf16>
// KEEP: arith.ori
// KEEP-NOT: nvvm.convert
// KEEP-NOT: amdgpu.scaled_ext_packed
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

// An MXFP4 code (a nibble) in the signed E2M1 table: converted on sm_100a
// (cvt e2m1x2 -> f16x2, the code in both nibbles) and gfx950; sm_90 has FP8
// conversions only and keeps the lookup.
// SM90-LABEL: func.func @fp4_weight
// SM90: vector.extract %{{.*}}[%{{.*}}] : bf16 from vector<16xbf16>
// SM90-NOT: nvvm.convert
// SM100-LABEL: func.func @fp4_weight
// SM100: %[[BYTE:.*]] = arith.trunci %{{.*}} : i32 to i8
// SM100: %[[LOW:.*]] = arith.andi %[[BYTE]], %{{.*}} : i8
// SM100: %[[HIGH:.*]] = arith.shli %[[LOW]], %{{.*}} : i8
// SM100: %[[BOTH:.*]] = arith.ori %[[LOW]], %[[HIGH]] : i8
// SM100: %[[HALVES:.*]] = nvvm.convert.f4x2.to.f16x2 %[[BOTH]] : i8(f4E2M1FN) -> vector<2xf16>
// SM100: %[[HALF:.*]] = vector.extract %[[HALVES]][0]
// SM100: %[[VALUE:.*]] = arith.extf %[[HALF]] : f16 to f32
// SM100: %[[NARROW:.*]] = arith.truncf %[[VALUE]] : f32 to bf16
// SM100: memref.store %[[NARROW]]
// SM100-NOT: vector<16xbf16>
// GFX950-LABEL: func.func @fp4_weight
// GFX950: vector.bitcast %{{.*}} : vector<1xi8> to vector<2xi4>
// GFX950: arith.bitcast %{{.*}} : vector<2xi4> to vector<2xf4E2M1FN>
// GFX950: amdgpu.scaled_ext_packed %{{.*}}[0], %{{.*}} : vector<2xf4E2M1FN> to vector<2xf32>
// KEEP-LABEL: func.func @fp4_weight
// KEEP: vector.extract %{{.*}}[%{{.*}}] : bf16 from vector<16xbf16>
func.func @fp4_weight(%codes: memref<?xi8>, %out: memref<?xi8>) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %cv = memref.view %codes[%c0][] : memref<?xi8> to memref<16xi8>
  %ov = memref.view %out[%c0][] : memref<?xi8> to memref<16xbf16>
  scf.forall (%i) in (16) {
    %byte = memref.load %cv[%i] : memref<16xi8>
    %code = arith.extui %byte : i8 to i32
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

// Tables are recognized by their values: one entry off (code 127 is not
// NaN here), a table of other values, or a lookup outside a kernel stay.
// SM100-LABEL: func.func @not_e4m3
// SM100: vector.extract %{{.*}}[%{{.*}}] : bf16 from vector<128xbf16>
// SM100-NOT: nvvm.convert
// SM100-LABEL: func.func @other_values
// SM100: vector.extract %{{.*}}[%{{.*}}] : bf16 from vector<16xbf16>
// SM100-NOT: nvvm.convert
// SM100-LABEL: func.func @not_a_kernel
// SM100: vector.extract %{{.*}}[%{{.*}}] : bf16 from vector<16xbf16>
// SM100-NOT: nvvm.convert
func.func @not_e4m3(%codes: memref<?xi8>, %out: memref<?xi8>) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %cv = memref.view %codes[%c0][] : memref<?xi8> to memref<16xi8>
  %ov = memref.view %out[%c0][] : memref<?xi8> to memref<16xbf16>
  scf.forall (%i) in (16) {
    %byte = memref.load %cv[%i] : memref<16xi8>
    %code = arith.extui %byte : i8 to i32
    %table = arith.constant dense<"0x0000003B803BC03B003C203C403C603C803C903CA03CB03CC03CD03CE03CF03C003D103D203D303D403D503D603D703D803D903DA03DB03DC03DD03DE03DF03D003E103E203E303E403E503E603E703E803E903EA03EB03EC03ED03EE03EF03E003F103F203F303F403F503F603F703F803F903FA03FB03FC03FD03FE03FF03F0040104020403040404050406040704080409040A040B040C040D040E040F0400041104120413041404150416041704180419041A041B041C041D041E041F0410042104220423042404250426042704280429042A042B042C042D042E042F0420043104320433043404350436043704380439043A043B043C043D043E043C043"> : vector<128xbf16>
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
    memref.store %value, %ov[%i] : memref<16xbf16>
  } {mapping = [#gpu.block<x>]}
  return
}
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
func.func @not_a_kernel(%code: i32) -> bf16 {
  %table = arith.constant dense<[0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, -0.0, -0.5, -1.0, -1.5, -2.0, -3.0, -4.0, -6.0]> : vector<16xbf16>
  %c15 = arith.constant 15 : i32
  %low = arith.andi %code, %c15 : i32
  %position = arith.index_cast %low : i32 to index
  %value = vector.extract %table[%position] : bf16 from vector<16xbf16>
  return %value : bf16
}

// -----

// A value's rounding to the E4M3 or E2M1 grid as QuantArith's toGrid
// writes it (kernel_contract::kGridRounding on its last multiply): NVIDIA's
// FP8 chips round the clamped value with cvt.rn.satfinite.e4m3x2.f32 and
// convert the code back, sm_100a to E2M1 with cvt.rn.satfinite.e2m1x2.f32
// (a NaN passed through: E2M1 has none, the chip gives +6); gfx950 to both
// with its scaled truncations at scale 1 and back (the first pair of codes);
// chips without the conversions keep the arithmetic.
// SM90-LABEL: func.func @e4m3_grid
// SM90: %[[CLAMPED:.*]] = arith.select %{{.*}}, %{{.*}}, %{{.*}} : f32
// SM90: %[[CODES:.*]] = nvvm.convert.f32x2.to.f8x2 %[[CLAMPED]], %[[CLAMPED]] {rnd = #nvvm.fp_rnd_mode<rn>, sat = #nvvm.sat_mode<satfinite>} : vector<2xi8>(f8E4M3FN)
// SM90: %[[HALVES:.*]] = nvvm.convert.f8x2.to.f16x2 %[[CODES]] : vector<2xi8>(f8E4M3FN) -> vector<2xf16>
// SM90: %[[HALF:.*]] = vector.extract %[[HALVES]][0] : f16 from vector<2xf16>
// SM90: %[[GRID:.*]] = arith.extf %[[HALF]] : f16 to f32
// SM90: memref.store %[[GRID]]
// SM90-NOT: sieve.grid_rounding = "e4m3"
// SM90: arith.mulf %{{.*}}, %{{.*}} {sieve.grid_rounding = "e2m1"} : f32
// SM90-NOT: nvvm.convert.f32x2
// SM100-LABEL: func.func @e4m3_grid
// SM100: %[[V:.*]] = arith.select %{{.*}}, %{{.*}}, %{{.*}} : f32
// SM100: nvvm.convert.f32x2.to.f8x2 %[[V]], %[[V]]
// SM100: %[[CODES:.*]] = nvvm.convert.f32x2.to.f4x2 %[[V]], %[[V]] : i8(f4E2M1FN)
// SM100: %[[HALVES:.*]] = nvvm.convert.f4x2.to.f16x2 %[[CODES]] : i8(f4E2M1FN) -> vector<2xf16>
// SM100: %[[HALF:.*]] = vector.extract %[[HALVES]][0] : f16 from vector<2xf16>
// SM100: %[[GRID:.*]] = arith.extf %[[HALF]] : f16 to f32
// SM100: %[[NAN:.*]] = arith.cmpf uno, %[[V]], %[[V]] : f32
// SM100: %[[VALUE:.*]] = arith.select %[[NAN]], %[[V]], %[[GRID]] : f32
// SM100: memref.store %[[VALUE]]
// SM100-NOT: sieve.grid_rounding
// GFX950-LABEL: func.func @e4m3_grid
// GFX950: %[[V:.*]] = arith.select %{{.*}}, %{{.*}}, %{{.*}} : f32
// GFX950: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// GFX950: %[[PAIR:.*]] = vector.broadcast %[[V]] : f32 to vector<2xf32>
// GFX950: %[[CODES:.*]] = amdgpu.packed_scaled_trunc %[[PAIR]] into undef[0], %[[ONE]] : vector<2xf32> to vector<4xf8E4M3FN>
// GFX950: %[[BACK:.*]] = amdgpu.scaled_ext_packed %[[CODES]][0], %[[ONE]] : vector<4xf8E4M3FN> to vector<2xf32>
// GFX950: %[[GRID:.*]] = vector.extract %[[BACK]][0] : f32 from vector<2xf32>
// GFX950: memref.store %[[GRID]]
// GFX950: %[[ONE4:.*]] = arith.constant 1.000000e+00 : f32
// GFX950: %[[PAIR4:.*]] = vector.broadcast %[[V]] : f32 to vector<2xf32>
// GFX950: %[[CODES4:.*]] = amdgpu.packed_scaled_trunc %[[PAIR4]] into undef[0], %[[ONE4]] : vector<2xf32> to vector<8xf4E2M1FN>
// GFX950: %[[BACK4:.*]] = amdgpu.scaled_ext_packed %[[CODES4]][0], %[[ONE4]] : vector<8xf4E2M1FN> to vector<2xf32>
// GFX950: %[[GRID4:.*]] = vector.extract %[[BACK4]][0] : f32 from vector<2xf32>
// GFX950: %[[NAN:.*]] = arith.cmpf uno, %[[V]], %[[V]] : f32
// GFX950: %[[VALUE:.*]] = arith.select %[[NAN]], %[[V]], %[[GRID4]] : f32
// GFX950: memref.store %[[VALUE]]
// GFX950-NOT: sieve.grid_rounding
// KEEP-LABEL: func.func @e4m3_grid
// KEEP: arith.mulf %{{.*}}, %{{.*}} {sieve.grid_rounding = "e4m3"} : f32
// KEEP-NOT: nvvm.convert
func.func @e4m3_grid(%in: memref<?xi8>, %out: memref<?xi8>) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %iv = memref.view %in[%c0][] : memref<?xi8> to memref<16xf32>
  %ov = memref.view %out[%c0][] : memref<?xi8> to memref<32xf32>
  %qmax = arith.constant 448.0 : f32
  %step = arith.constant 0.125 : f32
  %inverse = arith.constant 8.0 : f32
  scf.forall (%i) in (16) {
    %x = memref.load %iv[%i] : memref<16xf32>
    %above = arith.cmpf ogt, %x, %qmax : f32
    %v = arith.select %above, %qmax, %x : f32
    %quotient = arith.mulf %v, %inverse : f32
    %even = math.roundeven %quotient : f32
    %grid = arith.mulf %even, %step {sieve.grid_rounding = "e4m3"} : f32
    memref.store %grid, %ov[%i] : memref<32xf32>
    // An E2M1 rounding of the same shape.
    %q2 = arith.mulf %v, %inverse : f32
    %e2 = math.roundeven %q2 : f32
    %g2 = arith.mulf %e2, %step {sieve.grid_rounding = "e2m1"} : f32
    %c16 = arith.constant 16 : index
    %j = arith.addi %i, %c16 : index
    memref.store %g2, %ov[%j] : memref<32xf32>
  } {mapping = [#gpu.block<x>]}
  return
}
