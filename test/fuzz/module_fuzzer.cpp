//===- module_fuzzer.cpp - .sieve modules from any bytes ------------------===//
//
// The loader verifies a module before anything uses it. For every module it
// accepts, the JSON views must print, and every entry point's host program
// must run on a device that executes no code but checks each dispatch: every
// binding must lie inside memory the program was given (its arena, a cache,
// a weight, an input). A program the interpreter cannot run ends in an
// error, never outside its buffers (ASan watches the interpreter itself).
//
// Checksums are not compared, so that mutations reach the checks behind
// them. The seed is the tiny-v4 module with its executable cut to 64 bytes.
//
//===----------------------------------------------------------------------===//

#include "fuzz_check.h"

#include "sieve/exec/program.h"
#include "sieve/module/module_file.h"
#include "sieve/module/module_json.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <utility>
#include <vector>

using namespace sieve;

namespace {

/// Weights and caches beyond this are not backed (the program is not run).
constexpr uint64_t kMaxBackedBytes = uint64_t(32) << 20;

class CheckingDevice final : public hal::Device {
public:
  std::vector<std::pair<const uint8_t *, uint64_t>> ranges;

  std::string description() const override { return "checking"; }
  std::string rejectReason(const fb::Executable &) const override { return ""; }
  Expected<std::unique_ptr<hal::LoadedExecutable>> load(const fb::Executable &,
                                                        const hal::ModuleKernels *,
                                                        std::string_view,
                                                        const std::string &) override {
    return std::make_unique<hal::LoadedExecutable>();
  }
  Expected<hal::DeviceMemory> allocate(uint64_t bytes, const std::string &) override {
    if (bytes > kMaxBackedBytes)
      return Status(StatusCode::kFailedPrecondition, "too large for the fuzzer");
    void *data = std::calloc(bytes ? bytes : 1, 1);
    ranges.emplace_back(static_cast<const uint8_t *>(data), bytes);
    return hal::DeviceMemory(data, bytes, [](void *p, uint64_t) { std::free(p); });
  }
  Status dispatch(const hal::LoadedExecutable &, uint32_t, const sieve_dispatch_state_t &state,
                  const char *) override {
    for (uint32_t i = 0; i < state.binding_count; ++i) {
      const auto *p = static_cast<const uint8_t *>(state.binding_ptrs[i]);
      uint64_t n = state.binding_lengths[i];
      bool inside = n == 0;
      for (const auto &[base, size] : ranges)
        inside |= p >= base && p + n <= base + size;
      FUZZ_CHECK(inside);
    }
    return Status::ok();
  }
};

void runPrograms(const module::ModuleFile &file) {
  const fb::Module &m = file.module();
  CheckingDevice device;
  uint64_t backed = 0;
  for (const fb::Cache *c : *m.caches())
    backed += c->bytes();
  for (const fb::Weight *w : *m.weights())
    backed += w->bytes();
  if (backed > kMaxBackedBytes)
    return;
  std::vector<hal::DeviceMemory> memory;
  std::vector<void *> caches;
  std::vector<const void *> weights;
  for (const fb::Cache *c : *m.caches()) {
    auto mem = device.allocate(c->bytes(), "cache");
    FUZZ_CHECK(mem.isOk());
    caches.push_back(mem->data());
    memory.push_back(mem.take());
  }
  for (const fb::Weight *w : *m.weights()) {
    auto mem = device.allocate(w->bytes(), "weight");
    FUZZ_CHECK(mem.isOk());
    weights.push_back(mem->data());
    memory.push_back(mem.take());
  }
  hal::LoadedExecutable executable;
  for (const fb::EntryPoint *entry : *m.entry_points()) {
    auto program = exec::Program::prepare(m, *entry, device, executable, caches, weights);
    if (!program)
      continue;
    // Inputs: every caller-chosen size 1 (a one-token call), zeros.
    std::vector<exec::InputArg> inputs(entry->inputs()->size());
    std::vector<std::vector<uint8_t>> data(inputs.size());
    for (size_t i = 0; i < inputs.size(); ++i) {
      const fb::Input *input = entry->inputs()->Get(uint32_t(i));
      if (input->kind() != fb::InputKind::Tensor)
        continue;
      uint64_t elements = 1;
      inputs[i].rank = input->shape()->size();
      for (uint32_t d = 0; d < inputs[i].rank && d < 8; ++d) {
        int64_t size = input->shape()->Get(d)->size();
        inputs[i].shape[d] = size < 0 ? 1 : size;
        elements *= uint64_t(inputs[i].shape[d] > 0 ? inputs[i].shape[d] : 0);
        if (elements > (uint64_t(1) << 20))
          return;
      }
      uint64_t bytes = 0;
      FUZZ_CHECK(module::elementBytes(input->element(), elements, bytes));
      data[i].assign(bytes + 1, 0);
      inputs[i].data = data[i].data();
      inputs[i].bytes = bytes;
      device.ranges.emplace_back(data[i].data(), bytes);
    }
    (void)(*program)->run(inputs.data(), inputs.size());
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto file = module::ModuleFile::fromBytes(
      std::string_view(reinterpret_cast<const char *>(data), size), "fuzz.sieve",
      module::VerifyOptions{/*checksums=*/false});
  if (!file)
    return 0;
  for (module::DumpView view : {module::DumpView::kSummary, module::DumpView::kExports})
    FUZZ_CHECK(module::moduleToJson(**file, view).isOk());
  for (const fb::EntryPoint *entry : *(*file)->module().entry_points())
    FUZZ_CHECK(module::moduleToJson(**file, module::DumpView::kProgram, entry->name()->str()).isOk());
  runPrograms(**file);
  return 0;
}
