//===- json_util.cpp - Strict JSON parsing for model I/O -----------------===//

#include "json_util.h"

#include <algorithm>
#include <unordered_map>
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

Status checkJsonText(std::string_view text, const std::string &what,
                     JsonErrorPlace *place) {
  auto failAt = [&](size_t offset, const std::string &message) {
    if (place)
      place->offset = offset;
    return invalidArgument(what + ": " + message);
  };
  size_t bad = 0;
  if (!isValidUtf8(text, bad))
    return failAt(bad, "invalid UTF-8 at byte " + std::to_string(bad));
  if (size_t nul = text.find('\0'); nul != std::string_view::npos)
    return failAt(nul, "NUL byte at offset " + std::to_string(nul) +
                           " (JSON text cannot contain one)");
  if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0)
    return failAt(0, "starts with a UTF-8 byte-order mark (not allowed in JSON input)");
  return Status::ok();
}

namespace {

/// Where a key's value goes in an object under construction, for the two
/// object kinds: std::map (one lookup) and ordered_map (a vector, whose own
/// lookups are linear, so keys are indexed on the side).
struct KeyIndex {
  std::unordered_map<std::string, size_t> positions; // ordered objects only
};

nlohmann::json *slotFor(nlohmann::json &object, std::string &key, KeyIndex &,
                        bool &existed) {
  auto &map = object.get_ref<nlohmann::json::object_t &>();
  auto [it, inserted] = map.try_emplace(key);
  existed = !inserted;
  return &it->second;
}

nlohmann::ordered_json *slotFor(nlohmann::ordered_json &object, std::string &key,
                                KeyIndex &index, bool &existed) {
  // ordered_map is a std::vector of pairs; appending through the vector
  // skips ordered_map's linear search for the key.
  using Pairs = std::vector<nlohmann::ordered_json::object_t::value_type>;
  Pairs &pairs = object.get_ref<nlohmann::ordered_json::object_t &>();
  auto [it, inserted] = index.positions.try_emplace(key, pairs.size());
  existed = !inserted;
  if (existed)
    return &pairs.at(it->second).second;
  pairs.emplace_back(key, nullptr);
  return &pairs.back().second;
}

/// Builds the DOM from SAX events: duplicate keys are found by one lookup
/// per key (nlohmann's callback parser instead rescans the parent at every
/// closing brace, which is quadratic), and nesting deeper than the limit
/// stops the parse before it costs anything.
template <typename Json> class StrictDomBuilder {
public:
  StrictDomBuilder(Json &root, const JsonParseOptions &options, JsonErrorPlace &place)
      : root_(root), options_(options), place_(place) {}

  bool null() { return place(Json()); }
  bool boolean(bool v) { return place(Json(v)); }
  bool number_integer(typename Json::number_integer_t v) { return place(Json(v)); }
  bool number_unsigned(typename Json::number_unsigned_t v) { return place(Json(v)); }
  bool number_float(typename Json::number_float_t v, const std::string &) {
    return place(Json(v));
  }
  bool string(std::string &v) { return place(Json(std::move(v))); }
  bool binary(typename Json::binary_t &) { return fail("binary values are not JSON"); }

  bool start_object(std::size_t) { return open(Json::object()); }
  bool start_array(std::size_t) { return open(Json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(std::string &k) {
    Frame &frame = stack_.back();
    bool existed = false;
    slot_ = slotFor(*frame.value, k, frame.keys, existed);
    if (existed && options_.duplicateKeys == DuplicateKeys::kReject) {
      for (const Frame &f : stack_)
        if (!f.name.empty())
          place_.keyPath += f.name + ".";
      place_.keyPath += k;
      return fail("duplicate key '" + printable(k) + "'" +
                  (frame.name.empty() ? std::string() : " in '" + printable(frame.name) + "'"));
    }
    key_ = std::move(k);
    return true;
  }

  bool parse_error(std::size_t position, const std::string &,
                   const nlohmann::detail::exception &e) {
    // nlohmann counts the byte it stopped at; point at that byte.
    place_.offset = position > 0 ? position - 1 : 0;
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
    Json *value;
    std::string name; // the key this container is the value of
    KeyIndex keys;
  };

  bool fail(std::string message) {
    if (error_.empty())
      error_ = std::move(message);
    return false;
  }

  Json *place(Json v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    Json &top = *stack_.back().value;
    if (top.is_array()) {
      top.push_back(std::move(v));
      return &top.back();
    }
    *slot_ = std::move(v);
    return slot_;
  }

  bool open(Json container) {
    if (stack_.size() >= options_.maxDepth)
      return fail("nesting deeper than " + std::to_string(options_.maxDepth) + " levels");
    std::string name =
        !stack_.empty() && stack_.back().value->is_object() ? key_ : std::string();
    Json *slot = place(std::move(container));
    stack_.push_back({slot, std::move(name), {}});
    return true;
  }

  bool close() {
    stack_.pop_back();
    return true;
  }

  Json &root_;
  const JsonParseOptions &options_;
  JsonErrorPlace &place_;
  std::vector<Frame> stack_;
  Json *slot_ = nullptr; // the member the last key named
  std::string key_;
  std::string error_;
};

template <typename Json>
Expected<Json> parseWithBuilder(std::string_view text, const std::string &what,
                                const JsonParseOptions &options, JsonErrorPlace *place) {
  JsonErrorPlace ignored;
  JsonErrorPlace &where = place ? *place : ignored;
  SIEVE_RETURN_IF_ERROR(checkJsonText(text, what, &where));
  Json result;
  StrictDomBuilder<Json> builder(result, options, where);
  bool ok = false;
  try {
    ok = Json::sax_parse(text.begin(), text.end(), &builder);
  } catch (const nlohmann::json::exception &e) {
    return invalidArgument(what + ": invalid JSON: " + printable(e.what(), 300));
  }
  if (!ok)
    return invalidArgument(what + ": " +
                           (builder.error().empty() ? "invalid JSON" : builder.error()));
  return result;
}

} // namespace

Expected<nlohmann::json> parseJsonStrict(std::string_view text, const std::string &what,
                                         const JsonParseOptions &options,
                                         JsonErrorPlace *place) {
  return parseWithBuilder<nlohmann::json>(text, what, options, place);
}

Expected<nlohmann::ordered_json> parseOrderedJsonStrict(std::string_view text,
                                                        const std::string &what,
                                                        const JsonParseOptions &options) {
  return parseWithBuilder<nlohmann::ordered_json>(text, what, options, nullptr);
}

std::unordered_map<std::string, size_t> indexJsonKeys(std::string_view text) {
  struct Container {
    bool object;
    bool expectKey;
    std::string path; // dotted path of this container ("" at the top)
    std::string key;  // the last key read in it
  };
  std::unordered_map<std::string, size_t> offsets;
  std::vector<Container> stack;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '{' || c == '[') {
      std::string path;
      if (!stack.empty())
        path = stack.back().object ? (stack.back().path.empty() ? "" : stack.back().path + ".") +
                                         stack.back().key
                                   : stack.back().path;
      stack.push_back({c == '{', c == '{', std::move(path), {}});
    } else if (c == '}' || c == ']') {
      if (!stack.empty())
        stack.pop_back();
    } else if (c == ',') {
      if (!stack.empty() && stack.back().object)
        stack.back().expectKey = true;
    } else if (c == '"') {
      size_t start = i++;
      while (i < text.size() && text[i] != '"')
        i += text[i] == '\\' ? 2 : 1;
      if (!stack.empty() && stack.back().object && stack.back().expectKey) {
        Container &top = stack.back();
        top.key = std::string(text.substr(start + 1, std::min(i, text.size()) - start - 1));
        top.expectKey = false;
        offsets.try_emplace(top.path.empty() ? top.key : top.path + "." + top.key, start);
      }
    }
  }
  return offsets;
}

void lineAndColumn(std::string_view text, size_t offset, int64_t &line, int64_t &column) {
  line = 1;
  column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
}

} // namespace sieve::io::detail
