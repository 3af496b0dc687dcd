//===- bpe.cpp - Byte-level BPE merging -----------------------------------===//

#include "bpe.h"

#include <algorithm>
#include <functional>

namespace sieve::io::detail {

namespace {
constexpr int32_t kUnknownByte = -2;
constexpr int32_t kDeadSymbol = kUnknownByte - 1;

uint64_t candidateKey(uint32_t rank, int32_t pos) {
  return (uint64_t(rank) << 32) | uint32_t(pos);
}
} // namespace

Status BpeModel::encodePiece(const uint8_t *bytes, size_t n, Scratch &scratch,
                             std::vector<int32_t> &out, size_t &badByte) const {
  if (n == 0)
    return Status::ok();
  if (n > kMaxPieceBytes)
    return outOfRange("a pre-tokenized piece of " + std::to_string(n) +
                      " bytes is longer than BPE takes (" +
                      std::to_string(kMaxPieceBytes) + ")");
  auto idOf = [&](size_t i) -> int32_t {
    int32_t id = byteIds[bytes[i]];
    return id >= 0 ? id : kUnknownByte;
  };
  for (size_t i = 0; i < n; ++i) {
    if (byteIds[bytes[i]] < 0 && unkId < 0) {
      badByte = i;
      return invalidArgument("no token for byte " + std::to_string(bytes[i]) +
                             " and no unk_token");
    }
  }
  if (ignoreMerges) {
    auto it =
        bytesToId.find(std::string(reinterpret_cast<const char *>(bytes), n));
    if (it != bytesToId.end()) {
      out.push_back(it->second);
      return Status::ok();
    }
  }
  if (n == 1) {
    int32_t id = idOf(0);
    out.push_back(id == kUnknownByte ? unkId : id);
    return Status::ok();
  }

  auto &sym = scratch.symbols;
  auto &heap = scratch.heap;
  sym.resize(n);
  heap.clear();
  for (size_t i = 0; i < n; ++i)
    sym[i] = Scratch::Symbol{idOf(i), static_cast<int32_t>(i) - 1,
                             i + 1 < n ? static_cast<int32_t>(i + 1) : -1};
  // The merge the pair starting at `pos` would make now, if any.
  auto mergeAt = [&](int32_t pos) -> const Merge * {
    int32_t next = sym[pos].next;
    return next < 0 ? nullptr : findMerge(sym[pos].id, sym[next].id);
  };
  auto consider = [&](int32_t pos) {
    if (const Merge *m = mergeAt(pos)) {
      heap.push_back(candidateKey(m->rank, pos));
      std::push_heap(heap.begin(), heap.end(), std::greater<>());
    }
  };
  // The first round heapifies in O(n): long pieces (whitespace runs) start
  // with one candidate per byte. Each of the at most n - 1 merges pops one
  // entry and pushes two, so 2n entries always suffice.
  heap.reserve(2 * n);
  for (size_t i = 0; i + 1 < n; ++i)
    if (const Merge *m = mergeAt(static_cast<int32_t>(i)))
      heap.push_back(candidateKey(m->rank, static_cast<int32_t>(i)));
  std::make_heap(heap.begin(), heap.end(), std::greater<>());

  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), std::greater<>());
    uint64_t key = heap.back();
    heap.pop_back();
    const uint32_t rank = uint32_t(key >> 32);
    const int32_t pos = int32_t(uint32_t(key));
    // A merge's rank names its pair (a pair has one rank), so the candidate
    // is current exactly when the pair at `pos` still merges with that rank;
    // otherwise a neighbour changed since it was pushed.
    const Merge *m = mergeAt(pos);
    if (!m || m->rank != rank)
      continue;
    Scratch::Symbol &left = sym[pos];
    int32_t rightPos = left.next;
    left.id = m->result;
    left.next = sym[rightPos].next;
    if (left.next >= 0)
      sym[left.next].prev = pos;
    sym[rightPos].id = kDeadSymbol;
    if (left.prev >= 0)
      consider(left.prev);
    consider(pos);
  }
  for (int32_t i = 0; i >= 0; i = sym[i].next)
    out.push_back(sym[i].id == kUnknownByte ? unkId : sym[i].id);
  return Status::ok();
}

} // namespace sieve::io::detail
