//===- handle_table.h - Reference-counted handles for the C API -*- C++ -*-===//
//
// A handle given to C callers is not a pointer: it is a slot number and the
// slot's generation, so a handle used after its last release finds a newer
// generation (or an empty slot) and is refused without touching freed
// memory. Every reference change and lookup holds the table's lock, so a
// release racing a call on another thread never frees what that call uses.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_RUNTIME_CAPI_HANDLE_TABLE_H
#define SIEVE_RUNTIME_CAPI_HANDLE_TABLE_H

#include <cstdint>
#include <mutex>
#include <vector>

namespace sieve::capi {

template <typename Object> class HandleTable {
public:
  /// Registers `object` with one reference; returns its handle (never 0).
  uint64_t add(Object *object) {
    std::lock_guard<std::mutex> lock(mutex_);
    uint32_t index;
    if (!free_.empty()) {
      index = free_.back();
      free_.pop_back();
    } else {
      index = uint32_t(slots_.size());
      slots_.emplace_back();
    }
    Slot &slot = slots_[index];
    slot.object = object;
    slot.references = 1;
    return (uint64_t(index) + 1) << 32 | slot.generation;
  }

  /// The object with one more reference, or null for a handle that is not
  /// (or no longer) registered.
  Object *acquire(uint64_t handle) {
    std::lock_guard<std::mutex> lock(mutex_);
    Slot *slot = find(handle);
    if (!slot)
      return nullptr;
    ++slot->references;
    return slot->object;
  }

  /// Drops a reference; returns the object when that was its last (the
  /// caller destroys it; the handle is dead from now on), else null.
  Object *release(uint64_t handle) {
    std::lock_guard<std::mutex> lock(mutex_);
    Slot *slot = find(handle);
    if (!slot || --slot->references > 0)
      return nullptr;
    Object *object = slot->object;
    slot->object = nullptr;
    ++slot->generation;
    free_.push_back(uint32_t((handle >> 32) - 1));
    return object;
  }

private:
  struct Slot {
    Object *object = nullptr;
    uint32_t generation = 1;
    int64_t references = 0;
  };
  Slot *find(uint64_t handle) {
    uint64_t index = (handle >> 32) - 1;
    if ((handle >> 32) == 0 || index >= slots_.size())
      return nullptr;
    Slot &slot = slots_[index];
    if (!slot.object || slot.generation != uint32_t(handle))
      return nullptr;
    return &slot;
  }

  std::mutex mutex_;
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
};

} // namespace sieve::capi

#endif // SIEVE_RUNTIME_CAPI_HANDLE_TABLE_H
