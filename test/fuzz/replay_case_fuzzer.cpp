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

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char *>(data), size);
  Expected<const fb::replay::Case *> opened = replay::openCase(bytes, "fuzz.case");
  if (!opened)
    return 0;
  const fb::replay::Case &recorded = **opened;
  FUZZ_CHECK(recorded.workgroups()->size() == 3);
  size_t touched = recorded.name()->size();
  for (const fb::replay::Code *code : *recorded.codes()) {
    const fb::Executable &executable = *code->executable();
    FUZZ_CHECK(executable.exports()->size() == 1);
    touched += executable.target()->size() + executable.architecture()->size() +
               executable.exports()->Get(0)->size() + code->image()->size();
    if (executable.launches())
      for (const fb::KernelLaunch *launch : *executable.launches())
        touched += launch->block_size()->size();
  }
  for (const fb::replay::Binding *binding : *recorded.bindings()) {
    std::string_view before(reinterpret_cast<const char *>(binding->before()->data()),
                            binding->before()->size());
    std::string_view after = replay::bytesAfter(*binding);
    FUZZ_CHECK(after.size() == before.size());
    replay::Comparison comparison = replay::compareBinding(binding->element(), before, after, 1e-3);
    FUZZ_CHECK(comparison.exact == (before == after));
  }
  (void)touched;
  return 0;
}
