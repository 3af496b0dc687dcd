//===- official_sequence.h - DeepSeek's known-answer sequence, compiled --*- C++ -*-===//
//
// The sequence logits-prefill200-decode120.npy answers: a 200-token prefill,
// then 120 teacher-forced decode steps; every executor of a compiled module
// (CPU, CUDA) runs it the same way.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_TEST_E2E_COMPILED_OFFICIAL_SEQUENCE_H
#define SIEVE_TEST_E2E_COMPILED_OFFICIAL_SEQUENCE_H

#include "sieve/exec/compiled_model.h"

#include <gtest/gtest.h>

#include <vector>

namespace sieve::test {

/// The 121 rows of logits of `tokens` (320 ids) through `model`; empty
/// after a failure, which is reported.
inline std::vector<std::vector<float>> prefill200ThenDecode120(exec::CompiledModel &model,
                                                               const std::vector<int32_t> &tokens) {
  std::vector<std::vector<float>> rows;
  EXPECT_EQ(tokens.size(), 320u);
  if (tokens.size() != 320u)
    return rows;
  auto seq = model.newSequence();
  EXPECT_TRUE(seq.isOk()) << seq.status().message();
  if (!seq.isOk())
    return rows;
  auto logits = model.prefill(*seq, tokens.data(), 200);
  for (int64_t p = 200;; ++p) {
    EXPECT_TRUE(logits.isOk()) << logits.status().message();
    if (!logits.isOk())
      return {};
    rows.emplace_back(logits->data, logits->data + logits->vocab);
    if (p == 320)
      return rows;
    logits = model.forward(*seq, tokens.data() + p, 1);
  }
}

} // namespace sieve::test

#endif // SIEVE_TEST_E2E_COMPILED_OFFICIAL_SEQUENCE_H
