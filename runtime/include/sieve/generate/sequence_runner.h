//===- sequence_runner.h - One sequence on some executor ----------*- C++ -*-===//
//
// What text generation needs from a backend, and nothing more: one
// sequence's position, its limits, and a call that consumes tokens and
// returns the last one's logits. The reference executor and compiled
// modules each provide one, so sampling, teacher forcing and stop rules
// (sieve::ref::generate) are written once for every backend.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_GENERATE_SEQUENCE_RUNNER_H
#define SIEVE_GENERATE_SEQUENCE_RUNNER_H

#include "sieve/support/status.h"

#include <cstdint>

namespace sieve {

class SequenceRunner {
public:
  virtual ~SequenceRunner() = default;

  /// Tokens consumed so far (the next position).
  virtual int64_t position() const = 0;
  /// Positions the sequence's cache holds.
  virtual int64_t maxSeqLen() const = 0;
  virtual int64_t vocabSize() const = 0;
  virtual int64_t eosTokenId() const = 0;
  /// Consumes `n` tokens at position() and returns the last one's
  /// vocabSize() f32 logits, valid until the next call.
  virtual Expected<const float *> forward(const int32_t *tokens, int64_t n) = 0;
};

} // namespace sieve

#endif // SIEVE_GENERATE_SEQUENCE_RUNNER_H
