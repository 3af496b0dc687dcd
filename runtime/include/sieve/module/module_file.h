//===- module_file.h - Open and verify a .sieve module ------------*- C++ -*-===//
//
// A .sieve module (docs/module-format.md) opened for reading: the file is
// mapped, never copied; the FlatBuffer is verified, the format version
// checked, every executable segment bounds-checked and its checksum compared,
// and the host programs checked for consistency (every register, buffer,
// input, cache, weight and kernel they name exists, every register is written
// before it is read, every arena buffer lies inside its arena). After open()
// succeeds, nothing a module says can make the runtime read or write outside
// what it allocated; a damaged file is an error naming what is wrong.
//
//===----------------------------------------------------------------------===//
#ifndef SIEVE_MODULE_MODULE_FILE_H
#define SIEVE_MODULE_MODULE_FILE_H

#include "sieve/module/sieve_module_generated.h"
#include "sieve/support/status.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace sieve::module {

/// The format version this runtime writes and reads (any minor of its major).
inline constexpr uint16_t kFormatMajor = 1;
inline constexpr uint16_t kFormatMinor = 4;
/// Executable segments start at multiples of this from the start of the file.
inline constexpr uint64_t kSegmentAlignment = 64;

/// The checksum of a segment: XXH3-64 with seed 0 (libxxhash).
uint64_t segmentChecksum(std::string_view bytes);

/// The header checksum of a module whose size-prefixed FlatBuffer is the
/// first `headerBytes` of `data`, its Checksum struct at `fieldOffset`.
uint64_t headerChecksum(const uint8_t *data, uint64_t headerBytes, uint64_t fieldOffset);

/// How many registers a scalar step reads (its a, b, c in order); the
/// others are immediates (Constant's value, InputDim's dimension in a).
unsigned scalarOperandCount(fb::ScalarOpcode opcode);

/// Bits of one element (4 for f4E2M1FN, packed two per byte).
unsigned elementBits(fb::ElementType type);
/// "bf16", "f8E4M3FN", ... (MLIR's spelling).
const char *elementTypeName(fb::ElementType type);
/// Bytes of `count` elements, rounded up to whole bytes; false on overflow.
bool elementBytes(fb::ElementType type, uint64_t count, uint64_t &bytes);

struct VerifyOptions {
  /// Compare the header and segment checksums. Only a fuzzer turns this
  /// off, so that its mutations reach the checks behind the checksums.
  bool checksums = true;
};

class ModuleFile {
public:
  /// Maps and verifies the module at `path`.
  static Expected<std::unique_ptr<ModuleFile>> open(const std::string &path);
  /// Verifies a module held in memory (tests, fuzzing); `name` names it in
  /// messages. The bytes are copied.
  static Expected<std::unique_ptr<ModuleFile>> fromBytes(std::string_view bytes,
                                                         const std::string &name,
                                                         const VerifyOptions &options = {});

  ModuleFile(const ModuleFile &) = delete;
  ModuleFile &operator=(const ModuleFile &) = delete;
  ~ModuleFile();

  const fb::Module &module() const { return *root_; }
  /// The bytes of `executable`'s segment (verified by open()).
  std::string_view segment(const fb::Executable &executable) const;
  /// The entry point named `name`, or null.
  const fb::EntryPoint *entryPoint(std::string_view name) const;
  const std::string &name() const { return name_; }
  uint64_t sizeBytes() const { return size_; }

private:
  ModuleFile() = default;
  Status verify(const VerifyOptions &options);

  std::string name_;
  const uint8_t *data_ = nullptr;
  uint64_t size_ = 0;
  void *mapping_ = nullptr; // munmap'd on destruction when set
  std::string owned_;       // fromBytes' copy
  const fb::Module *root_ = nullptr;
};

} // namespace sieve::module

#endif // SIEVE_MODULE_MODULE_FILE_H
