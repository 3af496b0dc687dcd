//===- onednn_matmul.h - oneDNN GEMMs as CPU library kernels ------*- C++ -*-===//
//
// `onednn.matmul_fp8w_<out>`: C[M, N] = A[M, K] * W[N, K]^T with A bf16, W
// E4M3 codes with E8M0 block scales (bn x bk blocks), fp32 sums rounded once
// to C's element type (bf16 or f32). Bindings: A, W, W's scales, C.
// Constants: M, N, K, bn, bk, columns per workgroup. Workgroup w computes
// columns [w * columns, (w + 1) * columns): it decodes those weight rows to
// bf16 (exact: codes have 4 significant bits, scales are powers of two) and
// runs oneDNN's bf16 matmul on them, single-threaded on the calling worker
// (the device's thread pool spreads the workgroups).
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

} // namespace sieve::hal::cpu

#endif // SIEVE_HAL_CPU_ONEDNN_MATMUL_H
