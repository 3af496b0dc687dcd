//===- CacheLayout.cpp - KV cache layout query and the v4-cache-layout pass ===//

#include "sieve/Transforms/CacheLayout.h"
#include "sieve/Transforms/Passes.h"

#include "v4/IR/V4Types.h"

#include "sieve/support/checked_math.h"
#include "sieve/support/system.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Format.h"

#include <cmath>

using namespace mlir;

namespace sieve {

#define GEN_PASS_DEF_CACHELAYOUTPASS
#include "sieve/Transforms/Passes.h.inc"

//===----------------------------------------------------------------------===//
// The query
//===----------------------------------------------------------------------===//

double LayerCacheLayout::bytesPerToken() const {
  double perToken = 0.0;
  if (ratio > 0)
    perToken += static_cast<double>(entryBytes) / static_cast<double>(ratio);
  if (indexerKeyBytes > 0)
    perToken += static_cast<double>(indexerKeyBytes) /
                static_cast<double>(v4::IndexerCacheType::kRatio);
  return perToken;
}

double CacheLayout::bytesPerToken() const {
  double total = 0.0;
  for (const LayerCacheLayout &layer : layers)
    total += layer.bytesPerToken();
  return total;
}

int64_t CacheLayout::fixedBytes() const {
  int64_t total = 0;
  for (const LayerCacheLayout &layer : layers)
    total += layer.fixedBytes();
  return total;
}

int64_t CacheLayout::allSlotsCapacityBytes() const {
  return capacityBytes() * slots; // checked in computeCacheLayout
}

int64_t CacheLayout::capacityBytes() const {
  int64_t total = 0;
  for (const LayerCacheLayout &layer : layers)
    total += layer.capacityBytes;
  return total;
}

/// "6880" for whole numbers, "12.5" otherwise.
static std::string formatBytesPerToken(double value) {
  std::string text;
  llvm::raw_string_ostream os(text);
  if (value == std::floor(value))
    os << static_cast<int64_t>(value);
  else
    os << llvm::format("%.2f", value);
  return text;
}

void CacheLayout::print(llvm::raw_ostream &os) const {
  os << "cache layout of @" << function << ": " << layers.size()
     << " layers, " << slots << " sequence slots (bytes per sequence)\n";
  os << llvm::format("  %-12s %-4s %6s %12s %10s %10s %10s %12s\n", "layer",
                     "kind", "ratio", "bytes/token", "entry", "window",
                     "state", "capacity");
  for (const LayerCacheLayout &layer : layers)
    os << llvm::format("  %-12s %-4s %6lld %12s %10lld %10lld %10lld %12lld\n", layer.name.c_str(),
                       layer.kind.c_str(), static_cast<long long>(layer.ratio),
                       formatBytesPerToken(layer.bytesPerToken()).c_str(),
                       static_cast<long long>(layer.entryBytes + layer.indexerKeyBytes),
                       static_cast<long long>(layer.windowBytes),
                       static_cast<long long>(layer.stateBytes),
                       static_cast<long long>(layer.capacityBytes));
  os << "  total: " << formatBytesPerToken(bytesPerToken()) << " bytes/token, "
     << formatBytes(uint64_t(fixedBytes())) << " fixed, " << formatBytes(uint64_t(capacityBytes()))
     << " at capacity; " << formatBytes(uint64_t(allSlotsCapacityBytes())) << " for all " << slots
     << (slots == 1 ? " slot\n" : " slots\n");
}


/// Bytes of a cache value's storage. Shapes come from the input graph, so
/// the product is checked: a type of 2^62 x 2^62 elements is an error here,
/// not a wrapped count.
static CheckedSize storageBytes(v4::CacheTypeInterface cache) {
  RankedTensorType storage = cache.getStorageType();
  CheckedSize bits(int64_t(storage.getElementTypeBitWidth()));
  for (int64_t dim : storage.getShape())
    bits *= dim; // a dynamic dimension (negative) poisons the size
  return bits.ceilDiv(8);
}

FailureOr<CacheLayout> computeCacheLayout(func::FuncOp fn) {
  CacheLayout layout;
  layout.function = fn.getSymName().str();
  llvm::StringMap<size_t> byName;
  CheckedSize total(0);
  for (unsigned i = 0, e = fn.getNumArguments(); i < e; ++i) {
    auto cache = dyn_cast<v4::CacheTypeInterface>(fn.getArgument(i).getType());
    if (!cache)
      continue;
    std::string group = "arg" + std::to_string(i);
    if (Attribute attr = fn.getArgAttr(i, "v4.cache")) {
      auto name = dyn_cast<StringAttr>(attr);
      if (!name)
        return emitError(fn.getLoc())
               << "v4-cache-layout: argument " << i << " of @"
               << fn.getSymName()
               << " has a v4.cache attribute that is not a string "
                  "(\"layers.N.role\"): "
               << attr;
      group = name.getValue().rsplit('.').first.str();
    }
    auto [it, inserted] = byName.try_emplace(group, layout.layers.size());
    if (inserted) {
      layout.layers.emplace_back();
      layout.layers.back().name = group;
    }
    LayerCacheLayout &layer = layout.layers[it->second];
    ++layer.numCaches;
    // Figures are per sequence: every cache has one row per slot.
    if (layout.slots == 0)
      layout.slots = cache.getBatch();
    if (cache.getBatch() != layout.slots)
      return emitError(fn.getArgument(i).getLoc())
             << "v4-cache-layout: the caches of @" << fn.getSymName()
             << " hold different numbers of sequences: argument " << i
             << " has batch " << cache.getBatch() << ", earlier ones "
             << layout.slots;
    CheckedSize storage = storageBytes(cache).ceilDiv(cache.getBatch());
    CheckedSize capacity = CheckedSize(layer.capacityBytes) + storage;
    CheckedSize window(layer.windowBytes), entry(layer.entryBytes),
        indexerKey(layer.indexerKeyBytes), state(layer.stateBytes);
    Type type = fn.getArgument(i).getType();
    if (auto windowType = dyn_cast<v4::WindowCacheType>(type)) {
      window += storage;
    } else if (auto compressed = dyn_cast<v4::CompressedCacheType>(type)) {
      layer.ratio = compressed.getRatio();
      entry += v4::kvRowBytes(compressed.getElement(), compressed.getDim(),
                              compressed.getRope());
    } else if (auto keys = dyn_cast<v4::IndexerCacheType>(type)) {
      indexerKey += v4::indexerKeyBytes(keys.getElement(), keys.getDim());
    } else if (isa<v4::CompressorStateType>(type)) {
      state += storage;
    }
    // The totals over all layers and slots must be representable too.
    total += storageBytes(cache);
    if (!capacity.valid() || !window.valid() || !entry.valid() ||
        !indexerKey.valid() || !state.valid() || !total.valid())
      return emitError(fn.getArgument(i).getLoc())
             << "v4-cache-layout: the caches of @" << fn.getSymName()
             << " up to argument " << i << " (" << type
             << ") need more than 2^63 bytes";
    layer.capacityBytes = capacity.valueOr(0);
    layer.windowBytes = window.valueOr(0);
    layer.entryBytes = entry.valueOr(0);
    layer.indexerKeyBytes = indexerKey.valueOr(0);
    layer.stateBytes = state.valueOr(0);
  }
  for (LayerCacheLayout &layer : layout.layers)
    layer.kind = layer.indexerKeyBytes > 0 ? "csa"
                 : layer.ratio > 0         ? "hca"
                                           : "swa";
  return layout;
}

//===----------------------------------------------------------------------===//
// v4-cache-layout
//===----------------------------------------------------------------------===//

namespace {

struct CacheLayoutPass : impl::CacheLayoutPassBase<CacheLayoutPass> {
  using CacheLayoutPassBase::CacheLayoutPassBase;
  CacheLayoutPass(const CacheLayoutPassOptions &options, llvm::raw_ostream &stream)
      : CacheLayoutPassBase(options), stream(&stream) {}

  /// Where print=true writes; stdout unless the creator chose.
  llvm::raw_ostream *stream = &llvm::outs();

  void runOnOperation() override {
    auto fn = getOperation().lookupSymbol<func::FuncOp>(entry);
    if (!fn) {
      markAllAnalysesPreserved();
      return;
    }
    FailureOr<CacheLayout> layout = computeCacheLayout(fn);
    if (failed(layout))
      return signalPassFailure();

    Builder b(&getContext());
    double perToken = layout->bytesPerToken();
    Attribute perTokenAttr =
        perToken == std::floor(perToken)
            ? Attribute(b.getI64IntegerAttr(static_cast<int64_t>(perToken)))
            : Attribute(b.getF64FloatAttr(perToken));
    fn->setAttr("v4.cache_layout",
                b.getDictionaryAttr({
                    b.getNamedAttr("bytes_per_token", perTokenAttr),
                    b.getNamedAttr("capacity_bytes",
                                   b.getI64IntegerAttr(layout->capacityBytes())),
                    b.getNamedAttr("fixed_bytes",
                                   b.getI64IntegerAttr(layout->fixedBytes())),
                    b.getNamedAttr("layers",
                                   b.getI64IntegerAttr(layout->layers.size())),
                    b.getNamedAttr("slots", b.getI64IntegerAttr(layout->slots)),
                }));
    if (print) {
      layout->print(*stream);
      stream->flush();
    }
    markAllAnalysesPreserved();
  }
};

} // namespace

std::unique_ptr<Pass> createCacheLayoutPass(const CacheLayoutPassOptions &options,
                                            llvm::raw_ostream &stream) {
  return std::make_unique<CacheLayoutPass>(options, stream);
}

} // namespace sieve
