// RUN: sieve-opt %s --split-input-file --sieve-gpu-form-kernels=block-size=64 | FileCheck %s
// RUN: not sieve-opt %s --split-input-file --sieve-gpu-form-kernels=block-size=2000 2>&1 | FileCheck %s --check-prefix=BAD-SIZE
// BAD-SIZE: error: sieve-gpu-form-kernels: block-size must be in [1, 1024], got 2000

// Workgroups become blocks, thread loops block-stride loops over 64 threads
// each followed by a barrier; the scratch both thread loops share moves to
// workgroup memory, a thread's own scratch to private memory at the entry.
// CHECK-LABEL: gpu.module @kernels
// CHECK: gpu.func @rows(%[[IN:.*]]: memref<?xi8>, %[[OUT:.*]]: memref<?xi8>, %[[N:.*]]: i32)
// CHECK-SAME: workgroup(%[[SHARED:[^ ]*]] : memref<128xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}) kernel
// CHECK-SAME: known_block_size = array<i32: 64, 1, 1>
// CHECK-SAME: sieve.bindings = 2 : i64, sieve.constants = 1 : i64, sieve.workgroup_memory = 512 : i64
// CHECK-NEXT: memref.alloca() : memref<2xf32, #gpu.address_space<private>>
// CHECK: %[[ROW:.*]] = gpu.block_id x
// CHECK: %[[T0:.*]] = gpu.thread_id x
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK:   memref.load %{{.*}}[%[[ROW]], %[[I]]]
// CHECK:   memref.store %{{.*}}, %[[SHARED]][%[[I]]]
// CHECK: }
// CHECK-NEXT: gpu.barrier
// CHECK: gpu.thread_id x
// CHECK: scf.for
// CHECK:   memref.load %[[SHARED]]
// CHECK: }
// CHECK-NEXT: gpu.barrier
// CHECK-NEXT: gpu.return
// CHECK-NOT: func.func
func.func @rows(%in: memref<?xi8>, %out: memref<?xi8>, %n: i32) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c128 = arith.constant 128 : index
  %rows = arith.index_castui %n : i32 to index
  %x = memref.view %in[%c0][%rows] : memref<?xi8> to memref<?x128xf32>
  %y = memref.view %out[%c0][%rows] : memref<?xi8> to memref<?x128xf32>
  scf.forall (%row) in (%rows) {
    %scratch = memref.alloca() : memref<128xf32>
    scf.forall (%i) in (%c128) {
      %v = memref.load %x[%row, %i] : memref<?x128xf32>
      memref.store %v, %scratch[%i] : memref<128xf32>
    } {mapping = [#gpu.thread<x>]}
    scf.forall (%i) in (%c128) {
      %own = memref.alloca() : memref<2xf32>
      %j = arith.subi %c128, %i : index
      %k = arith.subi %j, %c1 : index
      %v = memref.load %scratch[%k] : memref<128xf32>
      memref.store %v, %own[%c0] : memref<2xf32>
      %w = memref.load %own[%c0] : memref<2xf32>
      memref.store %w, %y[%row, %i] : memref<?x128xf32>
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// Without thread loops a kernel runs one thread per block, its scratch
// (even inside loops) private and allocated first; globals move along.
// CHECK-LABEL: gpu.module @kernels
// CHECK: memref.global "private" constant @table
// CHECK: gpu.func @serial(%{{.*}}: memref<?xi8>) kernel
// CHECK-SAME: known_block_size = array<i32: 1, 1, 1>
// CHECK-SAME: sieve.workgroup_memory = 0 : i64
// CHECK-NEXT: memref.alloca() : memref<4xf32, #gpu.address_space<private>>
// CHECK: gpu.block_id x
// CHECK: scf.for
// CHECK-NOT: memref.alloca
// CHECK-NOT: gpu.barrier
// CHECK: gpu.return
memref.global "private" constant @table : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
func.func @serial(%a: memref<?xi8>) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %v = memref.view %a[%c0][] : memref<?xi8> to memref<8x4xf32>
  %t = memref.get_global @table : memref<4xf32>
  scf.forall (%x) in (%c8) {
    scf.for %i = %c0 to %c4 step %c1 {
      %s = memref.alloca() : memref<4xf32>
      %e = memref.load %t[%i] : memref<4xf32>
      memref.store %e, %s[%i] : memref<4xf32>
      %f = memref.load %s[%i] : memref<4xf32>
      memref.store %f, %v[%x, %i] : memref<8x4xf32>
    }
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// A thread loop marked sieve.split_reductions gives each column a group of
// 32 threads: lane l sums elements l, l + 32, ... (lane 0 from the initial
// value), five xor exchanges add the parts, and every lane stores the sum. A
// carried maximum splits the same way, every lane from the initial value,
// the parts combined by maximumf.
// CHECK-LABEL: gpu.func @columns
// CHECK: %[[TID:.*]] = gpu.thread_id x
// CHECK: %[[GROUP:.*]] = arith.divui %[[TID]], %[[C32:.*]] : index
// CHECK: %[[LANE:.*]] = arith.remui %[[TID]], %[[C32]] : index
// CHECK: scf.for %[[COL:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK:   %[[FIRST:.*]] = arith.cmpi eq, %[[LANE]], %{{.*}} : index
// CHECK:   %[[INIT:.*]] = arith.select %[[FIRST]], %{{.*}}, %{{.*}} : f32
// CHECK:   %[[PART:.*]] = scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%{{.*}} = %[[INIT]]) -> (f32) {
// CHECK:   %[[S16:.*]], %{{.*}} = gpu.shuffle  xor %[[PART]], %{{.*}}, %{{.*}} : f32
// CHECK:   %[[T16:.*]] = arith.addf %[[PART]], %[[S16]] : f32
// CHECK-COUNT-4: gpu.shuffle  xor
// CHECK:   %[[TOTAL:.*]] = arith.addf
// CHECK-NOT: arith.select
// CHECK:   %[[MAXPART:.*]] = scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%{{.*}} = %[[ZERO:.*]]) -> (f32) {
// CHECK:     arith.maximumf
// CHECK:   }
// CHECK:   %[[M16:.*]], %{{.*}} = gpu.shuffle  xor %[[MAXPART]], %{{.*}}, %{{.*}} : f32
// CHECK:   arith.maximumf %[[MAXPART]], %[[M16]] : f32
// CHECK-COUNT-4: gpu.shuffle  xor
// CHECK:   %[[MAX:.*]] = arith.maximumf
// CHECK:   arith.addf %[[TOTAL]], %[[MAX]] : f32
// CHECK:   memref.store
// CHECK: }
// CHECK-NEXT: gpu.barrier
func.func @columns(%w: memref<?xi8>, %out: memref<?xi8>) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c128 = arith.constant 128 : index
  %zero = arith.constant 0.0 : f32
  %wv = memref.view %w[%c0][] : memref<?xi8> to memref<64x128xf32>
  %ov = memref.view %out[%c0][] : memref<?xi8> to memref<64xf32>
  scf.forall (%wg) in (1) {
    scf.forall (%col) in (64) {
      %sum = scf.for %k = %c0 to %c128 step %c1 iter_args(%acc = %zero) -> (f32) {
        %x = memref.load %wv[%col, %k] : memref<64x128xf32>
        %next = arith.addf %acc, %x : f32
        scf.yield %next : f32
      } {sieve.reduction}
      %max = scf.for %k = %c0 to %c128 step %c1 iter_args(%acc = %zero) -> (f32) {
        %x = memref.load %wv[%col, %k] : memref<64x128xf32>
        %next = arith.maximumf %acc, %x : f32
        scf.yield %next : f32
      } {sieve.reduction}
      %both = arith.addf %sum, %max : f32
      memref.store %both, %ov[%col] : memref<64xf32>
    } {mapping = [#gpu.thread<x>], sieve.split_reductions}
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// A split sum whose trip count is a multiple of 32 lanes x 16, over bytes:
// each lane takes sixteen consecutive iterations at a time (its body cloned
// sixteen times, the sum threaded through in order), so consecutive bytes
// are loaded by one lane: lane l starts at 16 * l, and the loop steps 512.
// CHECK-LABEL: gpu.func @rows_in_chunks
// CHECK: %[[LANE:.*]] = arith.remui %{{.*}}, %{{.*}} : index
// CHECK: %[[C16:.*]] = arith.constant 16 : index
// CHECK: %[[AT:.*]] = arith.muli %[[LANE]], %[[C16]] : index
// CHECK: %[[FROM:.*]] = arith.addi %{{.*}}, %[[AT]] : index
// CHECK: %[[BY:.*]] = arith.muli %[[C16]], %{{.*}} : index
// CHECK: scf.for %[[K:.*]] = %[[FROM]] to %{{.*}} step %[[BY]] iter_args(%[[ACC:.*]] = %{{.*}}) -> (f32) {
// CHECK:   memref.load %{{.*}}[%{{.*}}, %[[K]]] : memref<64x512xi8>
// CHECK:   %[[S0:.*]] = arith.addf %[[ACC]], %{{.*}} : f32
// CHECK:   %[[K1:.*]] = arith.addi %[[K]], %{{.*}} : index
// CHECK:   memref.load %{{.*}}[%{{.*}}, %[[K1]]] : memref<64x512xi8>
// CHECK:   %[[S1:.*]] = arith.addf %[[S0]], %{{.*}} : f32
// CHECK-COUNT-14: arith.addf
// CHECK:   scf.yield
// CHECK: } {sieve.reduction}
// CHECK-COUNT-5: gpu.shuffle  xor
func.func @rows_in_chunks(%w: memref<?xi8>, %out: memref<?xi8>) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c512 = arith.constant 512 : index
  %zero = arith.constant 0.0 : f32
  %wv = memref.view %w[%c0][] : memref<?xi8> to memref<64x512xi8>
  %ov = memref.view %out[%c0][] : memref<?xi8> to memref<64xf32>
  scf.forall (%wg) in (1) {
    scf.forall (%col) in (64) {
      %sum = scf.for %k = %c0 to %c512 step %c1 iter_args(%acc = %zero) -> (f32) {
        %byte = memref.load %wv[%col, %k] : memref<64x512xi8>
        %x = arith.uitofp %byte : i8 to f32
        %next = arith.addf %acc, %x : f32
        scf.yield %next : f32
      } {sieve.reduction}
      memref.store %sum, %ov[%col] : memref<64xf32>
    } {mapping = [#gpu.thread<x>], sieve.split_reductions}
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// Two FP4 codes per byte: code k is byte k / 2 shifted by 4 * (k % 2). A
// lane's chunk starts at a multiple of 16, so copy c of the chunk reads byte
// k / 2 + c / 2 and shifts by a constant: both codes of a byte load the same
// element, and no division or remainder is left per code.
// CHECK-LABEL: gpu.func @fp4_chunk_offsets
// CHECK: scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// CHECK-NOT: arith.remui
// CHECK: %[[HALF:.*]] = arith.divui %[[K]], %[[C2:.*]] : index
// CHECK: memref.load %{{.*}}[%{{.*}}, %[[HALF]]] : memref<64x512xi8>
// CHECK-NOT: arith.remui
// CHECK: arith.divui %[[K]], %[[C2]] : index
// CHECK: memref.load %{{.*}}[%{{.*}}, %{{.*}}] : memref<64x512xi8>
// CHECK: arith.shrui %{{.*}}, %{{.*}} : i32
// CHECK-NOT: arith.remui
// CHECK: %[[NEXT:.*]] = arith.divui %[[K]], %[[C2]] : index
// CHECK: arith.addi %[[NEXT]], %{{.*}} : index
// CHECK-NOT: arith.remui
// CHECK: } {sieve.reduction}
func.func @fp4_chunk_offsets(%w: memref<?xi8>, %out: memref<?xi8>) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c1024 = arith.constant 1024 : index
  %c4 = arith.constant 4 : i32
  %c15 = arith.constant 15 : i32
  %zero = arith.constant 0.0 : f32
  %wv = memref.view %w[%c0][] : memref<?xi8> to memref<64x512xi8>
  %ov = memref.view %out[%c0][] : memref<?xi8> to memref<64xf32>
  scf.forall (%wg) in (1) {
    scf.forall (%col) in (64) {
      %sum = scf.for %k = %c0 to %c1024 step %c1 iter_args(%acc = %zero) -> (f32) {
        %half = arith.divui %k, %c2 : index
        %byte = memref.load %wv[%col, %half] : memref<64x512xi8>
        %wide = arith.extui %byte : i8 to i32
        %odd = arith.remui %k, %c2 : index
        %odd32 = arith.index_cast %odd : index to i32
        %shift = arith.muli %odd32, %c4 : i32
        %shifted = arith.shrui %wide, %shift : i32
        %code = arith.andi %shifted, %c15 : i32
        %x = arith.uitofp %code : i32 to f32
        %next = arith.addf %acc, %x : f32
        scf.yield %next : f32
      } {sieve.reduction}
      memref.store %sum, %ov[%col] : memref<64xf32>
    } {mapping = [#gpu.thread<x>], sieve.split_reductions}
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// Eight at a time: bytes whose trip count is a multiple of 32 x 8 but not of
// 32 x 16, and wider elements (f32) even where 32 x 16 divides.
// CHECK-LABEL: gpu.func @chunks_of_eight
// CHECK: arith.constant 8 : index
// CHECK: scf.for
// CHECK: memref.load %{{.*}} : memref<64x256xi8>
// CHECK-COUNT-7: memref.load %{{.*}} : memref<64x256xi8>
// CHECK-NOT: memref.load %{{.*}} : memref<64x256xi8>
// CHECK: } {sieve.reduction}
// CHECK: arith.constant 8 : index
// CHECK: scf.for
// CHECK-COUNT-8: memref.load %{{.*}} : memref<64x512xf32>
// CHECK-NOT: memref.load %{{.*}} : memref<64x512xf32>
// CHECK: } {sieve.reduction}
func.func @chunks_of_eight(%w: memref<?xi8>, %f: memref<?xi8>, %out: memref<?xi8>) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c256 = arith.constant 256 : index
  %c512 = arith.constant 512 : index
  %zero = arith.constant 0.0 : f32
  %wv = memref.view %w[%c0][] : memref<?xi8> to memref<64x256xi8>
  %fv = memref.view %f[%c0][] : memref<?xi8> to memref<64x512xf32>
  %ov = memref.view %out[%c0][] : memref<?xi8> to memref<64xf32>
  scf.forall (%wg) in (1) {
    scf.forall (%col) in (64) {
      %bytes = scf.for %k = %c0 to %c256 step %c1 iter_args(%acc = %zero) -> (f32) {
        %byte = memref.load %wv[%col, %k] : memref<64x256xi8>
        %x = arith.uitofp %byte : i8 to f32
        %next = arith.addf %acc, %x : f32
        scf.yield %next : f32
      } {sieve.reduction}
      %floats = scf.for %k = %c0 to %c512 step %c1 iter_args(%acc = %bytes) -> (f32) {
        %x = memref.load %fv[%col, %k] : memref<64x512xf32>
        %next = arith.addf %acc, %x : f32
        scf.yield %next : f32
      } {sieve.reduction}
      memref.store %floats, %ov[%col] : memref<64xf32>
    } {mapping = [#gpu.thread<x>], sieve.split_reductions}
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// In a split iteration, an elementwise loop after which the iteration reads
// no memory is shared by the group's lanes (lane l stores elements l,
// l + 32, ...); one followed by a read stays whole in every lane, since a
// lane could read an element another has not stored yet.
// CHECK-LABEL: gpu.func @blocks_scaled
// CHECK: %[[TID:.*]] = gpu.thread_id x
// CHECK: %[[LANE:.*]] = arith.remui %[[TID]], %[[C32:.*]] : index
// CHECK: scf.for %[[BLK:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK:   gpu.shuffle  xor
// CHECK:   %[[AT:.*]] = arith.muli %[[LANE]], %[[C1:.*]] : index
// CHECK:   %[[FROM:.*]] = arith.addi %[[C0:.*]], %[[AT]] : index
// CHECK:   %[[BY:.*]] = arith.muli %[[C1]], %{{.*}} : index
// CHECK:   scf.for %{{.*}} = %[[FROM]] to %{{.*}} step %[[BY]] {
// CHECK:     memref.store
// CHECK:   } {sieve.elementwise}
// CHECK: }
// CHECK: gpu.barrier
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK:   scf.for %{{.*}} = %[[C0]] to %{{.*}} step %[[C1]] {
// CHECK:     memref.store
// CHECK:   } {sieve.elementwise}
// CHECK:   memref.load
// CHECK: }
func.func @blocks_scaled(%x: memref<?xi8>, %out: memref<?xi8>) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c128 = arith.constant 128 : index
  %zero = arith.constant 0.0 : f32
  %xv = memref.view %x[%c0][] : memref<?xi8> to memref<8x128xf32>
  %ov = memref.view %out[%c0][] : memref<?xi8> to memref<8x128xf32>
  %sv = memref.view %out[%c0][] : memref<?xi8> to memref<8xf32>
  scf.forall (%wg) in (1) {
    scf.forall (%blk) in (8) {
      %amax = scf.for %k = %c0 to %c128 step %c1 iter_args(%acc = %zero) -> (f32) {
        %v = memref.load %xv[%blk, %k] : memref<8x128xf32>
        %a = math.absf %v : f32
        %next = arith.maximumf %acc, %a : f32
        scf.yield %next : f32
      } {sieve.reduction}
      scf.for %k = %c0 to %c128 step %c1 {
        %v = memref.load %xv[%blk, %k] : memref<8x128xf32>
        %q = arith.divf %v, %amax : f32
        memref.store %q, %ov[%blk, %k] : memref<8x128xf32>
      } {sieve.elementwise}
    } {mapping = [#gpu.thread<x>], sieve.split_reductions}
    scf.forall (%blk) in (8) {
      scf.for %k = %c0 to %c128 step %c1 {
        memref.store %zero, %ov[%blk, %k] : memref<8x128xf32>
      } {sieve.elementwise}
      %first = memref.load %ov[%blk, %c0] : memref<8x128xf32>
      memref.store %first, %sv[%blk] : memref<8xf32>
    } {mapping = [#gpu.thread<x>], sieve.split_reductions}
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// A loop around thread loops ends each iteration with a barrier: every
// thread reads the shared scratch after the thread loop, and the next
// iteration's thread loop writes it again. A body that already ends with a
// thread loop's barrier gets no second one.
// CHECK-LABEL: gpu.func @blocks
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%{{.*}} = %{{.*}}) -> (f32) {
// CHECK:   scf.for
// CHECK:   gpu.barrier
// CHECK:   memref.load %{{.*}}[%{{.*}}] : memref<64xf32, #gpu.address_space<workgroup>>
// CHECK:   arith.addf
// CHECK-NEXT: gpu.barrier
// CHECK-NEXT: scf.yield
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK:   scf.for
// CHECK:   gpu.barrier
// CHECK-NEXT: }
func.func @blocks(%out: memref<?xi8>) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0.0 : f32
  %ov = memref.view %out[%c0][] : memref<?xi8> to memref<4x64xf32>
  scf.forall (%wg) in (1) {
    %scores = memref.alloca() : memref<64xf32>
    %total = scf.for %blk = %c0 to %c4 step %c1 iter_args(%acc = %zero) -> (f32) {
      scf.forall (%i) in (64) {
        %v = arith.index_cast %i : index to i32
        %f = arith.sitofp %v : i32 to f32
        memref.store %f, %scores[%i] : memref<64xf32>
      } {mapping = [#gpu.thread<x>]}
      %seen = memref.load %scores[%blk] : memref<64xf32>
      %next = arith.addf %acc, %seen : f32
      scf.yield %next : f32
    }
    scf.for %r = %c0 to %c4 step %c1 {
      scf.forall (%i) in (64) {
        memref.store %total, %ov[%r, %i] : memref<4x64xf32>
      } {mapping = [#gpu.thread<x>]}
    }
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// A loop whose body reads, outside its thread loops, only memory they do
// not write (here a routing table among the bindings, the thread loop
// writing shared scratch) needs no barrier closing each iteration: only the
// thread loop's own.
// CHECK-LABEL: gpu.func @rows_picked
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK:   memref.load %{{.*}}[%{{.*}}] : memref<16xi32>
// CHECK:   scf.if
// CHECK:     scf.for
// CHECK:     gpu.barrier
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-NOT: gpu.barrier
// CHECK: gpu.thread_id
func.func @rows_picked(%table: memref<?xi8>, %out: memref<?xi8>) attributes {sieve.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c0_i32 = arith.constant 0 : i32
  %one = arith.constant 1.0 : f32
  %tv = memref.view %table[%c0][] : memref<?xi8> to memref<16xi32>
  %ov = memref.view %out[%c0][] : memref<?xi8> to memref<64xf32>
  scf.forall (%wg) in (1) {
    %sum = memref.alloca() : memref<64xf32>
    scf.for %r = %c0 to %c16 step %c1 {
      %owner = memref.load %tv[%r] : memref<16xi32>
      %mine = arith.cmpi eq, %owner, %c0_i32 : i32
      scf.if %mine {
        scf.forall (%x) in (64) {
          %acc = memref.load %sum[%x] : memref<64xf32>
          %next = arith.addf %acc, %one : f32
          memref.store %next, %sum[%x] : memref<64xf32>
        } {mapping = [#gpu.thread<x>]}
      }
    }
    scf.forall (%x) in (64) {
      %v = memref.load %sum[%x] : memref<64xf32>
      memref.store %v, %ov[%x] : memref<64xf32>
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// Functions that are not kernels stay; a module without kernels gets no
// gpu.module.
// CHECK-LABEL: func.func @host
// CHECK-NOT: gpu.module
func.func @host(%a: index) -> index {
  return %a : index
}

