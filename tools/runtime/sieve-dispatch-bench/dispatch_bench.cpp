//===- dispatch_bench.cpp - The CPU scheduler's cost per dispatch ---------===//
//
// ThreadPool::run over workgroups that each copy a small slice (in cache),
// as a decode step's hundreds of small dispatches do: the time is the
// scheduler's handoffs and claims more than the work. Arguments: threads,
// workgroups, bytes per workgroup. A tool, not a test; the figures are in
// docs/performance.md.
//
//===----------------------------------------------------------------------===//

#include "sieve/hal/cpu/thread_pool.h"

#include <benchmark/benchmark.h>

#include <cstring>
#include <vector>

namespace {

struct Slices {
  const char *from;
  char *to;
  size_t bytes;
};

int32_t copySlice(void *context, uint32_t index, uint32_t) {
  auto *slices = static_cast<Slices *>(context);
  std::memcpy(slices->to + index * slices->bytes, slices->from + index * slices->bytes,
              slices->bytes);
  return 0;
}

void Dispatch(benchmark::State &state) {
  auto threads = static_cast<unsigned>(state.range(0));
  auto workgroups = static_cast<uint32_t>(state.range(1));
  auto bytes = static_cast<size_t>(state.range(2));
  sieve::hal::cpu::ThreadPool pool(threads);
  std::vector<char> from(workgroups * bytes, 1), to(workgroups * bytes);
  Slices slices{from.data(), to.data(), bytes};
  for (auto _ : state) {
    if (pool.run(workgroups, copySlice, &slices, nullptr) != 0) {
      state.SkipWithError("a workgroup failed");
      return;
    }
    benchmark::ClobberMemory();
  }
  state.counters["per_workgroup_ns"] =
      benchmark::Counter(double(workgroups) * 1e-9, benchmark::Counter::kIsIterationInvariantRate |
                                                        benchmark::Counter::kInvert);
}

} // namespace

BENCHMARK(Dispatch)
    ->ArgNames({"threads", "workgroups", "bytes"})
    ->ArgsProduct({{1, 2}, {2, 8, 32, 128, 1024}, {1024}})
    ->Args({2, 128, 16384})
    ->Args({1, 128, 16384})
    ->UseRealTime();

BENCHMARK_MAIN();
