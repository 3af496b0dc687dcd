//===- json_util.cpp - Strict JSON parsing for model I/O -----------------===//

#include "json_util.h"

#include <vector>

namespace sieve::io::detail {

bool isValidUtf8(std::string_view text, size_t &badOffset) {
  const auto *s = reinterpret_cast<const unsigned char *>(text.data());
  size_t n = text.size(), i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp, min;
    if ((c & 0xE0) == 0xC0) {
      len = 2, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, cp = c & 0x07, min = 0x10000;
    } else {
      badOffset = i;
      return false;
    }
    if (i + len > n) {
      badOffset = i;
      return false;
    }
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) {
        badOffset = i;
        return false;
      }
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      badOffset = i;
      return false;
    }
    i += len;
  }
  return true;
}

std::string printable(std::string_view text, size_t maxLen) {
  static const char *hex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < text.size() && i < maxLen; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7F) {
      out += char(c);
    } else {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0xF];
    }
  }
  if (text.size() > maxLen)
    out += "...";
  return out;
}

Status checkJsonText(std::string_view text, const std::string &what) {
  size_t bad = 0;
  if (!isValidUtf8(text, bad))
    return invalidArgument(what + ": invalid UTF-8 at byte " + std::to_string(bad));
  if (size_t nul = text.find('\0'); nul != std::string_view::npos)
    return invalidArgument(what + ": NUL byte at offset " + std::to_string(nul) +
                           " (JSON text cannot contain one)");
  if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0)
    return invalidArgument(what + ": starts with a UTF-8 byte-order mark (not "
                                  "allowed in JSON model files)");
  return Status::ok();
}

namespace {

/// Builds the DOM from SAX events: duplicate keys are found by one lookup in
/// the object being built (nlohmann's callback parser instead rescans the
/// parent at every closing brace, which is quadratic), and nesting deeper
/// than the limit stops the parse before it costs anything.
class StrictDomBuilder {
public:
  using json = nlohmann::json;
  StrictDomBuilder(json &root, size_t maxDepth) : root_(root), maxDepth_(maxDepth) {}

  bool null() { return place(json()); }
  bool boolean(bool v) { return place(json(v)); }
  bool number_integer(json::number_integer_t v) { return place(json(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return place(json(v)); }
  bool number_float(json::number_float_t v, const std::string &) {
    return place(json(v));
  }
  bool string(std::string &v) { return place(json(std::move(v))); }
  bool binary(json::binary_t &) { return fail("binary values are not JSON"); }

  bool start_object(std::size_t) { return open(json::object()); }
  bool start_array(std::size_t) { return open(json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(std::string &k) {
    json &object = *stack_.back().value;
    if (object.contains(k))
      return fail("duplicate key '" + printable(k) + "'" +
                  (stack_.back().name.empty()
                       ? std::string()
                       : " in '" + printable(stack_.back().name) + "'"));
    slot_ = &object[k];
    key_ = std::move(k);
    return true;
  }

  bool parse_error(std::size_t, const std::string &,
                   const nlohmann::detail::exception &e) {
    // "[json.exception.parse_error.101] parse error at line 3, column 5: ..."
    std::string what = e.what();
    size_t close = what.find("] ");
    if (close != std::string::npos)
      what = what.substr(close + 2);
    return fail("invalid JSON: " + printable(what, 300));
  }

  const std::string &error() const { return error_; }

private:
  struct Frame {
    json *value;
    std::string name; // the key this container is the value of
  };

  bool fail(std::string message) {
    if (error_.empty())
      error_ = std::move(message);
    return false;
  }

  json *place(json v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    json &top = *stack_.back().value;
    if (top.is_array()) {
      top.push_back(std::move(v));
      return &top.back();
    }
    *slot_ = std::move(v);
    return slot_;
  }

  bool open(json container) {
    if (stack_.size() >= maxDepth_)
      return fail("nesting deeper than " + std::to_string(maxDepth_) + " levels");
    std::string name = !stack_.empty() && stack_.back().value->is_object() ? key_
                                                                            : std::string();
    json *slot = place(std::move(container));
    stack_.push_back({slot, std::move(name)});
    return true;
  }

  bool close() {
    stack_.pop_back();
    return true;
  }

  json &root_;
  size_t maxDepth_;
  std::vector<Frame> stack_;
  json *slot_ = nullptr; // the member the last key created
  std::string key_;
  std::string error_;
};

} // namespace

Expected<nlohmann::json> parseJsonStrict(std::string_view text,
                                         const std::string &what, size_t maxDepth) {
  SIEVE_RETURN_IF_ERROR(checkJsonText(text, what));
  nlohmann::json result;
  StrictDomBuilder builder(result, maxDepth);
  bool ok = false;
  try {
    ok = nlohmann::json::sax_parse(text.begin(), text.end(), &builder);
  } catch (const nlohmann::json::exception &e) {
    return invalidArgument(what + ": invalid JSON: " + printable(e.what(), 300));
  }
  if (!ok)
    return invalidArgument(what + ": " +
                           (builder.error().empty() ? "invalid JSON" : builder.error()));
  return result;
}

} // namespace sieve::io::detail
