// RUN: sieve-opt %s --split-input-file --pass-pipeline='builtin.module(gpu.module(sieve-gpu-pair-conversions))' | FileCheck %s

// A lane's unrolled chunk: codes at base, base + 1, base + 2 (each converted
// alone, the code in both bytes) become one conversion of the first two, at
// the first one's place; the third has no neighbour and stays.
// CHECK-LABEL: gpu.func @adjacent
// CHECK: %[[C0:.*]] = memref.load %[[CODES:.*]][%[[ROW:.*]], %[[BASE:.*]]] : memref<4x64xi8>
// CHECK: %[[NEXT:.*]] = arith.addi %[[BASE]], %{{.*}} : index
// CHECK: %[[C1:.*]] = memref.load %[[CODES]][%[[ROW]], %[[NEXT]]] : memref<4x64xi8>
// CHECK: %[[PAIR:.*]] = vector.from_elements %[[C0]], %[[C1]] : vector<2xi8>
// CHECK: %[[BOTH:.*]] = nvvm.convert.f8x2.to.f16x2 %[[PAIR]] : vector<2xi8>(f8E4M3FN) -> vector<2xf16>
// CHECK: %[[V0:.*]] = vector.extract %[[BOTH]][0] : f16 from vector<2xf16>
// CHECK: %[[V1:.*]] = vector.extract %[[BOTH]][1] : f16 from vector<2xf16>
// CHECK: arith.addf %[[V0]], %[[V1]] : f16
// CHECK: vector.broadcast %{{.*}} : i8 to vector<2xi8>
// CHECK: nvvm.convert.f8x2.to.f16x2
// CHECK-NOT: nvvm.convert
gpu.module @kernels {
  gpu.func @adjacent(%codes: memref<4x64xi8>, %out: memref<4xf16>, %row: index, %base: index) kernel {
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %b0 = memref.load %codes[%row, %base] : memref<4x64xi8>
    %p0 = vector.broadcast %b0 : i8 to vector<2xi8>
    %h0 = nvvm.convert.f8x2.to.f16x2 %p0 : vector<2xi8>(f8E4M3FN) -> vector<2xf16>
    %v0 = vector.extract %h0[0] : f16 from vector<2xf16>
    %i1 = arith.addi %base, %c1 : index
    %b1 = memref.load %codes[%row, %i1] : memref<4x64xi8>
    %p1 = vector.broadcast %b1 : i8 to vector<2xi8>
    %h1 = nvvm.convert.f8x2.to.f16x2 %p1 : vector<2xi8>(f8E4M3FN) -> vector<2xf16>
    %v1 = vector.extract %h1[0] : f16 from vector<2xf16>
    %s01 = arith.addf %v0, %v1 : f16
    %i2 = arith.addi %base, %c2 : index
    %b2 = memref.load %codes[%row, %i2] : memref<4x64xi8>
    %p2 = vector.broadcast %b2 : i8 to vector<2xi8>
    %h2 = nvvm.convert.f8x2.to.f16x2 %p2 : vector<2xi8>(f8E4M3FN) -> vector<2xf16>
    %v2 = vector.extract %h2[0] : f16 from vector<2xf16>
    %s = arith.addf %s01, %v2 : f16
    memref.store %s, %out[%row] : memref<4xf16>
    gpu.return
  }
}

// -----

// Not paired: a store between the two (the later code could change), codes
// of different rows, codes two bytes apart.
// CHECK-LABEL: gpu.func @apart
// CHECK-COUNT-5: nvvm.convert.f8x2.to.f16x2
// CHECK-NOT: vector.from_elements
gpu.module @kernels {
  gpu.func @apart(%codes: memref<4x64xi8>, %out: memref<4xf16>, %row: index, %other: index, %base: index) kernel {
    %c1 = arith.constant 1 : index
    %c3 = arith.constant 3 : index
    %c5 = arith.constant 5 : index
    %x = arith.constant 7 : i8
    %b0 = memref.load %codes[%row, %base] : memref<4x64xi8>
    %p0 = vector.broadcast %b0 : i8 to vector<2xi8>
    %h0 = nvvm.convert.f8x2.to.f16x2 %p0 : vector<2xi8>(f8E4M3FN) -> vector<2xf16>
    %v0 = vector.extract %h0[0] : f16 from vector<2xf16>
    %i1 = arith.addi %base, %c1 : index
    memref.store %x, %codes[%row, %i1] : memref<4x64xi8>
    %b1 = memref.load %codes[%row, %i1] : memref<4x64xi8>
    %p1 = vector.broadcast %b1 : i8 to vector<2xi8>
    %h1 = nvvm.convert.f8x2.to.f16x2 %p1 : vector<2xi8>(f8E4M3FN) -> vector<2xf16>
    %v1 = vector.extract %h1[0] : f16 from vector<2xf16>
    %b2 = memref.load %codes[%other, %i1] : memref<4x64xi8>
    %p2 = vector.broadcast %b2 : i8 to vector<2xi8>
    %h2 = nvvm.convert.f8x2.to.f16x2 %p2 : vector<2xi8>(f8E4M3FN) -> vector<2xf16>
    %v2 = vector.extract %h2[0] : f16 from vector<2xf16>
    %i3 = arith.addi %base, %c3 : index
    %b3 = memref.load %codes[%other, %i3] : memref<4x64xi8>
    %p3 = vector.broadcast %b3 : i8 to vector<2xi8>
    %h3 = nvvm.convert.f8x2.to.f16x2 %p3 : vector<2xi8>(f8E4M3FN) -> vector<2xf16>
    %v3 = vector.extract %h3[0] : f16 from vector<2xf16>
    %i5 = arith.addi %base, %c5 : index
    %b4 = memref.load %codes[%other, %i5] : memref<4x64xi8>
    %p4 = vector.broadcast %b4 : i8 to vector<2xi8>
    %h4 = nvvm.convert.f8x2.to.f16x2 %p4 : vector<2xi8>(f8E4M3FN) -> vector<2xf16>
    %v4 = vector.extract %h4[0] : f16 from vector<2xf16>
    %s0 = arith.addf %v0, %v1 : f16
    %s1 = arith.addf %s0, %v2 : f16
    %s2 = arith.addf %s1, %v3 : f16
    %s3 = arith.addf %s2, %v4 : f16
    memref.store %s3, %out[%row] : memref<4xf16>
    gpu.return
  }
}

// -----

// A tile form's chunk: the codes are all loaded first, then each converted
// and its value stored to workgroup memory. Neither the stores (workgroup
// memory, not the codes' memref) nor the conversions between them keep the
// neighbours apart: two conversions for four codes.
// CHECK-LABEL: gpu.func @decoded_into_a_tile
// CHECK-COUNT-2: vector.from_elements %{{.*}}, %{{.*}} : vector<2xi8>
// CHECK-NEXT: nvvm.convert.f8x2.to.f16x2
// CHECK-NOT: nvvm.convert
gpu.module @kernels {
  gpu.func @decoded_into_a_tile(%codes: memref<4x64xi8>, %row: index, %base: index) workgroup(%tile: memref<64xf16, #gpu.address_space<workgroup>>) kernel {
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c3 = arith.constant 3 : index
    %i1 = arith.addi %base, %c1 : index
    %i2 = arith.addi %base, %c2 : index
    %i3 = arith.addi %base, %c3 : index
    %b0 = memref.load %codes[%row, %base] : memref<4x64xi8>
    %b1 = memref.load %codes[%row, %i1] : memref<4x64xi8>
    %b2 = memref.load %codes[%row, %i2] : memref<4x64xi8>
    %b3 = memref.load %codes[%row, %i3] : memref<4x64xi8>
    %p0 = vector.broadcast %b0 : i8 to vector<2xi8>
    %h0 = nvvm.convert.f8x2.to.f16x2 %p0 : vector<2xi8>(f8E4M3FN) -> vector<2xf16>
    %v0 = vector.extract %h0[0] : f16 from vector<2xf16>
    memref.store %v0, %tile[%base] : memref<64xf16, #gpu.address_space<workgroup>>
    %p1 = vector.broadcast %b1 : i8 to vector<2xi8>
    %h1 = nvvm.convert.f8x2.to.f16x2 %p1 : vector<2xi8>(f8E4M3FN) -> vector<2xf16>
    %v1 = vector.extract %h1[0] : f16 from vector<2xf16>
    memref.store %v1, %tile[%i1] : memref<64xf16, #gpu.address_space<workgroup>>
    %p2 = vector.broadcast %b2 : i8 to vector<2xi8>
    %h2 = nvvm.convert.f8x2.to.f16x2 %p2 : vector<2xi8>(f8E4M3FN) -> vector<2xf16>
    %v2 = vector.extract %h2[0] : f16 from vector<2xf16>
    memref.store %v2, %tile[%i2] : memref<64xf16, #gpu.address_space<workgroup>>
    %p3 = vector.broadcast %b3 : i8 to vector<2xi8>
    %h3 = nvvm.convert.f8x2.to.f16x2 %p3 : vector<2xi8>(f8E4M3FN) -> vector<2xf16>
    %v3 = vector.extract %h3[0] : f16 from vector<2xf16>
    memref.store %v3, %tile[%i3] : memref<64xf16, #gpu.address_space<workgroup>>
    gpu.return
  }
}

// -----

// Codes in workgroup memory: a store to workgroup memory between the two
// may write the later code, so they stay apart.
// CHECK-LABEL: gpu.func @codes_in_workgroup_memory
// CHECK-COUNT-2: nvvm.convert.f8x2.to.f16x2
// CHECK-NOT: vector.from_elements
gpu.module @kernels {
  gpu.func @codes_in_workgroup_memory(%row: index, %base: index) workgroup(%codes: memref<64xi8, #gpu.address_space<workgroup>>, %tile: memref<64xf16, #gpu.address_space<workgroup>>) kernel {
    %c1 = arith.constant 1 : index
    %i1 = arith.addi %base, %c1 : index
    %b0 = memref.load %codes[%base] : memref<64xi8, #gpu.address_space<workgroup>>
    %p0 = vector.broadcast %b0 : i8 to vector<2xi8>
    %h0 = nvvm.convert.f8x2.to.f16x2 %p0 : vector<2xi8>(f8E4M3FN) -> vector<2xf16>
    %v0 = vector.extract %h0[0] : f16 from vector<2xf16>
    memref.store %v0, %tile[%base] : memref<64xf16, #gpu.address_space<workgroup>>
    %b1 = memref.load %codes[%i1] : memref<64xi8, #gpu.address_space<workgroup>>
    %p1 = vector.broadcast %b1 : i8 to vector<2xi8>
    %h1 = nvvm.convert.f8x2.to.f16x2 %p1 : vector<2xi8>(f8E4M3FN) -> vector<2xf16>
    %v1 = vector.extract %h1[0] : f16 from vector<2xf16>
    memref.store %v1, %tile[%i1] : memref<64xf16, #gpu.address_space<workgroup>>
    gpu.return
  }
}
