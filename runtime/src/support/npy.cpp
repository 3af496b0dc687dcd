//===- npy.cpp - Read and write NumPy .npy arrays -------------------------===//

#include "sieve/support/npy.h"

#include "sieve/support/checked_math.h"
#include "sieve/support/system.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace sieve {
namespace {

// '<f4' values as bytes, independent of the host's byte order.
void storeLittleEndianF32(float value, unsigned char *out) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  for (int i = 0; i < 4; ++i)
    out[i] = static_cast<unsigned char>(bits >> (8 * i));
}

float loadLittleEndianF32(const unsigned char *in) {
  uint32_t bits = 0;
  for (int i = 0; i < 4; ++i)
    bits |= uint32_t(in[i]) << (8 * i);
  float value;
  std::memcpy(&value, &bits, 4);
  return value;
}

} // namespace

std::string npyHeader(const std::string &descr, const std::vector<int64_t> &shape) {
  // Python tuple syntax: a 1-tuple needs its trailing comma, "()" is a scalar.
  std::string tuple = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    tuple += (i ? ", " : "") + std::to_string(shape[i]);
  tuple += shape.size() == 1 ? ",)" : ")";
  std::string dict =
      "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + tuple + ", }";

  // magic (6) + version (2) + length (2) + dict + padding + '\n' = 64 * m.
  const size_t prefix = 10;
  size_t total = prefix + dict.size() + 1;
  total = (total + 63) / 64 * 64;
  const size_t headerLen = total - prefix;
  dict.append(headerLen - dict.size() - 1, ' ');
  dict += '\n';

  std::string out("\x93NUMPY\x01\x00", 8);
  out += char(headerLen & 0xff);
  out += char(headerLen >> 8);
  return out + dict;
}

Status writeNpyF32(const std::string &path, const float *data,
                   const std::vector<int64_t> &shape) {
  size_t count = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return invalidArgument(path + ": negative dimension " + std::to_string(d) +
                             " in the array shape");
    count *= size_t(d);
  }
  const std::string header = npyHeader("<f4", shape);
  if (header.size() - 10 > 0xffff)
    return invalidArgument(path + ": shape too long for an NPY v1.0 header");

  std::FILE *f = std::fopen(path.c_str(), "wb");
  if (!f)
    return ioError(path + ": cannot open for writing: " + std::strerror(errno));
  bool ok = std::fwrite(header.data(), 1, header.size(), f) == header.size();
  // '<f4' is little-endian whatever the host's byte order.
  std::vector<unsigned char> row;
  constexpr size_t kChunk = 1 << 16;
  for (size_t begin = 0; ok && begin < count; begin += kChunk) {
    const size_t n = std::min(kChunk, count - begin);
    row.resize(n * 4);
    for (size_t i = 0; i < n; ++i)
      storeLittleEndianF32(data[begin + i], &row[i * 4]);
    ok = std::fwrite(row.data(), 1, row.size(), f) == row.size();
  }
  const int err = errno;
  if (std::fclose(f) != 0)
    ok = false;
  if (!ok)
    return ioError(path + ": write failed: " + std::strerror(err ? err : errno));
  return Status::ok();
}

namespace {

/// The header dict, e.g. {'descr': '<f4', 'fortran_order': False,
/// 'shape': (3, 512), }: Python literal syntax, keys in any order.
class NpyHeaderParser {
public:
  explicit NpyHeaderParser(std::string_view text) : text_(text) {}

  Status parse(std::string &descr, bool &fortranOrder, std::vector<int64_t> &shape) {
    bool haveDescr = false, haveOrder = false, haveShape = false;
    if (!consume('{'))
      return fail("expected '{'");
    while (!peek('}')) {
      std::string key;
      SIEVE_RETURN_IF_ERROR(quoted(key));
      if (!consume(':'))
        return fail("expected ':' after '" + key + "'");
      if (key == "descr" && !haveDescr) {
        SIEVE_RETURN_IF_ERROR(quoted(descr));
        haveDescr = true;
      } else if (key == "fortran_order" && !haveOrder) {
        if (word("False"))
          fortranOrder = false;
        else if (word("True"))
          fortranOrder = true;
        else
          return fail("fortran_order is not True or False");
        haveOrder = true;
      } else if (key == "shape" && !haveShape) {
        SIEVE_RETURN_IF_ERROR(tuple(shape));
        haveShape = true;
      } else {
        return fail("unexpected or repeated key '" + key + "'");
      }
      if (!consume(','))
        break;
    }
    if (!consume('}'))
      return fail("expected '}'");
    skipSpace();
    if (pos_ != text_.size())
      return fail("text after the dict");
    if (!haveDescr || !haveOrder || !haveShape)
      return fail("needs the keys 'descr', 'fortran_order' and 'shape'");
    return Status::ok();
  }

private:
  Status fail(const std::string &what) const {
    return invalidArgument("header dict at offset " + std::to_string(pos_) + ": " + what);
  }
  void skipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n'))
      ++pos_;
  }
  bool peek(char c) {
    skipSpace();
    return pos_ < text_.size() && text_[pos_] == c;
  }
  bool consume(char c) {
    if (!peek(c))
      return false;
    ++pos_;
    return true;
  }
  bool word(std::string_view w) {
    skipSpace();
    if (text_.substr(pos_, w.size()) != w)
      return false;
    pos_ += w.size();
    return true;
  }
  Status quoted(std::string &out) {
    skipSpace();
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"'))
      return fail("expected a quoted string");
    char quote = text_[pos_++];
    size_t end = text_.find(quote, pos_);
    if (end == std::string_view::npos)
      return fail("unterminated string");
    out = std::string(text_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return Status::ok();
  }
  Status tuple(std::vector<int64_t> &shape) {
    if (!consume('('))
      return fail("shape is not a tuple");
    while (!peek(')')) {
      skipSpace();
      int64_t v = 0;
      size_t digits = 0;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
        if (__builtin_mul_overflow(v, int64_t(10), &v) ||
            __builtin_add_overflow(v, int64_t(text_[pos_] - '0'), &v))
          return fail("a shape entry overflows int64");
        ++pos_;
        ++digits;
      }
      if (digits == 0)
        return fail("a shape entry is not a non-negative integer");
      if (shape.size() == 32)
        return fail("more than 32 dimensions");
      shape.push_back(v);
      if (!consume(','))
        break;
    }
    if (!consume(')'))
      return fail("expected ')' closing the shape");
    return Status::ok();
  }

  std::string_view text_;
  size_t pos_ = 0;
};

} // namespace

Expected<NpyArrayF32> parseNpyF32(std::string_view bytes, const std::string &source) {
  auto fail = [&](const std::string &what) { return invalidArgument(source + ": " + what); };
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0)
    return fail("not a .npy file (no \\x93NUMPY magic)");
  const auto *u = reinterpret_cast<const unsigned char *>(bytes.data());
  const unsigned major = u[6], minor = u[7];
  if (major < 1 || major > 3 || minor != 0)
    return fail("NPY version " + std::to_string(major) + "." + std::to_string(minor) +
                " is not 1.0, 2.0 or 3.0");
  size_t prefix = major == 1 ? 10 : 12;
  if (bytes.size() < prefix)
    return fail("truncated header");
  uint64_t headerLen = major == 1 ? uint64_t(u[8]) | uint64_t(u[9]) << 8
                                  : uint64_t(u[8]) | uint64_t(u[9]) << 8 |
                                        uint64_t(u[10]) << 16 | uint64_t(u[11]) << 24;
  if (headerLen > bytes.size() - prefix)
    return fail("header length " + std::to_string(headerLen) + " runs past the end of the file");
  NpyArrayF32 array;
  std::string descr;
  bool fortranOrder = false;
  Status s = NpyHeaderParser(bytes.substr(prefix, headerLen))
                 .parse(descr, fortranOrder, array.shape);
  if (!s.isOk())
    return fail(s.message());
  if (descr != "<f4")
    return fail("dtype '" + descr + "' is not '<f4' (little-endian float32)");
  if (fortranOrder)
    return fail("Fortran-order arrays are not supported");
  CheckedSize count(1);
  for (int64_t d : array.shape)
    count *= d;
  CheckedSize dataBytes = count * int64_t(sizeof(float));
  const uint64_t available = bytes.size() - prefix - headerLen;
  if (!dataBytes.valid() || uint64_t(dataBytes.valueOr(0)) != available)
    return fail("shape needs " + std::string(dataBytes.valid() ? std::to_string(dataBytes.valueOr(0))
                                                              : "more than 2^63") +
                " data bytes but the file has " + std::to_string(available));
  array.data.resize(size_t(count.valueOr(0)));
  const auto *payload =
      reinterpret_cast<const unsigned char *>(bytes.data() + prefix + headerLen);
  for (size_t i = 0; i < array.data.size(); ++i)
    array.data[i] = loadLittleEndianF32(payload + i * 4);
  return array;
}

Expected<NpyArrayF32> readNpyF32(const std::string &path, uint64_t maxBytes) {
  auto bytes = readRegularFile(path, maxBytes, ".npy file");
  if (!bytes)
    return bytes.takeStatus();
  return parseNpyF32(*bytes, path);
}

} // namespace sieve
