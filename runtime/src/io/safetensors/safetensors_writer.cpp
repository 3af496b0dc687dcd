//===- safetensors_writer.cpp - Single-file and sharded writers ---------===//

#include "sieve/io/safetensors.h"

#include "json_util.h"

#include "sieve/support/interrupt_cleanup.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <future>
#include <map>
#include <memory>

namespace sieve::io {

namespace fs = std::filesystem;
using detail::PendingTensor;
using detail::printable;

namespace {

/// Checks name and dtype x shape; fills `size`.
Expected<PendingTensor> makePending(std::string name, DType dtype,
                                    std::vector<int64_t> shape) {
  if (name.empty())
    return invalidArgument("safetensors writer: empty tensor name");
  if (name == "__metadata__")
    return invalidArgument("safetensors writer: '__metadata__' is not a tensor name");
  size_t bad = 0;
  if (!detail::isValidUtf8(name, bad))
    return invalidArgument("safetensors writer: tensor name '" + printable(name) +
                           "' is not valid UTF-8");
  uint64_t elements = 0, bytes = 0;
  if (!shapeElements(shape, elements) ||
      __builtin_mul_overflow(elements, uint64_t(dtypeSize(dtype)), &bytes))
    return invalidArgument("safetensors writer: tensor '" + name + "': shape " +
                           shapeToString(shape) + " is negative or too large");
  PendingTensor t;
  t.name = std::move(name);
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.size = bytes;
  return t;
}

Status sizeMismatch(const PendingTensor &t, uint64_t given) {
  return invalidArgument("safetensors writer: tensor '" + t.name + "': " +
                         dtypeName(t.dtype) + " " + shapeToString(t.shape) + " needs " +
                         std::to_string(t.size) + " bytes, given " +
                         std::to_string(given));
}

/// Writes all of [data, data + size) or reports why not.
Status writeAll(std::FILE *f, const uint8_t *data, uint64_t size,
                const std::string &path) {
  while (size > 0) {
    size_t chunk = size_t(std::min<uint64_t>(size, uint64_t(1) << 30));
    size_t n = std::fwrite(data, 1, chunk, f);
    if (n != chunk)
      return ioError(path + ": write failed: " + std::strerror(errno));
    data += n;
    size -= n;
  }
  return Status::ok();
}

/// Writes `tensors` (already in file order) with `metadata` to `path`;
/// `written` counts the tensor bytes and is reported after each tensor.
Status writeFile(const std::string &path, const std::map<std::string, std::string> &metadata,
                 const std::vector<const PendingTensor *> &tensors, uint64_t &written,
                 const WriteProgress &progress, unsigned producerThreads) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  header["__metadata__"] = nlohmann::ordered_json::object();
  for (const auto &[k, v] : metadata)
    header["__metadata__"][k] = v;
  uint64_t offset = 0;
  for (const PendingTensor *t : tensors) {
    nlohmann::ordered_json e = nlohmann::ordered_json::object();
    e["dtype"] = dtypeName(t->dtype);
    e["shape"] = t->shape;
    e["data_offsets"] = {offset, offset + t->size};
    header[t->name] = std::move(e);
    offset += t->size;
  }
  std::string text = header.dump();
  // Pad with spaces so the data section starts 8-byte aligned.
  text.append((8 - text.size() % 8) % 8, ' ');

  std::string tmp = path + ".tmp";
  RemoveOnInterrupt removeIfInterrupted(tmp);
  std::FILE *f = std::fopen(tmp.c_str(), "wb");
  if (!f)
    return ioError(tmp + ": cannot create: " + std::strerror(errno));
  auto fail = [&](Status s) {
    std::fclose(f);
    std::remove(tmp.c_str());
    return s;
  };
  uint8_t len[8];
  uint64_t n = text.size();
  for (int i = 0; i < 8; ++i)
    len[i] = uint8_t(n >> (8 * i));
  Status s = writeAll(f, len, 8, tmp);
  if (s.isOk())
    s = writeAll(f, reinterpret_cast<const uint8_t *>(text.data()), text.size(), tmp);
  // Produced tensors: up to producerThreads run ahead, each into its own
  // buffer, and are written in file order. (A future's destructor waits, so
  // `produced` outlives every producer still running when this returns.)
  struct Produced {
    std::vector<uint8_t> bytes;
    std::future<Status> done;
  };
  auto isProduced = [](const PendingTensor *t) {
    return !t->owned && !t->borrowed && t->size != 0;
  };
  std::map<size_t, std::unique_ptr<Produced>> produced;
  size_t next = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const PendingTensor *t = tensors[i];
    if (!s.isOk())
      break;
    for (; next < tensors.size() && (next <= i || produced.size() < producerThreads); ++next) {
      if (!isProduced(tensors[next]))
        continue;
      auto job = std::make_unique<Produced>();
      job->bytes.assign(tensors[next]->size, 0);
      job->done =
          std::async(std::launch::async, [tensor = tensors[next], data = job->bytes.data()] {
            return tensor->producer(data, tensor->size);
          });
      produced.emplace(next, std::move(job));
    }
    if (t->owned) {
      s = writeAll(f, t->owned->data(), t->size, tmp);
    } else if (t->borrowed || t->size == 0) {
      s = writeAll(f, t->borrowed, t->size, tmp);
    } else {
      auto job = produced.find(i);
      s = job->second->done.get();
      if (!s.isOk())
        s.annotate(path + ": tensor '" + t->name + "'");
      else
        s = writeAll(f, job->second->bytes.data(), t->size, tmp);
      produced.erase(job);
    }
    written += t->size;
    if (s.isOk() && progress)
      progress(written);
  }
  if (!s.isOk())
    return fail(s);
  if (std::fflush(f) != 0)
    return fail(ioError(tmp + ": flush failed: " + std::strerror(errno)));
  if (std::fclose(f) != 0) {
    std::remove(tmp.c_str());
    return ioError(tmp + ": close failed: " + std::strerror(errno));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    std::remove(tmp.c_str());
    return ioError(path + ": cannot rename from " + tmp + ": " + std::strerror(err));
  }
  return Status::ok();
}

/// File order: element size descending, then name, so every tensor starts at
/// a multiple of its element size (the data section starts 8-aligned).
std::vector<const PendingTensor *> fileOrder(std::vector<const PendingTensor *> v) {
  std::sort(v.begin(), v.end(), [](const PendingTensor *a, const PendingTensor *b) {
    size_t sa = dtypeSize(a->dtype), sb = dtypeSize(b->dtype);
    return sa != sb ? sa > sb : a->name < b->name;
  });
  return v;
}

} // namespace

//===----------------------------------------------------------------------===//
// SafetensorsWriter
//===----------------------------------------------------------------------===//

SafetensorsWriter::SafetensorsWriter() { metadata_["format"] = "pt"; }

void SafetensorsWriter::setMetadata(const std::string &key, const std::string &value) {
  metadata_[key] = value;
}

Status SafetensorsWriter::add(PendingTensor tensor) {
  if (names_.count(tensor.name))
    return invalidArgument("safetensors writer: tensor '" + tensor.name +
                           "' added twice");
  names_.emplace(tensor.name, tensors_.size());
  dataBytes_ += tensor.size;
  tensors_.push_back(std::move(tensor));
  return Status::ok();
}

Status SafetensorsWriter::addTensor(std::string name, DType dtype,
                                    std::vector<int64_t> shape,
                                    std::vector<uint8_t> bytes) {
  auto t = makePending(std::move(name), dtype, std::move(shape));
  if (!t)
    return t.takeStatus();
  if (bytes.size() != t->size)
    return sizeMismatch(*t, bytes.size());
  t->owned = std::make_shared<const std::vector<uint8_t>>(std::move(bytes));
  return add(t.take());
}

Status SafetensorsWriter::addTensorRef(std::string name, DType dtype,
                                       std::vector<int64_t> shape, const void *data,
                                       uint64_t size) {
  auto t = makePending(std::move(name), dtype, std::move(shape));
  if (!t)
    return t.takeStatus();
  if (size != t->size)
    return sizeMismatch(*t, size);
  if (!data && size > 0)
    return invalidArgument("safetensors writer: tensor '" + t->name + "': null data");
  t->borrowed = static_cast<const uint8_t *>(data);
  return add(t.take());
}

Status SafetensorsWriter::addTensorProducer(std::string name, DType dtype,
                                            std::vector<int64_t> shape,
                                            TensorProducer producer) {
  auto t = makePending(std::move(name), dtype, std::move(shape));
  if (!t)
    return t.takeStatus();
  if (!producer)
    return invalidArgument("safetensors writer: tensor '" + t->name + "': no producer");
  t->producer = std::move(producer);
  return add(t.take());
}

Status SafetensorsWriter::write(const std::string &path, const WriteProgress &progress) const {
  std::vector<const PendingTensor *> all;
  for (const PendingTensor &t : tensors_)
    all.push_back(&t);
  uint64_t written = 0;
  return writeFile(path, metadata_, fileOrder(std::move(all)), written, progress, producerThreads_);
}

//===----------------------------------------------------------------------===//
// ShardedSafetensorsWriter
//===----------------------------------------------------------------------===//

ShardedSafetensorsWriter::ShardedSafetensorsWriter(uint64_t maxShardBytes)
    : maxShardBytes_(maxShardBytes) {}

void ShardedSafetensorsWriter::setMetadata(const std::string &key,
                                           const std::string &value) {
  all_.setMetadata(key, value);
}

Status ShardedSafetensorsWriter::addTensor(std::string name, DType dtype,
                                           std::vector<int64_t> shape,
                                           std::vector<uint8_t> bytes) {
  return all_.addTensor(std::move(name), dtype, std::move(shape), std::move(bytes));
}

Status ShardedSafetensorsWriter::addTensorRef(std::string name, DType dtype,
                                              std::vector<int64_t> shape,
                                              const void *data, uint64_t size) {
  return all_.addTensorRef(std::move(name), dtype, std::move(shape), data, size);
}

Status ShardedSafetensorsWriter::addTensorProducer(std::string name, DType dtype,
                                                   std::vector<int64_t> shape,
                                                   TensorProducer producer) {
  return all_.addTensorProducer(std::move(name), dtype, std::move(shape),
                                std::move(producer));
}

Expected<std::vector<std::string>>
ShardedSafetensorsWriter::write(const std::string &dir, const WriteProgress &progress) const {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return ioError(dir + ": cannot create directory: " + ec.message());
  const std::vector<PendingTensor> &tensors = all_.tensors_;

  if (all_.dataBytes() <= maxShardBytes_) {
    SIEVE_RETURN_IF_ERROR(all_.write((fs::path(dir) / "model.safetensors").string(), progress));
    return std::vector<std::string>{"model.safetensors"};
  }

  // Greedy assignment in insertion order keeps a block's tensors together.
  std::vector<std::vector<const PendingTensor *>> shards(1);
  uint64_t current = 0;
  for (const PendingTensor &t : tensors) {
    if (!shards.back().empty() && current + t.size > maxShardBytes_) {
      shards.emplace_back();
      current = 0;
    }
    shards.back().push_back(&t);
    current += t.size;
  }
  size_t n = shards.size();
  uint64_t written = 0;
  std::vector<std::string> names;
  nlohmann::ordered_json weightMap = nlohmann::ordered_json::object();
  std::vector<std::pair<std::string, std::string>> mapEntries;
  for (size_t i = 0; i < n; ++i) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "model-%05zu-of-%05zu.safetensors", i + 1, n);
    names.push_back(buf);
    SIEVE_RETURN_IF_ERROR(writeFile((fs::path(dir) / buf).string(), all_.metadata_,
                                    fileOrder(shards[i]), written, progress,
                                    all_.producerThreads_));
    for (const PendingTensor *t : shards[i])
      mapEntries.emplace_back(t->name, buf);
  }
  std::sort(mapEntries.begin(), mapEntries.end());
  for (const auto &[tensor, file] : mapEntries)
    weightMap[tensor] = file;
  nlohmann::ordered_json index = nlohmann::ordered_json::object();
  index["metadata"] = {{"total_size", all_.dataBytes()}};
  index["weight_map"] = std::move(weightMap);

  std::string path = (fs::path(dir) / "model.safetensors.index.json").string();
  std::string text = index.dump(2) + "\n";
  std::string tmp = path + ".tmp";
  RemoveOnInterrupt removeIfInterrupted(tmp);
  std::FILE *f = std::fopen(tmp.c_str(), "wb");
  if (!f)
    return ioError(tmp + ": cannot create: " + std::strerror(errno));
  bool okWrite = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  bool okClose = std::fclose(f) == 0;
  if (!okWrite || !okClose || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return ioError(path + ": write failed: " + std::strerror(errno));
  }
  names.push_back("model.safetensors.index.json");
  return names;
}

} // namespace sieve::io
