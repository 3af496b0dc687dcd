//===- compiled_model.cpp - Inference on a compiled .sieve module ---------===//

#include "sieve/exec/compiled_model.h"
#include "sieve/support/system.h"

#include "sieve/hal/cuda/cuda_device.h"
#include "sieve/hal/hip/hip_device.h"

#include "sieve/hal/cpu/cpu_device.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

namespace sieve::exec {
namespace {

constexpr size_t kMaxInputs = 8;
using Inputs = std::array<InputArg, kMaxInputs>;

InputArg vectorArg(const int32_t *data, int64_t n) {
  InputArg arg;
  arg.data = data;
  arg.bytes = uint64_t(n) * sizeof(int32_t);
  arg.rank = 1;
  arg.shape[0] = n;
  return arg;
}

InputArg scalarArg(int64_t value) {
  InputArg arg;
  arg.scalar = value;
  return arg;
}

/// Puts `arg` at the index of input `name` of `program`.
Status setInput(const Program &program, Inputs &inputs, const char *name, const InputArg &arg) {
  int index = program.inputIndex(name);
  if (index < 0)
    return invalidArgument("entry point '" + program.name() + "' has no input '" + name + "'");
  inputs[size_t(index)] = arg;
  return Status::ok();
}

/// Checks at load that `program` takes exactly `names` and returns logits.
Status expectSignature(const Program &program, std::initializer_list<const char *> names) {
  const auto &inputs = *program.entry().inputs();
  if (inputs.size() != names.size() || inputs.size() > kMaxInputs)
    return invalidArgument("entry point '" + program.name() + "' takes " +
                           std::to_string(inputs.size()) + " inputs; this runtime expects " +
                           std::to_string(names.size()));
  for (const char *name : names)
    if (program.inputIndex(name) < 0)
      return invalidArgument("entry point '" + program.name() + "' has no input '" + name + "'");
  if (program.outputIndex("logits") < 0)
    return invalidArgument("entry point '" + program.name() + "' has no 'logits' output");
  return Status::ok();
}

} // namespace

CompiledSequence::CompiledSequence(CompiledModel *model, int slot) : model_(model), slot_(slot) {
  model_->slotSequences_[size_t(slot)] = this;
}

CompiledSequence::CompiledSequence(CompiledSequence &&other) noexcept
    : model_(other.model_), slot_(other.slot_), position_(other.position_),
      mtpPosition_(other.mtpPosition_) {
  other.model_ = nullptr;
  if (model_)
    model_->slotSequences_[size_t(slot_)] = this;
}

CompiledSequence::~CompiledSequence() {
  if (model_)
    model_->releaseSlot(slot_);
}

CompiledModel::~CompiledModel() = default;

int64_t CompiledModel::vocabSize() const { return file_->module().model()->vocab_size(); }
int64_t CompiledModel::maxSeqLen() const { return file_->module().model()->max_seq_len(); }
int64_t CompiledModel::maxBatch() const { return file_->module().model()->max_batch(); }
int64_t CompiledModel::maxChunk() const { return file_->module().model()->max_chunk(); }
int64_t CompiledModel::bosTokenId() const { return file_->module().model()->bos_token_id(); }
int64_t CompiledModel::eosTokenId() const { return file_->module().model()->eos_token_id(); }

namespace {

/// Whether `m` has code for a GPU of `kind` ("cuda": PTX or a cubin;
/// "hip": an HSACO).
bool hasCodeFor(const fb::Module &m, std::string_view kind) {
  for (const fb::Executable *executable : *m.executables()) {
    const fb::ExecutableFormat format = executable->format();
    if (kind == "cuda" &&
        (format == fb::ExecutableFormat::Ptx || format == fb::ExecutableFormat::Cubin))
      return true;
    if (kind == "hip" && format == fb::ExecutableFormat::Hsaco)
      return true;
  }
  return false;
}

/// GPU `ordinal` of `kind` ("cuda" or "hip").
Expected<std::unique_ptr<hal::Device>> openGpu(std::string_view kind, int ordinal) {
  if (kind == "cuda") {
    Expected<std::unique_ptr<hal::cuda::CudaDevice>> gpu = hal::cuda::CudaDevice::open(ordinal);
    if (!gpu)
      return gpu.takeStatus();
    return std::unique_ptr<hal::Device>(gpu.take());
  }
  Expected<std::unique_ptr<hal::hip::HipDevice>> gpu = hal::hip::HipDevice::open(ordinal);
  if (!gpu)
    return gpu.takeStatus();
  return std::unique_ptr<hal::Device>(gpu.take());
}

/// Among executables a device runs: more CPU features, or machine code
/// over PTX, is better; GPU kernels on an emulator (a test's device) over
/// anything else, since a device given the emulator is there to run them.
size_t preference(const fb::Executable &executable) {
  if (executable.format() == fb::ExecutableFormat::SimtHost)
    return std::numeric_limits<size_t>::max();
  if (executable.format() == fb::ExecutableFormat::Cubin)
    return 2;
  if (executable.format() == fb::ExecutableFormat::Ptx)
    return 1;
  return executable.features() ? executable.features()->size() : 0;
}

/// Why `device` runs none of `m`'s executables, or empty.
std::string runsNothing(const fb::Module &m, const hal::Device &device) {
  std::string reasons;
  for (const fb::Executable *executable : *m.executables()) {
    std::string reason = device.rejectReason(*executable);
    if (reason.empty())
      return "";
    reasons += (reasons.empty() ? "" : "; ") + executable->target()->str() + ": " + reason;
  }
  return reasons;
}

/// The device `options.device` names, or the best one for `m`; devices
/// tried and passed over are noted in `rejected` with the reason.
Expected<std::unique_ptr<hal::Device>> chooseDevice(const fb::Module &m,
                                                    const CompiledLoadOptions &options,
                                                    std::vector<std::string> &rejected) {
  const std::string &spec = options.device;
  if (spec == "cpu")
    return std::unique_ptr<hal::Device>(std::make_unique<hal::cpu::CpuDevice>(options.threads));
  // "cuda:N" / "hip:N": that GPU or an error saying why not.
  for (const char *kind : {"cuda", "hip"}) {
    const std::string prefix = std::string(kind) + ":";
    if (spec.rfind(prefix, 0) != 0)
      continue;
    const std::string number = spec.substr(prefix.size());
    if (number.empty() || number.size() > 3 ||
        number.find_first_not_of("0123456789") != std::string::npos)
      return invalidArgument("device '" + spec + "': expected " + kind + ":N (a GPU number)");
    Expected<std::unique_ptr<hal::Device>> gpu = openGpu(kind, std::stoi(number));
    if (!gpu)
      return Status(gpu.status().code(), spec + ": " + gpu.status().message());
    return gpu;
  }
  if (!spec.empty())
    return invalidArgument("unknown device '" + spec + "' (cpu, cuda:N or hip:N)");
  // Unnamed: the first GPU that runs some of the module's code, else the CPU.
  for (const char *kind : {"cuda", "hip"}) {
    if (!hasCodeFor(m, kind))
      continue;
    const std::string label = std::string(kind) + ":0";
    Expected<std::unique_ptr<hal::Device>> gpu = openGpu(kind, 0);
    if (!gpu) {
      rejected.push_back(label + ": " + gpu.status().message());
    } else if (std::string why = runsNothing(m, **gpu); !why.empty()) {
      rejected.push_back(label + ": runs none of the module's executables (" + why + ")");
    } else {
      return gpu;
    }
  }
  return std::unique_ptr<hal::Device>(std::make_unique<hal::cpu::CpuDevice>(options.threads));
}

} // namespace

std::vector<DeviceListing> listDevices() {
  std::vector<DeviceListing> devices;
  devices.push_back({"cpu", true, hal::cpu::CpuDevice().description()});
  // More GPUs than any machine has: the loop ends at the driver's count.
  constexpr int kMostGpus = 64;
  for (const char *kind : {"cuda", "hip"}) {
    for (int ordinal = 0; ordinal < kMostGpus; ++ordinal) {
      const std::string name = std::string(kind) + ":" + std::to_string(ordinal);
      Expected<std::unique_ptr<hal::Device>> gpu = openGpu(kind, ordinal);
      if (gpu) {
        devices.push_back({name, true, (*gpu)->description()});
        continue;
      }
      // An ordinal past the last is the end; the first failing otherwise
      // says why this kind is unavailable.
      if (ordinal == 0)
        devices.push_back({kind, false, gpu.status().message()});
      else if (gpu.status().code() != StatusCode::kInvalidArgument)
        devices.push_back({name, false, gpu.status().message()});
      break;
    }
  }
  return devices;
}

Expected<std::unique_ptr<CompiledModel>> CompiledModel::load(const std::string &modulePath,
                                                             const CompiledLoadOptions &options) {
  std::unique_ptr<CompiledModel> model(new CompiledModel());
  Expected<std::unique_ptr<module::ModuleFile>> file = module::ModuleFile::open(modulePath);
  if (!file)
    return file.takeStatus();
  model->file_ = file.take();
  const fb::Module &m = model->file_->module();

  if (m.model()->config_json() && m.model()->config_json()->size()) {
    Expected<io::ModelConfig> config =
        io::parseModelConfig(m.model()->config_json()->str(), modulePath + " (its config)");
    if (!config)
      return config.takeStatus();
    model->config_ = config.take();
  }

  // The executable: every one this device can run is a candidate; the one
  // using the most CPU features wins, and a cubin over PTX (no JIT at load).
  std::unique_ptr<hal::Device> device;
  if (options.makeDevice) {
    device = options.makeDevice();
    if (!device)
      return invalidArgument(modulePath + ": no device to run on");
  } else {
    Expected<std::unique_ptr<hal::Device>> chosenDevice =
        chooseDevice(m, options, model->report_.rejectedDevices);
    if (!chosenDevice)
      return chosenDevice.takeStatus();
    device = chosenDevice.take();
  }
  model->report_.device = device->description();
  const fb::Executable *chosen = nullptr;
  for (const fb::Executable *executable : *m.executables()) {
    std::string reason = device->rejectReason(*executable);
    if (!reason.empty()) {
      model->report_.rejected.push_back(executable->target()->str() + ": " + reason);
      continue;
    }
    if (!chosen || preference(*executable) > preference(*chosen))
      chosen = executable;
  }
  if (!chosen) {
    std::string reasons;
    for (const std::string &r : model->report_.rejected)
      reasons += "\n  " + r;
    return Status(StatusCode::kUnavailable,
                  modulePath + ": no executable this machine can run:" + reasons);
  }
  model->report_.executable = chosen->target()->str();
  for (const fb::Kernel *kernel : *m.kernels())
    if (kernel->library() && kernel->library()->size() > 0)
      model->report_.libraryKernels.push_back(kernel->library()->str());
  Expected<std::unique_ptr<hal::LoadedExecutable>> executable =
      device->load(*chosen, m.kernels(), model->file_->segment(*chosen),
                   modulePath + ":" + chosen->target()->str());
  if (!executable)
    return executable.takeStatus();
  model->executable_ = executable.take();

  Expected<io::SafetensorsReader> checkpoint = io::SafetensorsReader::open(options.weights);
  if (!checkpoint)
    return checkpoint.takeStatus();
  model->checkpoint_ = std::make_unique<io::SafetensorsReader>(checkpoint.take());
  Expected<BoundWeights> weights = bindWeights(m, *model->checkpoint_, *device, options.progress);
  if (!weights)
    return weights.takeStatus();
  model->weights_ = weights.take();
  for (const fb::Weight *weight : *m.weights()) {
    uint64_t elements = 1;
    for (int64_t d : *weight->shape())
      elements *= uint64_t(d);
    model->report_.parameters += elements;
    model->report_.weightBytes += weight->bytes();
  }
  model->report_.weightBytesCopied = model->weights_.copiedBytes;
  model->report_.weightBytesMappedIn = model->weights_.mappedInBytes;

  if (device->hostVisible() && !options.ignoreMemoryLimit) {
    uint64_t needed = 0;
    for (const fb::Cache *cache : *m.caches())
      needed += cache->bytes();
    for (const fb::EntryPoint *entry : *m.entry_points())
      needed += entry->arena_bytes();
    const fb::Model *info = m.model();
    std::optional<uint64_t> available = availableMemoryBytes();
    if (available && needed > *available)
      return outOfRange(modulePath + ": its caches (max_seq_len " +
                        std::to_string(info->max_seq_len()) + " x " +
                        std::to_string(info->max_batch()) + " slots) and arenas need " +
                        formatBytes(needed) + " of memory but only " + formatBytes(*available) +
                        " are available; compile it with a smaller --max-seq-len or --max-batch");
  }
  std::vector<void *> cacheBases;
  for (const fb::Cache *cache : *m.caches()) {
    Expected<hal::DeviceMemory> memory =
        device->allocate(cache->bytes(), "cache '" + cache->name()->str() + "'");
    if (!memory)
      return memory.takeStatus();
    cacheBases.push_back(memory->data());
    model->caches_.push_back(memory.take());
    model->report_.cacheBytes += cache->bytes();
  }
  model->device_ = std::move(device);

  auto prepare = [&](const char *name, std::unique_ptr<Program> &out,
                     std::initializer_list<const char *> inputs, bool required) -> Status {
    const fb::EntryPoint *entry = model->file_->entryPoint(name);
    if (!entry)
      return required ? invalidArgument(modulePath + ": no '" + name + "' entry point")
                      : Status::ok();
    Expected<std::unique_ptr<Program>> program =
        Program::prepare(m, *entry, *model->device_, *model->executable_, cacheBases,
                         model->weights_.data);
    if (!program)
      return program.takeStatus();
    out = program.take();
    model->report_.arenaBytes += entry->arena_bytes();
    return expectSignature(*out, inputs);
  };
  SIEVE_RETURN_IF_ERROR(prepare("prefill", model->prefill_, {"tokens", "start_pos", "slot"}, true));
  SIEVE_RETURN_IF_ERROR(prepare("decode", model->decode_, {"tokens", "positions", "slots"}, true));
  SIEVE_RETURN_IF_ERROR(
      prepare("mtp", model->mtp_, {"hidden", "next_tokens", "start_pos", "slot"}, false));
  SIEVE_RETURN_IF_ERROR(prepare("mtp_decode", model->mtpDecode_,
                                {"hidden", "next_tokens", "positions", "slots"}, false));

  const int64_t slots = model->maxBatch();
  model->slotSequences_.assign(size_t(slots), nullptr);
  for (Program *p :
       {model->prefill_.get(), model->decode_.get(), model->mtp_.get(), model->mtpDecode_.get()})
    if (p)
      model->programs_.push_back(p);
  model->positions_.assign(size_t(slots), 0);
  model->slots_.assign(size_t(slots), 0);
  model->runSequences_.assign(size_t(std::max<int64_t>(slots, 1)), nullptr);
  for (int s = 0; s < slots; ++s)
    SIEVE_RETURN_IF_ERROR(model->resetSlot(s));
  return model;
}

void CompiledModel::enableProfiling() {
  profiling_ = true;
  profile_.reset(file_->module().kernels()->size());
  profile_.names.clear();
  for (const fb::Kernel *kernel : *file_->module().kernels())
    profile_.names.push_back(kernel->name()->c_str());
  for (Program *p : {prefill_.get(), decode_.get(), mtp_.get(), mtpDecode_.get()})
    if (p)
      p->setProfile(&profile_);
}

Expected<CompiledSequence> CompiledModel::newSequence() {
  for (size_t s = 0; s < slotSequences_.size(); ++s)
    if (!slotSequences_[s]) {
      SIEVE_RETURN_IF_ERROR(resetSlot(int(s)));
      return CompiledSequence(this, int(s));
    }
  return Status(StatusCode::kFailedPrecondition,
                "all " + std::to_string(slotSequences_.size()) +
                    " sequence slots are in use (the module was compiled with max_batch " +
                    std::to_string(maxBatch()) + ")");
}

void CompiledModel::releaseSlot(int slot) {
  if (slot >= 0 && size_t(slot) < slotSequences_.size())
    slotSequences_[size_t(slot)] = nullptr;
  if (lastHiddenSlot_ == slot)
    lastHidden_ = nullptr;
}

Status CompiledModel::reset(CompiledSequence &seq) {
  SIEVE_RETURN_IF_ERROR(resetSlot(seq.slot_));
  seq.position_ = 0;
  seq.mtpPosition_ = 0;
  return Status::ok();
}

Status CompiledModel::resetSlot(int slot) {
  const fb::Module &m = file_->module();
  for (uint32_t c = 0; c < m.caches()->size(); ++c) {
    const fb::Cache *cache = m.caches()->Get(c);
    const auto &shape = *cache->storage_shape();
    uint64_t outer = 1, inner = 1;
    for (uint32_t d = 0; d < cache->slot_dim(); ++d)
      outer *= uint64_t(shape.Get(d));
    for (uint32_t d = cache->slot_dim() + 1; d < shape.size(); ++d)
      inner *= uint64_t(shape.Get(d));
    const uint64_t slots = uint64_t(shape.Get(cache->slot_dim()));
    const uint64_t innerBytes = inner * module::elementBits(cache->storage_element()) / 8;
    uint8_t *base = static_cast<uint8_t *>(caches_[c].data());
    const bool hostVisible = device_->hostVisible();
    for (uint64_t o = 0; o < outer; ++o) {
      uint8_t *region = base + (o * slots + uint64_t(slot)) * innerBytes;
      // A device the host cannot see into gets the bytes written from here.
      uint8_t *out = region;
      if (!hostVisible) {
        resetStaging_.resize(innerBytes);
        out = resetStaging_.data();
      }
      // Compressor state: kv (first half) 0, scores (second half) -inf.
      if (cache->kind() == fb::CacheKind::CompressorState && o >= outer / 2) {
        const float negInf = -std::numeric_limits<float>::infinity();
        for (uint64_t k = 0; k < innerBytes / sizeof(float); ++k)
          std::memcpy(out + k * sizeof(float), &negInf, sizeof(float));
      } else {
        std::memset(out, 0, innerBytes);
      }
      if (!hostVisible)
        SIEVE_RETURN_IF_ERROR(device_->write(region, out, innerBytes));
    }
  }
  return Status::ok();
}

Expected<LogitsView> CompiledModel::logitsOf(const Program &program, int64_t rows) const {
  OutputView out = program.output(size_t(program.outputIndex("logits")));
  const int64_t vocab = vocabSize();
  if (out.element != fb::ElementType::F32 || out.bytes != uint64_t(rows * vocab) * sizeof(float))
    return invalidArgument("entry point '" + program.name() + "' returned logits of " +
                           std::to_string(out.bytes) + " bytes; expected " +
                           std::to_string(rows) + " rows of " + std::to_string(vocab) + " f32");
  LogitsView view;
  view.data = static_cast<const float *>(out.data);
  view.rows = rows;
  view.vocab = vocab;
  return view;
}

Status CompiledModel::runPrefillChunk(CompiledSequence &seq, const int32_t *tokens, int64_t n) {
  Inputs inputs;
  SIEVE_RETURN_IF_ERROR(setInput(*prefill_, inputs, "tokens", vectorArg(tokens, n)));
  SIEVE_RETURN_IF_ERROR(setInput(*prefill_, inputs, "start_pos", scalarArg(seq.position_)));
  SIEVE_RETURN_IF_ERROR(setInput(*prefill_, inputs, "slot", scalarArg(seq.slot_)));
  SIEVE_RETURN_IF_ERROR(prefill_->run(inputs.data(), prefill_->entry().inputs()->size()));
  lastDispatches_ += prefill_->dispatchCount();
  seq.position_ += n;
  return Status::ok();
}

Status CompiledModel::checkTokens(const int32_t *tokens, int64_t n, const char *what) const {
  // The embedding gather indexes with them: an id past the table is refused
  // here, for every caller.
  const int64_t vocab = vocabSize();
  for (int64_t i = 0; i < n; ++i)
    if (tokens[i] < 0 || tokens[i] >= vocab)
      return invalidArgument(std::string(what) + ": token " + std::to_string(tokens[i]) +
                             " at index " + std::to_string(i) +
                             " is outside the model's vocabulary of " + std::to_string(vocab));
  return Status::ok();
}

Expected<LogitsView> CompiledModel::prefill(CompiledSequence &seq, const int32_t *tokens,
                                            int64_t n) {
  if (n < 1)
    return invalidArgument("prefill needs at least one token");
  SIEVE_RETURN_IF_ERROR(checkTokens(tokens, n, "prefill"));
  if (seq.position_ + n > maxSeqLen())
    return outOfRange("sequence of " + std::to_string(seq.position_ + n) +
                      " tokens exceeds the module's max_seq_len " + std::to_string(maxSeqLen()));
  lastDispatches_ = 0;
  lastHidden_ = nullptr;
  for (int64_t done = 0; done < n;) {
    int64_t chunk = std::min(n - done, maxChunk());
    SIEVE_RETURN_IF_ERROR(runPrefillChunk(seq, tokens + done, chunk));
    done += chunk;
    if (done == n) {
      lastHidden_ = prefill_.get();
      lastHiddenSlot_ = seq.slot_;
      lastHiddenRow_ = 0;
      lastHiddenRows_ = chunk;
    }
  }
  return logitsOf(*prefill_, 1);
}

Expected<LogitsView> CompiledModel::decode(CompiledSequence *const *seqs, const int32_t *tokens,
                                           size_t batch) {
  if (batch < 1 || batch > size_t(maxBatch()))
    return invalidArgument("decode takes 1 to " + std::to_string(maxBatch()) +
                           " sequences, got " + std::to_string(batch));
  SIEVE_RETURN_IF_ERROR(checkTokens(tokens, int64_t(batch), "decode"));
  for (size_t i = 0; i < batch; ++i) {
    if (seqs[i]->model_ != this)
      return invalidArgument("decode: sequence " + std::to_string(i) + " belongs to another model");
    if (seqs[i]->position_ + 1 > maxSeqLen())
      return outOfRange("decode: sequence " + std::to_string(i) + " is full (max_seq_len " +
                        std::to_string(maxSeqLen()) + ")");
    for (size_t j = 0; j < i; ++j)
      if (seqs[j]->slot_ == seqs[i]->slot_)
        return invalidArgument("decode: the same sequence appears twice in one batch");
    positions_[i] = int32_t(seqs[i]->position_);
    slots_[i] = seqs[i]->slot_;
  }
  Inputs inputs;
  SIEVE_RETURN_IF_ERROR(setInput(*decode_, inputs, "tokens", vectorArg(tokens, int64_t(batch))));
  SIEVE_RETURN_IF_ERROR(
      setInput(*decode_, inputs, "positions", vectorArg(positions_.data(), int64_t(batch))));
  SIEVE_RETURN_IF_ERROR(
      setInput(*decode_, inputs, "slots", vectorArg(slots_.data(), int64_t(batch))));
  lastHidden_ = nullptr;
  SIEVE_RETURN_IF_ERROR(decode_->run(inputs.data(), decode_->entry().inputs()->size()));
  lastDispatches_ = decode_->dispatchCount();
  for (size_t i = 0; i < batch; ++i)
    ++seqs[i]->position_;
  if (batch == 1) {
    lastHidden_ = decode_.get();
    lastHiddenSlot_ = seqs[0]->slot_;
    lastHiddenRow_ = 0;
    lastHiddenRows_ = 1;
  }
  return logitsOf(*decode_, int64_t(batch));
}

Expected<LogitsView> CompiledModel::forward(CompiledSequence &seq, const int32_t *tokens,
                                            int64_t n) {
  if (n == 1 && seq.position_ > 0) {
    CompiledSequence *one = &seq;
    return decode(&one, tokens, 1);
  }
  return prefill(seq, tokens, n);
}

Expected<LogitsView> CompiledModel::mtp(CompiledSequence &seq, const int32_t *nextTokens,
                                        int64_t n) {
  if (!mtp_)
    return Status(StatusCode::kFailedPrecondition,
                  "this module has no 'mtp' entry point (its model has no MTP layers)");
  if (!lastHidden_ || lastHiddenSlot_ != seq.slot_ || lastHiddenRows_ != n)
    return Status(StatusCode::kFailedPrecondition,
                  "mtp needs the hidden states of this sequence's last call, for " +
                      std::to_string(n) + " tokens (the last call was another sequence's, "
                      "a batch, a chunked prefill or of another length)");
  OutputView hidden = lastHidden_->output(size_t(lastHidden_->outputIndex("hidden")));
  if (hidden.element != fb::ElementType::BF16 || hidden.rank != 4)
    return invalidArgument("entry point '" + lastHidden_->name() +
                           "' returned hidden states of an unexpected type");
  // Both programs see hidden as [1, n, hc, dim] (prefill) or [n, 1, hc, dim]
  // (decode); MTP's prefill form takes the first, its decode form the second.
  SIEVE_RETURN_IF_ERROR(checkTokens(nextTokens, n, "mtp"));
  const bool asDecode = seq.mtpPosition_ > 0 && n == 1 && mtpDecode_;
  Program &program = asDecode ? *mtpDecode_ : *mtp_;
  InputArg hiddenArg;
  // Straight from the device memory the last call left it in.
  hiddenArg.data = hidden.deviceData;
  hiddenArg.onDevice = true;
  hiddenArg.bytes = hidden.bytes;
  hiddenArg.rank = 4;
  hiddenArg.shape = {asDecode ? n : 1, asDecode ? 1 : n, hidden.shape[2], hidden.shape[3]};
  Inputs inputs;
  SIEVE_RETURN_IF_ERROR(setInput(program, inputs, "hidden", hiddenArg));
  SIEVE_RETURN_IF_ERROR(setInput(program, inputs, "next_tokens", vectorArg(nextTokens, n)));
  if (asDecode) {
    positions_[0] = int32_t(seq.mtpPosition_);
    slots_[0] = seq.slot_;
    SIEVE_RETURN_IF_ERROR(setInput(program, inputs, "positions", vectorArg(positions_.data(), 1)));
    SIEVE_RETURN_IF_ERROR(setInput(program, inputs, "slots", vectorArg(slots_.data(), 1)));
  } else {
    SIEVE_RETURN_IF_ERROR(setInput(program, inputs, "start_pos", scalarArg(seq.mtpPosition_)));
    SIEVE_RETURN_IF_ERROR(setInput(program, inputs, "slot", scalarArg(seq.slot_)));
  }
  SIEVE_RETURN_IF_ERROR(program.run(inputs.data(), program.entry().inputs()->size()));
  lastDispatches_ = program.dispatchCount();
  seq.mtpPosition_ += n;
  return logitsOf(program, 1);
}

const CompiledSequence *CompiledModel::sequenceInSlot(int64_t slot) const {
  if (slot < 0 || uint64_t(slot) >= slotSequences_.size())
    return nullptr;
  return slotSequences_[size_t(slot)];
}

namespace {

/// Input `name` of a program this runtime prepared (expectSignature checked
/// at load that it has it).
const InputArg &inputNamed(const Program &program, const InputArg *inputs, const char *name) {
  return inputs[size_t(program.inputIndex(name))];
}

/// The elements of an i32 vector input the runtime reads on the host.
Expected<const int32_t *> hostVector(const Program &program, const InputArg &arg, const char *name,
                                     int64_t length) {
  const std::string where = program.name() + " input '" + name + "'";
  if (arg.rank != 1 || arg.shape[0] != length)
    return invalidArgument(where + " must be a vector of " + std::to_string(length) +
                           " elements (one per token)");
  if (arg.onDevice)
    return invalidArgument(where + " must be host memory: the runtime checks its values");
  if (arg.bytes != uint64_t(length) * sizeof(int32_t) || (length > 0 && !arg.data))
    return invalidArgument(where + " has " + std::to_string(arg.bytes) + " bytes; " +
                           std::to_string(length) + " i32 elements take " +
                           std::to_string(length * int64_t(sizeof(int32_t))));
  return static_cast<const int32_t *>(arg.data);
}

} // namespace

Status CompiledModel::runProgram(size_t index, const InputArg *inputs, size_t count) {
  if (index >= programs_.size())
    return invalidArgument("program " + std::to_string(index) + " does not exist (the model has " +
                           std::to_string(programs_.size()) + ")");
  Program &program = *programs_[index];
  const std::string &name = program.name();
  if (count != program.entry().inputs()->size())
    return invalidArgument(name + " takes " + std::to_string(program.entry().inputs()->size()) +
                           " inputs, got " + std::to_string(count));
  if (count > 0 && !inputs)
    return invalidArgument(name + ": inputs is NULL");
  const bool isMtp = &program == mtp_.get() || &program == mtpDecode_.get();
  const bool perToken = &program == decode_.get() || &program == mtpDecode_.get();

  // The tokens: their count is what every other input is checked against.
  const char *tokensName = isMtp ? "next_tokens" : "tokens";
  const InputArg &tokensArg = inputNamed(program, inputs, tokensName);
  const int64_t n = tokensArg.rank == 1 ? tokensArg.shape[0] : -1;
  const int64_t most = perToken ? maxBatch() : program.entry().max_tokens();
  if (n < 1 || n > most)
    return invalidArgument(name + " input '" + tokensName + "' must be a vector of 1 to " +
                           std::to_string(most) + " tokens");
  Expected<const int32_t *> tokens = hostVector(program, tokensArg, tokensName, n);
  if (!tokens)
    return tokens.takeStatus();
  SIEVE_RETURN_IF_ERROR(checkTokens(*tokens, n, name.c_str()));

  // Which sequences run, and how far each advances: a program continues a
  // sequence where it stands (a different position would leave cache rows
  // unwritten or mix two histories).
  CompiledSequence **sequences = runSequences_.data();
  auto sequenceAt = [&](int64_t slot, const std::string &what) -> Expected<CompiledSequence *> {
    const CompiledSequence *seq = sequenceInSlot(slot);
    if (!seq)
      return invalidArgument(name + ": " + what + " is " + std::to_string(slot) +
                             ", which is not the slot of a live sequence (slots 0 to " +
                             std::to_string(maxBatch() - 1) + ")");
    return const_cast<CompiledSequence *>(seq);
  };
  auto checkPosition = [&](const CompiledSequence &seq, int64_t given, int64_t advance,
                           const std::string &what) -> Status {
    const int64_t at = isMtp ? seq.mtpPosition_ : seq.position_;
    if (given != at)
      return invalidArgument(name + ": " + what + " is " + std::to_string(given) +
                             "; the sequence in slot " + std::to_string(seq.slot_) + " stands at " +
                             std::to_string(at) + (isMtp ? " in its MTP cache" : "") +
                             " (a program continues a sequence where it stands; reset it to "
                             "start over)");
    if (at + advance > maxSeqLen())
      return outOfRange(name + ": the sequence in slot " + std::to_string(seq.slot_) +
                        " would reach " + std::to_string(at + advance) +
                        " tokens, past the module's max_seq_len " + std::to_string(maxSeqLen()));
    return Status::ok();
  };
  if (perToken) {
    Expected<const int32_t *> positions =
        hostVector(program, inputNamed(program, inputs, "positions"), "positions", n);
    if (!positions)
      return positions.takeStatus();
    Expected<const int32_t *> slots =
        hostVector(program, inputNamed(program, inputs, "slots"), "slots", n);
    if (!slots)
      return slots.takeStatus();
    for (int64_t i = 0; i < n; ++i) {
      const std::string at = "[" + std::to_string(i) + "]";
      Expected<CompiledSequence *> seq = sequenceAt((*slots)[i], "slots" + at);
      if (!seq)
        return seq.takeStatus();
      for (int64_t j = 0; j < i; ++j)
        if (sequences[j] == *seq)
          return invalidArgument(name + ": slots" + at + " repeats slots[" + std::to_string(j) +
                                 "] (each sequence at most once per step)");
      SIEVE_RETURN_IF_ERROR(checkPosition(**seq, (*positions)[i], 1, "positions" + at));
      sequences[i] = *seq;
    }
  } else {
    Expected<CompiledSequence *> seq =
        sequenceAt(inputNamed(program, inputs, "slot").scalar, "slot");
    if (!seq)
      return seq.takeStatus();
    SIEVE_RETURN_IF_ERROR(
        checkPosition(**seq, inputNamed(program, inputs, "start_pos").scalar, n, "start_pos"));
    sequences[0] = *seq;
  }
  if (isMtp) {
    // MTP reads one hidden row per token: [1, n, ...] in its prefill form,
    // [n, 1, ...] in its decode form.
    const InputArg &hidden = inputNamed(program, inputs, "hidden");
    if (hidden.rank != 4 || hidden.shape[0] != (perToken ? n : 1) ||
        hidden.shape[1] != (perToken ? 1 : n))
      return invalidArgument(name + " input 'hidden' must hold one row per token: shape [" +
                             (perToken ? std::to_string(n) + ", 1" : "1, " + std::to_string(n)) +
                             ", hc, dim]");
  }

  // The session level's MTP reads the hidden states its own last call left.
  lastHidden_ = nullptr;
  SIEVE_RETURN_IF_ERROR(program.run(inputs, count));
  lastDispatches_ = program.dispatchCount();
  for (int64_t i = 0; i < (perToken ? n : 1); ++i)
    (isMtp ? sequences[i]->mtpPosition_ : sequences[i]->position_) += perToken ? 1 : n;
  return Status::ok();
}

} // namespace sieve::exec
