//===- safetensors_reader.cpp - Validating mmap reader ------------------===//

#include "sieve/io/safetensors.h"

#include "json_util.h"
#include "sieve/support/system.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sieve::io {

namespace fs = std::filesystem;
using detail::printable;
using nlohmann::json;

//===----------------------------------------------------------------------===//
// Dtypes, shapes, names
//===----------------------------------------------------------------------===//

namespace {
struct DTypeInfo {
  DType dtype;
  const char *name;
  size_t size;
};
constexpr DTypeInfo kDTypes[] = {
    {DType::kBF16, "BF16", 2},   {DType::kF16, "F16", 2},
    {DType::kF32, "F32", 4},     {DType::kF8E4M3, "F8_E4M3", 1},
    {DType::kF8E8M0, "F8_E8M0", 1}, {DType::kI8, "I8", 1},
    {DType::kI32, "I32", 4},     {DType::kI64, "I64", 8},
};
} // namespace

const char *dtypeName(DType dtype) {
  for (const DTypeInfo &d : kDTypes)
    if (d.dtype == dtype)
      return d.name;
  return "?";
}

size_t dtypeSize(DType dtype) {
  for (const DTypeInfo &d : kDTypes)
    if (d.dtype == dtype)
      return d.size;
  return 1;
}

std::optional<DType> parseDType(std::string_view name) {
  for (const DTypeInfo &d : kDTypes)
    if (name == d.name)
      return d.dtype;
  return std::nullopt;
}

bool shapeElements(const std::vector<int64_t> &shape, uint64_t &elements) {
  uint64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || __builtin_mul_overflow(n, uint64_t(d), &n))
      return false;
  }
  elements = n;
  return true;
}

std::string shapeToString(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

std::string canonicalTensorName(std::string_view name) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    parts.emplace_back(name.substr(start, dot == std::string_view::npos
                                              ? std::string_view::npos
                                              : dot - start));
    if (dot == std::string_view::npos)
      break;
    start = dot + 1;
  }
  if (parts.size() > 1 && parts.front() == "model")
    parts.erase(parts.begin());
  for (std::string &p : parts) {
    if (p == "self_attn")
      p = "attn";
    else if (p == "mlp")
      p = "ffn";
  }
  if (parts.back() == "weight_scale_inv")
    parts.back() = "scale";
  else if (parts.back() == "e_score_correction_bias")
    parts.back() = "bias";
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i)
    out += (i ? "." : "") + parts[i];
  return out;
}

//===----------------------------------------------------------------------===//
// SafetensorsFile
//===----------------------------------------------------------------------===//

SafetensorsFile::~SafetensorsFile() {
  if (mapped_ && base_)
    munmap(const_cast<uint8_t *>(base_), size_);
}

Expected<std::unique_ptr<SafetensorsFile>>
SafetensorsFile::open(const std::string &path) {
  std::unique_ptr<SafetensorsFile> file(new SafetensorsFile());
  file->path_ = path;
  uint64_t size = 0;
  auto fd = openRegularFile(path, size, "safetensors file");
  if (!fd)
    return fd.takeStatus();
  file->size_ = size;
  if (file->size_ > 0) {
    void *p = mmap(nullptr, file->size_, PROT_READ, MAP_PRIVATE, *fd, 0);
    if (p == MAP_FAILED) {
      int err = errno;
      ::close(*fd);
      return ioError(path + ": cannot map " + std::to_string(file->size_) +
                     " bytes: " + std::strerror(err));
    }
    file->base_ = static_cast<const uint8_t *>(p);
    file->mapped_ = true;
  }
  ::close(*fd); // the mapping keeps the file alive
  SIEVE_RETURN_IF_ERROR(file->parse());
  return file;
}

Expected<std::unique_ptr<SafetensorsFile>>
SafetensorsFile::fromBytes(std::vector<uint8_t> bytes, std::string name) {
  std::unique_ptr<SafetensorsFile> file(new SafetensorsFile());
  file->path_ = std::move(name);
  file->owned_ = std::move(bytes);
  file->base_ = file->owned_.data();
  file->size_ = file->owned_.size();
  SIEVE_RETURN_IF_ERROR(file->parse());
  return file;
}

const TensorEntry *SafetensorsFile::find(std::string_view name) const {
  auto it = byName_.find(std::string(name));
  return it == byName_.end() ? nullptr : &entries_[it->second];
}

TensorView SafetensorsFile::view(const TensorEntry &entry) const {
  TensorView v;
  v.name = entry.name;
  v.file = path_;
  v.dtype = entry.dtype;
  v.shape = entry.shape;
  v.data = base_ + dataStart_ + entry.begin;
  v.byteSize = entry.byteSize();
  return v;
}

namespace {
/// A non-negative JSON integer, or false.
bool getUnsigned(const json &j, uint64_t &out) {
  if (j.is_number_unsigned()) {
    out = j.get<uint64_t>();
    return true;
  }
  if (j.is_number_integer() && j.get<int64_t>() >= 0) {
    out = uint64_t(j.get<int64_t>());
    return true;
  }
  return false;
}
} // namespace

Status SafetensorsFile::parse() {
  const std::string &p = path_;
  if (size_ < 8)
    return invalidArgument(p + ": truncated: the file has " + std::to_string(size_) +
                           " bytes, fewer than the 8-byte header length");
  uint64_t headerLen = 0;
  for (int i = 7; i >= 0; --i)
    headerLen = (headerLen << 8) | base_[i];
  // A safetensors file starts with a binary length; text starting with '{'
  // is JSON (a config.json or an index given where a checkpoint was meant).
  if (headerLen > size_ - 8 && (base_[0] == '{' || base_[0] == ' ' || base_[0] == '\n'))
    return invalidArgument(p + ": a JSON file, not a safetensors checkpoint (give the "
                               "checkpoint directory, its .safetensors file or its "
                               "model.safetensors.index.json)");
  if (headerLen > size_ - 8)
    return invalidArgument(p + ": header length " + std::to_string(headerLen) +
                           " runs past the end of the file (" + std::to_string(size_) +
                           " bytes; truncated or not a safetensors file)");
  if (headerLen > kMaxSafetensorsHeaderBytes)
    return invalidArgument(p + ": header length " + std::to_string(headerLen) +
                           " exceeds the limit of " +
                           std::to_string(kMaxSafetensorsHeaderBytes) + " bytes");
  if (headerLen < 2)
    return invalidArgument(p + ": header of " + std::to_string(headerLen) +
                           " bytes cannot hold a JSON object");
  dataStart_ = 8 + headerLen;
  uint64_t dataSize = size_ - dataStart_;
  std::string_view text(reinterpret_cast<const char *>(base_ + 8), headerLen);

  auto parsed = detail::parseJsonStrict(text, p + ": header");
  if (!parsed)
    return parsed.takeStatus();
  const json &root = *parsed;
  if (!root.is_object())
    return invalidArgument(p + ": header is JSON but not an object");

  for (auto it = root.begin(); it != root.end(); ++it) {
    const std::string &name = it.key();
    const json &v = it.value();
    if (name == "__metadata__") {
      if (!v.is_object())
        return invalidArgument(p + ": __metadata__ is not an object");
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m.value().is_string())
          return invalidArgument(p + ": __metadata__ value '" + printable(m.key()) +
                                 "' is not a string");
        metadata_[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    std::string where = p + ": tensor '" + printable(name) + "'";
    if (name.empty())
      return invalidArgument(p + ": a tensor has an empty name");
    if (!v.is_object())
      return invalidArgument(where + ": entry is not an object");
    auto dt = v.find("dtype");
    auto sh = v.find("shape");
    auto off = v.find("data_offsets");
    if (dt == v.end() || !dt->is_string())
      return invalidArgument(where + ": missing or non-string 'dtype'");
    if (sh == v.end() || !sh->is_array())
      return invalidArgument(where + ": missing or non-array 'shape'");
    if (off == v.end() || !off->is_array() || off->size() != 2)
      return invalidArgument(where + ": 'data_offsets' must be an array [begin, end]");

    TensorEntry e;
    e.name = name;
    std::string dtypeStr = dt->get<std::string>();
    std::optional<DType> dtype = parseDType(dtypeStr);
    if (!dtype)
      return invalidArgument(where + ": unknown dtype '" + printable(dtypeStr) +
                             "' (supported: BF16, F16, F32, F8_E4M3, F8_E8M0, I8, I32, I64)");
    e.dtype = *dtype;
    for (const json &d : *sh) {
      uint64_t dim = 0;
      if (!getUnsigned(d, dim) || dim > uint64_t(INT64_MAX))
        return invalidArgument(where + ": shape entry " + printable(d.dump()) +
                               " is not a non-negative integer");
      e.shape.push_back(int64_t(dim));
    }
    if (!getUnsigned((*off)[0], e.begin) || !getUnsigned((*off)[1], e.end))
      return invalidArgument(where + ": data_offsets " + printable(off->dump()) +
                             " are not non-negative integers");
    if (e.begin > e.end)
      return invalidArgument(where + ": data_offsets [" + std::to_string(e.begin) +
                             ", " + std::to_string(e.end) + "] end before they begin");
    if (e.end > dataSize)
      return invalidArgument(where + ": data_offsets [" + std::to_string(e.begin) +
                             ", " + std::to_string(e.end) + "] run past the " +
                             std::to_string(dataSize) +
                             "-byte data section (file truncated?)");
    uint64_t elements = 0, bytes = 0;
    if (!shapeElements(e.shape, elements) ||
        __builtin_mul_overflow(elements, uint64_t(dtypeSize(e.dtype)), &bytes))
      return invalidArgument(where + ": shape " + shapeToString(e.shape) +
                             " overflows a 64-bit byte count");
    if (bytes != e.byteSize())
      return invalidArgument(where + ": " + dtypeStr + " " + shapeToString(e.shape) +
                             " needs " + std::to_string(bytes) +
                             " bytes but data_offsets hold " +
                             std::to_string(e.byteSize()));
    // The strict parser already rejected repeated keys.
    byName_.emplace(e.name, entries_.size());
    entries_.push_back(std::move(e));
  }

  // Overlaps: sort the non-empty ranges and compare neighbours.
  std::vector<size_t> order;
  for (size_t i = 0; i < entries_.size(); ++i)
    if (entries_[i].byteSize() > 0)
      order.push_back(i);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return entries_[a].begin < entries_[b].begin;
  });
  for (size_t k = 1; k < order.size(); ++k) {
    const TensorEntry &a = entries_[order[k - 1]], &b = entries_[order[k]];
    if (b.begin < a.end)
      return invalidArgument(p + ": tensors '" + printable(a.name) + "' [" +
                             std::to_string(a.begin) + ", " + std::to_string(a.end) +
                             ") and '" + printable(b.name) + "' [" +
                             std::to_string(b.begin) + ", " + std::to_string(b.end) +
                             ") overlap");
  }
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// SafetensorsReader
//===----------------------------------------------------------------------===//

Expected<std::vector<std::pair<std::string, std::string>>>
parseSafetensorsIndex(std::string_view text, const std::string &source) {
  auto parsed = detail::parseJsonStrict(text, source);
  if (!parsed)
    return parsed.takeStatus();
  const json &root = *parsed;
  auto wm = root.is_object() ? root.find("weight_map") : root.end();
  if (!root.is_object() || wm == root.end() || !wm->is_object())
    return invalidArgument(source + ": no 'weight_map' object");
  std::vector<std::pair<std::string, std::string>> entries;
  entries.reserve(wm->size());
  for (auto it = wm->begin(); it != wm->end(); ++it) {
    if (!it.value().is_string())
      return invalidArgument(source + ": weight_map entry '" + printable(it.key()) +
                             "' is not a file name");
    std::string shard = it.value().get<std::string>();
    // Shards live next to the index; a path would escape the checkpoint.
    if (shard.empty() || shard.find('/') != std::string::npos || shard == "." ||
        shard == "..")
      return invalidArgument(source + ": weight_map entry '" + printable(it.key()) +
                             "' names '" + printable(shard) +
                             "', not a file in the index's directory");
    entries.emplace_back(it.key(), std::move(shard));
  }
  return entries;
}

namespace {
bool isIndexFile(const fs::path &p) {
  std::string name = p.filename().string();
  return name.size() > 11 && name.compare(name.size() - 11, 11, ".index.json") == 0;
}

/// Opens the shards an index names and checks index and shards agree.
Expected<SafetensorsReader> openIndex(const std::string &indexPath) {
  auto text = readRegularFile(indexPath, kMaxSafetensorsIndexBytes, "safetensors index");
  if (!text)
    return text.takeStatus();
  auto index = parseSafetensorsIndex(*text, indexPath);
  if (!index)
    return index.takeStatus();

  fs::path dir = fs::path(indexPath).parent_path();
  std::vector<std::string> shardNames;
  std::unordered_map<std::string, size_t> shardIndex;
  std::vector<std::pair<std::string, size_t>> listed; // tensor -> shard
  for (auto &[tensor, shard] : *index) {
    auto [pos, inserted] = shardIndex.emplace(shard, shardNames.size());
    if (inserted)
      shardNames.push_back(shard);
    listed.emplace_back(std::move(tensor), pos->second);
  }
  std::vector<std::unique_ptr<SafetensorsFile>> files;
  for (const std::string &shard : shardNames) {
    auto file = SafetensorsFile::open((dir / shard).string());
    if (!file)
      return file.takeStatus().annotate(indexPath);
    files.push_back(file.take());
  }
  std::vector<std::string> problems;
  std::vector<std::set<std::string>> perShard(files.size());
  for (const auto &[tensor, shard] : listed) {
    perShard[shard].insert(tensor);
    if (!files[shard]->find(tensor))
      problems.push_back("lists '" + printable(tensor) + "' in " + shardNames[shard] +
                         ", which does not hold it");
  }
  for (size_t s = 0; s < files.size(); ++s)
    for (const TensorEntry &e : files[s]->entries())
      if (!perShard[s].count(e.name))
        problems.push_back("does not list '" + printable(e.name) + "' of " +
                           shardNames[s]);
  if (!problems.empty()) {
    std::string msg = indexPath + ": index and shards disagree: ";
    for (size_t i = 0; i < problems.size() && i < 20; ++i)
      msg += (i ? "; " : "") + problems[i];
    if (problems.size() > 20)
      msg += "; ... (" + std::to_string(problems.size()) + " in all)";
    return invalidArgument(msg);
  }
  return SafetensorsReader::fromFiles(std::move(files), indexPath);
}
} // namespace

Expected<SafetensorsReader> SafetensorsReader::open(const std::string &path) {
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st))
    return notFound(path + ": no such file or directory");
  if (fs::is_directory(st)) {
    fs::path index = fs::path(path) / "model.safetensors.index.json";
    if (fs::exists(index))
      return openIndex(index.string());
    std::vector<std::string> shards;
    for (const auto &entry : fs::directory_iterator(path, ec)) {
      const fs::path &p = entry.path();
      if (p.extension() == ".safetensors" && entry.is_regular_file())
        shards.push_back(p.string());
    }
    if (ec)
      return ioError(path + ": cannot list: " + ec.message());
    if (shards.empty())
      return notFound(path + ": no .safetensors files and no model.safetensors.index.json");
    std::sort(shards.begin(), shards.end());
    std::vector<std::unique_ptr<SafetensorsFile>> files;
    for (const std::string &s : shards) {
      auto file = SafetensorsFile::open(s);
      if (!file)
        return file.takeStatus();
      files.push_back(file.take());
    }
    return fromFiles(std::move(files), path);
  }
  if (isIndexFile(path))
    return openIndex(path);
  auto file = SafetensorsFile::open(path);
  if (!file)
    return file.takeStatus();
  std::vector<std::unique_ptr<SafetensorsFile>> files;
  files.push_back(file.take());
  return fromFiles(std::move(files), path);
}

Expected<SafetensorsReader>
SafetensorsReader::fromFiles(std::vector<std::unique_ptr<SafetensorsFile>> files,
                             std::string source) {
  SafetensorsReader reader;
  reader.source_ = std::move(source);
  reader.files_ = std::move(files);
  for (size_t f = 0; f < reader.files_.size(); ++f) {
    const auto &entries = reader.files_[f]->entries();
    for (size_t e = 0; e < entries.size(); ++e) {
      std::string canonical = canonicalTensorName(entries[e].name);
      auto [it, inserted] = reader.byName_.emplace(canonical, Location{f, e});
      if (!inserted) {
        const SafetensorsFile &other = *reader.files_[it->second.file];
        const TensorEntry &first = other.entries()[it->second.entry];
        return invalidArgument(
            reader.source_ + ": tensor '" + printable(canonical) + "' appears twice: as '" +
            printable(first.name) + "' in " + other.path() + " and as '" +
            printable(entries[e].name) + "' in " + reader.files_[f]->path());
      }
    }
  }
  return reader;
}

std::optional<TensorView> SafetensorsReader::find(std::string_view name) const {
  auto it = byName_.find(canonicalTensorName(name));
  if (it == byName_.end())
    return std::nullopt;
  const SafetensorsFile &file = *files_[it->second.file];
  return file.view(file.entries()[it->second.entry]);
}

Expected<TensorView> SafetensorsReader::get(std::string_view name) const {
  if (auto v = find(name))
    return *v;
  return notFound(source_ + ": no tensor '" + printable(name) + "'");
}

std::vector<std::string> SafetensorsReader::names() const {
  std::vector<std::string> out;
  out.reserve(byName_.size());
  for (const auto &kv : byName_)
    out.push_back(kv.first);
  std::sort(out.begin(), out.end());
  return out;
}

uint64_t SafetensorsReader::totalBytes() const {
  uint64_t total = 0;
  for (const auto &f : files_)
    for (const TensorEntry &e : f->entries())
      total += e.byteSize();
  return total;
}

} // namespace sieve::io
