//===- interrupt_cleanup.cpp - Partial files removed on Ctrl-C ------------===//
//
// The handler may only do async-signal-safe work: it reads a fixed table
// whose slots are claimed and released through lock-free atomics, calls
// unlink(), and re-raises the signal with its default action.
//
//===----------------------------------------------------------------------===//

#include "sieve/support/interrupt_cleanup.h"

#include <atomic>
#include <climits>
#include <csignal>
#include <cstring>
#include <mutex>
#include <unistd.h>

namespace sieve {
namespace {

constexpr int kSlots = 16;
enum SlotState : int { kFree = 0, kFilling = 1, kArmed = 2 };

struct Slot {
  std::atomic<int> state{kFree};
  char path[PATH_MAX];
};
Slot slots[kSlots];
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler reads these");

void removeRegisteredFiles(int signal) {
  for (Slot &slot : slots)
    if (slot.state.load(std::memory_order_acquire) == kArmed)
      unlink(slot.path);
  // SA_RESETHAND restored the default action: the signal, pending until
  // this handler returns, then ends the process as it would have.
  raise(signal);
}

} // namespace

void installInterruptCleanup() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (int signal : {SIGINT, SIGTERM, SIGHUP}) {
      struct sigaction previous;
      if (sigaction(signal, nullptr, &previous) != 0 || previous.sa_handler == SIG_IGN)
        continue; // nohup'ed or ignored: leave it so
      struct sigaction action;
      std::memset(&action, 0, sizeof action);
      action.sa_handler = removeRegisteredFiles;
      action.sa_flags = SA_RESETHAND;
      sigemptyset(&action.sa_mask);
      sigaction(signal, &action, nullptr);
    }
  });
}

RemoveOnInterrupt::RemoveOnInterrupt(const std::string &path) {
  if (path.size() >= PATH_MAX)
    return;
  for (int i = 0; i < kSlots; ++i) {
    int expected = kFree;
    if (slots[i].state.compare_exchange_strong(expected, kFilling, std::memory_order_acquire)) {
      std::memcpy(slots[i].path, path.c_str(), path.size() + 1);
      slots[i].state.store(kArmed, std::memory_order_release);
      slot_ = i;
      return;
    }
  }
}

RemoveOnInterrupt::~RemoveOnInterrupt() {
  if (slot_ >= 0)
    slots[slot_].state.store(kFree, std::memory_order_release);
}

} // namespace sieve
