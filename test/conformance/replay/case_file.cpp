//===- case_file.cpp - Recorded conformance dispatches: files and checks -===//

#include "case_file.h"

#include "sieve/numerics/float_formats.h"

#include <cmath>
#include <cstring>
#include <sstream>

namespace sieve::replay {

namespace {

flatbuffers::Offset<flatbuffers::Vector<uint8_t>> bytesOf(flatbuffers::FlatBufferBuilder &fbb,
                                                          const std::string &bytes) {
  return fbb.CreateVector(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
}

bool isGpuFormat(fb::ExecutableFormat format) {
  return format == fb::ExecutableFormat::Ptx || format == fb::ExecutableFormat::Cubin ||
         format == fb::ExecutableFormat::Hsaco || format == fb::ExecutableFormat::SimtHost;
}

} // namespace

std::string serializeCase(const RecordedCase &recorded) {
  flatbuffers::FlatBufferBuilder fbb(1 << 16);
  std::vector<flatbuffers::Offset<fb::replay::Code>> codes;
  for (const RecordedCode &code : recorded.codes) {
    const fb::Segment unused(0, code.image.size(), 0);
    flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::KernelLaunch>>> launches;
    if (isGpuFormat(code.format)) {
      auto launch = fb::CreateKernelLaunch(
          fbb, fbb.CreateVector(code.blockSize.data(), code.blockSize.size()),
          code.workgroupMemoryBytes);
      launches = fbb.CreateVector(std::vector{launch});
    }
    auto executable = fb::CreateExecutable(
        fbb, fbb.CreateString(code.target), code.format, fbb.CreateString(code.architecture),
        fbb.CreateString(code.cpu), fbb.CreateVectorOfStrings(code.features),
        fbb.CreateVectorOfStrings(std::vector{code.symbol}), &unused, launches);
    codes.push_back(fb::replay::CreateCode(fbb, executable, bytesOf(fbb, code.image)));
  }
  std::vector<flatbuffers::Offset<fb::replay::Binding>> bindings;
  for (const RecordedBinding &binding : recorded.bindings) {
    // Inputs (most of the bytes: weights) are not written twice.
    auto after = binding.after == binding.before ? 0 : bytesOf(fbb, binding.after);
    bindings.push_back(
        fb::replay::CreateBinding(fbb, binding.element, bytesOf(fbb, binding.before), after));
  }
  auto root = fb::replay::CreateCase(
      fbb, fbb.CreateString(recorded.name), fbb.CreateVector(codes),
      fbb.CreateVector(recorded.workgroups.data(), recorded.workgroups.size()),
      fbb.CreateVector(recorded.constants), fbb.CreateVector(bindings));
  fb::replay::FinishCaseBuffer(fbb, root);
  return std::string(reinterpret_cast<const char *>(fbb.GetBufferPointer()), fbb.GetSize());
}

std::string_view bytesAfter(const fb::replay::Binding &binding) {
  const flatbuffers::Vector<uint8_t> *bytes = binding.after() ? binding.after() : binding.before();
  return {reinterpret_cast<const char *>(bytes->data()), bytes->size()};
}

Expected<const fb::replay::Case *> openCase(std::string_view bytes, const std::string &what) {
  auto bad = [&](const std::string &why) { return invalidArgument(what + ": " + why); };
  // FlatBuffers offsets are 32-bit, and its verifier asserts on a buffer of
  // FLATBUFFERS_MAX_BUFFER_SIZE or more: a larger file is not one.
  if (bytes.size() < 8 || bytes.size() >= FLATBUFFERS_MAX_BUFFER_SIZE)
    return bad("not a recorded conformance case (" + std::to_string(bytes.size()) + " bytes)");
  const auto *data = reinterpret_cast<const uint8_t *>(bytes.data());
  if (!fb::replay::CaseBufferHasIdentifier(data))
    return bad("not a recorded conformance case (no \"SVRC\" identifier)");
  flatbuffers::Verifier verifier(data, bytes.size());
  if (!fb::replay::VerifyCaseBuffer(verifier))
    return bad("a malformed recorded case (its FlatBuffer does not verify)");
  const fb::replay::Case *recorded = fb::replay::GetCase(data);
  if (recorded->workgroups()->size() != 3)
    return bad("the grid has " + std::to_string(recorded->workgroups()->size()) + " counts, not 3");
  for (uint32_t i = 0; i < recorded->bindings()->size(); ++i) {
    const fb::replay::Binding *binding = recorded->bindings()->Get(i);
    if (binding->after() && binding->before()->size() != binding->after()->size())
      return bad("binding " + std::to_string(i) + " has " +
                 std::to_string(binding->before()->size()) + " bytes before and " +
                 std::to_string(binding->after()->size()) + " after");
  }
  for (uint32_t i = 0; i < recorded->codes()->size(); ++i) {
    const fb::Executable *executable = recorded->codes()->Get(i)->executable();
    if (executable->exports()->size() != 1)
      return bad("code " + std::to_string(i) + " exports " +
                 std::to_string(executable->exports()->size()) + " kernels, not 1");
    if (isGpuFormat(executable->format()) &&
        (!executable->launches() || executable->launches()->size() != 1 ||
         executable->launches()->Get(0)->block_size()->size() != 3))
      return bad("code " + std::to_string(i) + " (" + executable->target()->str() +
                 ") has no launch shape of three block sizes");
  }
  return recorded;
}

Comparison compareBinding(fb::replay::Element element, std::string_view expected,
                          std::string_view actual, double tolerance) {
  Comparison result;
  if (expected.size() != actual.size()) {
    result.exact = result.withinTolerance = false;
    result.firstDifference = "expected " + std::to_string(expected.size()) + " bytes, got " +
                             std::to_string(actual.size());
    return result;
  }
  result.exact = std::memcmp(expected.data(), actual.data(), expected.size()) == 0;
  if (result.exact)
    return result;
  auto note = [&](size_t index, const std::string &expectedText, const std::string &actualText) {
    if (result.firstDifference.empty())
      result.firstDifference =
          "element " + std::to_string(index) + ": expected " + expectedText + ", got " + actualText;
  };
  const size_t width = element == fb::replay::Element::F32    ? 4
                       : element == fb::replay::Element::BF16 ? 2
                                                              : 1;
  if (width == 1 || expected.size() % width != 0) {
    for (size_t i = 0; i < expected.size(); ++i)
      if (expected[i] != actual[i]) {
        ++result.differing;
        note(i, std::to_string(uint8_t(expected[i])), std::to_string(uint8_t(actual[i])));
      }
    result.withinTolerance = false;
    return result;
  }
  auto valueAt = [&](std::string_view bytes, size_t i) -> float {
    if (width == 4) {
      float v;
      std::memcpy(&v, bytes.data() + 4 * i, 4);
      return v;
    }
    uint16_t v;
    std::memcpy(&v, bytes.data() + 2 * i, 2);
    return num::bf16ToFloat(v);
  };
  auto text = [](float v) {
    std::ostringstream out;
    out.precision(9);
    out << v;
    return out.str();
  };
  double errorSquares = 0, normSquares = 0;
  bool sameSpecials = true;
  for (size_t i = 0; i < expected.size() / width; ++i) {
    const float e = valueAt(expected, i), a = valueAt(actual, i);
    if (std::memcmp(expected.data() + width * i, actual.data() + width * i, width) == 0) {
      if (std::isfinite(e))
        normSquares += double(e) * e;
      continue;
    }
    ++result.differing;
    note(i, text(e), text(a));
    if (!std::isfinite(e) || !std::isfinite(a)) {
      // NaN for NaN (any payload) is the same; anything else is not.
      if (!(std::isnan(e) && std::isnan(a)))
        sameSpecials = false;
      continue;
    }
    errorSquares += (double(a) - e) * (double(a) - e);
    normSquares += double(e) * e;
  }
  result.relativeL2 =
      normSquares > 0 ? std::sqrt(errorSquares / normSquares) : (errorSquares > 0 ? INFINITY : 0.0);
  result.withinTolerance = sameSpecials && result.relativeL2 <= tolerance;
  return result;
}

} // namespace sieve::replay
