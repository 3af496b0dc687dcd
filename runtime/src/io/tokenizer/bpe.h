//===- bpe.h - Byte-level BPE merging -----------------------------*- C++
//-*-===//
//
// Internal to sieve_tokenizer. Merges work on token ids, never on strings:
// a piece starts as one id per byte and the pair with the lowest merge rank
// (leftmost on ties) is merged until none is left, with a heap so that long
// pieces (whitespace runs) stay O(n log n). A heap entry is one 64-bit key,
// rank then position, and 20 bytes per input byte is all a piece needs.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "sieve/support/status.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace sieve::io::detail {

class BpeModel {
public:
  struct Merge {
    uint32_t rank;
    int32_t result;
  };

  /// Id of each single byte's token, -1 where the vocab has none.
  std::array<int32_t, 256> byteIds;
  /// Used for bytes without a token; -1 means such bytes are an error.
  int32_t unkId = -1;
  /// tokenizers' ignore_merges: a piece that is a whole vocab entry is
  /// emitted as is. Needs `bytesToId`.
  bool ignoreMerges = false;
  std::unordered_map<std::string, int32_t> bytesToId;

  BpeModel() { byteIds.fill(-1); }

  /// Later duplicates replace earlier ones, as in the reference.
  void addMerge(int32_t left, int32_t right, uint32_t rank, int32_t result) {
    merges_[key(left, right)] = Merge{rank, result};
  }
  void reserveMerges(size_t n) { merges_.reserve(n); }
  /// Call once after the last addMerge: finds whether every merge ranks
  /// after all merges that produce its two parts (true of vocabularies
  /// learned by BPE, DeepSeek's included). Then a merge can only create
  /// candidates of higher rank, and long pieces merge rank by rank in
  /// linear time instead of through the heap.
  void finalizeMerges();
  bool mergesOrdered() const { return mergesOrdered_; }
  /// Tests: always use the heap, to compare both ways on one input.
  bool forceHeap = false;

  struct Scratch {
    struct Symbol {
      int32_t id;
      int32_t prev;
      int32_t next;
    };
    std::vector<Symbol> symbols;
    /// (rank << 32 | position) of each candidate merge; the smallest key is
    /// the lowest rank, leftmost on ties.
    std::vector<uint64_t> heap;
  };

  /// Scratch bytes encodePiece needs at most for a piece of `n` bytes
  /// (symbols and the heap at its largest; the rank-by-rank path needs less).
  static uint64_t scratchBytesFor(uint64_t n) {
    return n * (sizeof(Scratch::Symbol) + 2 * sizeof(uint64_t));
  }
  /// Longest piece encodePiece takes (positions are int32).
  static constexpr size_t kMaxPieceBytes = size_t(INT32_MAX);

  /// Appends the ids of one piece (its raw bytes). On a byte with no token
  /// and no unk token, returns an error and sets `badByte` to its index.
  Status encodePiece(const uint8_t *bytes, size_t n, Scratch &scratch,
                     std::vector<int32_t> &out, size_t &badByte) const;

private:
  /// The merge loop over a piece whose symbols are set up: heap order, or
  /// rank by rank when the merges are ordered (same result, see above).
  void mergeWithHeap(Scratch &scratch) const;
  void mergeRankByRank(Scratch &scratch) const;

  static uint64_t key(int32_t left, int32_t right) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) |
           static_cast<uint32_t>(right);
  }
  const Merge *findMerge(int32_t left, int32_t right) const {
    if (left < 0 || right < 0)
      return nullptr;
    auto it = merges_.find(key(left, right));
    return it == merges_.end() ? nullptr : &it->second;
  }

  std::unordered_map<uint64_t, Merge> merges_;
  bool mergesOrdered_ = false;
};

} // namespace sieve::io::detail
