//===- model_report.cpp - What a model is and what it costs ---------------===//

#include "sieve/io/model_report.h"

#include <algorithm>
#include <map>

namespace sieve::io {

Expected<ModelReport> buildModelReport(const ModelConfig &config, CacheFormat format,
                                       int64_t context) {
  SIEVE_RETURN_IF_ERROR(validateModelConfig(config));
  if (context < 0)
    return invalidArgument("context length " + std::to_string(context) + " is negative");
  ModelReport report;
  report.parameters = countParameters(config);
  report.weights = countWeightBytes(config);
  report.cacheFormat = format;
  report.context = context ? context : config.maxSeqLen;

  std::map<DType, DTypeShare> byDtype;
  std::vector<uint64_t> blockWeights(size_t(config.numBlocks()), 0);
  for (const ExpectedTensor &t : expectedTensors(config)) {
    DTypeShare &share = byDtype[t.dtype];
    share.dtype = t.dtype;
    ++share.tensors;
    share.bytes += t.byteSize();
    if (t.block >= 0)
      blockWeights[size_t(t.block)] += t.byteSize();
  }
  for (const auto &entry : byDtype)
    report.byDtype.push_back(entry.second);
  std::stable_sort(report.byDtype.begin(), report.byDtype.end(),
                   [](const DTypeShare &a, const DTypeShare &b) { return a.bytes > b.bytes; });

  const CacheSizes main = computeCacheSizes(config, format, /*includeMtp=*/false);
  const CacheSizes all = computeCacheSizes(config, format, /*includeMtp=*/true);
  report.cacheBytesPerTokenMain = main.bytesPerToken();
  report.cacheBytesPerToken = all.bytesPerToken();
  report.cacheFixedBytes = all.fixedBytesPerSequence();
  report.cacheBytesAtContext = all.bytesForContext(report.context);
  for (int64_t b = 0; b < config.numBlocks(); ++b) {
    BlockReport row;
    row.block = b;
    row.mtp = config.isMtpBlock(b);
    row.attention = config.attentionKind(b);
    row.ratio = config.ratio(b);
    row.hashRouted = config.isHashBlock(b);
    row.weightBytes = blockWeights[size_t(b)];
    for (const LayerCacheSize &layer : all.layers)
      if (layer.block == b) {
        row.cacheFixedBytes += layer.fixedBytes();
        row.cacheEntryBytes += layer.entryBytes;
        row.cacheBytesAtContext += layer.bytesForContext(report.context);
      }
    report.blocks.push_back(row);
  }
  return report;
}

} // namespace sieve::io
