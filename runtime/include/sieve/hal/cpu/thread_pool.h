//===- thread_pool.h - Persistent workers for workgroups ----------*- C++ -*-===//
//
// The CPU device's scheduler (architecture.md, "The lowering"): threads
// created once, a dispatch's workgroup indices handed out from an atomic
// counter in shrinking contiguous chunks (a claim per workgroup bounced the
// counter's cache line between cores for each of a dispatch's small
// workgroups), the calling thread taking part. Workers spin briefly for the
// next dispatch (decode runs hundreds of small ones back to back), then sleep
// on a condition variable. A dispatch allocates nothing.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_HAL_CPU_THREAD_POOL_H
#define SIEVE_HAL_CPU_THREAD_POOL_H

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace sieve::hal::cpu {

class ThreadPool {
public:
  /// Runs item `index` on participant `worker` (0 is the caller); a nonzero
  /// return stops the run (items not yet started are skipped).
  using Task = int32_t (*)(void *context, uint32_t index, uint32_t worker);

  /// `participants` threads in all, the caller included (at least 1).
  explicit ThreadPool(unsigned participants);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  unsigned participants() const { return static_cast<unsigned>(workers_.size()) + 1; }

  /// Runs task(context, i, worker) for every i in [0, count). Returns 0, or
  /// the first nonzero code with the item that returned it in `failedIndex`.
  /// One run at a time: not reentrant, not for concurrent callers.
  int32_t run(uint32_t count, Task task, void *context, uint32_t *failedIndex);

private:
  void workerLoop(uint32_t worker);
  void work(uint32_t worker);

  /// Each on its own cache line: idle workers poll the generation, every
  /// participant claims from the counter and reads the error before each
  /// item, and the caller polls `busy_`; sharing a line would make each of
  /// these traffic for the others.
  static constexpr size_t kLine = 64;

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  // The current run.
  alignas(kLine) std::atomic<uint64_t> generation_{0};
  std::atomic<bool> stopping_{false};
  uint32_t count_ = 0;
  Task task_ = nullptr;
  void *context_ = nullptr;
  alignas(kLine) std::atomic<uint32_t> next_{0};
  alignas(kLine) std::atomic<int32_t> error_{0};
  std::atomic<uint32_t> errorIndex_{0};
  alignas(kLine) std::atomic<uint32_t> busy_{0};
};

} // namespace sieve::hal::cpu

#endif // SIEVE_HAL_CPU_THREAD_POOL_H
