//===- json_util.h - Strict JSON parsing for model I/O ------------*- C++ -*-===//
//
// nlohmann::json with the checks model files need on top: UTF-8 validated
// before parsing (so messages never echo broken bytes), no NUL byte (nlohmann
// takes one as the end of input, which would hide what follows) and no byte
// order mark, nesting at most kMaxJsonDepth deep, and duplicate object keys
// rejected (nlohmann keeps the last one silently, which would let two
// safetensors entries or two config values hide each other). Every check is
// linear in the input.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "sieve/support/status.h"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace sieve::io::detail {

/// True when `text` is well-formed UTF-8 (no overlongs, surrogates or code
/// points past U+10FFFF); otherwise `badOffset` is the first bad byte.
bool isValidUtf8(std::string_view text, size_t &badOffset);

/// `text` with control and non-ASCII bytes as \xNN, cut to `maxLen` bytes.
std::string printable(std::string_view text, size_t maxLen = 80);

/// Deepest nesting of arrays and objects any model file needs (configs and
/// safetensors headers use 3 levels, tokenizer.json 6).
constexpr size_t kMaxJsonDepth = 64;

/// Ok, or why `text` cannot be JSON a model file holds: invalid UTF-8, a NUL
/// byte or a leading byte-order mark (messages prefixed by `what`).
Status checkJsonText(std::string_view text, const std::string &what);

/// What to do with a key an object already has.
enum class DuplicateKeys {
  kReject,  // an error naming the key (model files)
  kLastWins // the later value replaces the earlier one in place (Python's
            // json.loads, which the chat format's reference uses)
};

struct JsonParseOptions {
  size_t maxDepth = kMaxJsonDepth;
  DuplicateKeys duplicateKeys = DuplicateKeys::kReject;
};

/// Parses `text`; errors are invalid-argument messages prefixed by `what`
/// (e.g. "model.safetensors: header") that name the offending byte or key.
Expected<nlohmann::json> parseJsonStrict(std::string_view text, const std::string &what,
                                         const JsonParseOptions &options = {});

/// The same into an ordered_json (keys in input order), in linear time:
/// nlohmann's own parse of an ordered_json scans every object once per key.
Expected<nlohmann::ordered_json> parseOrderedJsonStrict(std::string_view text,
                                                        const std::string &what,
                                                        const JsonParseOptions &options = {});

} // namespace sieve::io::detail
