//===- program.cpp - Running one entry point's host program ---------------===//

#include "sieve/exec/program.h"

#include "sieve/module/module_file.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <limits>

namespace sieve::exec {

void KernelProfile::reset(size_t kernels) {
  seconds.assign(kernels, 0.0);
  dispatches.assign(kernels, 0);
}

Expected<std::unique_ptr<Program>>
Program::prepare(const fb::Module &module, const fb::EntryPoint &entry, hal::Device &device,
                 const hal::LoadedExecutable &executable, const std::vector<void *> &caches,
                 const std::vector<const void *> &weights) {
  std::unique_ptr<Program> p(new Program(module, entry, device, executable));
  p->name_ = entry.name()->str();
  Expected<hal::DeviceMemory> arena =
      device.allocate(entry.arena_bytes(), "the arena of entry point '" + p->name_ + "'");
  if (!arena)
    return arena.takeStatus();
  p->arena_ = arena.take();
  for (uint32_t c : *entry.caches())
    p->cacheBases_.push_back(caches.at(c));
  p->weights_ = weights;
  for (const fb::Kernel *kernel : *module.kernels())
    p->kernelNames_.push_back(kernel->name()->c_str());

  for (const fb::Buffer *b : *entry.buffers()) {
    Buffer buffer{b->storage(), b->index(), b->offset(), b->max_bytes(),
                  module::elementBits(b->element()), uint32_t(p->extents_.size()),
                  b->shape()->size()};
    for (const fb::Extent *x : *b->shape())
      p->extents_.push_back({x->size(), x->register_index()});
    p->buffers_.push_back(buffer);
  }
  size_t bindings = 0, constants = 0;
  for (uint32_t i = 0; i < entry.steps()->size(); ++i) {
    Step step = {};
    step.kind = entry.steps_type()->Get(i);
    switch (step.kind) {
    case fb::Step::ScalarStep: {
      const auto *s = entry.steps()->GetAs<fb::ScalarStep>(i);
      step.opcode = s->opcode();
      step.result = s->result();
      step.a = s->a();
      step.b = s->b();
      step.c = s->c();
      step.value = s->value();
      break;
    }
    case fb::Step::AssertStep: {
      const auto *s = entry.steps()->GetAs<fb::AssertStep>(i);
      step.a = s->condition();
      step.message = s->message()->c_str();
      break;
    }
    case fb::Step::FillStep: {
      const auto *s = entry.steps()->GetAs<fb::FillStep>(i);
      step.result = s->buffer();
      step.first = p->operands_.size();
      step.count = s->registers()->size();
      p->operands_.insert(p->operands_.end(), s->registers()->begin(), s->registers()->end());
      break;
    }
    case fb::Step::DispatchStep: {
      const auto *s = entry.steps()->GetAs<fb::DispatchStep>(i);
      step.kernel = s->kernel();
      step.workgroups = s->workgroups();
      step.first = p->operands_.size();
      step.count = s->bindings()->size();
      p->operands_.insert(p->operands_.end(), s->bindings()->begin(), s->bindings()->end());
      step.firstConstant = p->constantRegs_.size();
      step.constants = s->constants() ? s->constants()->size() : 0;
      if (s->constants())
        p->constantRegs_.insert(p->constantRegs_.end(), s->constants()->begin(),
                                s->constants()->end());
      bindings = std::max<size_t>(bindings, step.count);
      constants = std::max<size_t>(constants, step.constants);
      break;
    }
    default:
      return invalidArgument(p->name_ + ": step " + std::to_string(i) + " has an unknown kind");
    }
    p->steps_.push_back(step);
  }
  p->registers_.assign(entry.registers(), 0);
  p->inputArgs_.assign(entry.inputs()->size(), InputArg());
  p->bindingPtrs_.assign(bindings, nullptr);
  p->bindingLengths_.assign(bindings, 0);
  p->constantValues_.assign(constants, 0);
  return p;
}

int Program::inputIndex(std::string_view name) const {
  for (uint32_t i = 0; i < entry_.inputs()->size(); ++i)
    if (entry_.inputs()->Get(i)->name()->string_view() == name)
      return int(i);
  return -1;
}

int Program::outputIndex(std::string_view name) const {
  for (uint32_t i = 0; i < entry_.outputs()->size(); ++i)
    if (entry_.outputs()->Get(i)->name()->string_view() == name)
      return int(i);
  return -1;
}

Status Program::fail(const std::string &why) const {
  return invalidArgument("entry point '" + name_ + "': " + why);
}

Status Program::bufferBytes(uint32_t b, uint64_t &bytes) const {
  const Buffer &buffer = buffers_[b];
  uint64_t count = 1;
  for (uint32_t i = 0; i < buffer.rank; ++i) {
    const Extent &x = extents_[buffer.firstExtent + i];
    int64_t size = x.reg >= 0 ? registers_[uint32_t(x.reg)] : x.size;
    if (size < 0)
      return fail("buffer " + std::to_string(b) + " has a negative size " + std::to_string(size));
    if (size > 0 && count > std::numeric_limits<uint64_t>::max() / 64 / uint64_t(size))
      return fail("buffer " + std::to_string(b) + " is too large");
    count *= uint64_t(size);
  }
  bytes = (count * buffer.bits + 7) / 8;
  // Every buffer stays inside the memory it views: the plan's slot in the
  // arena, the caller's input, the cache, the weight.
  uint64_t limit = 0;
  const char *what = "";
  switch (buffer.storage) {
  case fb::StorageKind::Arena:
    limit = buffer.maxBytes;
    what = "the buffer plan allows (more tokens than the module was compiled for?)";
    break;
  case fb::StorageKind::Input:
    limit = inputs_[buffer.index].bytes;
    what = "its input holds";
    break;
  case fb::StorageKind::Cache:
    limit = module_.caches()->Get(entry_.caches()->Get(buffer.index))->bytes();
    what = "its cache holds";
    break;
  case fb::StorageKind::Weight:
    limit = module_.weights()->Get(buffer.index)->bytes();
    what = "its weight holds";
    break;
  }
  if (bytes > limit)
    return fail("buffer " + std::to_string(b) + " needs " + std::to_string(bytes) +
                " bytes, more than the " + std::to_string(limit) + " " + what);
  return Status::ok();
}

void *Program::bufferData(uint32_t b) const {
  const Buffer &buffer = buffers_[b];
  switch (buffer.storage) {
  case fb::StorageKind::Arena:
    return static_cast<uint8_t *>(arena_.data()) + buffer.offset;
  case fb::StorageKind::Input:
    return const_cast<void *>(inputOnDevice_[buffer.index]);
  case fb::StorageKind::Cache:
    return cacheBases_[buffer.index];
  case fb::StorageKind::Weight:
    // Kernels never write a weight (the buffer plan proves it).
    return const_cast<void *>(weights_[buffer.index]);
  }
  return nullptr;
}

namespace {

bool fits32(int64_t v) {
  return v >= std::numeric_limits<int32_t>::min() && v <= int64_t(std::numeric_limits<uint32_t>::max());
}

} // namespace

Status Program::run(const InputArg *inputs, size_t count) {
  ran_ = false;
  const uint32_t numInputs = entry_.inputs()->size();
  if (count != numInputs)
    return fail("takes " + std::to_string(numInputs) + " inputs, got " + std::to_string(count));
  for (uint32_t i = 0; i < numInputs; ++i) {
    const fb::Input *input = entry_.inputs()->Get(i);
    if (input->kind() != fb::InputKind::Tensor)
      continue;
    const auto &declared = *input->shape();
    if (inputs[i].rank != declared.size())
      return fail("input '" + input->name()->str() + "' has rank " +
                  std::to_string(inputs[i].rank) + ", expected " +
                  std::to_string(declared.size()));
    uint64_t elements = 1;
    for (uint32_t d = 0; d < declared.size(); ++d) {
      int64_t size = inputs[i].shape[d];
      int64_t want = declared.Get(d)->size();
      if (size < 0 || (want >= 0 && size != want))
        return fail("input '" + input->name()->str() + "' has size " + std::to_string(size) +
                    " in dimension " + std::to_string(d) +
                    (want >= 0 ? ", expected " + std::to_string(want) : ""));
      elements *= uint64_t(size);
    }
    uint64_t bytes = 0;
    if (!module::elementBytes(input->element(), elements, bytes) || bytes != inputs[i].bytes ||
        (bytes > 0 && !inputs[i].data))
      return fail("input '" + input->name()->str() + "' has " + std::to_string(inputs[i].bytes) +
                  " bytes; its shape needs " + std::to_string(bytes));
  }
  // A copy: outputs that view an input stay valid after the caller's array.
  std::copy(inputs, inputs + count, inputArgs_.begin());
  inputs_ = inputArgs_.data();
  inputOnDevice_.resize(numInputs);
  const bool hostVisible = device_.hostVisible();
  for (uint32_t i = 0; i < numInputs; ++i) {
    inputOnDevice_[i] = inputs[i].data;
    if (hostVisible || inputs[i].onDevice || inputs[i].bytes == 0)
      continue;
    if (inputStaging_.size() < numInputs)
      inputStaging_.resize(numInputs);
    hal::DeviceMemory &staging = inputStaging_[i];
    if (staging.bytes() < inputs[i].bytes) {
      Expected<hal::DeviceMemory> grown = device_.allocate(
          inputs[i].bytes, "input '" + entry_.inputs()->Get(i)->name()->str() + "' of " + name_);
      if (!grown)
        return fail(grown.status().message());
      staging = grown.take();
    }
    SIEVE_RETURN_IF_ERROR(device_.write(staging.data(), inputs[i].data, inputs[i].bytes));
    inputOnDevice_[i] = staging.data();
  }
  dispatches_ = 0;

  int64_t *r = registers_.data();
  for (size_t i = 0; i < steps_.size(); ++i) {
    const Step &s = steps_[i];
    switch (s.kind) {
    case fb::Step::ScalarStep: {
      using Op = fb::ScalarOpcode;
      // Only the registers the opcode reads (the others are immediates).
      const unsigned arity = module::scalarOperandCount(s.opcode);
      const int64_t a = arity >= 1 ? r[s.a] : 0;
      const int64_t b = arity >= 2 ? r[s.b] : 0;
      const uint64_t ua = uint64_t(a), ub = uint64_t(b);
      int64_t v = 0;
      switch (s.opcode) {
      case Op::Constant: v = s.value; break;
      case Op::InputScalar: v = inputs[s.value].scalar; break;
      case Op::InputDim: v = inputs[s.value].shape[s.a]; break;
      case Op::Add: v = int64_t(ua + ub); break;
      case Op::Sub: v = int64_t(ua - ub); break;
      case Op::Mul: v = int64_t(ua * ub); break;
      case Op::DivU:
      case Op::CeilDivU:
      case Op::RemU:
        if (ub == 0)
          return fail("step " + std::to_string(i) + " divides by zero");
        v = s.opcode == Op::DivU   ? int64_t(ua / ub)
            : s.opcode == Op::RemU ? int64_t(ua % ub)
                                   : int64_t(ua == 0 ? 0 : (ua - 1) / ub + 1);
        break;
      case Op::DivS:
      case Op::RemS:
        if (b == 0 || (a == std::numeric_limits<int64_t>::min() && b == -1))
          return fail("step " + std::to_string(i) + " divides by zero or overflows");
        v = s.opcode == Op::DivS ? a / b : a % b;
        break;
      case Op::MinU: v = int64_t(ua < ub ? ua : ub); break;
      case Op::MaxU: v = int64_t(ua > ub ? ua : ub); break;
      case Op::MinS: v = a < b ? a : b; break;
      case Op::MaxS: v = a > b ? a : b; break;
      case Op::Select: v = a ? b : r[s.c]; break;
      case Op::CmpEq: v = a == b; break;
      case Op::CmpNe: v = a != b; break;
      case Op::CmpSlt: v = a < b; break;
      case Op::CmpSle: v = a <= b; break;
      case Op::CmpSgt: v = a > b; break;
      case Op::CmpSge: v = a >= b; break;
      case Op::CmpUlt: v = ua < ub; break;
      case Op::CmpUle: v = ua <= ub; break;
      case Op::CmpUgt: v = ua > ub; break;
      case Op::CmpUge: v = ua >= ub; break;
      case Op::To32:
        if (!fits32(a))
          return fail("step " + std::to_string(i) + ": " + std::to_string(a) +
                      " does not fit 32 bits");
        v = int64_t(int32_t(uint32_t(ua)));
        break;
      case Op::ZExt32: v = int64_t(uint32_t(ua)); break;
      case Op::SExt32: v = int64_t(int32_t(uint32_t(ua))); break;
      }
      r[s.result] = v;
      break;
    }
    case fb::Step::AssertStep:
      if (r[s.a] == 0)
        return fail(s.message);
      break;
    case fb::Step::FillStep: {
      const bool wide = buffers_[s.result].bits == 64;
      uint8_t *target = static_cast<uint8_t *>(bufferData(s.result));
      uint8_t *out = target;
      if (!hostVisible) {
        fillStaging_.resize(size_t(s.count) * (wide ? 8 : 4));
        out = fillStaging_.data();
      }
      for (uint32_t k = 0; k < s.count; ++k) {
        int64_t value = r[operands_[s.first + k]];
        if (wide) {
          std::memcpy(out + 8 * k, &value, 8);
        } else {
          uint32_t low = uint32_t(uint64_t(value));
          std::memcpy(out + 4 * k, &low, 4);
        }
      }
      if (!hostVisible)
        SIEVE_RETURN_IF_ERROR(device_.write(target, out, fillStaging_.size()));
      break;
    }
    case fb::Step::DispatchStep: {
      int64_t workgroups = r[s.workgroups];
      if (workgroups < 0 || workgroups > int64_t(std::numeric_limits<uint32_t>::max()))
        return fail("step " + std::to_string(i) + " asks for " + std::to_string(workgroups) +
                    " workgroups");
      for (uint32_t k = 0; k < s.count; ++k) {
        uint32_t b = operands_[s.first + k];
        uint64_t bytes = 0;
        SIEVE_RETURN_IF_ERROR(bufferBytes(b, bytes));
        bindingPtrs_[k] = bufferData(b);
        bindingLengths_[k] = size_t(bytes);
      }
      for (uint32_t k = 0; k < s.constants; ++k)
        constantValues_[k] = uint32_t(uint64_t(r[constantRegs_[s.firstConstant + k]]));
      sieve_dispatch_state_t state = {};
      state.workgroup_count[0] = uint32_t(workgroups);
      state.workgroup_count[1] = state.workgroup_count[2] = 1;
      state.constant_count = s.constants;
      state.constants = constantValues_.data();
      state.binding_count = s.count;
      state.binding_ptrs = bindingPtrs_.data();
      state.binding_lengths = bindingLengths_.data();
      const auto start = profile_ ? std::chrono::steady_clock::now()
                                  : std::chrono::steady_clock::time_point();
      Status status = device_.dispatch(executable_, s.kernel, state, kernelNames_[s.kernel]);
      // A GPU runs a dispatch after it returns: the profile waits for it.
      if (profile_ && status.isOk())
        status = device_.finish();
      if (profile_) {
        profile_->seconds[s.kernel] +=
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        ++profile_->dispatches[s.kernel];
      }
      if (!status.isOk())
        return fail(status.message());
      ++dispatches_;
      break;
    }
    default:
      return fail("unknown step");
    }
  }
  ran_ = true;
  return Status::ok();
}

OutputView Program::output(size_t index) const {
  OutputView view;
  if (!ran_ || index >= entry_.outputs()->size())
    return view;
  uint32_t b = entry_.outputs()->Get(uint32_t(index))->buffer();
  const Buffer &buffer = buffers_[b];
  uint64_t bytes = 0;
  if (!bufferBytes(b, bytes).isOk())
    return view;
  view.deviceData = bufferData(b);
  view.data = view.deviceData;
  if (!device_.hostVisible() && bytes > 0) {
    if (outputStaging_.size() < entry_.outputs()->size())
      outputStaging_.resize(entry_.outputs()->size());
    std::vector<uint8_t> &host = outputStaging_[index];
    host.resize(bytes);
    if (!device_.read(host.data(), view.deviceData, bytes).isOk())
      return OutputView();
    view.data = host.data();
  }
  view.bytes = bytes;
  view.element = entry_.buffers()->Get(b)->element();
  view.rank = buffer.rank;
  for (uint32_t i = 0; i < buffer.rank && i < view.shape.size(); ++i) {
    const Extent &x = extents_[buffer.firstExtent + i];
    view.shape[i] = x.reg >= 0 ? registers_[uint32_t(x.reg)] : x.size;
  }
  return view;
}

} // namespace sieve::exec
