//===- model.h - The reference executor: DeepSeek-V4 in plain C++ -*- C++ -*-===//
//
// Sieve's numerical contract in executable form: the whole V4 forward pass
// (hyper-connections, SWA/CSA/HCA attention with compressors, the lightning
// indexer and sparse attention with sink, MoE, head, MTP) written literally
// from ../shared/docs/v4-architecture.md — the same rounding points (bf16
// where the reference stores bf16), the same reduction orders where the spec
// fixes them. Every compiled backend is tested against it, so it favours
// being obviously right over being fast. docs/reference-executor.md lists
// each choice the spec leaves open.
//
// Weights stay in the mmap'd checkpoint; FP8 and MXFP4 matrices are decoded
// row by row as they are used (no dequantized copy), so memory is the
// checkpoint plus the caches.
//
// Thread-compatible: one Model may serve many Sequences, one thread at a time
// per Sequence; Model is read-only after load.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "sieve/io/model_config.h"
#include "sieve/io/model_schema.h"
#include "sieve/io/safetensors.h"
#include "sieve/support/status.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sieve::ref {

struct ModelWeights; // bound checkpoint tensors (weights.h, internal)
struct RopeTables;   // RoPE tables (ops.h, internal)
class RowCodec;      // how cache rows are stored (cache_rows.h, internal)

struct LoadOptions {
  /// Longest sequence the caches hold; 0 means the config's max_seq_len.
  int64_t maxSeqLen = 0;
  /// How cache rows are stored: the reference's bf16, or the production
  /// FP8 layouts of v4-architecture.md 11.2 (bit-identical logits with MXFP4
  /// indexer keys; FP8 keys with an fp32 scale round further).
  io::CacheFormat cacheFormat = io::CacheFormat::kReferenceBf16;
  /// Skip the check that the RoPE tables and caches fit in the available
  /// memory (they are allocated and zeroed at load).
  bool ignoreMemoryLimit = false;
};

/// One sequence's decode state: per block (main layers, then MTP) the raw
/// window ring, compressed entries, indexer keys and compressor states, all
/// allocated up front at their fixed maxima, rows stored in the model's cache
/// format (bf16 as the reference, or FP8).
class Sequence {
public:
  /// Tokens already consumed (the next position).
  int64_t position() const { return position_; }
  /// Bytes of cache rows and compressor state in use now (rows in the cache
  /// format, fp32 state), the quantity of v4-architecture.md 11.
  int64_t usedCacheBytes() const;
  /// Bytes allocated for the maxima (what a cache manager reserves).
  int64_t reservedCacheBytes() const;

  struct CompressorState {
    int64_t ratio = 0, coff = 1, dim = 0;
    std::vector<float> kv, score; // [coff * ratio, coff * dim], fp32
    void reset();
  };
  struct BlockCache {
    int64_t ratio = 0;
    int64_t windowRows = 0, headDim = 0, indexDim = 0;
    /// Bytes of one stored main row and one indexer key (cache format).
    int64_t rowBytes = 0, keyBytes = 0;
    std::vector<uint8_t> window;    // [window] rows, slot = pos % window
    std::vector<uint8_t> entries;   // [max_seq / ratio] rows
    std::vector<uint8_t> indexKeys; // CSA: [max_seq / 4] keys
    int64_t numEntries = 0;
    CompressorState compressor, indexerCompressor;
  };

private:
  friend class Model;
  int64_t position_ = 0;
  int64_t maxSeqLen_ = 0;
  std::vector<BlockCache> blocks_;
  /// MTP block position (its own cache advances with the MTP calls).
  int64_t mtpPosition_ = 0;
};

/// Output of one forward call.
struct ForwardResult {
  /// fp32 logits of the last position (vocab_size values).
  std::vector<float> logits;
  /// Final hyper-streams [S, hc_mult, dim] (bf16 values) of the call's tokens,
  /// before HCHead: the MTP block's input.
  std::vector<float> hidden;
};

class Model {
public:
  /// Opens the checkpoint (file, directory or index), checks it against its
  /// config.json (or `config` when given), and binds every tensor.
  static Expected<std::unique_ptr<Model>> load(const std::string &checkpoint,
                                               const LoadOptions &options = {});
  static Expected<std::unique_ptr<Model>>
  load(const io::ModelConfig &config, const std::string &checkpoint,
       const LoadOptions &options = {});
  ~Model();

  const io::ModelConfig &config() const { return config_; }
  int64_t maxSeqLen() const { return maxSeqLen_; }
  io::CacheFormat cacheFormat() const { return cacheFormat_; }
  /// Bytes of one sequence's caches (MTP's included) at maxSeqLen().
  uint64_t sequenceCacheBytes() const;

  /// A fresh sequence (caches reset: kv 0, scores -inf, no entries).
  Sequence newSequence() const;

  /// Consumes `tokens` at positions seq.position() .. + n - 1 and returns the
  /// logits of the last one. Position 0 runs the reference prefill; a single
  /// token at a later position is a decode step; several tokens at a later
  /// position (a new user turn) run as consecutive decode steps, which the
  /// reference cannot do (its prefill must start at 0) — a documented
  /// extension with decode's numerics.
  Expected<ForwardResult> forward(Sequence &seq, const int32_t *tokens,
                                  int64_t n) const;

  /// The MTP block (v4-architecture.md 9) on final hyper-streams `hidden`
  /// ([n, hc_mult, dim], from forward()) and the tokens that follow them;
  /// returns the logits for the token after the last next-token. Uses and
  /// advances the sequence's MTP cache (positions as in forward()).
  Expected<std::vector<float>> mtp(Sequence &seq, const float *hidden,
                                   const int32_t *nextTokens, int64_t n) const;

private:
  Model();
  std::unique_ptr<io::ModelSchema> schema_;
  io::ModelConfig config_; // the schema's, with max_seq_len as loaded
  int64_t maxSeqLen_ = 0;
  std::unique_ptr<io::SafetensorsReader> reader_;
  std::unique_ptr<ModelWeights> weights_;
  std::unique_ptr<RopeTables> rope_;
  std::unique_ptr<RowCodec> kvCodec_, keyCodec_;
  io::CacheFormat cacheFormat_ = io::CacheFormat::kReferenceBf16;
};

} // namespace sieve::ref
