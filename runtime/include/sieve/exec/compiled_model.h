//===- compiled_model.h - Inference on a compiled .sieve module ---*- C++ -*-===//
//
// The runtime's model: a verified module, the executable chosen for this
// device, the weights bound from the checkpoint, the caches and one prepared
// program per entry point. Sequences are cache slots (the module's
// max_batch); prefill feeds a prompt in chunks of at most max_chunk tokens,
// decode advances a batch of sequences by one token each, MTP runs the
// module's MTP block. Everything is allocated at load; a call allocates
// nothing.
//
// Thread-compatible: one call at a time per CompiledModel (its arenas and
// caches are shared by its sequences).
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_EXEC_COMPILED_MODEL_H
#define SIEVE_EXEC_COMPILED_MODEL_H

#include "sieve/exec/program.h"
#include "sieve/generate/sequence_runner.h"
#include "sieve/exec/weight_binding.h"
#include "sieve/hal/device.h"
#include "sieve/io/model_config.h"
#include "sieve/io/safetensors.h"
#include "sieve/module/module_file.h"
#include "sieve/support/status.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sieve::exec {

struct CompiledLoadOptions {
  /// The checkpoint: a .safetensors file, an index or a directory.
  std::string weights;
  /// CPU threads (0: one per online CPU).
  unsigned threads = 0;
  LoadProgress progress;
  /// Where to run: "cpu", "cuda:N", "hip:N", or empty for the best device
  /// the module has code for (cuda:0, then hip:0, when the module holds code
  /// that GPU runs, else the CPU).
  std::string device;
  /// Tests: the device to run on, overriding `device`.
  std::function<std::unique_ptr<hal::Device>()> makeDevice;
  /// On a device in host memory (the CPU), the caches and arenas must fit
  /// in the memory available, else load() refuses with both figures (every
  /// cache byte is written at load, so an allocation past it ends in the
  /// OOM killer). True skips the check (swap, a memory limit misread).
  bool ignoreMemoryLimit = false;
};

/// What load() chose and what it costs.
struct LoadReport {
  std::string device;
  std::string executable;            // the chosen target
  std::vector<std::string> rejected; // "cpu:x86-64-v4: needs CPU features ..."
  std::vector<std::string> rejectedDevices; // "cuda:0: no CUDA driver ..."
  uint64_t parameters = 0;           // elements of every weight bound
  uint64_t weightBytes = 0;
  uint64_t weightBytesCopied = 0;    // of weightBytes, copied at load
  uint64_t weightBytesMappedIn = 0;  // of weightBytes, read in place and mapped in at load
  uint64_t cacheBytes = 0;           // every slot, at max_seq_len
  uint64_t arenaBytes = 0;           // all entry points
  /// The library kernels the module calls, each once ("onednn.matmul_fp8w_bf16").
  std::vector<std::string> libraryKernels;
};

class CompiledModel;

/// One device of this machine, or a kind of device it cannot use.
struct DeviceListing {
  std::string name; // "cpu", "cuda:0"; "cuda" for an unavailable kind
  bool available = false;
  std::string description; // the device's, or why the kind is unavailable
};

/// The devices a model could load on: the CPU, then every CUDA GPU, then
/// every HIP GPU (each opened to describe it); a kind with no usable GPU is
/// one unavailable entry saying why.
std::vector<DeviceListing> listDevices();

/// One sequence: a cache slot and its position. Released when destroyed.
class CompiledSequence {
public:
  CompiledSequence(CompiledSequence &&other) noexcept;
  CompiledSequence &operator=(CompiledSequence &&) = delete;
  CompiledSequence(const CompiledSequence &) = delete;
  ~CompiledSequence();

  int64_t position() const { return position_; }
  int64_t mtpPosition() const { return mtpPosition_; }
  int slot() const { return slot_; }

private:
  friend class CompiledModel;
  CompiledSequence(CompiledModel *model, int slot);
  CompiledModel *model_;
  int slot_;
  int64_t position_ = 0;
  int64_t mtpPosition_ = 0;
};

/// Logits of a call: `rows` rows of `vocab` f32 values, valid until the
/// next call on the model.
struct LogitsView {
  const float *data = nullptr;
  int64_t rows = 0;
  int64_t vocab = 0;
};

class CompiledModel {
public:
  /// Opens `modulePath`, picks an executable this machine can run, binds the
  /// weights and allocates caches and arenas.
  static Expected<std::unique_ptr<CompiledModel>> load(const std::string &modulePath,
                                                       const CompiledLoadOptions &options);
  ~CompiledModel();

  const module::ModuleFile &module() const { return *file_; }
  const LoadReport &report() const { return report_; }
  /// The config the module was compiled from, when it records one.
  const io::ModelConfig *config() const { return config_ ? &*config_ : nullptr; }
  int64_t vocabSize() const;
  int64_t maxSeqLen() const;
  int64_t maxBatch() const;
  int64_t maxChunk() const;
  int64_t bosTokenId() const;
  int64_t eosTokenId() const;
  bool hasMtp() const { return mtp_ != nullptr; }

  /// A fresh sequence in a free slot (its caches reset), or an error when
  /// all max_batch slots are taken.
  Expected<CompiledSequence> newSequence();
  /// Resets `seq`'s caches and position.
  Status reset(CompiledSequence &seq);

  /// Consumes `tokens` at seq.position() (chunks of at most max_chunk
  /// tokens through the prefill program) and returns the last token's
  /// logits.
  Expected<LogitsView> prefill(CompiledSequence &seq, const int32_t *tokens, int64_t n);
  /// One token for each of `batch` sequences (distinct slots); logits of
  /// each, in order.
  Expected<LogitsView> decode(CompiledSequence *const *seqs, const int32_t *tokens, size_t batch);
  /// prefill() for a fresh sequence or several tokens, decode() for one
  /// token at a later position.
  Expected<LogitsView> forward(CompiledSequence &seq, const int32_t *tokens, int64_t n);
  /// The MTP block on the final hyper-streams of the last prefill() (one
  /// chunk) or decode() of `seq` and the tokens that follow them; logits of
  /// the token after the last. Uses and advances the sequence's MTP cache.
  Expected<LogitsView> mtp(CompiledSequence &seq, const int32_t *nextTokens, int64_t n);

  /// The entry points this runtime prepared: prefill, decode, then mtp and
  /// mtp_decode when the module has them.
  size_t programCount() const { return programs_.size(); }
  const Program &program(size_t index) const { return *programs_[index]; }
  /// The device the model runs on (for memory a caller binds to programs).
  hal::Device &device() const { return *device_; }
  /// The sequence holding `slot`, or null when the slot is free or out of
  /// range.
  const CompiledSequence *sequenceInSlot(int64_t slot) const;
  /// Runs program `index` on the caller's inputs, one per entry input in
  /// order: the lower level, for callers that bind programs themselves.
  /// What the model's own calls would set is checked so the caches stay
  /// consistent: token ids inside the vocabulary, every slot a live
  /// sequence's (each at most once), and every position the one that
  /// sequence stands at (its MTP position for mtp and mtp_decode); token,
  /// position and slot inputs must be host memory. On success those
  /// sequences advance by the tokens run. Outputs: program(index).output().
  Status runProgram(size_t index, const InputArg *inputs, size_t count);

  /// Dispatches the last call ran.
  size_t lastDispatchCount() const { return lastDispatches_; }
  /// Times every dispatch of every later call, per kernel (off by default:
  /// it reads the clock twice per dispatch).
  void enableProfiling();
  /// The times so far, or null when profiling is off.
  const KernelProfile *profile() const { return profiling_ ? &profile_ : nullptr; }

private:
  friend class CompiledSequence;
  CompiledModel() = default;
  void releaseSlot(int slot);
  Status resetSlot(int slot);
  std::vector<uint8_t> resetStaging_; // cache bytes for a device the host cannot see into
  Expected<LogitsView> logitsOf(const Program &program, int64_t rows) const;
  Status runPrefillChunk(CompiledSequence &seq, const int32_t *tokens, int64_t n);
  /// Ok when every id is inside the vocabulary, else which one is not.
  Status checkTokens(const int32_t *tokens, int64_t n, const char *what) const;

  std::unique_ptr<module::ModuleFile> file_;
  std::optional<io::ModelConfig> config_;
  std::unique_ptr<io::SafetensorsReader> checkpoint_;
  std::unique_ptr<hal::Device> device_;
  std::unique_ptr<hal::LoadedExecutable> executable_;
  BoundWeights weights_;
  std::vector<hal::DeviceMemory> caches_;
  std::unique_ptr<Program> prefill_, decode_, mtp_, mtpDecode_;
  std::vector<Program *> programs_;               // the prepared ones among the four, in that order
  std::vector<CompiledSequence *> slotSequences_; // per slot: its sequence, or null when free
  LoadReport report_;
  // Scratch of decode(), sized max_batch at load.
  std::vector<int32_t> positions_, slots_;
  std::vector<CompiledSequence *> runSequences_; // runProgram()'s, sized max_batch at load
  // Which program produced the hidden states mtp() reads, and their rows.
  const Program *lastHidden_ = nullptr;
  int64_t lastHiddenSlot_ = -1;
  int64_t lastHiddenRow_ = 0, lastHiddenRows_ = 0;
  size_t lastDispatches_ = 0;
  bool profiling_ = false;
  KernelProfile profile_;
};

/// A compiled sequence as a SequenceRunner, for sieve::ref::generate.
class CompiledRunner final : public SequenceRunner {
public:
  CompiledRunner(CompiledModel &model, CompiledSequence &seq) : model_(model), seq_(seq) {}
  int64_t position() const override { return seq_.position(); }
  int64_t maxSeqLen() const override { return model_.maxSeqLen(); }
  int64_t vocabSize() const override { return model_.vocabSize(); }
  int64_t eosTokenId() const override { return model_.eosTokenId(); }
  Expected<const float *> forward(const int32_t *tokens, int64_t n) override {
    Expected<LogitsView> logits = model_.forward(seq_, tokens, n);
    if (!logits)
      return logits.takeStatus();
    return logits->data;
  }

private:
  CompiledModel &model_;
  CompiledSequence &seq_;
};

} // namespace sieve::exec

#endif // SIEVE_EXEC_COMPILED_MODEL_H
