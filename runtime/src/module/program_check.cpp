//===- program_check.cpp - Consistency of a module's contents -------------===//

#include "program_check.h"

#include "sieve/module/module_file.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <set>
#include <vector>

namespace sieve::module {
namespace {

/// Sanity bounds: far above any real model, low enough that a damaged size
/// is refused instead of attempted.
constexpr uint64_t kMaxArenaBytes = uint64_t(1) << 40;
constexpr uint64_t kMaxCacheBytes = uint64_t(1) << 44;
constexpr uint32_t kMaxKernelArguments = 4096;
constexpr uint32_t kMaxRank = 8;
// CUDA and HIP both cap a block at 1024 threads.
constexpr uint64_t kMaxThreadsPerBlock = 1024;

/// FlatBuffers 2.0.8's verifier checks a vector's length prefix, not the
/// alignment of 8-byte elements; a damaged offset could make them unaligned.
template <typename T> bool aligned(const flatbuffers::Vector<T> *v) {
  return !v || reinterpret_cast<uintptr_t>(v->Data()) % alignof(T) == 0;
}
template <typename T> bool aligned(const flatbuffers::Vector<const T *> *v) {
  return !v || reinterpret_cast<uintptr_t>(v->Data()) % alignof(T) == 0;
}

template <typename E> bool inRange(E value, E max) {
  return static_cast<unsigned>(value) <= static_cast<unsigned>(max);
}

class Checker {
public:
  Checker(const fb::Module &module, const std::string &name) : m(module), name(name) {}

  Status run() {
    SIEVE_RETURN_IF_ERROR(checkAlignment());
    SIEVE_RETURN_IF_ERROR(checkModel());
    SIEVE_RETURN_IF_ERROR(checkCaches());
    SIEVE_RETURN_IF_ERROR(checkWeights());
    for (uint32_t k = 0; k < m.kernels()->size(); ++k) {
      const fb::Kernel *kernel = m.kernels()->Get(k);
      if (kernel->bindings() > kMaxKernelArguments || kernel->constants() > kMaxKernelArguments)
        return bad("kernel '" + kernel->name()->str() + "' has too many arguments");
      for (const auto *list : {kernel->gathered_bindings(), kernel->routed_bindings()})
        if (list)
          for (uint32_t binding : *list)
            if (binding >= kernel->bindings())
              return bad("kernel '" + kernel->name()->str() + "' describes binding " +
                         std::to_string(binding) + " of its " +
                         std::to_string(kernel->bindings()));
    }
    std::set<std::string> names;
    for (const fb::EntryPoint *entry : *m.entry_points()) {
      if (!names.insert(entry->name()->str()).second)
        return bad("entry point '" + entry->name()->str() + "' appears twice");
      SIEVE_RETURN_IF_ERROR(checkEntry(*entry));
    }
    for (const fb::Executable *executable : *m.executables()) {
      std::string what = "executable '" + executable->target()->str() + "'";
      if (!inRange(executable->format(), fb::ExecutableFormat::MAX))
        return bad(what + " has an unknown format");
      // Library kernels (their code is the runtime's) and only they export "".
      const uint32_t exported = std::min(executable->exports()->size(), m.kernels()->size());
      for (uint32_t k = 0; k < exported; ++k) {
        const fb::Kernel *kernel = m.kernels()->Get(k);
        bool library = kernel->library() && kernel->library()->size() > 0;
        bool empty = executable->exports()->Get(k)->size() == 0;
        if (library != empty)
          return bad(what + " exports " +
                     (empty ? std::string("no symbol")
                            : "'" + executable->exports()->Get(k)->str() + "'") +
                     " for kernel '" + kernel->name()->str() + "', which " +
                     (library ? "is the library kernel '" + kernel->library()->str() + "'"
                              : std::string("is not a library kernel")));
      }
      if (executable->format() == fb::ExecutableFormat::ElfSharedObject)
        continue;
      // A GPU launch needs each kernel's block size.
      const auto *launches = executable->launches();
      if (!launches || launches->size() != executable->exports()->size())
        return bad(what + " has " + std::to_string(launches ? launches->size() : 0) +
                   " kernel launch descriptions for " +
                   std::to_string(executable->exports()->size()) + " kernels");
      for (const fb::KernelLaunch *launch : *launches) {
        uint64_t threads = 1;
        if (launch->block_size()->size() != 3)
          return bad(what + ": a kernel's block size has " +
                     std::to_string(launch->block_size()->size()) + " dimensions, not 3");
        for (uint32_t d : *launch->block_size())
          threads *= d;
        if (threads == 0 || threads > kMaxThreadsPerBlock)
          return bad(what + ": a kernel's block of " + std::to_string(threads) +
                     " threads is not in [1, " + std::to_string(kMaxThreadsPerBlock) + "]");
      }
    }
    return Status::ok();
  }

private:
  Status bad(const std::string &why) const { return invalidArgument(name + ": " + why); }

  /// Product of static sizes, false on a negative size or overflow.
  static bool product(const flatbuffers::Vector<int64_t> &shape, uint64_t &out) {
    out = 1;
    for (int64_t d : shape) {
      if (d < 0 || (d > 0 && out > std::numeric_limits<uint64_t>::max() / uint64_t(d)))
        return false;
      out *= uint64_t(d);
    }
    return true;
  }

  Status checkAlignment() {
    bool ok = true;
    for (const fb::Cache *cache : *m.caches())
      ok &= aligned(cache->storage_shape());
    for (const fb::Weight *weight : *m.weights()) {
      ok &= aligned(weight->shape());
      for (const fb::StoredTensor *stored : *weight->stored())
        ok &= aligned(stored->shape());
    }
    for (const fb::EntryPoint *entry : *m.entry_points()) {
      for (const fb::Input *input : *entry->inputs())
        ok &= aligned(input->shape());
      for (const fb::Buffer *buffer : *entry->buffers())
        ok &= aligned(buffer->shape());
    }
    return ok ? Status::ok() : bad("the module header is damaged (a misaligned vector)");
  }

  Status checkModel() {
    const fb::Model *model = m.model();
    if (model->vocab_size() < 1 || model->max_seq_len() < 1 || model->max_batch() < 1 ||
        model->max_chunk() < 1)
      return bad("model description has a non-positive vocab_size, max_seq_len, max_batch or "
                 "max_chunk");
    return Status::ok();
  }

  Status checkCaches() {
    for (const fb::Cache *cache : *m.caches()) {
      std::string what = "cache '" + cache->name()->str() + "'";
      if (!inRange(cache->kind(), fb::CacheKind::MAX) || elementBits(cache->storage_element()) == 0)
        return bad(what + " has an unknown kind or element type");
      const auto &shape = *cache->storage_shape();
      uint64_t count = 0, bytes = 0;
      if (shape.size() == 0 || shape.size() > kMaxRank || !product(shape, count) ||
          !elementBytes(cache->storage_element(), count, bytes) || bytes > kMaxCacheBytes)
        return bad(what + " has an invalid storage shape");
      if (bytes != cache->bytes())
        return bad(what + " says " + std::to_string(cache->bytes()) + " bytes but its shape holds " +
                   std::to_string(bytes));
      if (cache->slot_dim() >= shape.size() || shape.Get(cache->slot_dim()) < 1)
        return bad(what + " has no slot dimension " + std::to_string(cache->slot_dim()));
      if (cache->kind() == fb::CacheKind::CompressorState &&
          (shape.Get(0) != 2 || cache->storage_element() != fb::ElementType::F32))
        return bad(what + ": compressor state is f32 [2 (kv, score), ...]");
    }
    return Status::ok();
  }

  Status checkWeights() {
    for (const fb::Weight *weight : *m.weights()) {
      std::string what = "weight '" + weight->name()->str() + "'";
      uint64_t count = 0, bytes = 0;
      if (elementBits(weight->element()) == 0 || !inRange(weight->layout(), fb::WeightLayout::MAX))
        return bad(what + " has an unknown element type or layout");
      if (weight->shape()->size() > kMaxRank || !product(*weight->shape(), count) ||
          !elementBytes(weight->element(), count, bytes) || bytes != weight->bytes())
        return bad(what + " has a shape that does not match its " +
                   std::to_string(weight->bytes()) + " bytes");
      if (weight->stored()->size() == 0)
        return bad(what + " names no stored tensor");
      for (const fb::StoredTensor *stored : *weight->stored())
        if (stored->shape()->size() > kMaxRank || !product(*stored->shape(), count))
          return bad(what + ": stored tensor '" + stored->name()->str() + "' has a bad shape");
    }
    return Status::ok();
  }

  Status checkEntry(const fb::EntryPoint &e) {
    const std::string where = "entry point '" + e.name()->str() + "'";
    auto fail = [&](const std::string &why) { return bad(where + ": " + why); };
    if (e.phase()->string_view() != "prefill" && e.phase()->string_view() != "decode")
      return fail("unknown phase '" + e.phase()->str() + "'");
    if (e.max_tokens() < 1 || e.arena_bytes() > kMaxArenaBytes)
      return fail("max_tokens or arena size out of range");
    for (const fb::Input *input : *e.inputs()) {
      if (!inRange(input->kind(), fb::InputKind::MAX) || elementBits(input->element()) == 0)
        return fail("input '" + input->name()->str() + "' has an unknown kind or element type");
      if (input->kind() == fb::InputKind::Tensor) {
        if (!input->shape() || input->shape()->size() > kMaxRank)
          return fail("tensor input '" + input->name()->str() + "' has no shape");
        for (const fb::Extent *x : *input->shape())
          if (x->register_index() >= 0 || x->size() < -1)
            return fail("input '" + input->name()->str() + "' has an invalid extent");
      }
    }
    for (uint32_t cache : *e.caches())
      if (cache >= m.caches()->size())
        return fail("cache argument " + std::to_string(cache) + " does not exist");

    const uint32_t registers = e.registers();
    if (registers > e.steps()->size())
      return fail(std::to_string(registers) + " registers but only " +
                  std::to_string(e.steps()->size()) + " steps to write them");
    // Buffers: storage in range; shapes read registers checked where used.
    const uint32_t numBuffers = e.buffers()->size();
    for (uint32_t b = 0; b < numBuffers; ++b) {
      const fb::Buffer *buffer = e.buffers()->Get(b);
      std::string what = "buffer " + std::to_string(b);
      if (!inRange(buffer->storage(), fb::StorageKind::MAX) || elementBits(buffer->element()) == 0)
        return fail(what + " has an unknown storage kind or element type");
      if (buffer->shape()->size() > kMaxRank)
        return fail(what + " has rank " + std::to_string(buffer->shape()->size()));
      for (const fb::Extent *x : *buffer->shape())
        if (x->register_index() >= 0 ? uint32_t(x->register_index()) >= registers : x->size() < 0)
          return fail(what + " has an invalid extent");
      switch (buffer->storage()) {
      case fb::StorageKind::Arena:
        if (buffer->offset() > e.arena_bytes() ||
            buffer->max_bytes() > e.arena_bytes() - buffer->offset())
          return fail(what + " [" + std::to_string(buffer->offset()) + ", +" +
                      std::to_string(buffer->max_bytes()) + ") lies outside the " +
                      std::to_string(e.arena_bytes()) + "-byte arena");
        break;
      case fb::StorageKind::Input:
        if (buffer->index() >= e.inputs()->size() ||
            e.inputs()->Get(buffer->index())->kind() != fb::InputKind::Tensor)
          return fail(what + " names input " + std::to_string(buffer->index()) +
                      ", which is not a tensor input");
        break;
      case fb::StorageKind::Cache:
        if (buffer->index() >= e.caches()->size())
          return fail(what + " names cache argument " + std::to_string(buffer->index()) +
                      ", which does not exist");
        break;
      case fb::StorageKind::Weight:
        if (buffer->index() >= m.weights()->size())
          return fail(what + " names weight " + std::to_string(buffer->index()) +
                      ", which does not exist");
        break;
      }
    }

    std::vector<bool> defined(registers, false);
    auto readable = [&](uint32_t r) { return r < registers && defined[r]; };
    auto shapeReadable = [&](uint32_t b) {
      if (b >= numBuffers)
        return false;
      for (const fb::Extent *x : *e.buffers()->Get(b)->shape())
        if (x->register_index() >= 0 && !defined[uint32_t(x->register_index())])
          return false;
      return true;
    };
    for (uint32_t i = 0; i < e.steps()->size(); ++i) {
      std::string step = "step " + std::to_string(i);
      switch (e.steps_type()->Get(i)) {
      case fb::Step::ScalarStep: {
        const auto *s = e.steps()->GetAs<fb::ScalarStep>(i);
        if (!inRange(s->opcode(), fb::ScalarOpcode::MAX))
          return fail(step + " has an unknown opcode");
        fb::ScalarOpcode op = s->opcode();
        const unsigned arity = scalarOperandCount(op);
        if ((arity >= 1 && !readable(s->a())) || (arity >= 2 && !readable(s->b())) ||
            (arity >= 3 && !readable(s->c())))
          return fail(step + " reads a register not written before it");
        if (op == fb::ScalarOpcode::InputScalar || op == fb::ScalarOpcode::InputDim) {
          if (s->value() < 0 || uint64_t(s->value()) >= e.inputs()->size())
            return fail(step + " reads input " + std::to_string(s->value()) +
                        ", which does not exist");
          const fb::Input *input = e.inputs()->Get(uint32_t(s->value()));
          if (op == fb::ScalarOpcode::InputScalar && input->kind() != fb::InputKind::Scalar)
            return fail(step + " reads tensor input '" + input->name()->str() + "' as a scalar");
          if (op == fb::ScalarOpcode::InputDim &&
              (input->kind() != fb::InputKind::Tensor || s->a() >= input->shape()->size()))
            return fail(step + " reads a dimension input '" + input->name()->str() +
                        "' does not have");
        }
        if (s->result() >= registers || defined[s->result()])
          return fail(step + " writes register " + std::to_string(s->result()) +
                      ", which does not exist or was written before");
        defined[s->result()] = true;
        break;
      }
      case fb::Step::AssertStep:
        if (!readable(e.steps()->GetAs<fb::AssertStep>(i)->condition()))
          return fail(step + " asserts a register not written before it");
        break;
      case fb::Step::FillStep: {
        const auto *s = e.steps()->GetAs<fb::FillStep>(i);
        if (s->buffer() >= numBuffers)
          return fail(step + " fills a buffer that does not exist");
        const fb::Buffer *buffer = e.buffers()->Get(s->buffer());
        uint64_t width = buffer->element() == fb::ElementType::I32   ? 4
                         : buffer->element() == fb::ElementType::I64 ? 8
                                                                      : 0;
        if (buffer->storage() != fb::StorageKind::Arena || width == 0 ||
            s->registers()->size() * width > buffer->max_bytes())
          return fail(step + " fills buffer " + std::to_string(s->buffer()) +
                      ", which is not an i32/i64 arena buffer large enough");
        for (uint32_t r : *s->registers())
          if (!readable(r))
            return fail(step + " reads a register not written before it");
        break;
      }
      case fb::Step::DispatchStep: {
        const auto *s = e.steps()->GetAs<fb::DispatchStep>(i);
        if (s->kernel() >= m.kernels()->size())
          return fail(step + " runs kernel " + std::to_string(s->kernel()) +
                      ", which does not exist");
        const fb::Kernel *kernel = m.kernels()->Get(s->kernel());
        uint32_t constants = s->constants() ? s->constants()->size() : 0;
        if (s->bindings()->size() != kernel->bindings() || constants != kernel->constants())
          return fail(step + " gives kernel '" + kernel->name()->str() + "' " +
                      std::to_string(s->bindings()->size()) + " bindings and " +
                      std::to_string(constants) + " constants; it takes " +
                      std::to_string(kernel->bindings()) + " and " +
                      std::to_string(kernel->constants()));
        if (!readable(s->workgroups()))
          return fail(step + " reads a register not written before it");
        for (uint32_t b : *s->bindings())
          if (!shapeReadable(b))
            return fail(step + " binds buffer " + std::to_string(b) +
                        ", which does not exist or whose shape is not known yet");
        if (s->constants())
          for (uint32_t r : *s->constants())
            if (!readable(r))
              return fail(step + " reads a register not written before it");
        break;
      }
      default:
        return fail(step + " has an unknown kind");
      }
    }
    for (const fb::Output *output : *e.outputs())
      if (!shapeReadable(output->buffer()))
        return fail("output '" + output->name()->str() + "' names an invalid buffer");
    return Status::ok();
  }

  const fb::Module &m;
  const std::string &name;
};

} // namespace

Status checkModuleContents(const fb::Module &module, const std::string &name) {
  return Checker(module, name).run();
}

} // namespace sieve::module
