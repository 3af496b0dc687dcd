//===- text_util.cpp - UTF-8 and byte-level helpers -----------------------===//

#include "text_util.h"

#include "sieve/io/tokenizer.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace sieve::io {

size_t findInvalidUtf8(std::string_view text) {
  const auto *s = reinterpret_cast<const uint8_t *>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    // ASCII fast path, 8 bytes at a time.
    while (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, s + i, 8);
      if (w & 0x8080808080808080ull)
        break;
      i += 8;
    }
    if (i >= n)
      break;
    uint8_t b = s[i];
    if (b < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint8_t lo = 0x80, hi = 0xBF; // allowed range of the second byte
    if (b >= 0xC2 && b <= 0xDF) {
      len = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3;
      if (b == 0xE0)
        lo = 0xA0; // overlong
      else if (b == 0xED)
        hi = 0x9F; // surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4;
      if (b == 0xF0)
        lo = 0x90; // overlong
      else if (b == 0xF4)
        hi = 0x8F; // past U+10FFFF
    } else {
      return i;
    }
    if (i + 1 >= n || s[i + 1] < lo || s[i + 1] > hi)
      return i;
    for (size_t k = 2; k < len; ++k)
      if (i + k >= n || (s[i + k] & 0xC0) != 0x80)
        return i;
    i += len;
  }
  return std::string_view::npos;
}

size_t completeUtf8Prefix(std::string_view bytes) {
  size_t n = bytes.size();
  for (size_t back = 1; back <= 3 && back <= n; ++back) {
    unsigned char c = static_cast<unsigned char>(bytes[n - back]);
    if ((c & 0xC0) == 0x80)
      continue; // a continuation byte: look further back for the lead
    size_t need = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

std::string replaceInvalidUtf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  auto at = [&](size_t k) { return static_cast<unsigned char>(bytes[k]); };
  size_t i = 0;
  while (i < bytes.size()) {
    unsigned char lead = at(i);
    if (lead < 0x80) {
      out += char(lead);
      ++i;
      continue;
    }
    // The sequence's length and the range of its second byte (Unicode
    // table 3-7: no overlong forms, surrogates or values past U+10FFFF).
    size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      low = lead == 0xE0 ? 0xA0 : 0x80;
      high = lead == 0xED ? 0x9F : 0xBF;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      low = lead == 0xF0 ? 0x90 : 0x80;
      high = lead == 0xF4 ? 0x8F : 0xBF;
    }
    size_t valid = length ? 1 : 0;
    if (valid && i + 1 < bytes.size() && at(i + 1) >= low && at(i + 1) <= high) {
      valid = 2;
      while (valid < length && i + valid < bytes.size() && (at(i + valid) & 0xC0) == 0x80)
        ++valid;
    }
    if (length && valid == length) {
      out.append(bytes.substr(i, length));
      i += length;
    } else {
      out += "\xEF\xBF\xBD";
      i += std::max<size_t>(valid, 1);
    }
  }
  return out;
}

namespace detail {

namespace {
struct ByteTables {
  std::array<uint32_t, 256> toCp{};
  std::array<int16_t, 512> toByte{};
  ByteTables() {
    toByte.fill(-1);
    auto printable = [](int b) {
      return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) ||
             (b >= 0xAE && b <= 0xFF);
    };
    uint32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      uint32_t cp = printable(b) ? static_cast<uint32_t>(b) : next++;
      toCp[b] = cp;
      toByte[cp] = static_cast<int16_t>(b);
    }
  }
};
const ByteTables &tables() {
  static const ByteTables t;
  return t;
}
} // namespace

const std::array<uint32_t, 256> &byteToCodePoint() { return tables().toCp; }

int byteForCodePoint(uint32_t cp) {
  return cp < 512 ? tables().toByte[cp] : -1;
}

void appendUtf8(std::string &out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

uint32_t decodeUtf8(std::string_view s, size_t i, size_t &len) {
  const auto *p = reinterpret_cast<const uint8_t *>(s.data()) + i;
  len = utf8SequenceLength(p[0]);
  if (len > s.size() - i)
    len = 1;
  switch (len) {
  case 1:
    return p[0];
  case 2:
    return ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu);
  case 3:
    return ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
  default:
    return ((p[0] & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) |
           ((p[2] & 0x3Fu) << 6) | (p[3] & 0x3Fu);
  }
}

bool isJsWhitespace(uint32_t cp) {
  switch (cp) {
  case 0x09:
  case 0x0A:
  case 0x0B:
  case 0x0C:
  case 0x0D:
  case 0x20:
  case 0xA0:
  case 0x1680:
  case 0x2028:
  case 0x2029:
  case 0x202F:
  case 0x205F:
  case 0x3000:
  case 0xFEFF:
    return true;
  default:
    return cp >= 0x2000 && cp <= 0x200A;
  }
}

std::string toByteLevel(std::string_view bytes) {
  const auto &t = byteToCodePoint();
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes)
    appendUtf8(out, t[static_cast<uint8_t>(c)]);
  return out;
}

bool fromByteLevel(std::string_view spelling, std::string &out) {
  out.clear();
  if (findInvalidUtf8(spelling) != std::string_view::npos)
    return false;
  for (size_t i = 0; i < spelling.size();) {
    size_t len;
    uint32_t cp = decodeUtf8(spelling, i, len);
    int b = byteForCodePoint(cp);
    if (b < 0)
      return false;
    out.push_back(static_cast<char>(b));
    i += len;
  }
  return true;
}

std::string quoteForMessage(std::string_view s, size_t maxBytes) {
  std::string out = "'";
  size_t n = s.size() < maxBytes ? s.size() : maxBytes;
  // Do not cut a UTF-8 sequence in half.
  while (n < s.size() && n > 0 && (static_cast<uint8_t>(s[n]) & 0xC0) == 0x80)
    --n;
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out += "'";
  if (n < s.size())
    out += "...";
  return out;
}

} // namespace detail
} // namespace sieve::io
