//===- simt_emulator.h - GPU kernels' threads as fibers on the CPU -*- C++ -*-===//
//
// Runs kernels made by sieve-gpu-emulate: every thread of a block is a
// fiber on the calling thread, switched where the hardware would make it
// wait (a barrier, a warp's lane exchange or matrix-unit product), so what
// the threads share is exercised as a GPU would: shared memory (fresh and
// poisoned per block), lanes exchanging registers, fragments of one
// mma.sync (a 32-lane NVIDIA warp) or MFMA (a 64-lane CDNA wave) spread over
// the lanes. Errors a GPU would hang or misbehave on are reported: threads
// waiting at different barriers, a warp whose lanes wait at different
// collectives or have exited, misaligned bindings. A CDNA wave's lanes that
// branched away are off in its execution mask, as on the hardware: a
// ds_bpermute goes on without them and reads 0 from them. sm_100a's tensor
// memory is per block (poisoned, allocated by warps, each warp reaching its
// quarter of the lanes, all of it freed by the block's end), its
// block-scaled MMA completes at the issuing thread's call, and a thread
// waiting at an mbarrier sleeps until an arrival completes a phase, so a
// wait nobody can end is reported as a deadlock instead of spinning.
//
// It is a model of the semantics, not of the speed or of the memory model's
// weaker orders: fibers run one at a time, each until it waits, so a race
// shows as a schedule-dependent result (the schedule order is a knob).
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_TEST_SIMT_EMULATOR_H
#define SIEVE_TEST_SIMT_EMULATOR_H

#include "sieve/hal/simt_abi.h"

#include <string>

namespace sieve::simt {

/// The emulator's table, which an emulated library's
/// SIEVE_SIMT_RUNTIME_SYMBOL must point at before its kernels run.
const sieve_simt_runtime_t *runtime();

/// The order a block's ready threads run in each round, for every block
/// from now on (on any thread): the last thread first by default, so a
/// kernel relying on lower threads running first fails (as the CPU path's
/// thread loops run last iteration first).
enum class ScheduleOrder { Ascending, Descending };
void setScheduleOrder(ScheduleOrder order);

/// What made the last failed block on this thread fail ("" if none).
std::string lastError();

} // namespace sieve::simt

#endif // SIEVE_TEST_SIMT_EMULATOR_H
