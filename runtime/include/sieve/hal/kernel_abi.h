/*===- kernel_abi.h - How the runtime calls a compiled kernel ------*- C -*-===//
 *
 * The kernel ABI of docs/architecture.md ("The lowering"): one call runs one
 * workgroup. The dispatch state is shared by every workgroup of a dispatch;
 * the workgroup state is per call. A kernel returns 0, or a nonzero code the
 * runtime reports. Plain C so kernels, the runtime and embedders agree on one
 * layout; the static asserts pin it (compiled kernels hard-code the offsets).
 *
 *===----------------------------------------------------------------------===*/
#ifndef SIEVE_HAL_KERNEL_ABI_H
#define SIEVE_HAL_KERNEL_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sieve_dispatch_state_t {
  uint32_t workgroup_count[3];
  /* i32 push constants: sequence length, positions, offsets. */
  uint32_t constant_count;
  const uint32_t *constants;
  /* Buffers: weights, caches, activations, in the kernel's binding order. */
  uint32_t binding_count;
  void *const *binding_ptrs;
  const size_t *binding_lengths;
} sieve_dispatch_state_t;

/* GPU kernels may load a binding's elements as 16-byte vectors: every
 * binding a GPU launch passes starts at a multiple of this (device
 * allocations, and buffer offsets at multiples of 64). */
#define SIEVE_GPU_BINDING_ALIGNMENT 16

typedef struct sieve_workgroup_state_t {
  uint32_t workgroup_id[3];
  uint32_t worker_id;
  void *local_memory;
  uint32_t local_memory_size;
} sieve_workgroup_state_t;

typedef int32_t (*sieve_kernel_fn)(const sieve_dispatch_state_t *dispatch,
                                   const sieve_workgroup_state_t *workgroup);

#ifdef __cplusplus
} /* extern "C" */
static_assert(sizeof(sieve_dispatch_state_t) == 48, "dispatch state layout");
static_assert(offsetof(sieve_dispatch_state_t, constants) == 16, "constants");
static_assert(offsetof(sieve_dispatch_state_t, binding_ptrs) == 32, "bindings");
static_assert(offsetof(sieve_dispatch_state_t, binding_lengths) == 40, "lengths");
static_assert(sizeof(sieve_workgroup_state_t) == 32, "workgroup state layout");
static_assert(offsetof(sieve_workgroup_state_t, local_memory) == 16, "local memory");
#endif

#endif /* SIEVE_HAL_KERNEL_ABI_H */
