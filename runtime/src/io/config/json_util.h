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
#include <unordered_map>

namespace sieve::io::detail {

/// True when `text` is well-formed UTF-8 (no overlongs, surrogates or code
/// points past U+10FFFF); otherwise `badOffset` is the first bad byte.
bool isValidUtf8(std::string_view text, size_t &badOffset);

/// `text` with control and non-ASCII bytes as \xNN, cut to `maxLen` bytes.
std::string printable(std::string_view text, size_t maxLen = 80);

/// Deepest nesting of arrays and objects any model file needs (configs and
/// safetensors headers use 3 levels, tokenizer.json 6).
constexpr size_t kMaxJsonDepth = 64;

/// Where a parse failed, for callers that point at the problem in the file.
struct JsonErrorPlace {
  /// Byte offset of a syntax error, a NUL byte or invalid UTF-8; npos when
  /// the problem has no single byte (a repeated key, too deep a nesting).
  size_t offset = std::string_view::npos;
  /// Dotted path of a repeated key ("weight_map.layers.0.attn.wq_a.weight").
  std::string keyPath;
};

/// Ok, or why `text` cannot be JSON a model file holds: invalid UTF-8, a NUL
/// byte or a leading byte-order mark (messages prefixed by `what`).
Status checkJsonText(std::string_view text, const std::string &what,
                     JsonErrorPlace *place = nullptr);

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
                                         const JsonParseOptions &options = {},
                                         JsonErrorPlace *place = nullptr);

/// The same into an ordered_json (keys in input order), in linear time:
/// nlohmann's own parse of an ordered_json scans every object once per key.
Expected<nlohmann::ordered_json> parseOrderedJsonStrict(std::string_view text,
                                                        const std::string &what,
                                                        const JsonParseOptions &options = {});

/// Byte offset of the first occurrence of every object key of `text`, by
/// dotted path of object keys ("rope_scaling.factor"; arrays add nothing to
/// the path). `text` must be JSON that parsed; keys are matched as spelled.
std::unordered_map<std::string, size_t> indexJsonKeys(std::string_view text);

/// 1-based line and column (in bytes) of byte `offset` of `text`.
void lineAndColumn(std::string_view text, size_t offset, int64_t &line, int64_t &column);

} // namespace sieve::io::detail
