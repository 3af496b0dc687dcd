//===- checkpoint.h - Expected V4 tensors and the checkpoint check -*- C++ -*-===//
//
// expectedTensors(config) lists every tensor a DeepSeek-V4 checkpoint holds
// for a config, with its official name (v4-architecture.md 10, including the
// "mtp.i." blocks), stored dtype, stored shape and a kind. It is the single
// source of truth: the checkpoint check compares a checkpoint with it, the
// tiny-model generator (sieve-gen) writes exactly its tensors, and the
// parameter and byte counts are sums over it.
//
// Storage rules (v4-architecture.md 3.5):
//   FP8 linear [out, in]:  .weight F8_E4M3 [out, in]
//                          .scale  F8_E8M0 [ceil(out/128), ceil(in/128)]
//   FP4 expert [out, in]:  .weight I8 [out, in/2] (two E2M1 codes per byte,
//                                   low nibble = even element)
//                          .scale  F8_E8M0 [out, in/32]
//   dtype "bf16" linears:  .weight BF16 [out, in], no .scale
// wo_a is FP8 in the checkpoint (the reference dequantizes it at load).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "sieve/io/model_config.h"
#include "sieve/io/model_schema.h"
#include "sieve/io/safetensors.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sieve::io {

/// Every tensor of the checkpoint, in a fixed order: embed, head, norm,
/// hc_head_*, then each block (layers.0 ... layers.{n-1}, mtp.0 ...): the
/// ModelSchema's list. Empty when the config is not valid.
std::vector<ExpectedTensor> expectedTensors(const ModelConfig &config);

//===----------------------------------------------------------------------===//
// Checkpoint check
//===----------------------------------------------------------------------===//

struct CheckpointProblem {
  enum class Kind : uint8_t { kMissing, kWrongDType, kWrongShape, kUnexpected };
  Kind kind;
  std::string tensor;  // official name
  std::string message; // complete sentence naming tensor, expected and found
};

struct CheckpointReport {
  std::string source; // the checkpoint path
  size_t expected = 0;
  size_t present = 0;
  std::vector<CheckpointProblem> problems; // all of them, in expected order

  bool ok() const { return problems.empty(); }
  /// Ok, or invalid-argument listing every problem (one per line).
  Status toStatus() const;
};

/// Compares a checkpoint with expectedTensors(config): every expected tensor
/// present with the expected dtype and shape, and nothing else.
CheckpointReport checkCheckpoint(const ModelConfig &config,
                                 const SafetensorsReader &checkpoint);

//===----------------------------------------------------------------------===//
// Parameter and weight-byte counts
//===----------------------------------------------------------------------===//

/// Logical parameters: elements of every expected tensor at its logical shape
/// (an FP4 I8 [out, in/2] weight counts out * in), excluding quantization
/// scales and the tid2eid routing tables (integer lookups, not weights).
struct ParameterCounts {
  int64_t total = 0;       // main model (embed, head, layers), no MTP
  int64_t mtp = 0;         // MTP blocks (they share embed and head)
  int64_t perRoutedExpert = 0; // w1 + w2 + w3 of one routed expert
  /// Per token in the main model: total minus the routed experts a token
  /// does not use ((n_routed - n_activated) per layer). Counts embed and head
  /// in full, all attention/indexer/compressor weights, the shared expert.
  int64_t activePerToken = 0;
};
ParameterCounts countParameters(const ModelConfig &config);

/// Stored bytes (all dtypes as in the checkpoint, scales included).
struct WeightBytes {
  uint64_t total = 0; // every tensor: the safetensors payload of a checkpoint
  uint64_t mtp = 0;   // the mtp.* part of total
  /// Read per decoded token (batch 1) by the main model: all its tensors
  /// except the embedding (one row read), the tid2eid tables (one row) and the
  /// routed experts a token does not use (n_activated of n_routed per layer
  /// are read). MTP is not run at decode.
  uint64_t decodePerToken = 0;
};
WeightBytes countWeightBytes(const ModelConfig &config);

} // namespace sieve::io
