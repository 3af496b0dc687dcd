// RUN: sieve-opt %s --transform-interpreter --split-input-file --canonicalize --cse | FileCheck %s

// TilingInterface of the row-wise ops: the iteration domain is the leading
// dimensions and a tile is whole rows, so the tiled op is the same op on
// slices (the rms_norm weight whole, rope positions by row).

// CHECK-LABEL: func @tile_rms_norm
//  CHECK-SAME: (%[[X:.*]]: tensor<1x?x256xbf16>, %[[W:.*]]: tensor<256xbf16>)
//       CHECK: %[[S:.*]] = tensor.dim %[[X]], %c1
//       CHECK: scf.for %[[I:.*]] = %c0 to %[[S]] step %c8 iter_args(%[[ACC:.*]] = %{{.*}}) -> (tensor<1x?x256xbf16>)
//       CHECK:   %[[N:.*]] = affine.min
//       CHECK:   %[[XS:.*]] = tensor.extract_slice %[[X]][0, %[[I]], 0] [1, %[[N]], 256] [1, 1, 1]
//       CHECK:   %[[Y:.*]] = v4.rms_norm %[[XS]] weight %[[W]] eps {{.*}} : tensor<1x?x256xbf16>, tensor<256xbf16>
//       CHECK:   tensor.insert_slice %[[Y]] into %[[ACC]][0, %[[I]], 0] [1, %[[N]], 256] [1, 1, 1]
func.func @tile_rms_norm(%x: tensor<1x?x256xbf16>, %w: tensor<256xbf16>) -> tensor<1x?x256xbf16> {
  %y = v4.rms_norm %x weight %w eps 1.0e-6 : tensor<1x?x256xbf16>, tensor<256xbf16>
  return %y : tensor<1x?x256xbf16>
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["v4.rms_norm"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_for %op tile_sizes [0, 8]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// RoPE: the positions [B, S] are sliced with the query rows [B, S, H].
// CHECK-LABEL: func @tile_rope
//  CHECK-SAME: (%[[Q:.*]]: tensor<1x16x4x64xbf16>, %[[P:.*]]: tensor<1x16xi32>)
//       CHECK: scf.for %[[I:.*]] = %c0 to %c16 step %c4
//       CHECK:   scf.for %[[J:.*]] = %c0 to %c4 step %c2
//   CHECK-DAG:     %[[QS:.*]] = tensor.extract_slice %[[Q]][0, %[[I]], %[[J]], 0] [1, 4, 2, 64] [1, 1, 1, 1]
//   CHECK-DAG:     %[[PS:.*]] = tensor.extract_slice %[[P]][0, %[[I]]] [1, 4] [1, 1]
//       CHECK:     v4.rope %[[QS]], %[[PS]] <{{.*}}> : tensor<1x4x2x64xbf16>, tensor<1x4xi32>
func.func @tile_rope(%q: tensor<1x16x4x64xbf16>, %pos: tensor<1x16xi32>) -> tensor<1x16x4x64xbf16> {
  %y = v4.rope %q, %pos <base = 160000.0, rope_dim = 16, factor = 16.0,
      original_seq_len = 65536, beta_fast = 32.0, beta_slow = 1.0>
      : tensor<1x16x4x64xbf16>, tensor<1x16xi32>
  return %y : tensor<1x16x4x64xbf16>
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["v4.rope"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %l0, %l1 = transform.structured.tile_using_for %op tile_sizes [0, 4, 2]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Quantize: both results (codes and block scales) are tiled by rows.
// CHECK-LABEL: func @tile_quantize
//       CHECK: scf.for %[[I:.*]] = %c0 to %c64 step %c16 iter_args(%[[C:.*]] = %{{.*}}, %[[SC:.*]] = %{{.*}})
//       CHECK:   %[[XS:.*]] = tensor.extract_slice %{{.*}}[%[[I]], 0] [16, 256] [1, 1]
//       CHECK:   %[[Q:.*]], %[[S:.*]] = v4.quantize %[[XS]] block 128 rule ceil : tensor<16x256xbf16> -> tensor<16x256xf8E4M3FN>, tensor<16x2xf8E8M0FNU>
//   CHECK-DAG:   tensor.insert_slice %[[Q]] into %[[C]][%[[I]], 0] [16, 256] [1, 1]
//   CHECK-DAG:   tensor.insert_slice %[[S]] into %[[SC]][%[[I]], 0] [16, 2] [1, 1]
func.func @tile_quantize(%x: tensor<64x256xbf16>) -> (tensor<64x256xf8E4M3FN>, tensor<64x2xf8E8M0FNU>) {
  %q, %s = v4.quantize %x block 128 rule ceil
      : tensor<64x256xbf16> -> tensor<64x256xf8E4M3FN>, tensor<64x2xf8E8M0FNU>
  return %q, %s : tensor<64x256xf8E4M3FN>, tensor<64x2xf8E8M0FNU>
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["v4.quantize"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_for %op tile_sizes [16]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Fusion: the row-wise producers of a tiled consumer are computed per tile
// (generateResultTileValue); hadamard, simulate_quant and the routed swiglu
// all end up inside the loop on 4-row slices.
// CHECK-LABEL: func @fuse_rowwise_chain
//       CHECK: scf.for %[[I:.*]] = %c0 to %c32 step %c4
//   CHECK-DAG:   %[[G:.*]] = tensor.extract_slice %{{.*}}[%[[I]], 0] [4, 128] [1, 1]
//   CHECK-DAG:   %[[W:.*]] = tensor.extract_slice %{{.*}}[%[[I]]] [4] [1]
//       CHECK:   %[[H:.*]] = v4.swiglu %[[G]], %{{.*}} weights %[[W]] limit 1.000000e+01 : tensor<4x128xbf16>, tensor<4xf32> -> tensor<4x128xbf16>
//       CHECK:   %[[R:.*]] = v4.hadamard %[[H]] : tensor<4x128xbf16>
//       CHECK:   v4.simulate_quant %[[R]] format f4E2M1FN block 32 rule ceil : tensor<4x128xbf16>
//   CHECK-NOT: v4.
//       CHECK: return
func.func @fuse_rowwise_chain(%g: tensor<32x128xbf16>, %u: tensor<32x128xbf16>, %w: tensor<32xf32>) -> tensor<32x128xbf16> {
  %h = v4.swiglu %g, %u weights %w limit 10.0 : tensor<32x128xbf16>, tensor<32xf32> -> tensor<32x128xbf16>
  %r = v4.hadamard %h : tensor<32x128xbf16>
  %q = v4.simulate_quant %r format f4E2M1FN block 32 rule ceil : tensor<32x128xbf16>
  return %q : tensor<32x128xbf16>
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["v4.simulate_quant"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.fuse %op tile_sizes [4]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}
