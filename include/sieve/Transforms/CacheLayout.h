//===- CacheLayout.h - KV cache layout of an entry function -------*- C++ -*-===//
//
// The cache-layout query: per-layer bytes per token, fixed bytes and
// capacity of the typed cache arguments of a function, derived from the v4
// cache types (v4-architecture.md 11.1). Used by the v4-cache-layout pass and
// by sieve-compile --print-cache-layout; later phases (the module writer, the
// runtime's cache manager) read the same figures.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_TRANSFORMS_CACHELAYOUT_H
#define SIEVE_TRANSFORMS_CACHELAYOUT_H

#include "mlir/Support/LLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir {
namespace func {
class FuncOp;
} // namespace func
} // namespace mlir

namespace sieve {

/// The caches of one layer (arguments sharing a `v4.cache` prefix).
struct LayerCacheLayout {
  std::string name;      // "layers.2", "mtp.0", or "arg5" when unnamed
  std::string kind;      // "swa", "csa" or "hca"
  int64_t ratio = 0;     // compression ratio (0 for swa)
  int64_t windowBytes = 0;     // raw window ring
  int64_t entryBytes = 0;      // one compressed main KV entry
  int64_t indexerKeyBytes = 0; // one indexer key (csa)
  int64_t stateBytes = 0;      // compressor states (main + indexer)
  int64_t capacityBytes = 0;   // all storage as allocated
  unsigned numCaches = 0;

  /// Asymptotic growth: entry bytes / ratio + indexer key bytes / 4.
  double bytesPerToken() const;
  /// Independent of context length: window ring + compressor states.
  int64_t fixedBytes() const { return windowBytes + stateBytes; }
};

/// Per-sequence figures of a function's caches, which hold `slots`
/// sequences (their batch, the most sequences a decode call batches).
struct CacheLayout {
  std::string function;
  std::vector<LayerCacheLayout> layers;
  int64_t slots = 0;

  double bytesPerToken() const;
  int64_t fixedBytes() const;
  /// One sequence's storage at capacity, and every slot's.
  int64_t capacityBytes() const;
  int64_t allSlotsCapacityBytes() const;
  /// A table, one row per layer, then the totals.
  void print(llvm::raw_ostream &os) const;
};

/// The layout of `fn`'s cache arguments. Fails with a diagnostic on the
/// function when a `v4.cache` attribute is not a string or the caches have
/// different batches.
mlir::FailureOr<CacheLayout> computeCacheLayout(mlir::func::FuncOp fn);

} // namespace sieve

#endif // SIEVE_TRANSFORMS_CACHELAYOUT_H
