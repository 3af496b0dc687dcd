//===- official_logits.h - DeepSeek's known answer for tests ------*- C++ -*-===//
//
// test/data/official-logits/tiny-v4-r128-seed4: a checkpoint, its prompt and
// the logits DeepSeek's official code computed on it (README there). Every
// executor's test reads the prompt and judges its rows the same way: relative
// L2 error at most 1e-2 per row, the same argmax on at least 97% of rows.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "sieve/support/npy.h"
#include "test_paths.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace sieve::test {

inline const std::string kOfficialLogitsDir =
    sieve::test_paths::sourcePath("test/data/official-logits/tiny-v4-r128-seed4");

/// The 320 prompt ids of tokens.txt (comma separated) in `dir`.
inline std::vector<int32_t> officialTokens(const std::string &dir = kOfficialLogitsDir) {
  std::ifstream in(dir + "/tokens.txt");
  std::vector<int32_t> ids;
  std::string item;
  while (std::getline(in, item, ','))
    ids.push_back(int32_t(std::stol(item)));
  return ids;
}

/// ||got - want|| / ||want|| over `n` values.
inline double relativeL2(const float *got, const float *want, int64_t n) {
  double diff = 0, norm = 0;
  for (int64_t i = 0; i < n; ++i) {
    double d = double(got[i]) - double(want[i]);
    diff += d * d;
    norm += double(want[i]) * double(want[i]);
  }
  return std::sqrt(diff / std::max(norm, 1e-30));
}

struct Agreement {
  double worstRelL2 = 0;
  int64_t worstRow = -1;
  int64_t argmaxEqual = 0;
  int64_t rows = 0;
};

/// Row-by-row comparison of `ours` ([rows, vocab]) with the official array.
inline Agreement compareWithOfficial(const std::vector<std::vector<float>> &ours,
                                     const NpyArrayF32 &official) {
  Agreement a;
  const int64_t vocab = official.shape[1];
  for (size_t r = 0; r < ours.size(); ++r) {
    const float *b = official.data.data() + r * size_t(vocab);
    double rel = relativeL2(ours[r].data(), b, vocab);
    if (rel > a.worstRelL2) {
      a.worstRelL2 = rel;
      a.worstRow = int64_t(r);
    }
    auto argmax = [&](const float *x) { return std::max_element(x, x + vocab) - x; };
    a.argmaxEqual += argmax(ours[r].data()) == argmax(b);
    ++a.rows;
  }
  return a;
}

/// The README's tolerance; `who` names the executor in the printed line.
inline void expectWithinTolerance(const Agreement &a, const char *who) {
  EXPECT_LE(a.worstRelL2, 1e-2) << "worst row " << a.worstRow;
  EXPECT_GE(double(a.argmaxEqual), 0.97 * double(a.rows))
      << a.argmaxEqual << " of " << a.rows << " rows share the argmax";
  std::printf("official logits, %s: %lld rows, worst relative L2 %.2e (row %lld), argmax "
              "equal on %lld\n",
              who, (long long)a.rows, a.worstRelL2, (long long)a.worstRow,
              (long long)a.argmaxEqual);
}

} // namespace sieve::test
