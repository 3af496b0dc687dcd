//===- thread_pool_test.cpp - The CPU device's workgroup scheduler --------===//
//
// Every item of a run exactly once, on a participant the pool has; helpers
// really take items; a failing item stops the run and is reported, and the
// next run starts clean; workers that went to sleep wake for a run.
//
//===----------------------------------------------------------------------===//

#include "sieve/hal/cpu/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <thread>
#include <vector>

namespace sieve::hal::cpu {
namespace {

struct Tally {
  std::vector<std::atomic<uint32_t>> runs;
  std::atomic<uint32_t> badWorker{0};
  unsigned participants = 0;
  explicit Tally(size_t count, unsigned participants) : runs(count), participants(participants) {}
};

int32_t countItem(void *context, uint32_t index, uint32_t worker) {
  auto *tally = static_cast<Tally *>(context);
  tally->runs[index].fetch_add(1, std::memory_order_relaxed);
  if (worker >= tally->participants)
    tally->badWorker.fetch_add(1, std::memory_order_relaxed);
  return 0;
}

TEST(ThreadPool, RunsEveryItemOnceOverManyRuns) {
  for (unsigned participants : {1u, 2u, 3u, 4u}) {
    ThreadPool pool(participants);
    EXPECT_EQ(pool.participants(), participants);
    std::mt19937 random(participants);
    // Small and large counts back to back, as a decode step's dispatches are.
    for (int run = 0; run < 300; ++run) {
      uint32_t count = run % 3 == 0 ? random() % 4 : run % 3 == 1 ? random() % 200 : 5000;
      Tally tally(count, participants);
      uint32_t failed = 12345;
      ASSERT_EQ(pool.run(count, countItem, &tally, &failed), 0);
      EXPECT_EQ(failed, 12345u) << "a run without a failure leaves failedIndex alone";
      for (uint32_t i = 0; i < count; ++i)
        ASSERT_EQ(tally.runs[i].load(), 1u) << "item " << i << " of " << count << ", run " << run
                                            << ", " << participants << " participants";
      EXPECT_EQ(tally.badWorker.load(), 0u);
    }
  }
}

struct Handoff {
  std::atomic<bool> helperRan{false};
  std::atomic<bool> timedOut{false};
};

/// Item 0 waits (at most 10 s) until a helper has run another item: it
/// fails rather than hangs if helpers never take work.
int32_t waitForHelper(void *context, uint32_t index, uint32_t worker) {
  auto *handoff = static_cast<Handoff *>(context);
  if (worker != 0)
    handoff->helperRan.store(true, std::memory_order_release);
  if (index != 0)
    return 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!handoff->helperRan.load(std::memory_order_acquire))
    if (std::chrono::steady_clock::now() > deadline) {
      handoff->timedOut.store(true);
      return 0;
    }
  return 0;
}

TEST(ThreadPool, HelpersTakeItemsWhileTheCallerIsBusy) {
  ThreadPool pool(2);
  // Whoever takes item 0 takes a chunk of about a quarter of the items with
  // it; the rest can only be run by the other participant.
  for (int run = 0; run < 20; ++run) {
    Handoff handoff;
    ASSERT_EQ(pool.run(100, waitForHelper, &handoff, nullptr), 0);
    EXPECT_FALSE(handoff.timedOut.load()) << "run " << run;
  }
}

struct Failing {
  uint32_t failAt;
  std::atomic<uint32_t> ran{0};
};

int32_t failAt(void *context, uint32_t index, uint32_t) {
  auto *failing = static_cast<Failing *>(context);
  failing->ran.fetch_add(1, std::memory_order_relaxed);
  return index == failing->failAt ? 7 : 0;
}

TEST(ThreadPool, AFailingItemStopsTheRunAndIsReported) {
  for (unsigned participants : {1u, 2u, 4u}) {
    ThreadPool pool(participants);
    for (uint32_t at : {0u, 1u, 63u, 999u}) {
      Failing failing{at};
      uint32_t failedIndex = 0;
      EXPECT_EQ(pool.run(1000, failAt, &failing, &failedIndex), 7);
      EXPECT_EQ(failedIndex, at);
      // Alone, the caller stops at the failing item. With helpers, the
      // failing item's claim (at least the first 1000 / (2 x 4) ids, which
      // hold items 0 to 63) is not run past it, whatever the others do.
      if (participants == 1) {
        EXPECT_EQ(failing.ran.load(), at + 1);
      } else if (at < 125) {
        EXPECT_LT(failing.ran.load(), 1000u) << "the run went on past the failure at " << at;
      }
      // The next run is not affected by the failure.
      Tally tally(1000, participants);
      ASSERT_EQ(pool.run(1000, countItem, &tally, nullptr), 0);
      for (uint32_t i = 0; i < 1000; ++i)
        ASSERT_EQ(tally.runs[i].load(), 1u) << "item " << i << " after a failure at " << at;
    }
    // A lone item runs on the caller and reports the same way.
    Failing lone{0};
    uint32_t failedIndex = 99;
    EXPECT_EQ(pool.run(1, failAt, &lone, &failedIndex), 7);
    EXPECT_EQ(failedIndex, 0u);
  }
}

TEST(ThreadPool, SleepingWorkersWakeForARun) {
  ThreadPool pool(3);
  // Long enough for the workers to stop spinning and sleep.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  Handoff handoff;
  ASSERT_EQ(pool.run(100, waitForHelper, &handoff, nullptr), 0);
  EXPECT_FALSE(handoff.timedOut.load());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  Tally tally(10, 3);
  ASSERT_EQ(pool.run(10, countItem, &tally, nullptr), 0);
  for (uint32_t i = 0; i < 10; ++i)
    EXPECT_EQ(tally.runs[i].load(), 1u);
}

TEST(ThreadPool, DestroyedWhileWorkersSleepOrSpin) {
  // Destruction right away (workers spinning) and after they sleep.
  for (int wait : {0, 150}) {
    auto pool = std::make_unique<ThreadPool>(4);
    std::this_thread::sleep_for(std::chrono::milliseconds(wait));
    Tally tally(50, 4);
    ASSERT_EQ(pool->run(50, countItem, &tally, nullptr), 0);
    pool.reset();
  }
}

} // namespace
} // namespace sieve::hal::cpu
