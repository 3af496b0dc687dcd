/*===- simt_abi.h - Emulated GPU kernels and the SIMT emulator -----*- C -*-===//
 *
 * `sieve-gpu-emulate` turns the NVVM or ROCDL kernels of a gpu.module into
 * host code that runs each GPU thread as a fiber of the SIMT emulator
 * (test/simt). What a GPU thread asks of the hardware (its ids, barriers,
 * lane exchanges, matrix-unit products, small-float conversions, shared
 * memory) becomes a call through the table the emulator stores in the
 * library's `__sieve_simt_runtime` before running a kernel; the kernel
 * itself keeps the CPU kernel ABI (kernel_abi.h: one call, one workgroup),
 * so everything that dispatches CPU kernels dispatches emulated ones.
 * Plain C: the pass writes calls with these slots and signatures.
 *
 *===----------------------------------------------------------------------===*/
#ifndef SIEVE_HAL_SIMT_ABI_H
#define SIEVE_HAL_SIMT_ABI_H

#include <stdint.h>

#include "sieve/hal/kernel_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The symbol of the table pointer each emulated library defines (null until
 * the emulator stores its table). */
#define SIEVE_SIMT_RUNTIME_SYMBOL "__sieve_simt_runtime"

/* What an emulated kernel tells the emulator about itself (a constant the
 * pass writes beside each kernel). */
typedef struct sieve_simt_kernel_info_t {
  uint32_t block_size[3];
  uint32_t shared_memory_bytes;
  uint32_t binding_count;
  uint32_t constant_count;
  /* The lanes that run a warp's (NVIDIA, 32) or wave's (AMD CDNA, 64)
   * collectives together. */
  uint32_t warp_size;
} sieve_simt_kernel_info_t;

/* The special registers a thread reads (sieve_simt_runtime_t.special_register). */
enum sieve_simt_register {
  SIEVE_SIMT_THREAD_ID_X,
  SIEVE_SIMT_THREAD_ID_Y,
  SIEVE_SIMT_THREAD_ID_Z,
  SIEVE_SIMT_BLOCK_DIM_X,
  SIEVE_SIMT_BLOCK_DIM_Y,
  SIEVE_SIMT_BLOCK_DIM_Z,
  SIEVE_SIMT_BLOCK_ID_X,
  SIEVE_SIMT_BLOCK_ID_Y,
  SIEVE_SIMT_BLOCK_ID_Z,
  SIEVE_SIMT_GRID_DIM_X,
  SIEVE_SIMT_GRID_DIM_Y,
  SIEVE_SIMT_GRID_DIM_Z,
  SIEVE_SIMT_LANE_ID,
  SIEVE_SIMT_WARP_SIZE,
};

/* PTX shfl.sync modes (sieve_simt_runtime_t.shuffle). */
enum sieve_simt_shuffle_mode {
  SIEVE_SIMT_SHUFFLE_UP,
  SIEVE_SIMT_SHUFFLE_DOWN,
  SIEVE_SIMT_SHUFFLE_BFLY,
  SIEVE_SIMT_SHUFFLE_IDX,
};

typedef float sieve_simt_f32x4 __attribute__((vector_size(16)));

/* The slots, in this order (the pass indexes the table by position). Each
 * `site` is the calling op's number in its module, so the emulator can tell
 * threads waiting at different barriers or shuffles apart. */
typedef struct sieve_simt_runtime_t {
  /* Runs one block (workgroup) of `thread_entry(arguments)`, the arguments
   * being the launch's (a pointer to each binding's address, then to each
   * constant); 0, or nonzero with the emulator's error recorded. */
  int32_t (*run_block)(void (*thread_entry)(void **arguments),
                       const sieve_dispatch_state_t *dispatch,
                       const sieve_workgroup_state_t *workgroup,
                       const sieve_simt_kernel_info_t *info);
  int32_t (*special_register)(int32_t which);
  /* bar.sync 0: every thread of the block. */
  void (*barrier)(int32_t site);
  /* shfl.sync: the value in bits 0..31, the lane-in-range flag in bit 32. */
  uint64_t (*shuffle)(int32_t site, int32_t mode, uint32_t member_mask, uint32_t value,
                      uint32_t lane_or_offset, uint32_t mask_and_clamp);
  /* mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32: a lane's fragments
   * (A: four registers of two bf16, B: two, C and D: four f32). */
  sieve_simt_f32x4 (*mma_m16n8k16_bf16)(int32_t site, uint32_t a0, uint32_t a1, uint32_t a2,
                                        uint32_t a3, uint32_t b0, uint32_t b1, sieve_simt_f32x4 c);
  /* cvt.rn.f16x2.e4m3x2: two E4M3FN codes (byte 0 first) to two f16 (bits
   * 0..15 first). */
  uint32_t (*e4m3x2_to_f16x2)(uint32_t codes);
  /* cvt.rn.f16x2.e2m1x2: two E2M1 codes (bits 0..3 first). */
  uint32_t (*e2m1x2_to_f16x2)(uint32_t codes);
  /* The running block's shared memory (sieve_simt_kernel_info_t's bytes),
   * aligned to 2^18 bytes: a pointer's low 18 bits are its shared-window
   * address, as wgmma's descriptors take it. */
  void *(*shared_memory)(void);
  /* v_mbcnt_lo/hi_u32_b32 (`high` 0 or 1): `accumulator` plus the bits of
   * `mask` set for the lanes below this one, in that half of the wave. */
  uint32_t (*lane_mask_count)(int32_t high, uint32_t mask, uint32_t accumulator);
  /* ds_bpermute_b32: the value of lane (byte_address / 4) mod 64. */
  uint32_t (*bpermute)(int32_t site, uint32_t byte_address, uint32_t value);
  /* v_mfma_f32_16x16x16_bf16 (cbsz, abid, blgp 0): a lane's four bf16 of A
   * and of B (bits 0..15 first) and four f32 of C. */
  sieve_simt_f32x4 (*mfma_f32_16x16x16_bf16)(int32_t site, uint64_t a, uint64_t b,
                                             sieve_simt_f32x4 c);
  /* gfx950's v_cvt_scalef32_pk_f32_fp8 / _fp4 at scale 1: two E4M3FN codes
   * (bits 0..15) or two E2M1 codes (bits 0..7), each an f32 (bits 0..31
   * first). */
  uint64_t (*e4m3x2_to_f32x2)(uint32_t codes);
  uint64_t (*e2m1x2_to_f32x2)(uint32_t codes);
  /* cvt.rn.satfinite.e4m3x2.f32 d, a, b (f32 bits): a's E4M3FN code in
   * bits 8..15, b's in bits 0..7; NaN gives NaN, the rest rounds to nearest
   * even and saturates at +-448. Also gfx950's v_cvt_scalef32_pk_fp8_f32 at
   * scale 1 (b its src0, a its src1), taken to round alike (to nearest
   * even; not checked on a gfx950); whether it saturates does not matter:
   * the kernels convert only values clamped to +-448, or NaN. */
  uint32_t (*f32x2_to_e4m3x2)(uint32_t a, uint32_t b);
  /* cvt.rn.satfinite.e2m1x2.f32 d, a, b (f32 bits): a's E2M1 code in bits
   * 4..7, b's in bits 0..3; rounds to nearest even and saturates at +-6,
   * NaN gives +6 (E2M1 has no NaN). Also gfx950's v_cvt_scalef32_pk_fp4_f32
   * at scale 1 (b its src0, a its src1) for values within +-6; a NaN's code
   * is the chip's own, which the kernels do not use (they select the NaN). */
  uint32_t (*f32x2_to_e2m1x2)(uint32_t a, uint32_t b);
  /* wgmma.mma_async.sync.aligned.m64n<n>k16.f32.bf16.bf16 with both
   * operands in shared memory, K-major and unswizzled (scale-d 1, no
   * negation or transposition), a warpgroup's 128 threads together: a
   * thread's n / 2 accumulators, read and written in place. The emulator
   * completes it here, so wgmma.fence, commit_group and wait_group have
   * nothing left to order. */
  void (*wgmma_m64nNk16_bf16)(int32_t site, uint32_t n, uint64_t descriptor_a,
                              uint64_t descriptor_b, float *accumulators);
  /* gfx950's v_mfma_scale_f32_16x16x128_f8f6f4: a lane's words of A and of
   * B (8 for E4M3FN, code e in byte e; 4 for E2M1, code e in bits 4e..4e+3),
   * by pointer (the kernel and the emulator may pass 256-bit vectors
   * differently); `formats` A's cbsz | B's blgp << 8 (0 E4M3FN, 4 E2M1,
   * the only two emulated); `scales` A's E8M0 scale | B's << 8 (the bytes
   * opsel picked); four f32 of C. */
  sieve_simt_f32x4 (*mfma_scale_f32_16x16x128)(int32_t site, const uint32_t *a, const uint32_t *b,
                                               uint32_t formats, uint32_t scales,
                                               sieve_simt_f32x4 c);
  /* sm_100a's tensor memory (tcgen05, cta_group::1): per block 128 lanes x
   * 512 columns of 32 bits; an address holds the lane in bits 16..31 and
   * the column in bits 0..15 (a scale operand's bits 30-31 repeat its
   * scale-factor id, as CUTLASS writes them). tcgen05.alloc.sync.aligned.shared::cta.b32 by
   * a warp's 32 lanes together: `columns` (a power of two, 32 to 512) are
   * allocated and the address of the first (lane 0) stored at `slot`. */
  void (*tcgen05_alloc)(int32_t site, uint32_t *slot, uint32_t columns);
  /* tcgen05.dealloc.sync.aligned by a warp's lanes together: the
   * allocation at `address` of `columns` columns. */
  void (*tcgen05_dealloc)(int32_t site, uint32_t address, uint32_t columns);
  /* tcgen05.st.sync.aligned.32x32b.x<count>.b32 by a warp's lanes
   * together (one address and count for all): lane l of warp w writes
   * tensor memory lane (the address's lane) + l, which must be in the
   * quarter w % 4 may access (lanes 32 (w % 4) .. + 31), columns
   * (the address's column) .. + count - 1, from values[0 .. count). */
  void (*tcgen05_st_32x32b)(int32_t site, uint32_t address, const uint32_t *values, uint32_t count);
  /* tcgen05.ld.sync.aligned.32x32b.x<count>.b32: the same cells into
   * values[0 .. count). */
  void (*tcgen05_ld_32x32b)(int32_t site, uint32_t address, uint32_t *values, uint32_t count);
  /* tcgen05.mma.cta_group::1.kind::mxf8f6f4.block_scale.block32 [d],
   * a-desc, b-desc, idesc, [scale_a], [scale_b], enable_input_d by one
   * thread: D[128][N] (+)= (A x 2^(scale_a - 127)) (B x 2^(scale_b - 127))ᵀ
   * over K = 32, A and B K-major in shared memory (tcgen05's descriptors,
   * unswizzled; E4M3 or E2M1, the latter in the padded layout), the scales
   * UE8M0 bytes in tensor memory (CUTLASS's layout, duplicated in all four
   * lane quarters; a scale address holds its byte, the instruction
   * descriptor's SF id, in bits 30..31 as CUTLASS writes it). The emulator
   * completes it here, so tcgen05.commit and the fences have nothing left
   * to order. */
  void (*tcgen05_mma_block_scale)(int32_t site, uint32_t d, uint64_t descriptor_a,
                                  uint64_t descriptor_b, uint32_t instruction, uint32_t scale_a,
                                  uint32_t scale_b, uint32_t enable_input_d);
  /* tcgen05.commit.cta_group::1.mbarrier::arrive::one.b64: one arrival at
   * the mbarrier at `barrier` (shared memory) once the thread's MMAs are
   * done (they are, above). */
  void (*tcgen05_commit)(int32_t site, uint64_t *barrier);
  /* mbarrier.init.shared.b64: a barrier of `count` expected arrivals in
   * phase 0. */
  void (*mbarrier_init)(int32_t site, uint64_t *barrier, uint32_t count);
  /* mbarrier.inval.shared.b64. */
  void (*mbarrier_inval)(int32_t site, uint64_t *barrier);
  /* mbarrier.try_wait.parity.shared.b64: 1 once the phase of parity
   * `parity` has completed; otherwise the thread waits (the block's other
   * threads run) until an arrival completes a phase, and a thread that
   * gets 0 asks again. */
  uint32_t (*mbarrier_try_wait_parity)(int32_t site, uint64_t *barrier, uint32_t parity);
} sieve_simt_runtime_t;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SIEVE_HAL_SIMT_ABI_H */
