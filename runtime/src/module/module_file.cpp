//===- module_file.cpp - Open and verify a .sieve module ------------------===//

#include "sieve/module/module_file.h"

#include "program_check.h"

#include <cerrno>
#include <cstring>
#include <limits>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

namespace sieve::module {

uint64_t segmentChecksum(std::string_view bytes) {
  return XXH3_64bits(bytes.data(), bytes.size());
}

uint64_t headerChecksum(const uint8_t *data, uint64_t headerBytes, uint64_t fieldOffset) {
  const uint8_t zeros[sizeof(fb::Checksum)] = {};
  XXH3_state_t *state = XXH3_createState();
  if (!state)
    return 0;
  XXH3_64bits_reset(state);
  XXH3_64bits_update(state, data, fieldOffset);
  XXH3_64bits_update(state, zeros, sizeof zeros);
  XXH3_64bits_update(state, data + fieldOffset + sizeof zeros,
                     headerBytes - fieldOffset - sizeof zeros);
  uint64_t hash = XXH3_64bits_digest(state);
  XXH3_freeState(state);
  return hash;
}

unsigned scalarOperandCount(fb::ScalarOpcode opcode) {
  switch (opcode) {
  case fb::ScalarOpcode::Constant:
  case fb::ScalarOpcode::InputScalar:
  case fb::ScalarOpcode::InputDim:
    return 0;
  case fb::ScalarOpcode::To32:
  case fb::ScalarOpcode::ZExt32:
  case fb::ScalarOpcode::SExt32:
    return 1;
  case fb::ScalarOpcode::Select:
    return 3;
  default:
    return 2;
  }
}

unsigned elementBits(fb::ElementType type) {
  switch (type) {
  case fb::ElementType::I8:
  case fb::ElementType::F8E4M3FN:
  case fb::ElementType::F8E8M0FNU:
    return 8;
  case fb::ElementType::F4E2M1FN:
    return 4;
  case fb::ElementType::BF16:
  case fb::ElementType::F16:
    return 16;
  case fb::ElementType::I32:
  case fb::ElementType::F32:
    return 32;
  case fb::ElementType::I64:
    return 64;
  }
  return 0;
}

const char *elementTypeName(fb::ElementType type) {
  switch (type) {
  case fb::ElementType::I8: return "i8";
  case fb::ElementType::I32: return "i32";
  case fb::ElementType::I64: return "i64";
  case fb::ElementType::BF16: return "bf16";
  case fb::ElementType::F16: return "f16";
  case fb::ElementType::F32: return "f32";
  case fb::ElementType::F8E4M3FN: return "f8E4M3FN";
  case fb::ElementType::F4E2M1FN: return "f4E2M1FN";
  case fb::ElementType::F8E8M0FNU: return "f8E8M0FNU";
  }
  return "unknown";
}

bool elementBytes(fb::ElementType type, uint64_t count, uint64_t &bytes) {
  unsigned bits = elementBits(type);
  if (bits == 0 || count > std::numeric_limits<uint64_t>::max() / bits)
    return false;
  bytes = (count * bits + 7) / 8;
  return true;
}

namespace {
std::string errnoText() { return std::strerror(errno); }
} // namespace

Expected<std::unique_ptr<ModuleFile>> ModuleFile::open(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? notFound(path + ": no such module file")
                           : ioError(path + ": cannot open: " + errnoText());
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    Status s = ioError(path + ": cannot stat: " + errnoText());
    ::close(fd);
    return s;
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return invalidArgument(path + ": not a regular file (a .sieve module was expected)");
  }
  std::unique_ptr<ModuleFile> file(new ModuleFile());
  file->name_ = path;
  file->size_ = static_cast<uint64_t>(st.st_size);
  if (file->size_ > 0) {
    void *map = ::mmap(nullptr, file->size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
      Status s = ioError(path + ": cannot map: " + errnoText());
      ::close(fd);
      return s;
    }
    file->mapping_ = map;
    file->data_ = static_cast<const uint8_t *>(map);
  }
  ::close(fd);
  SIEVE_RETURN_IF_ERROR(file->verify(VerifyOptions()));
  return file;
}

Expected<std::unique_ptr<ModuleFile>> ModuleFile::fromBytes(std::string_view bytes,
                                                            const std::string &name,
                                                            const VerifyOptions &options) {
  std::unique_ptr<ModuleFile> file(new ModuleFile());
  file->name_ = name;
  file->owned_.assign(bytes.data(), bytes.size());
  file->data_ = reinterpret_cast<const uint8_t *>(file->owned_.data());
  file->size_ = bytes.size();
  SIEVE_RETURN_IF_ERROR(file->verify(options));
  return file;
}

ModuleFile::~ModuleFile() {
  if (mapping_)
    ::munmap(mapping_, size_);
}

std::string_view ModuleFile::segment(const fb::Executable &executable) const {
  const fb::Segment *s = executable.segment();
  return {reinterpret_cast<const char *>(data_ + s->offset()), static_cast<size_t>(s->size())};
}

const fb::EntryPoint *ModuleFile::entryPoint(std::string_view name) const {
  for (const fb::EntryPoint *entry : *root_->entry_points())
    if (entry->name()->string_view() == name)
      return entry;
  return nullptr;
}

Status ModuleFile::verify(const VerifyOptions &options) {
  auto bad = [&](const std::string &why) { return invalidArgument(name_ + ": " + why); };
  // The size prefix, then the identifier right after the root offset.
  if (size_ < 12)
    return bad("only " + std::to_string(size_) +
               " bytes; not a .sieve module (too short for its header)");
  if (!fb::ModuleBufferHasIdentifier(data_ + sizeof(flatbuffers::uoffset_t)))
    return bad("not a .sieve module (the file identifier is not 'SIEV')");
  uint32_t prefixed;
  std::memcpy(&prefixed, data_, sizeof prefixed);
  uint64_t headerBytes = uint64_t(prefixed) + sizeof(flatbuffers::uoffset_t);
  if (headerBytes > size_)
    return bad("truncated: the header says " + std::to_string(headerBytes) +
               " bytes but the file has " + std::to_string(size_));
  // FlatBuffers' verifier: every offset, vector and string inside the header.
  flatbuffers::Verifier::Options limits;
  limits.max_depth = 32;
  limits.max_tables = 1u << 26;
  flatbuffers::Verifier verifier(data_, static_cast<size_t>(headerBytes), limits);
  if (!fb::VerifySizePrefixedModuleBuffer(verifier))
    return bad("the module header is damaged (FlatBuffers verification failed)");
  root_ = fb::GetSizePrefixedModule(data_);

  const fb::FormatVersion *version = root_->version();
  if (version->major() != kFormatMajor)
    return bad("format version " + std::to_string(version->major()) + "." +
               std::to_string(version->minor()) + " cannot be read by this runtime, which reads " +
               std::to_string(kFormatMajor) + ".x; recompile the module with this Sieve");
  const auto *field = reinterpret_cast<const uint8_t *>(root_->header_checksum());
  if (options.checksums && headerChecksum(data_, headerBytes, uint64_t(field - data_)) !=
                               root_->header_checksum()->xxh3())
    return bad("header checksum mismatch; the file is damaged");

  // Segments: after the header, aligned, inside the file, intact.
  for (const fb::Executable *executable : *root_->executables()) {
    const fb::Segment *s = executable->segment();
    std::string what = "executable '" + executable->target()->str() + "'";
    if (s->offset() % kSegmentAlignment != 0)
      return bad(what + ": segment offset " + std::to_string(s->offset()) +
                 " is not a multiple of " + std::to_string(kSegmentAlignment));
    if (s->offset() < headerBytes || s->offset() > size_ || s->size() > size_ - s->offset())
      return bad(what + ": segment [" + std::to_string(s->offset()) + ", +" +
                 std::to_string(s->size()) + ") lies outside the file's " +
                 std::to_string(size_ - headerBytes) + " bytes after the header (truncated?)");
    if (options.checksums && segmentChecksum(segment(*executable)) != s->checksum())
      return bad(what + ": segment checksum mismatch; the file is damaged");
    if (executable->exports()->size() != root_->kernels()->size())
      return bad(what + " exports " + std::to_string(executable->exports()->size()) +
                 " kernels but the module has " + std::to_string(root_->kernels()->size()));
  }
  return checkModuleContents(*root_, name_);
}

} // namespace sieve::module
