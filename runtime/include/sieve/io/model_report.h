//===- model_report.h - What a model is and what it costs ---------*- C++ -*-===//
//
// The numbers a user asks of a model before running it (sieve-info, the C
// API's query): parameters, stored bytes by dtype, bytes read per decoded
// token, the layer schedule, and cache memory per token and at a context
// length. Every figure is a sum over the ModelSchema (expectedTensors, the
// cache geometry), so it agrees with what the checkpoint check, the
// reference executor and the compiler allocate.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "sieve/io/checkpoint.h"
#include "sieve/io/model_config.h"
#include "sieve/io/model_schema.h"
#include "sieve/support/status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sieve::io {

/// Stored tensors of one dtype.
struct DTypeShare {
  DType dtype = DType::kF32;
  uint64_t tensors = 0;
  uint64_t bytes = 0;
};

/// One block of the layer schedule (main layers, then MTP blocks).
struct BlockReport {
  int64_t block = 0;
  bool mtp = false;
  AttentionKind attention = AttentionKind::kSliding;
  int64_t ratio = 0;
  bool hashRouted = false;
  uint64_t weightBytes = 0;    // its stored tensors
  int64_t cacheFixedBytes = 0; // window ring and compressor states
  int64_t cacheEntryBytes = 0; // per compressed entry (0 for sliding)
  int64_t cacheBytesAtContext = 0;
};

struct ModelReport {
  ParameterCounts parameters;
  WeightBytes weights;
  std::vector<DTypeShare> byDtype; // most bytes first
  std::vector<BlockReport> blocks;
  CacheFormat cacheFormat = CacheFormat::kReferenceBf16;
  int64_t context = 0;
  /// One sequence, every block (MTP included: the runtime allocates them).
  int64_t cacheFixedBytes = 0;
  int64_t cacheBytesAtContext = 0;
  /// Asymptotic growth per token: main layers only (v4-architecture.md
  /// 11.1's headline figure), and with the MTP blocks.
  double cacheBytesPerTokenMain = 0;
  double cacheBytesPerToken = 0;
};

/// The report of a valid config, caches in `format` for one sequence of
/// `context` tokens (0: the config's max_seq_len).
Expected<ModelReport> buildModelReport(const ModelConfig &config,
                                       CacheFormat format = CacheFormat::kReferenceBf16,
                                       int64_t context = 0);

} // namespace sieve::io
