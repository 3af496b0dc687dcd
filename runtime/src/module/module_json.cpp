//===- module_json.cpp - A .sieve module described as JSON ----------------===//

#include "sieve/module/module_json.h"

#include <nlohmann/json.hpp>

#include <cinttypes>
#include <cstdio>

namespace sieve::module {
namespace {

using json = nlohmann::ordered_json;

std::string hex64(uint64_t v) {
  char text[19];
  std::snprintf(text, sizeof text, "0x%016" PRIx64, v);
  return text;
}

json longs(const flatbuffers::Vector<int64_t> *v) {
  json out = json::array();
  if (v)
    for (int64_t x : *v)
      out.push_back(x);
  return out;
}

json strings(const flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>> *v) {
  json out = json::array();
  if (v)
    for (const flatbuffers::String *s : *v)
      out.push_back(s->str());
  return out;
}

/// A shape: numbers for static sizes, "rN" for a register, "?" for a size
/// the caller chooses.
json extents(const flatbuffers::Vector<const fb::Extent *> *v) {
  json out = json::array();
  if (v)
    for (const fb::Extent *x : *v) {
      if (x->register_index() >= 0)
        out.push_back("r" + std::to_string(x->register_index()));
      else if (x->size() < 0)
        out.push_back("?");
      else
        out.push_back(x->size());
    }
  return out;
}

std::string reg(uint32_t r) { return "r" + std::to_string(r); }

json inputs(const fb::EntryPoint &e) {
  json out = json::array();
  for (const fb::Input *input : *e.inputs()) {
    json j = {{"name", input->name()->str()},
              {"kind", fb::EnumNameInputKind(input->kind())}};
    if (input->kind() == fb::InputKind::Tensor) {
      j["element"] = elementTypeName(input->element());
      j["shape"] = extents(input->shape());
    }
    out.push_back(j);
  }
  return out;
}

json summary(const fb::Module &m) {
  json j;
  j["format_version"] = std::to_string(m.version()->major()) + "." +
                        std::to_string(m.version()->minor());
  j["header_checksum"] = hex64(m.header_checksum()->xxh3());
  json options = json::object();
  if (m.producer()->options())
    for (const fb::Option *o : *m.producer()->options())
      options[o->key()->str()] = o->value()->str();
  j["producer"] = {{"name", m.producer()->name()->str()},
                   {"version", m.producer()->version()->str()},
                   {"options", options}};
  const fb::Model *model = m.model();
  json config = nullptr;
  if (model->config_json() && model->config_json()->size())
    config = json::parse(model->config_json()->string_view(), nullptr, /*allow_exceptions=*/false);
  j["model"] = {{"vocab_size", model->vocab_size()},       {"bos_token_id", model->bos_token_id()},
                {"eos_token_id", model->eos_token_id()},   {"max_seq_len", model->max_seq_len()},
                {"max_batch", model->max_batch()},         {"max_chunk", model->max_chunk()},
                {"cache_format", model->cache_format()->str()}, {"config", config}};
  json caches = json::array();
  uint64_t cacheBytes = 0;
  for (const fb::Cache *c : *m.caches()) {
    caches.push_back({{"name", c->name()->str()},
                      {"kind", fb::EnumNameCacheKind(c->kind())},
                      {"encoding", c->encoding()->str()},
                      {"storage", {{"element", elementTypeName(c->storage_element())},
                                   {"shape", longs(c->storage_shape())}}},
                      {"slot_dim", c->slot_dim()},
                      {"bytes", c->bytes()},
                      {"ratio", c->ratio()},
                      {"rows", c->rows()},
                      {"dim", c->dim()}});
    cacheBytes += c->bytes();
  }
  j["caches"] = caches;
  j["cache_bytes"] = cacheBytes;
  json weights = json::array();
  uint64_t weightBytes = 0;
  for (const fb::Weight *w : *m.weights()) {
    json stored = json::array();
    for (const fb::StoredTensor *s : *w->stored())
      stored.push_back({{"name", s->name()->str()},
                        {"dtype", s->dtype()->str()},
                        {"shape", longs(s->shape())}});
    weights.push_back({{"name", w->name()->str()},
                       {"element", elementTypeName(w->element())},
                       {"shape", longs(w->shape())},
                       {"bytes", w->bytes()},
                       {"layout", fb::EnumNameWeightLayout(w->layout())},
                       {"stored", stored}});
    weightBytes += w->bytes();
  }
  j["weights"] = weights;
  j["weight_bytes"] = weightBytes;
  json kernels = json::array();
  for (const fb::Kernel *k : *m.kernels()) {
    json kernel = {
        {"name", k->name()->str()}, {"bindings", k->bindings()}, {"constants", k->constants()}};
    auto list = [](const flatbuffers::Vector<uint32_t> *v) {
      json a = json::array();
      if (v)
        for (uint32_t x : *v)
          a.push_back(x);
      return a;
    };
    if (k->gathered_bindings() && k->gathered_bindings()->size())
      kernel["gathered_bindings"] = list(k->gathered_bindings());
    if (k->routed_bindings() && k->routed_bindings()->size())
      kernel["routed_bindings"] = list(k->routed_bindings());
    if (k->library() && k->library()->size())
      kernel["library"] = k->library()->str();
    kernels.push_back(kernel);
  }
  j["kernels"] = kernels;
  json entries = json::array();
  for (const fb::EntryPoint *e : *m.entry_points()) {
    size_t dispatches = 0;
    for (fb::Step type : *e->steps_type())
      dispatches += type == fb::Step::DispatchStep;
    json outputs = json::array();
    for (const fb::Output *o : *e->outputs())
      outputs.push_back(o->name()->str());
    json cacheNames = json::array();
    for (uint32_t c : *e->caches())
      cacheNames.push_back(m.caches()->Get(c)->name()->str());
    entries.push_back({{"name", e->name()->str()},
                       {"phase", e->phase()->str()},
                       {"max_tokens", e->max_tokens()},
                       {"arena_bytes", e->arena_bytes()},
                       {"inputs", inputs(*e)},
                       {"outputs", outputs},
                       {"caches", cacheNames},
                       {"registers", e->registers()},
                       {"buffers", e->buffers()->size()},
                       {"steps", e->steps()->size()},
                       {"dispatches", dispatches}});
  }
  j["entry_points"] = entries;
  json executables = json::array();
  for (const fb::Executable *x : *m.executables()) {
    json launches = json::array();
    if (x->launches())
      for (const fb::KernelLaunch *launch : *x->launches()) {
        json block = json::array();
        for (uint32_t d : *launch->block_size())
          block.push_back(d);
        launches.push_back({{"block_size", block}, {"workgroup_memory", launch->workgroup_memory()}});
      }
    executables.push_back({{"target", x->target()->str()},
                           {"format", fb::EnumNameExecutableFormat(x->format())},
                           {"architecture", x->architecture()->str()},
                           {"cpu", x->cpu() ? x->cpu()->str() : ""},
                           {"features", strings(x->features())},
                           {"exports", x->exports()->size()},
                           {"segment", {{"offset", x->segment()->offset()},
                                        {"size", x->segment()->size()},
                                        {"checksum", hex64(x->segment()->checksum())}}},
                           {"launches", launches}});
  }
  j["executables"] = executables;
  return j;
}

json exportsView(const fb::Module &m) {
  json out = json::array();
  for (const fb::Executable *x : *m.executables())
    out.push_back({{"target", x->target()->str()}, {"exports", strings(x->exports())}});
  return out;
}

json scalarStep(const fb::ScalarStep &s, const fb::EntryPoint &e) {
  json j = {{"op", fb::EnumNameScalarOpcode(s.opcode())}, {"result", reg(s.result())}};
  switch (s.opcode()) {
  case fb::ScalarOpcode::Constant:
    j["value"] = s.value();
    break;
  case fb::ScalarOpcode::InputScalar:
    j["input"] = e.inputs()->Get(uint32_t(s.value()))->name()->str();
    break;
  case fb::ScalarOpcode::InputDim:
    j["input"] = e.inputs()->Get(uint32_t(s.value()))->name()->str();
    j["dim"] = s.a();
    break;
  default: {
    json operands = json::array();
    const uint32_t registers[3] = {s.a(), s.b(), s.c()};
    for (unsigned k = 0; k < scalarOperandCount(s.opcode()); ++k)
      operands.push_back(reg(registers[k]));
    j["operands"] = operands;
    break;
  }
  }
  return j;
}

json programView(const fb::Module &m, const fb::EntryPoint &e) {
  json buffers = json::array();
  for (const fb::Buffer *b : *e.buffers()) {
    json j = {{"storage", fb::EnumNameStorageKind(b->storage())},
              {"element", elementTypeName(b->element())},
              {"shape", extents(b->shape())}};
    switch (b->storage()) {
    case fb::StorageKind::Arena:
      j["offset"] = b->offset();
      j["max_bytes"] = b->max_bytes();
      break;
    case fb::StorageKind::Input:
      j["input"] = e.inputs()->Get(b->index())->name()->str();
      break;
    case fb::StorageKind::Cache:
      j["cache"] = m.caches()->Get(e.caches()->Get(b->index()))->name()->str();
      break;
    case fb::StorageKind::Weight:
      j["weight"] = m.weights()->Get(b->index())->name()->str();
      break;
    }
    buffers.push_back(j);
  }
  json steps = json::array();
  for (uint32_t i = 0; i < e.steps()->size(); ++i) {
    switch (e.steps_type()->Get(i)) {
    case fb::Step::ScalarStep:
      steps.push_back(scalarStep(*e.steps()->GetAs<fb::ScalarStep>(i), e));
      break;
    case fb::Step::AssertStep: {
      const auto *s = e.steps()->GetAs<fb::AssertStep>(i);
      steps.push_back({{"op", "Assert"}, {"condition", reg(s->condition())},
                       {"message", s->message()->str()}});
      break;
    }
    case fb::Step::FillStep: {
      const auto *s = e.steps()->GetAs<fb::FillStep>(i);
      json values = json::array();
      for (uint32_t r : *s->registers())
        values.push_back(reg(r));
      steps.push_back({{"op", "Fill"}, {"buffer", s->buffer()}, {"values", values}});
      break;
    }
    case fb::Step::DispatchStep: {
      const auto *s = e.steps()->GetAs<fb::DispatchStep>(i);
      json bindings = json::array(), constants = json::array();
      for (uint32_t b : *s->bindings())
        bindings.push_back(b);
      if (s->constants())
        for (uint32_t r : *s->constants())
          constants.push_back(reg(r));
      steps.push_back({{"op", "Dispatch"},
                       {"kernel", m.kernels()->Get(s->kernel())->name()->str()},
                       {"workgroups", reg(s->workgroups())},
                       {"bindings", bindings},
                       {"constants", constants}});
      break;
    }
    default:
      break;
    }
  }
  json outputs = json::array();
  for (const fb::Output *o : *e.outputs())
    outputs.push_back({{"name", o->name()->str()}, {"buffer", o->buffer()}});
  return {{"name", e.name()->str()},      {"phase", e.phase()->str()},
          {"max_tokens", e.max_tokens()}, {"arena_bytes", e.arena_bytes()},
          {"inputs", inputs(e)},          {"outputs", outputs},
          {"registers", e.registers()},   {"buffers", buffers},
          {"steps", steps}};
}

} // namespace

Expected<std::string> moduleToJson(const ModuleFile &file, DumpView view,
                                   const std::string &entryPoint) {
  const fb::Module &m = file.module();
  switch (view) {
  case DumpView::kSummary:
    return summary(m).dump(2, ' ', false, json::error_handler_t::replace);
  case DumpView::kExports:
    return exportsView(m).dump(2, ' ', false, json::error_handler_t::replace);
  case DumpView::kProgram: {
    const fb::EntryPoint *e = file.entryPoint(entryPoint);
    if (!e) {
      std::string names;
      for (const fb::EntryPoint *x : *m.entry_points())
        names += (names.empty() ? "" : ", ") + x->name()->str();
      return notFound(file.name() + ": no entry point '" + entryPoint + "' (it has " + names + ")");
    }
    return programView(m, *e).dump(2, ' ', false, json::error_handler_t::replace);
  }
  }
  return invalidArgument("unknown view");
}

} // namespace sieve::module
