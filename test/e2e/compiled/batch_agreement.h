//===- batch_agreement.h - Two executors of one module, call for call ---*- C++ -*-===//
//
// A GPU (real or emulated) and the CPU running the same module must agree
// on every call: two sequences prefilled with different lengths, the MTP
// head on one, and decode steps of both as one batch. Header-only: the
// gpu-run binary has no compiler or reference to link.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_TEST_E2E_COMPILED_BATCH_AGREEMENT_H
#define SIEVE_TEST_E2E_COMPILED_BATCH_AGREEMENT_H

#include "../../unit/support/official_logits.h"

#include "sieve/exec/compiled_model.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace sieve::test {

/// Prefills of `prompt` and `prompt + 10` random tokens (seeded by
/// `seed`), MTP over the second, then `steps` decode steps of both as one
/// batch: `got`'s logits within 1e-3 relative L2 of `want`'s on every call.
inline void expectAgreementWithMtpAndABatch(exec::CompiledModel &got, exec::CompiledModel &want,
                                            uint32_t seed, int prompt, int steps) {
  const int64_t vocab = want.vocabSize();
  const int longer = prompt + 10;
  std::mt19937 rng(seed);
  std::vector<int32_t> tokens(size_t(longer + 2 * steps + 2));
  for (int32_t &t : tokens)
    t = int32_t(rng() % uint32_t(vocab));
  std::vector<exec::CompiledSequence> gs, ws;
  for (int i = 0; i < 2; ++i) {
    auto g = got.newSequence();
    auto w = want.newSequence();
    ASSERT_TRUE(g.isOk() && w.isOk());
    gs.push_back(g.take());
    ws.push_back(w.take());
    const int length = i == 0 ? prompt : longer;
    auto gl = got.prefill(gs.back(), tokens.data() + i, length);
    auto wl = want.prefill(ws.back(), tokens.data() + i, length);
    ASSERT_TRUE(gl.isOk() && wl.isOk()) << gl.status().message() << wl.status().message();
    EXPECT_LE(relativeL2(gl->data, wl->data, vocab), 1e-3) << "prefill " << i;
  }
  auto gm = got.mtp(gs[1], tokens.data() + 2, longer);
  auto wm = want.mtp(ws[1], tokens.data() + 2, longer);
  ASSERT_TRUE(gm.isOk() && wm.isOk()) << gm.status().message() << wm.status().message();
  EXPECT_LE(relativeL2(gm->data, wm->data, vocab), 1e-3) << "mtp";
  exec::CompiledSequence *gb[2] = {&gs[0], &gs[1]}, *wb[2] = {&ws[0], &ws[1]};
  for (int k = 0; k < steps; ++k) {
    int32_t step[2] = {tokens[size_t(longer + k)], tokens[size_t(longer + steps + k)]};
    auto g = got.decode(gb, step, 2);
    auto w = want.decode(wb, step, 2);
    ASSERT_TRUE(g.isOk() && w.isOk()) << g.status().message() << w.status().message();
    for (int r = 0; r < 2; ++r)
      EXPECT_LE(relativeL2(g->data + r * vocab, w->data + r * vocab, vocab), 1e-3)
          << "decode step " << k << ", row " << r;
  }
}

} // namespace sieve::test

#endif // SIEVE_TEST_E2E_COMPILED_BATCH_AGREEMENT_H
