//===- safetensors.h - Safetensors checkpoints: mmap reader, writers -*- C++ -*-===//
//
// A safetensors file is an 8-byte little-endian header length N, N bytes of
// JSON ({"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets"}})
// and the tensor bytes; data_offsets are relative to the first byte after the
// header. DeepSeek-V4 checkpoints are 46 (Flash) or 64 (Pro) such shards plus
// model.safetensors.index.json.
//
// The reader maps files read-only and hands out zero-copy views. Every header
// is checked before any view exists (lengths, offsets, dtype x shape sizes,
// overlaps, duplicate names, UTF-8, JSON), so a view never points outside its
// mapping; bad input gives a Status naming the file and the tensor.
//
// Names are looked up by the official V4 names (v4-architecture.md 10), and
// the renames of the reference convert.py are accepted as aliases:
// self_attn -> attn, mlp -> ffn, weight_scale_inv -> scale,
// e_score_correction_bias -> bias, and an optional leading "model." prefix.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "sieve/support/status.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sieve::io {

//===----------------------------------------------------------------------===//
// Element types
//===----------------------------------------------------------------------===//

/// The safetensors dtypes V4 checkpoints use. I8 holds packed E2M1 pairs
/// (low nibble = even element), F8_E8M0 holds power-of-two scales.
enum class DType : uint8_t { kBF16, kF16, kF32, kF8E4M3, kF8E8M0, kI8, kI32, kI64 };

/// "BF16", "F16", "F32", "F8_E4M3", "F8_E8M0", "I8", "I32", "I64".
const char *dtypeName(DType dtype);
/// Bytes per stored element.
size_t dtypeSize(DType dtype);
/// The dtype spelled `name` in a header, or nothing for any other spelling.
std::optional<DType> parseDType(std::string_view name);

/// Elements of `shape` (1 for a scalar); false on a negative dim or overflow.
bool shapeElements(const std::vector<int64_t> &shape, uint64_t &elements);
/// "[129280, 4096]".
std::string shapeToString(const std::vector<int64_t> &shape);

/// The official name for a stored one: drops a leading "model.", maps the
/// convert.py renames (self_attn, mlp, weight_scale_inv,
/// e_score_correction_bias). Official names map to themselves.
std::string canonicalTensorName(std::string_view name);

//===----------------------------------------------------------------------===//
// Reading
//===----------------------------------------------------------------------===//

/// One tensor as its header describes it.
struct TensorEntry {
  std::string name; // as stored
  DType dtype = DType::kF32;
  std::vector<int64_t> shape;
  uint64_t begin = 0; // byte offsets relative to the data section
  uint64_t end = 0;

  uint64_t byteSize() const { return end - begin; }
};

/// A zero-copy view of one tensor. Points into a mapping owned by the
/// SafetensorsFile/SafetensorsReader, which must outlive it. `data` is
/// naturally aligned for files written by SafetensorsWriter; files from other
/// writers only guarantee byte alignment.
struct TensorView {
  std::string_view name; // as stored in the file
  std::string_view file; // path of the file holding it
  DType dtype = DType::kF32;
  std::vector<int64_t> shape;
  const uint8_t *data = nullptr;
  uint64_t byteSize = 0;

  uint64_t numElements() const { return byteSize / dtypeSize(dtype); }
  template <typename T> const T *as() const {
    return reinterpret_cast<const T *>(data);
  }
};

/// Largest header accepted (the reference safetensors library's limit).
constexpr uint64_t kMaxSafetensorsHeaderBytes = 100'000'000;
/// Largest model.safetensors.index.json accepted (V4-Pro's is about 10 MB).
constexpr uint64_t kMaxSafetensorsIndexBytes = uint64_t(64) << 20;

/// One .safetensors file, mapped read-only and validated.
class SafetensorsFile {
public:
  /// Maps and validates `path`.
  static Expected<std::unique_ptr<SafetensorsFile>> open(const std::string &path);
  /// Validates an in-memory image; `name` stands in for the path in messages.
  static Expected<std::unique_ptr<SafetensorsFile>>
  fromBytes(std::vector<uint8_t> bytes, std::string name);

  ~SafetensorsFile();
  SafetensorsFile(const SafetensorsFile &) = delete;
  SafetensorsFile &operator=(const SafetensorsFile &) = delete;

  const std::string &path() const { return path_; }
  uint64_t fileSize() const { return size_; }
  /// Tensors in header order.
  const std::vector<TensorEntry> &entries() const { return entries_; }
  const std::map<std::string, std::string> &metadata() const { return metadata_; }
  /// By exact stored name (no aliases); nullptr when absent.
  const TensorEntry *find(std::string_view name) const;
  TensorView view(const TensorEntry &entry) const;

private:
  SafetensorsFile() = default;
  Status parse();

  std::string path_;
  const uint8_t *base_ = nullptr;
  uint64_t size_ = 0;
  bool mapped_ = false;
  std::vector<uint8_t> owned_;
  uint64_t dataStart_ = 0;
  std::vector<TensorEntry> entries_;
  std::unordered_map<std::string, size_t> byName_;
  std::map<std::string, std::string> metadata_;
};

/// The (tensor, shard file) pairs of a model.safetensors.index.json, in
/// file order. Shard names must be plain file names (no '/', '.' or '..'):
/// shards live next to the index.
Expected<std::vector<std::pair<std::string, std::string>>>
parseSafetensorsIndex(std::string_view text, const std::string &source);

/// A whole checkpoint: one file, a directory of shards, or an index.
class SafetensorsReader {
public:
  /// `path` is a .safetensors file, a model.safetensors.index.json, or a
  /// directory (its index if it has one, else every *.safetensors in it).
  /// Index and shards must agree: every listed tensor in its shard, every
  /// shard tensor listed. A tensor (after aliasing) may appear only once.
  static Expected<SafetensorsReader> open(const std::string &path);
  /// Builds a reader over already opened files (same duplicate rules).
  static Expected<SafetensorsReader>
  fromFiles(std::vector<std::unique_ptr<SafetensorsFile>> files, std::string source);

  SafetensorsReader(SafetensorsReader &&) = default;
  SafetensorsReader &operator=(SafetensorsReader &&) = default;

  /// By official name or alias; nothing when absent.
  std::optional<TensorView> find(std::string_view name) const;
  /// As find(), with a not-found Status naming the checkpoint.
  Expected<TensorView> get(std::string_view name) const;
  bool contains(std::string_view name) const { return find(name).has_value(); }

  /// Official (canonical) names of all tensors, sorted.
  std::vector<std::string> names() const;
  size_t size() const { return byName_.size(); }
  const std::vector<std::unique_ptr<SafetensorsFile>> &files() const { return files_; }
  /// What was opened (file, directory or index path).
  const std::string &source() const { return source_; }
  /// Sum of all tensor byte sizes.
  uint64_t totalBytes() const;

private:
  SafetensorsReader() = default;

  struct Location {
    size_t file;
    size_t entry;
  };
  std::string source_;
  std::vector<std::unique_ptr<SafetensorsFile>> files_;
  std::unordered_map<std::string, Location> byName_; // canonical name
};

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

/// Fills `size` bytes at `dst` with a tensor's data when the file is written,
/// so generators need not hold a whole checkpoint in memory.
using TensorProducer = std::function<Status(uint8_t *dst, uint64_t size)>;

/// Told the tensor bytes written so far, after each tensor.
using WriteProgress = std::function<void(uint64_t bytesWritten)>;

namespace detail {
/// A tensor waiting to be written: its bytes are owned, borrowed or produced.
struct PendingTensor {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<int64_t> shape;
  uint64_t size = 0;
  std::shared_ptr<const std::vector<uint8_t>> owned;
  const uint8_t *borrowed = nullptr;
  TensorProducer producer;
};
} // namespace detail

/// Collects tensors, then writes one safetensors file: the header JSON (with
/// "__metadata__", default {"format": "pt"}) padded with spaces to a multiple
/// of 8 bytes, then the tensors packed without gaps, ordered by element size
/// (largest first) then name, so every tensor is naturally aligned. Written
/// to a temporary name and renamed, so a failed write leaves no partial file.
/// add* reject empty or duplicate names and byte sizes that do not match
/// dtype x shape.
class SafetensorsWriter {
public:
  SafetensorsWriter();

  void setMetadata(const std::string &key, const std::string &value);

  /// Takes ownership of `bytes`.
  Status addTensor(std::string name, DType dtype, std::vector<int64_t> shape,
                   std::vector<uint8_t> bytes);
  /// Borrows `data`, which must stay valid until write() returns.
  Status addTensorRef(std::string name, DType dtype, std::vector<int64_t> shape,
                      const void *data, uint64_t size);
  /// Calls `producer` for the bytes during write().
  Status addTensorProducer(std::string name, DType dtype,
                           std::vector<int64_t> shape, TensorProducer producer);
  /// How many producers write() may run at once, each on its own thread
  /// and into its own buffer, ahead of the tensor being written (default 1:
  /// one at a time). Producers must then be safe to call concurrently.
  void setProducerThreads(unsigned threads) { producerThreads_ = threads < 1 ? 1 : threads; }

  size_t numTensors() const { return tensors_.size(); }
  uint64_t dataBytes() const { return dataBytes_; }

  Status write(const std::string &path, const WriteProgress &progress = {}) const;

private:
  friend class ShardedSafetensorsWriter;
  Status add(detail::PendingTensor tensor);

  std::map<std::string, std::string> metadata_;
  std::vector<detail::PendingTensor> tensors_;
  std::unordered_map<std::string, size_t> names_;
  uint64_t dataBytes_ = 0;
  unsigned producerThreads_ = 1;
};

/// Writes a checkpoint directory: model.safetensors when everything fits in
/// `maxShardBytes` of tensor data, otherwise model-0000k-of-0000n.safetensors
/// (tensors assigned in insertion order, a new shard whenever the next tensor
/// would overflow the current one; a tensor larger than the limit gets a
/// shard of its own) plus model.safetensors.index.json
/// ({"metadata": {"total_size"}, "weight_map"}).
class ShardedSafetensorsWriter {
public:
  explicit ShardedSafetensorsWriter(uint64_t maxShardBytes);

  void setMetadata(const std::string &key, const std::string &value);
  Status addTensor(std::string name, DType dtype, std::vector<int64_t> shape,
                   std::vector<uint8_t> bytes);
  Status addTensorRef(std::string name, DType dtype, std::vector<int64_t> shape,
                      const void *data, uint64_t size);
  Status addTensorProducer(std::string name, DType dtype,
                           std::vector<int64_t> shape, TensorProducer producer);
  /// SafetensorsWriter::setProducerThreads.
  void setProducerThreads(unsigned threads) { all_.setProducerThreads(threads); }

  size_t numTensors() const { return all_.numTensors(); }
  uint64_t dataBytes() const { return all_.dataBytes(); }

  /// Writes into `dir` (created if missing); returns the file names written,
  /// the index last when there is one.
  Expected<std::vector<std::string>> write(const std::string &dir,
                                           const WriteProgress &progress = {}) const;

private:
  uint64_t maxShardBytes_;
  SafetensorsWriter all_; // every tensor, in insertion order
};

} // namespace sieve::io
