//===- replay_case_fuzzer.cpp - Recorded conformance cases from any bytes --===//
//
// sieve-conformance-replay reads cases recorded on another machine (the GPU
// kit carries them). Whatever openCase accepts must be usable as the replay
// uses it: every code's executable fields and image, every binding's bytes
// compared before against after, all inside the buffer (ASan watches).
// The seed is a small case: a PTX kernel, a grid, two bindings.
//
//===----------------------------------------------------------------------===//

#include "fuzz_check.h"

#include "case_file.h"

#include <cstdint>
#include <string_view>

using namespace sieve;

namespace {
/// Reads every byte, so ASan sees a field that reaches past the buffer.
size_t touch(const uint8_t *data, size_t size) {
  size_t sum = 0;
  for (size_t i = 0; i < size; ++i)
    sum += data[i];
  return sum;
}
size_t touch(const flatbuffers::String *text) {
  return text ? touch(reinterpret_cast<const uint8_t *>(text->data()), text->size()) : 0;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char *>(data), size);
  Expected<const fb::replay::Case *> opened = replay::openCase(bytes, "fuzz.case");
  if (!opened)
    return 0;
  const fb::replay::Case &recorded = **opened;
  FUZZ_CHECK(recorded.workgroups()->size() == 3);
  size_t touched = touch(recorded.name());
  for (const fb::replay::Code *code : *recorded.codes()) {
    const fb::Executable &executable = *code->executable();
    FUZZ_CHECK(executable.exports()->size() == 1);
    touched += touch(executable.target()) + touch(executable.architecture()) +
               touch(executable.cpu()) + touch(executable.exports()->Get(0)) +
               touch(code->image()->data(), code->image()->size());
    if (executable.features())
      for (const flatbuffers::String *feature : *executable.features())
        touched += touch(feature);
    if (executable.launches())
      for (const fb::KernelLaunch *launch : *executable.launches())
        for (uint32_t extent : *launch->block_size())
          touched += extent;
  }
  for (const fb::replay::Binding *binding : *recorded.bindings()) {
    std::string_view before(reinterpret_cast<const char *>(binding->before()->data()),
                            binding->before()->size());
    std::string_view after = replay::bytesAfter(*binding);
    FUZZ_CHECK(after.size() == before.size());
    replay::Comparison comparison = replay::compareBinding(binding->element(), before, after, 1e-3);
    FUZZ_CHECK(comparison.exact == (before == after));
  }
  // A volatile store keeps the reads: an unused sum would be optimized away
  // before ASan instruments them.
  static volatile size_t sink;
  sink = touched;
  return 0;
}
