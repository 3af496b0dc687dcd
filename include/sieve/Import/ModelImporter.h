//===- ModelImporter.h - config.json -> v4 model graph ------------*- C++ -*-===//
//
// The importer turns a DeepSeek-V4 config (sieve::io::ModelConfig, parsed by
// the runtime's config library so the compiler and the runtime agree on every
// field) into a module of `v4` ops on tensors:
//
//   @prefill(tokens, start_pos, slot, caches...) -> (logits, hidden, caches...)
//   @decode(tokens, positions, slots, caches...) -> (logits, hidden, caches...)
//   @mtp(hidden, tokens, start_pos, slot, caches...) -> (logits, caches...)
//   @mtp_decode(hidden, tokens, positions, slots, caches...) (one MTP step)
//
// Caches have `max_batch` rows (slots). Prefill feeds one chunk of one
// sequence, whose caches are row `slot`; decode feeds one token of each of
// B <= max_batch sequences, row b at `positions[b]` in cache row `slots[b]`.
// Each entry point states the most tokens one call takes as `v4.max_tokens`
// (max_chunk for prefill, max_batch for decode) and asserts it; every dynamic
// size of an entry point's arguments counts those tokens.
//
// plus one private function per layer and phase (`@prefill.layers.3`,
// `@decode.mtp.0`) carrying its schedule as attributes (`v4.block`,
// `v4.attention`, `v4.ratio`, `v4.moe`). Weights are `v4.param` ops bound by
// official tensor names; routed experts are one stacked parameter per layer
// and matrix (`layers.3.ffn.experts.*.w1.weight`). docs/compiler.md has the
// full contract.
//
// Nothing here aborts on bad input: problems are emitted as MLIR diagnostics
// located in the config file, and the functions return failure.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_IMPORT_MODELIMPORTER_H
#define SIEVE_IMPORT_MODELIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LLVM.h"

#include "sieve/io/model_config.h"
#include "sieve/io/model_schema.h"

#include <cstdint>

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace sieve {

/// Options of one import. Plain data: no command-line state.
struct ImportOptions {
  /// Accept compress ratios other than 0/4/128 (the test configs); a config
  /// can also ask for this itself with "sieve_allow_test_ratios": true.
  bool allowTestRatios = false;
  /// Cache capacity in tokens; 0 keeps the config's max_seq_len.
  int64_t maxSeqLen = 0;
  /// Cache rows (slots), the most sequences one decode call batches; 0
  /// keeps the config's max_batch_size.
  int64_t maxBatch = 0;
  /// The most tokens one prefill (or MTP prefill) call takes, bounding the
  /// buffer plan's activations; longer prompts are fed in chunks (prefill
  /// continues at any start_pos). 0 means min(512, the cache capacity),
  /// llama.cpp's default micro-batch.
  int64_t maxChunk = 0;
  /// Emit @mtp / @mtp_decode for the config's MTP blocks.
  bool includeMtp = true;
  /// Check every emitted parameter against the tensor list the runtime
  /// expects for the config (io::expectedTensors): names, dtypes, shapes.
  bool checkParameters = true;
  /// How the cache types store their rows: the reference's bf16, or the
  /// production FP8 layouts of v4-architecture.md 11.2.
  io::CacheFormat cacheFormat = io::CacheFormat::kReferenceBf16;
};

/// Parses and validates config JSON `text` read from `path`. Every problem
/// is emitted as an error located at the offending field of `path` (or the
/// JSON syntax error's line and column).
mlir::FailureOr<io::ModelConfig> parseModelConfig(mlir::MLIRContext *context,
                                                  llvm::StringRef text,
                                                  llvm::StringRef path,
                                                  const ImportOptions &options);

/// Builds and verifies the model graph of a validated config. `location`
/// (usually the config file) anchors every op and diagnostic.
mlir::OwningOpRef<mlir::ModuleOp>
importModel(mlir::MLIRContext *context, const io::ModelConfig &config,
            const ImportOptions &options, mlir::Location location);

/// The dialects an imported graph uses; load them before importing or
/// parsing a graph (sieve-compile does).
void loadImportDialects(mlir::MLIRContext *context);

} // namespace sieve

#endif // SIEVE_IMPORT_MODELIMPORTER_H
