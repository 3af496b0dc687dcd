//===- onednn_matmul.h - oneDNN GEMMs as CPU library kernels ------*- C++ -*-===//
//
// `onednn.matmul_fp8w_<out>`: for each group g < G, C[M, g, N] =
// A[M, g, K] * W[g * N + n, K]^T with A bf16, W E4M3 codes [G * N, K] with
// E8M0 block scales (bn x bk blocks over all G * N rows), fp32 sums rounded
// once to C's element type (bf16 or f32). G = 1 is a plain GEMM; G > 1 the
// grouped output projection (wo_a). Bindings: A, W, W's scales, C.
// Constants: M, N, K, bn, bk, columns per workgroup, G. The workgroups take
// the groups in order, each group's columns in tiles of `columns per
// workgroup`: a workgroup decodes its weight rows to bf16 (exact: codes have
// 4 significant bits, scales are powers of two) and runs oneDNN's bf16
// matmul on them, single-threaded on the calling worker (the device's thread
// pool spreads the workgroups).
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_HAL_CPU_ONEDNN_MATMUL_H
#define SIEVE_HAL_CPU_ONEDNN_MATMUL_H

#include "sieve/hal/kernel_abi.h"

namespace sieve::hal::cpu {

int32_t onednnMatmulFp8wBf16(const sieve_dispatch_state_t *dispatch,
                             const sieve_workgroup_state_t *workgroup);
int32_t onednnMatmulFp8wF32(const sieve_dispatch_state_t *dispatch,
                            const sieve_workgroup_state_t *workgroup);

// `onednn.grouped_matmul_mxfp4w_<out>`: the routed experts' GEMM. Rows
// offsets[e] ..< offsets[e + 1] of A [M, K] (bf16, sorted by expert) times
// expert e's weight W[e] [N, K] (E2M1 codes two per byte, low nibble first,
// E8M0 scales [E, N, K/32]); rows from offsets[E] on are zeros. Bindings: A,
// W, W's scales, the [E + 1] i32 offsets, C [M, N]. Constants: M, N, K, E,
// columns per workgroup. Workgroup w takes expert w / tiles and its tile
// w % tiles of columns; an expert no row chose is not read.
int32_t onednnGroupedMatmulMxfp4wBf16(const sieve_dispatch_state_t *dispatch,
                                      const sieve_workgroup_state_t *workgroup);
int32_t onednnGroupedMatmulMxfp4wF32(const sieve_dispatch_state_t *dispatch,
                                     const sieve_workgroup_state_t *workgroup);

} // namespace sieve::hal::cpu

#endif // SIEVE_HAL_CPU_ONEDNN_MATMUL_H
