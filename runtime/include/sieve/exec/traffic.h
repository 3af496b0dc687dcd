//===- traffic.h - What a compiled step reads from memory ---------*- C++ -*-===//
//
// The bytes a decode step reads, from the module itself: the weights its
// program binds and the cache rows its attention reads at a context depth.
// Decode is memory-bound, so these bytes over the step's time is the
// bandwidth it achieves (sieve-bench prints it beside the machine's).
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_EXEC_TRAFFIC_H
#define SIEVE_EXEC_TRAFFIC_H

#include "sieve/io/model_config.h"
#include "sieve/module/module_file.h"
#include "sieve/support/status.h"

#include <cstdint>
#include <vector>

namespace sieve::exec {

struct StepTraffic {
  uint64_t weightBytes = 0;
  uint64_t cacheBytes = 0;
  uint64_t total() const { return weightBytes + cacheBytes; }
};

/// What one decode step of `batch` sequences at context `depth` (tokens
/// already in the caches) reads: every weight the decode program binds,
/// once; a table its kernels gather from (the embedding), one row per
/// sequence; an expert stack its kernels route, the experts `batch` tokens
/// of n_activated_experts each can reach; the window rows in use; every
/// visible compressed entry, or at most index_topk where an indexer picks
/// them; the visible indexer keys; the compressor state. Bytes are as
/// stored (FP8 caches count their codes and scales).
Expected<StepTraffic> decodeTraffic(const module::ModuleFile &file,
                                    const io::ModelConfig &config, int64_t depth,
                                    int64_t batch = 1);

/// The weight bytes one decode step of `batch` sequences reads through each
/// kernel, indexed as the module's kernels: every dispatch of the decode
/// program counts what it binds by decodeTraffic's rules for its own
/// bindings (a weight two dispatches bind counts for both; cache rows are
/// left out). With `dispatches`, how many times a step dispatches each
/// kernel. A profile divides these by its times to find the kernels that
/// read below the memory's rate.
Expected<std::vector<uint64_t>>
decodeKernelWeightBytes(const module::ModuleFile &file, const io::ModelConfig &config,
                        int64_t batch = 1, std::vector<uint32_t> *dispatches = nullptr);

} // namespace sieve::exec

#endif // SIEVE_EXEC_TRAFFIC_H
