//===- checkpoint.cpp - The checkpoint check and the counts -------------===//
//
// The tensor list itself is the ModelSchema's (model_schema.cpp).
//
//===----------------------------------------------------------------------===//

#include "sieve/io/checkpoint.h"

#include <unordered_set>

namespace sieve::io {

std::vector<ExpectedTensor> expectedTensors(const ModelConfig &config) {
  auto schema = ModelSchema::build(config);
  if (!schema)
    return {}; // not a valid config
  return schema->tensors();
}

//===----------------------------------------------------------------------===//
// Checkpoint check
//===----------------------------------------------------------------------===//

Status CheckpointReport::toStatus() const {
  if (ok())
    return Status::ok();
  std::string msg = source + ": checkpoint does not match the config (" +
                    std::to_string(problems.size()) + " problem" +
                    (problems.size() == 1 ? "" : "s") + ")";
  for (const CheckpointProblem &p : problems)
    msg += "\n  " + p.message;
  return invalidArgument(msg);
}

CheckpointReport checkCheckpoint(const ModelConfig &config,
                                 const SafetensorsReader &checkpoint) {
  CheckpointReport report;
  report.source = checkpoint.source();
  std::vector<ExpectedTensor> expected = expectedTensors(config);
  report.expected = expected.size();
  std::unordered_set<std::string> known;
  known.reserve(expected.size());
  using Kind = CheckpointProblem::Kind;
  for (const ExpectedTensor &t : expected) {
    known.insert(t.name);
    std::optional<TensorView> v = checkpoint.find(t.name);
    if (!v) {
      report.problems.push_back({Kind::kMissing, t.name,
                                 "missing tensor '" + t.name + "' (" + dtypeName(t.dtype) +
                                     " " + shapeToString(t.shape) + ")"});
      continue;
    }
    ++report.present;
    std::string stored = std::string(v->name) + "' in " + std::string(v->file);
    if (v->dtype != t.dtype)
      report.problems.push_back(
          {Kind::kWrongDType, t.name,
           "tensor '" + t.name + "' has dtype " + dtypeName(v->dtype) + ", expected " +
               dtypeName(t.dtype) + " (stored as '" + stored + ")"});
    if (v->shape != t.shape)
      report.problems.push_back(
          {Kind::kWrongShape, t.name,
           "tensor '" + t.name + "' has shape " + shapeToString(v->shape) +
               ", expected " + shapeToString(t.shape) + " (stored as '" + stored + ")"});
  }
  for (const std::string &name : checkpoint.names())
    if (!known.count(name)) {
      std::optional<TensorView> v = checkpoint.find(name);
      report.problems.push_back(
          {Kind::kUnexpected, name,
           "unexpected tensor '" + std::string(v->name) + "' (" + dtypeName(v->dtype) +
               " " + shapeToString(v->shape) + ") in " + std::string(v->file)});
    }
  return report;
}

//===----------------------------------------------------------------------===//
// Counts
//===----------------------------------------------------------------------===//

ParameterCounts countParameters(const ModelConfig &config) {
  ParameterCounts counts;
  for (const ExpectedTensor &t : expectedTensors(config)) {
    if (t.isScale() || t.kind == TensorKind::kTid2eid)
      continue;
    int64_t n = int64_t(t.logicalElements());
    if (t.block >= 0 && config.isMtpBlock(t.block)) {
      counts.mtp += n;
      continue;
    }
    counts.total += n;
    if (t.expert == 0 && t.block == 0)
      counts.perRoutedExpert += n;
  }
  int64_t unused = config.nLayers * (config.nRoutedExperts - config.nActivatedExperts);
  counts.activePerToken = counts.total - unused * counts.perRoutedExpert;
  return counts;
}

WeightBytes countWeightBytes(const ModelConfig &config) {
  WeightBytes bytes;
  uint64_t routedMain = 0;
  for (const ExpectedTensor &t : expectedTensors(config)) {
    uint64_t b = t.byteSize();
    bytes.total += b;
    if (t.block >= 0 && config.isMtpBlock(t.block)) {
      bytes.mtp += b;
      continue;
    }
    if (t.name == "embed.weight") {
      bytes.decodePerToken += uint64_t(config.dim) * dtypeSize(t.dtype); // one row
    } else if (t.kind == TensorKind::kTid2eid) {
      bytes.decodePerToken += uint64_t(config.nActivatedExperts) * dtypeSize(t.dtype);
    } else if (t.expert >= 0) {
      routedMain += b;
    } else {
      bytes.decodePerToken += b;
    }
  }
  // Every routed expert of a layer has the same size: a token reads
  // n_activated of n_routed of them.
  if (config.nRoutedExperts > 0)
    bytes.decodePerToken += routedMain / uint64_t(config.nRoutedExperts) *
                            uint64_t(config.nActivatedExperts);
  return bytes;
}

} // namespace sieve::io
