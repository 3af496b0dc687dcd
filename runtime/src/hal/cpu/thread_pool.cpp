//===- thread_pool.cpp - Persistent workers for workgroups ----------------===//

#include "sieve/hal/cpu/thread_pool.h"

#include <algorithm>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace sieve::hal::cpu {
namespace {

void relax() {
#if defined(__x86_64__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

/// Spins before sleeping: about 50 us on a current core, longer than the
/// host's work between two decode dispatches.
constexpr int kSpins = 20000;

} // namespace

ThreadPool::ThreadPool(unsigned participants) {
  unsigned extra = participants > 1 ? participants - 1 : 0;
  workers_.reserve(extra);
  for (unsigned w = 0; w < extra; ++w)
    workers_.emplace_back([this, w] { workerLoop(w + 1); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_.store(true, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  for (std::thread &t : workers_)
    t.join();
}

void ThreadPool::work(uint32_t worker) {
  // Guided chunks: a share of what is left, so the first claims are large
  // and the last are single workgroups that even out a late thread.
  const uint32_t divisor = 2 * participants();
  uint32_t begin = next_.load(std::memory_order_relaxed);
  for (;;) {
    if (begin >= count_)
      return;
    uint32_t end = begin + std::max<uint32_t>(1, (count_ - begin) / divisor);
    if (!next_.compare_exchange_weak(begin, end, std::memory_order_relaxed))
      continue;
    for (uint32_t index = begin; index < end; ++index) {
      if (error_.load(std::memory_order_relaxed) != 0)
        return;
      if (int32_t code = task_(context_, index, worker)) {
        int32_t expected = 0;
        if (error_.compare_exchange_strong(expected, code))
          errorIndex_.store(index, std::memory_order_relaxed);
        return;
      }
    }
    begin = next_.load(std::memory_order_relaxed);
  }
}

void ThreadPool::workerLoop(uint32_t worker) {
  uint64_t seen = 0;
  for (;;) {
    uint64_t now = generation_.load(std::memory_order_acquire);
    for (int spin = 0; now == seen && spin < kSpins; ++spin) {
      relax();
      now = generation_.load(std::memory_order_acquire);
    }
    if (now == seen) {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
      now = generation_.load(std::memory_order_acquire);
    }
    seen = now;
    // Set before the generation's release increment that woke us.
    if (stopping_.load(std::memory_order_relaxed))
      return;
    work(worker);
    busy_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

int32_t ThreadPool::run(uint32_t count, Task task, void *context, uint32_t *failedIndex) {
  if (count == 0)
    return 0;
  // One item, or no helpers: the caller alone, no handoff.
  if (count == 1 || workers_.empty()) {
    for (uint32_t i = 0; i < count; ++i)
      if (int32_t code = task(context, i, 0)) {
        if (failedIndex)
          *failedIndex = i;
        return code;
      }
    return 0;
  }
  count_ = count;
  task_ = task;
  context_ = context;
  next_.store(0, std::memory_order_relaxed);
  error_.store(0, std::memory_order_relaxed);
  busy_.store(static_cast<uint32_t>(workers_.size()), std::memory_order_relaxed);
  {
    // Under the lock so a worker about to sleep cannot miss the new run.
    std::lock_guard<std::mutex> lock(mutex_);
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  work(0);
  while (busy_.load(std::memory_order_acquire) != 0)
    relax();
  int32_t code = error_.load(std::memory_order_relaxed);
  if (code && failedIndex)
    *failedIndex = errorIndex_.load(std::memory_order_relaxed);
  return code;
}

} // namespace sieve::hal::cpu
