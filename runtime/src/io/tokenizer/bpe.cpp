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

// Merges the symbol at `pos` with its right neighbour into `result`.
void applyMerge(std::vector<BpeModel::Scratch::Symbol> &sym, int32_t pos, int32_t result) {
  BpeModel::Scratch::Symbol &left = sym[pos];
  int32_t rightPos = left.next;
  left.id = result;
  left.next = sym[rightPos].next;
  if (left.next >= 0)
    sym[left.next].prev = pos;
  sym[rightPos].id = kDeadSymbol;
}

// Scratch larger than this many symbols is released after the piece.
constexpr size_t kKeptScratchSymbols = size_t(1) << 20;

// Below this many bytes the heap is as fast and allocates nothing new.
constexpr size_t kRankByRankMinBytes = 4096;
} // namespace

void BpeModel::finalizeMerges() {
  // The highest rank of a merge producing each token.
  std::unordered_map<int32_t, uint32_t> producedAt;
  producedAt.reserve(merges_.size());
  for (const auto &[pair, merge] : merges_) {
    auto [it, inserted] = producedAt.try_emplace(merge.result, merge.rank);
    if (!inserted)
      it->second = std::max(it->second, merge.rank);
  }
  mergesOrdered_ = true;
  for (const auto &[pair, merge] : merges_) {
    for (int32_t part : {int32_t(pair >> 32), int32_t(uint32_t(pair))}) {
      auto it = producedAt.find(part);
      if (it != producedAt.end() && it->second >= merge.rank) {
        mergesOrdered_ = false;
        return;
      }
    }
  }
}

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
  sym.resize(n);
  for (size_t i = 0; i < n; ++i)
    sym[i] = Scratch::Symbol{idOf(i), static_cast<int32_t>(i) - 1,
                             i + 1 < n ? static_cast<int32_t>(i + 1) : -1};
  // Short pieces (almost all of them) take the heap: no per-rank bookkeeping.
  if (mergesOrdered_ && !forceHeap && n >= kRankByRankMinBytes)
    mergeRankByRank(scratch);
  else
    mergeWithHeap(scratch);
  for (int32_t i = 0; i >= 0; i = sym[i].next)
    out.push_back(sym[i].id == kUnknownByte ? unkId : sym[i].id);
  // The scratch is per thread and lives on: do not let one huge piece keep
  // gigabytes of it.
  if (sym.capacity() > kKeptScratchSymbols) {
    std::vector<Scratch::Symbol>().swap(sym);
    std::vector<uint64_t>().swap(scratch.heap);
  }
  return Status::ok();
}

void BpeModel::mergeWithHeap(Scratch &scratch) const {
  auto &sym = scratch.symbols;
  auto &heap = scratch.heap;
  const size_t n = sym.size();
  heap.clear();
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
    applyMerge(sym, pos, m->result);
    if (sym[pos].prev >= 0)
      consider(sym[pos].prev);
    consider(pos);
  }
}

void BpeModel::mergeRankByRank(Scratch &scratch) const {
  auto &sym = scratch.symbols;
  const size_t n = sym.size();
  auto mergeAt = [&](int32_t pos) -> const Merge * {
    int32_t next = sym[pos].next;
    return next < 0 ? nullptr : findMerge(sym[pos].id, sym[next].id);
  };
  // Candidate positions per rank, and the ranks that have any (a min-heap).
  // With ordered merges a merge of rank r only creates candidates of rank
  // above r, so each rank's positions are complete when its turn comes:
  // processing them in position order is exactly the heap's (rank, position)
  // order. They mostly arrive in order already, so the sort rarely runs.
  std::unordered_map<uint32_t, std::vector<int32_t>> buckets;
  std::vector<uint32_t> ranks;
  auto push = [&](int32_t pos) {
    if (const Merge *m = mergeAt(pos)) {
      auto [it, inserted] = buckets.try_emplace(m->rank);
      if (inserted) {
        ranks.push_back(m->rank);
        std::push_heap(ranks.begin(), ranks.end(), std::greater<>());
      }
      it->second.push_back(pos);
    }
  };
  for (size_t i = 0; i + 1 < n; ++i)
    push(static_cast<int32_t>(i));
  while (!ranks.empty()) {
    std::pop_heap(ranks.begin(), ranks.end(), std::greater<>());
    const uint32_t rank = ranks.back();
    ranks.pop_back();
    auto node = buckets.extract(rank);
    std::vector<int32_t> &positions = node.mapped();
    if (!std::is_sorted(positions.begin(), positions.end()))
      std::sort(positions.begin(), positions.end());
    for (int32_t pos : positions) {
      const Merge *m = mergeAt(pos);
      if (!m || m->rank != rank)
        continue; // stale, as in the heap
      applyMerge(sym, pos, m->result);
      if (sym[pos].prev >= 0)
        push(sym[pos].prev);
      push(pos);
    }
  }
}

} // namespace sieve::io::detail
