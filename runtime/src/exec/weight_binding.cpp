//===- weight_binding.cpp - A module's weights from a checkpoint ----------===//

#include "sieve/exec/weight_binding.h"

#include "sieve/support/system.h"

#include <cstring>
#include <optional>
#include <string>
#include <utility>

namespace sieve::exec {
namespace {

/// Problems are listed in full up to this many; the rest are counted.
constexpr size_t kMaxListedProblems = 50;

std::string shapeText(const flatbuffers::Vector<int64_t> &shape) {
  std::vector<int64_t> v(shape.begin(), shape.end());
  return io::shapeToString(v);
}

} // namespace

Expected<BoundWeights> bindWeights(const fb::Module &module, const io::SafetensorsReader &checkpoint,
                                   hal::Device &device, const LoadProgress &progress) {
  BoundWeights bound;
  std::vector<std::string> problems;
  uint64_t total = 0, done = 0;
  for (const fb::Weight *weight : *module.weights())
    total += weight->bytes();

  std::vector<io::TensorView> members;
  std::vector<std::pair<const void *, uint64_t>> inPlace;
  for (const fb::Weight *weight : *module.weights()) {
    members.clear();
    bool complete = true;
    uint64_t storedBytes = 0;
    for (const fb::StoredTensor *stored : *weight->stored()) {
      std::optional<io::TensorView> view = checkpoint.find(stored->name()->string_view());
      if (!view) {
        problems.push_back("missing tensor '" + stored->name()->str() + "'");
        complete = false;
        continue;
      }
      std::vector<int64_t> want(stored->shape()->begin(), stored->shape()->end());
      if (stored->dtype()->string_view() != io::dtypeName(view->dtype) || view->shape != want) {
        problems.push_back("tensor '" + stored->name()->str() + "' is " +
                           io::dtypeName(view->dtype) + " " + io::shapeToString(view->shape) +
                           " in the checkpoint; the module binds " + stored->dtype()->str() + " " +
                           shapeText(*stored->shape()));
        complete = false;
        continue;
      }
      storedBytes += view->byteSize;
      members.push_back(*view);
    }
    if (!complete)
      continue;
    if (storedBytes != weight->bytes()) {
      problems.push_back("weight '" + weight->name()->str() + "' needs " +
                         std::to_string(weight->bytes()) + " bytes; its tensors hold " +
                         std::to_string(storedBytes));
      continue;
    }
    bool contiguous = true;
    for (size_t i = 1; i < members.size(); ++i)
      contiguous &= members[i].file == members[0].file &&
                    members[i].data == members[i - 1].data + members[i - 1].byteSize;
    // Kernels on the CPU read the mapped checkpoint in place when a weight's
    // tensors lie back to back; everything else is copied once.
    if (contiguous && device.hostVisible()) {
      bound.data.push_back(members.empty() ? nullptr : members[0].data);
      bound.zeroCopyBytes += weight->bytes();
      inPlace.emplace_back(bound.data.back(), weight->bytes());
    } else {
      Expected<hal::DeviceMemory> copy =
          device.allocate(weight->bytes(), "weight '" + weight->name()->str() + "'");
      if (!copy)
        return copy.takeStatus();
      uint8_t *out = static_cast<uint8_t *>(copy->data());
      for (const io::TensorView &member : members) {
        SIEVE_RETURN_IF_ERROR(device.write(out, member.data, member.byteSize));
        out += member.byteSize;
      }
      bound.data.push_back(copy->data());
      bound.copies.push_back(copy.take());
      bound.copiedBytes += weight->bytes();
    }
    done += weight->bytes();
    if (progress)
      progress(done, total);
  }
  if (problems.empty()) {
    // Weights larger than memory (a model the machine cannot hold) stay
    // demand-paged: mapping them all in would only evict each other.
    std::optional<uint64_t> available = availableMemoryBytes();
    if (available && bound.zeroCopyBytes <= *available / 2)
      for (auto [data, bytes] : inPlace)
        if (mapInForReading(data, bytes))
          bound.mappedInBytes += bytes;
    return bound;
  }
  std::string message = checkpoint.source() + ": " + std::to_string(problems.size()) +
                        " problem" + (problems.size() == 1 ? "" : "s") +
                        " binding the module's weights:";
  for (size_t i = 0; i < problems.size() && i < kMaxListedProblems; ++i)
    message += "\n  " + problems[i];
  if (problems.size() > kMaxListedProblems)
    message += "\n  ... and " + std::to_string(problems.size() - kMaxListedProblems) + " more";
  return invalidArgument(message);
}

} // namespace sieve::exec
