//===- random_checkpoint.h - Deterministic random-weight checkpoints -*- C++ -*-===//
//
// Writes a DeepSeek-V4 checkpoint for any config with random weights: every
// tensor of expectedTensors(config), with the official names, stored dtypes and
// shapes (FP8 E4M3 linears with 128x128 E8M0 tile scales, MXFP4 routed experts,
// tid2eid tables, gate biases, the MTP block). This is what tests, demos and
// benchmarks run on: no real checkpoint is needed.
//
// Every tensor is drawn from its own stream, seeded by (seed, tensor name), so
// a tensor's bytes do not depend on which other tensors exist or on the order
// they are written, and generateTensorBytes() reproduces any one of them.
//
// Initialization (well-conditioned, so sub-layers perturb the residual streams
// rather than overwhelm them and rounding differences stay small through the
// layers; the prefill/decode consistency tests rely on it):
//   projections (FP8, FP4, bf16 linears, hc_*_fn) N(0, (gain * 0.2 / sqrt(fan_in))^2),
//                                         then quantized with the DeepSeek ceil rule
//   embed.weight                          N(0, 1)
//   norm weights                          1 + N(0, 0.02^2)
//   hc_*_base                             N(0, 0.1^2);  hc_*_scale  1 + N(0, 0.02^2)
//   compressor ape                        N(0, 0.1^2)
//   attn_sink                             N(0, 1)
//   ffn.gate.bias                         N(0, 0.01^2)
//   ffn.gate.tid2eid                      n_activated distinct experts per token, uniform
//
//===----------------------------------------------------------------------===//
#pragma once

#include "sieve/io/checkpoint.h"
#include "sieve/io/model_config.h"
#include "sieve/support/status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sieve::io {

struct RandomCheckpointOptions {
  uint64_t seed = 1;
  /// Multiplies the std of every projection weight.
  double gain = 1.0;
  /// Tensor data per shard; larger checkpoints are sharded with an index.
  uint64_t maxShardBytes = uint64_t(2) << 30;
  /// Tensors generated at once, each on its own thread (0: one per CPU),
  /// halved until that many of the largest tensor's working sets fit in the
  /// available memory. The bytes do not depend on it.
  unsigned threads = 0;
  /// Told the tensor bytes written so far (of countWeightBytes().total).
  WriteProgress progress;
};

/// The stored bytes of one expected tensor.
Expected<std::vector<uint8_t>>
generateTensorBytes(const ModelConfig &config, const ExpectedTensor &tensor,
                    const RandomCheckpointOptions &options);

/// Writes config.json (reference spelling) and the safetensors files into
/// `dir`; returns the files written.
Expected<std::vector<std::string>>
writeRandomCheckpoint(const ModelConfig &config,
                      const RandomCheckpointOptions &options,
                      const std::string &dir);

} // namespace sieve::io
