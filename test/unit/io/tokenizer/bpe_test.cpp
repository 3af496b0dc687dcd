//===- bpe_test.cpp - The two merge loops agree -----------------------------===//
//
// Long pieces of a vocabulary whose merges are ordered (each ranks after the
// merges producing its parts) merge rank by rank; everything else uses the
// heap. Both must give the reference's (rank, leftmost) order exactly, so the
// same random pieces go through both, for merge tables with repeated results,
// chains and competing pairs.
//
//===----------------------------------------------------------------------===//

#include "bpe.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

using sieve::io::detail::BpeModel;

namespace {

// Bytes 'a', 'b', 'c' are ids 0, 1, 2; merged tokens follow.
BpeModel orderedModel() {
  BpeModel m;
  m.byteIds['a'] = 0;
  m.byteIds['b'] = 1;
  m.byteIds['c'] = 2;
  m.addMerge(0, 1, 0, 3); // ab
  m.addMerge(2, 2, 1, 4); // cc
  m.addMerge(0, 0, 2, 5); // aa
  m.addMerge(3, 2, 3, 6); // abc
  m.addMerge(1, 4, 4, 7); // bcc
  m.addMerge(0, 7, 5, 8); // abcc (also 6 + 2 below)
  m.addMerge(6, 2, 6, 8); // abc + c: a second way to the same token
  m.addMerge(5, 5, 7, 9); // aaaa
  m.addMerge(3, 3, 8, 10); // abab
  m.addMerge(9, 9, 9, 11); // a^8
  m.addMerge(10, 6, 10, 12); // ababc
  m.addMerge(4, 4, 11, 13); // cccc
  m.finalizeMerges();
  return m;
}

std::vector<int32_t> encode(const BpeModel &m, const std::string &s) {
  BpeModel::Scratch scratch;
  std::vector<int32_t> out;
  size_t bad = 0;
  EXPECT_TRUE(m.encodePiece(reinterpret_cast<const uint8_t *>(s.data()), s.size(), scratch,
                            out, bad)
                  .isOk());
  return out;
}

std::string randomPiece(std::mt19937 &rng, size_t n, const std::string &alphabet) {
  std::string s(n, 'a');
  for (char &c : s)
    c = alphabet[rng() % alphabet.size()];
  return s;
}

} // namespace

TEST(Bpe, RankByRankAndHeapAgreeOnLongPieces) {
  BpeModel ordered = orderedModel();
  ASSERT_TRUE(ordered.mergesOrdered());
  BpeModel heap = orderedModel();
  heap.forceHeap = true;
  std::mt19937 rng(7);
  for (const std::string alphabet : {"abc", "ab", "a", "aab", "abcc", "c"})
    for (size_t n : {4096, 5000, 20011, 65536}) {
      std::string s = randomPiece(rng, n, alphabet);
      EXPECT_EQ(encode(ordered, s), encode(heap, s)) << alphabet << " " << n;
    }
}

TEST(Bpe, RunsOfOneByteMergeFromTheLeft) {
  // a^8 is the longest run token: a run of n is n / 8 of them, then the rest
  // from aaaa, aa, a (all ranks lower than a^8, so leftmost-first pairs).
  BpeModel m = orderedModel();
  std::vector<int32_t> ids = encode(m, std::string(100003, 'a'));
  std::vector<int32_t> expected(100003 / 8, 11);
  expected.push_back(5); // the remaining 3: aa + a
  expected.push_back(0);
  EXPECT_EQ(ids, expected);
}

TEST(Bpe, UnorderedMergesStillMergeCorrectly) {
  // "ab + c" ranks before "a + b" produces ab: the order is not one BPE
  // training could give, so the heap runs; the result is still the
  // reference's, where abc can never form (ab appears only after rank 0).
  BpeModel m;
  m.byteIds['a'] = 0;
  m.byteIds['b'] = 1;
  m.byteIds['c'] = 2;
  m.addMerge(3, 2, 0, 4); // ab + c, before ab exists
  m.addMerge(0, 1, 1, 3); // a + b
  m.finalizeMerges();
  EXPECT_FALSE(m.mergesOrdered());
  std::string s;
  for (int i = 0; i < 3000; ++i)
    s += "abc";
  std::vector<int32_t> ids = encode(m, s);
  // Each "abc": a+b (rank 1) first makes ab; then ab+c (rank 0) is a new,
  // lower-ranked candidate, which the heap takes next.
  EXPECT_EQ(ids, std::vector<int32_t>(3000, 4));
}
