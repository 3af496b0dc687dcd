//===- tokenizer.h - Byte-level BPE tokenizer from tokenizer.json -*- C++
//-*-===//
//
// DeepSeek's tokenizer: a Hugging Face tokenizer.json holding a byte-level BPE
// model (vocab + ranked merges), a pre-tokenizer (a Sequence of regex Splits
// ending in ByteLevel) and added tokens. Encoding:
//   1. added tokens are cut out first (leftmost, longest match);
//   2. each remaining section goes through the Split regexes (PCRE2, UTF+UCP,
//      JIT), each one applied to every piece the previous one produced;
//   3. every piece is BPE-merged over its bytes (lowest merge rank first,
//      leftmost on ties).
// Ids are identical to the reference JavaScript implementation
// (@lenml/tokenizers, a transformers.js fork); docs/tokenizer.md lists the
// supported tokenizer.json subset and the few documented edge differences.
//
// Text to encode must be valid UTF-8: invalid input is rejected with the byte
// offset of the first bad byte. decode() returns the exact bytes, so
// decode(encode(s)) == s for every valid UTF-8 string s.
//
// A Tokenizer is immutable after loading; encode/decode are const and safe to
// call from several threads at once.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "sieve/support/status.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sieve::io {

namespace detail {
struct TokenizerImpl; // tokenizer.cpp
}

/// A token matched verbatim in the text before pre-tokenization.
struct AddedToken {
  std::string content;
  int32_t id = -1;
  /// Special tokens (BOS, EOS, placeholders) can be left unmatched
  /// (EncodeOptions) or dropped when decoding (DecodeOptions).
  bool special = false;
  /// Strip whitespace to the left / right of the token when it matches.
  bool lstrip = false;
  bool rstrip = false;
};

struct EncodeOptions {
  /// When false, special added tokens in the text are encoded as plain text
  /// (use for untrusted user text). Non-special added tokens always match.
  bool matchSpecialTokens = true;
};

struct DecodeOptions {
  /// Drop special added tokens from the output.
  bool skipSpecialTokens = false;
};

/// Largest tokenizer.json accepted (DeepSeek's is 7.8 MB).
constexpr uint64_t kMaxTokenizerFileBytes = uint64_t(256) << 20;

class Tokenizer {
public:
  /// Loads a tokenizer.json file. Errors name the file and the JSON path of
  /// the offending field ("tokenizer.json: model.merges[12]: ...").
  static Expected<Tokenizer> fromFile(const std::string &path);
  /// Same, from JSON text; `sourceName` prefixes error messages.
  static Expected<Tokenizer> fromJson(std::string_view json,
                                      const std::string &sourceName);

  Tokenizer(Tokenizer &&) noexcept;
  Tokenizer &operator=(Tokenizer &&) noexcept;
  ~Tokenizer();

  /// Text -> ids. No BOS/EOS is added (the chat format writes them as text).
  Expected<std::vector<int32_t>>
  encode(std::string_view text, const EncodeOptions &options = {}) const;

  /// Ids -> bytes. Unknown ids are an error naming the id and its position.
  /// The result may end inside a UTF-8 sequence when the ids do (streaming).
  Expected<std::string> decode(const int32_t *ids, size_t count,
                               const DecodeOptions &options = {}) const;
  Expected<std::string> decode(const std::vector<int32_t> &ids,
                               const DecodeOptions &options = {}) const {
    return decode(ids.data(), ids.size(), options);
  }

  /// The pre-tokenized pieces of `text` (added tokens included as pieces), in
  /// order; they concatenate to `text` less any whitespace that lstrip/rstrip
  /// tokens removed. For tests and debugging.
  Expected<std::vector<std::string>>
  preTokenize(std::string_view text, const EncodeOptions &options = {}) const;

  /// Id of a vocab entry (in its byte-level spelling, e.g. "Ġthe") or of an
  /// added token; -1 if there is none.
  int32_t tokenToId(std::string_view token) const;
  /// The vocab / added-token spelling of an id; empty if the id is unused.
  std::string_view idToToken(int32_t id) const;
  /// The bytes an id decodes to; empty if the id is unused.
  std::string_view idToBytes(int32_t id) const;

  /// One past the largest id (the embedding table needs at least this).
  size_t vocabSize() const;
  const std::vector<AddedToken> &addedTokens() const;
  bool isSpecial(int32_t id) const;

private:
  explicit Tokenizer(std::unique_ptr<detail::TokenizerImpl> impl);
  std::unique_ptr<detail::TokenizerImpl> impl_;
};

/// Offset of the first byte that is not part of valid UTF-8 (overlong forms,
/// surrogates and code points past U+10FFFF are invalid), or npos if none.
size_t findInvalidUtf8(std::string_view text);

/// `bytes` as valid UTF-8: each maximal part of an ill-formed sequence
/// (Unicode's "substitution of maximal subparts", as Python's and the
/// WHATWG decoders do it) becomes one U+FFFD. A model may emit any bytes.
std::string replaceInvalidUtf8(std::string_view bytes);

/// The length of `bytes`' prefix that does not end inside a UTF-8 sequence
/// (when streaming, the rest waits for the next token's bytes).
size_t completeUtf8Prefix(std::string_view bytes);

} // namespace sieve::io
