//===- traffic.cpp - What a compiled step reads from memory ---------------===//

#include "sieve/exec/traffic.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>

namespace sieve::exec {

namespace {

/// "layers.3.compressed" -> "layers.3."
std::string layerPrefix(const std::string &name) {
  size_t dot = name.rfind('.');
  return dot == std::string::npos ? std::string() : name.substr(0, dot + 1);
}

/// How a kernel reads a weight it binds: some rows of it (a table it
/// gathers from), the experts a routing reaches, or all of it.
enum class Read { Rows, Routed, Whole };

Read readOf(const fb::Kernel &kernel, uint32_t binding) {
  auto listed = [&](const flatbuffers::Vector<uint32_t> *list) {
    return list && std::find(list->begin(), list->end(), binding) != list->end();
  };
  return listed(kernel.gathered_bindings()) ? Read::Rows
         : listed(kernel.routed_bindings()) ? Read::Routed
                                            : Read::Whole;
}

/// The bytes of `w` a step of `batch` sequences reads when read as `read`.
uint64_t bytesRead(const fb::Weight &w, Read read, int64_t batch, const io::ModelConfig &config) {
  const uint64_t bytes = w.bytes();
  const int64_t leading =
      w.shape() && w.shape()->size() > 0 ? std::max<int64_t>(w.shape()->Get(0), 1) : 1;
  switch (read) {
  case Read::Whole:
    return bytes;
  case Read::Rows:
    return bytes / uint64_t(leading) * uint64_t(std::min(batch, leading));
  case Read::Routed: {
    const int64_t reached =
        std::min(leading, batch * std::max<int64_t>(config.nActivatedExperts, 1));
    return bytes / uint64_t(leading) * uint64_t(reached);
  }
  }
  return bytes;
}

Expected<const fb::EntryPoint *> decodeProgram(const module::ModuleFile &file) {
  const fb::EntryPoint *decode = file.entryPoint("decode");
  if (!decode)
    return Status(StatusCode::kFailedPrecondition,
                  file.name() + ": the module has no decode entry point");
  return decode;
}

} // namespace

Expected<std::vector<uint64_t>> decodeKernelWeightBytes(const module::ModuleFile &file,
                                                        const io::ModelConfig &config,
                                                        int64_t batch,
                                                        std::vector<uint32_t> *dispatches) {
  auto program = decodeProgram(file);
  if (!program)
    return program.takeStatus();
  const fb::EntryPoint *decode = *program;
  if (batch < 1)
    return invalidArgument("decode traffic needs a batch >= 1");
  const fb::Module &m = file.module();
  std::vector<uint64_t> bytes(m.kernels()->size(), 0);
  if (dispatches)
    dispatches->assign(m.kernels()->size(), 0);
  for (uint32_t s = 0; s < decode->steps()->size(); ++s) {
    const auto *dispatch = decode->steps()->GetAs<fb::DispatchStep>(s);
    if (decode->steps_type()->Get(s) != fb::Step::DispatchStep || !dispatch)
      continue;
    const fb::Kernel *kernel = m.kernels()->Get(dispatch->kernel());
    if (dispatches)
      ++(*dispatches)[dispatch->kernel()];
    for (uint32_t b = 0; b < dispatch->bindings()->size(); ++b) {
      const fb::Buffer *buffer = decode->buffers()->Get(dispatch->bindings()->Get(b));
      if (buffer->storage() == fb::StorageKind::Weight)
        bytes[dispatch->kernel()] +=
            bytesRead(*m.weights()->Get(buffer->index()), readOf(*kernel, b), batch, config);
    }
  }
  return bytes;
}

Expected<StepTraffic> decodeTraffic(const module::ModuleFile &file,
                                    const io::ModelConfig &config, int64_t depth,
                                    int64_t batch) {
  const fb::Module &m = file.module();
  auto program = decodeProgram(file);
  if (!program)
    return program.takeStatus();
  const fb::EntryPoint *decode = *program;
  if (depth < 0 || batch < 1)
    return invalidArgument("decode traffic needs a depth >= 0 and a batch >= 1");

  // How the program's kernels read each weight: whole unless every binding
  // of it gathers rows or routes experts.
  std::map<uint32_t, Read> weights;
  auto note = [&](uint32_t weight, Read read) {
    auto [it, inserted] = weights.try_emplace(weight, read);
    if (!inserted && it->second != read)
      it->second = Read::Whole;
  };
  for (uint32_t s = 0; s < decode->steps()->size(); ++s) {
    const auto *dispatch = decode->steps()->GetAs<fb::DispatchStep>(s);
    if (decode->steps_type()->Get(s) != fb::Step::DispatchStep || !dispatch)
      continue;
    const fb::Kernel *kernel = m.kernels()->Get(dispatch->kernel());
    for (uint32_t b = 0; b < dispatch->bindings()->size(); ++b) {
      const fb::Buffer *buffer = decode->buffers()->Get(dispatch->bindings()->Get(b));
      if (buffer->storage() == fb::StorageKind::Weight)
        note(buffer->index(), readOf(*kernel, b));
    }
  }
  StepTraffic traffic;
  for (auto [index, read] : weights)
    traffic.weightBytes += bytesRead(*m.weights()->Get(index), read, batch, config);

  // Layers whose compressed entries an indexer picks.
  std::set<std::string> indexed;
  for (const fb::Cache *c : *m.caches())
    if (c->kind() == fb::CacheKind::IndexerKeys)
      indexed.insert(layerPrefix(c->name()->str()));
  for (uint32_t index : *decode->caches()) {
    const fb::Cache *c = m.caches()->Get(index);
    const auto *shape = c->storage_shape();
    if (c->slot_dim() >= shape->size() || shape->Get(c->slot_dim()) <= 0 || c->rows() <= 0)
      continue;
    const uint64_t slotBytes = c->bytes() / uint64_t(shape->Get(c->slot_dim()));
    const uint64_t rowBytes = slotBytes / uint64_t(c->rows());
    const int64_t visible = c->ratio() > 0 ? (depth + 1) / c->ratio() : 0;
    int64_t rows = 0;
    switch (c->kind()) {
    case fb::CacheKind::Window:
      rows = std::min(depth + 1, c->rows());
      break;
    case fb::CacheKind::Compressed:
      rows = std::min(visible, c->rows());
      if (indexed.count(layerPrefix(c->name()->str())))
        rows = std::min(rows, config.indexTopk);
      break;
    case fb::CacheKind::IndexerKeys:
      rows = std::min(visible, c->rows());
      break;
    case fb::CacheKind::CompressorState:
      rows = c->rows();
      break;
    }
    traffic.cacheBytes += uint64_t(rows) * rowBytes * uint64_t(batch);
  }
  return traffic;
}

} // namespace sieve::exec
