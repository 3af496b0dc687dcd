//===- tokenizer.cpp - Byte-level BPE tokenizer from tokenizer.json -------===//
//
// Loading validates everything up front (types, ids, merges, supported
// components) so that encode/decode can only fail on their own input.
//
//===----------------------------------------------------------------------===//

#include "sieve/io/tokenizer.h"

#include "bpe.h"
#include "pretokenizer.h"
#include "text_util.h"
#include "tokenizer_json.h"

#include "sieve/support/system.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <unordered_map>

namespace sieve::io {

using detail::Piece;
using nlohmann::json;

namespace {

constexpr uint8_t kUsed = 1, kAdded = 2, kSpecial = 4;

// The GPT-2 split ByteLevel applies when use_regex is true.
constexpr const char *kGpt2Pattern =
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+"
    "|\\s+(?!\\S)|\\s+";

// Pieces longer than this are rarely repeated; not worth caching.
constexpr size_t kMaxCachedPiece = 256;

// Merge scratch below this is never worth a look at the machine's memory.
constexpr uint64_t kScratchCheckBytes = uint64_t(64) << 20;

/// Leftmost-longest matching of added tokens (a byte trie).
class AddedTokenMatcher {
public:
  AddedTokenMatcher() {
    first_.fill(false);
    terminal_.push_back(-1);
  }

  void add(std::string_view s, int32_t index) {
    int32_t node = 0;
    for (char c : s) {
      uint64_t k = edgeKey(node, static_cast<uint8_t>(c));
      auto it = edges_.find(k);
      if (it == edges_.end()) {
        int32_t child = static_cast<int32_t>(terminal_.size());
        terminal_.push_back(-1);
        it = edges_.emplace(k, child).first;
      }
      node = it->second;
    }
    terminal_[node] = index;
    first_[static_cast<uint8_t>(s[0])] = true;
  }

  bool mayStartAt(uint8_t b) const { return first_[b]; }

  /// Index of the longest allowed added token at text[pos], or -1.
  int32_t match(std::string_view text, size_t pos, bool matchSpecial,
                const std::vector<AddedToken> &tokens, size_t &len) const {
    int32_t node = 0, best = -1;
    for (size_t i = pos; i < text.size(); ++i) {
      auto it = edges_.find(edgeKey(node, static_cast<uint8_t>(text[i])));
      if (it == edges_.end())
        break;
      node = it->second;
      int32_t t = terminal_[node];
      if (t >= 0 && (matchSpecial || !tokens[t].special)) {
        best = t;
        len = i + 1 - pos;
      }
    }
    return best;
  }

private:
  static uint64_t edgeKey(int32_t node, uint8_t b) {
    return (static_cast<uint64_t>(node) << 8) | b;
  }
  std::array<bool, 256> first_;
  std::vector<int32_t> terminal_;
  std::unordered_map<uint64_t, int32_t> edges_;
};

struct Section {
  size_t begin;
  size_t end;
  int32_t added; // index into addedTokens, -1 for text
};

// Per-thread buffers (PCRE2 match data and JIT stack, BPE heap, pieces),
// reused across calls so that short encodes (a chat turn) stay cheap.
struct EncodeScratch {
  detail::PreTokenizer::Scratch pre;
  detail::BpeModel::Scratch bpe;
  std::vector<Piece> pieces;
  std::vector<Section> sections;
};

EncodeScratch &threadScratch() {
  thread_local EncodeScratch scratch;
  return scratch;
}

std::string quoteForMsg(std::string_view s) {
  return detail::quoteForMessage(s);
}

std::string hexByte(uint8_t b) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "0x%02x", b);
  return buf;
}

} // namespace

namespace detail {
struct TokenizerImpl {
  std::unordered_map<std::string, int32_t> tokenIds; // vocab + added tokens
  std::vector<std::string_view> idTokens;            // keys of tokenIds
  std::vector<std::string> idBytes;
  std::vector<uint8_t> idFlags;
  std::vector<AddedToken> added;
  AddedTokenMatcher matcher;
  detail::PreTokenizer pre;
  detail::BpeModel bpe;

  void splitAdded(std::string_view text, bool matchSpecial,
                  std::vector<Section> &out) const;
  Status
  encodeText(std::string_view text, size_t baseOffset, EncodeScratch &scratch,
             std::vector<int32_t> &out,
             std::unordered_map<std::string_view, std::pair<uint32_t, uint32_t>>
                 &cache) const;
};
} // namespace detail

//===----------------------------------------------------------------------===//
// Loading
//===----------------------------------------------------------------------===//

namespace {

class Loader {
public:
  explicit Loader(const std::string &source) : source_(source) {}

  Status fail(const std::string &path, const std::string &what) const {
    return invalidArgument(source_ + ": " + path + ": " + what);
  }
  Status unsupported(const std::string &path, const std::string &what) const {
    return Status(StatusCode::kUnimplemented,
                  source_ + ": " + path + ": " + what);
  }

  /// Member `key` of object `obj`, or nullptr (absent or null).
  static const json *member(const json &obj, const char *key) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null())
      return nullptr;
    return &*it;
  }

  Status requireMember(const json &obj, const std::string &path,
                       const char *key, json::value_t type,
                       const json *&out) const {
    out = member(obj, key);
    std::string p = path.empty() ? key : path + "." + key;
    if (!out)
      return fail(p, "missing required field");
    if (out->type() != type &&
        !(type == json::value_t::number_integer && out->is_number_integer()))
      return fail(p, std::string("expected ") + typeName(type) + ", got " +
                         out->type_name());
    return Status::ok();
  }

  Status optionalBool(const json &obj, const std::string &path, const char *key,
                      bool &out) const {
    const json *v = member(obj, key);
    if (!v)
      return Status::ok();
    if (!v->is_boolean())
      return fail(path + "." + key,
                  std::string("expected boolean, got ") + v->type_name());
    out = v->get<bool>();
    return Status::ok();
  }

  Status optionalString(const json &obj, const std::string &path,
                        const char *key, std::string &out,
                        bool &present) const {
    present = false;
    const json *v = member(obj, key);
    if (!v)
      return Status::ok();
    if (!v->is_string())
      return fail(path + "." + key,
                  std::string("expected string, got ") + v->type_name());
    out = v->get<std::string>();
    present = true;
    return Status::ok();
  }

  Status id(const json &v, const std::string &path, int32_t &out) const {
    if (!v.is_number_integer())
      return fail(path, std::string("expected a token id (integer), got ") +
                            v.type_name());
    if (v.is_number_unsigned()
            ? v.get<uint64_t>() > static_cast<uint64_t>(detail::kMaxTokenId)
            : (v.get<int64_t>() < 0 || v.get<int64_t>() > detail::kMaxTokenId))
      return fail(path, "token id " + v.dump() + " is out of range (0.." +
                            std::to_string(detail::kMaxTokenId) + ")");
    out = static_cast<int32_t>(v.get<int64_t>());
    return Status::ok();
  }

  Status load(const detail::TokenizerJson &data, detail::TokenizerImpl &impl);

private:
  static const char *typeName(json::value_t t) {
    switch (t) {
    case json::value_t::object:
      return "object";
    case json::value_t::array:
      return "array";
    case json::value_t::string:
      return "string";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::number_integer:
      return "integer";
    default:
      return "value";
    }
  }

  Status loadModel(const json &model, const detail::TokenizerJson &data,
                   detail::TokenizerImpl &impl, int32_t &maxId);
  Status loadPreTokenizer(const json &pt, const std::string &path,
                          detail::TokenizerImpl &impl, bool &sawByteLevel);

  const std::string &source_;
};

Status Loader::loadModel(const json &model, const detail::TokenizerJson &data,
                         detail::TokenizerImpl &impl, int32_t &maxId) {
  std::string type;
  bool hasType;
  // An explicit null is not "absent": no tokenizers release writes one.
  if (auto t = model.find("type"); t != model.end() && !t->is_string())
    return fail("model.type", std::string("expected string, got ") + t->type_name());
  SIEVE_RETURN_IF_ERROR(optionalString(model, "model", "type", type, hasType));
  if (hasType && type != "BPE")
    return unsupported("model.type",
                       "model type '" + type + "' is not supported (only BPE)");
  bool byteFallback = false;
  SIEVE_RETURN_IF_ERROR(
      optionalBool(model, "model", "byte_fallback", byteFallback));
  if (byteFallback)
    return unsupported("model.byte_fallback",
                       "byte_fallback is not supported (byte-level BPE only)");
  if (const json *d = member(model, "dropout")) {
    if (!d->is_number())
      return fail("model.dropout",
                  std::string("expected number or null, got ") +
                      d->type_name());
    if (d->get<double>() != 0.0)
      return unsupported("model.dropout", "BPE dropout is not supported");
  }
  for (const char *key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    std::string value;
    bool present;
    SIEVE_RETURN_IF_ERROR(optionalString(model, "model", key, value, present));
    if (present && !value.empty())
      return unsupported(std::string("model.") + key,
                         "subword prefixes/suffixes are not supported");
  }
  SIEVE_RETURN_IF_ERROR(
      optionalBool(model, "model", "ignore_merges", impl.bpe.ignoreMerges));

  // The two tables were read into `data` by the SAX pass; the DOM holds
  // empty placeholders (or whatever mistyped value the file had).
  const json *vocabJson;
  SIEVE_RETURN_IF_ERROR(
      requireMember(model, "model", "vocab", json::value_t::object, vocabJson));
  auto &vocab = impl.tokenIds;
  vocab.reserve(data.vocab.size() + 1024);
  for (const auto &[spelling, tokenId] : data.vocab) {
    vocab[spelling] =
        tokenId; // a repeated key keeps its last id, as JSON.parse
    if (tokenId > maxId)
      maxId = tokenId;
  }

  std::string unk;
  bool hasUnk;
  SIEVE_RETURN_IF_ERROR(
      optionalString(model, "model", "unk_token", unk, hasUnk));
  if (hasUnk) {
    auto it = vocab.find(unk);
    if (it == vocab.end())
      return fail("model.unk_token",
                  "unk_token " + quoteForMsg(unk) + " is not in model.vocab");
    impl.bpe.unkId = it->second;
  }

  const json *merges;
  SIEVE_RETURN_IF_ERROR(
      requireMember(model, "model", "merges", json::value_t::array, merges));
  impl.bpe.reserveMerges(data.merges.size());
  std::string joined;
  for (size_t rank = 0; rank < data.merges.size(); ++rank) {
    const auto &[left, right] = data.merges[rank];
    std::string path = "model.merges[" + std::to_string(rank) + "]";
    joined.assign(left).append(right);
    auto l = vocab.find(left), r = vocab.find(right), res = vocab.find(joined);
    if (l == vocab.end())
      return fail(path,
                  "token " + quoteForMsg(left) + " is not in model.vocab");
    if (r == vocab.end())
      return fail(path,
                  "token " + quoteForMsg(right) + " is not in model.vocab");
    if (res == vocab.end())
      return fail(path, "merged token " + quoteForMsg(joined) +
                            " is not in model.vocab");
    impl.bpe.addMerge(l->second, r->second, static_cast<uint32_t>(rank),
                      res->second);
  }
  impl.bpe.finalizeMerges();
  return Status::ok();
}

Status Loader::loadPreTokenizer(const json &pt, const std::string &path,
                                detail::TokenizerImpl &impl,
                                bool &sawByteLevel) {
  if (!pt.is_object())
    return fail(path, std::string("expected object, got ") + pt.type_name());
  const json *typeJson;
  SIEVE_RETURN_IF_ERROR(
      requireMember(pt, path, "type", json::value_t::string, typeJson));
  const std::string &type = typeJson->get_ref<const std::string &>();
  if (sawByteLevel)
    return unsupported(path, "pre-tokenizer '" + type +
                                 "' after ByteLevel is not supported "
                                 "(ByteLevel must come last)");
  if (type == "Sequence") {
    const json *list;
    SIEVE_RETURN_IF_ERROR(
        requireMember(pt, path, "pretokenizers", json::value_t::array, list));
    for (size_t i = 0; i < list->size(); ++i)
      SIEVE_RETURN_IF_ERROR(loadPreTokenizer(
          (*list)[i], path + ".pretokenizers[" + std::to_string(i) + "]", impl,
          sawByteLevel));
    return Status::ok();
  }
  if (type == "Split") {
    const json *pattern;
    SIEVE_RETURN_IF_ERROR(
        requireMember(pt, path, "pattern", json::value_t::object, pattern));
    bool literal;
    std::string text;
    std::string ppath = path + ".pattern";
    if (const json *re = member(*pattern, "Regex")) {
      if (!re->is_string())
        return fail(ppath + ".Regex",
                    std::string("expected string, got ") + re->type_name());
      literal = false;
      text = re->get<std::string>();
      ppath += ".Regex";
    } else if (const json *str = member(*pattern, "String")) {
      if (!str->is_string())
        return fail(ppath + ".String",
                    std::string("expected string, got ") + str->type_name());
      literal = true;
      text = str->get<std::string>();
      ppath += ".String";
    } else {
      return fail(ppath, "expected a \"Regex\" or \"String\" member");
    }
    const json *behaviorJson;
    SIEVE_RETURN_IF_ERROR(requireMember(pt, path, "behavior",
                                        json::value_t::string, behaviorJson));
    detail::SplitBehavior behavior;
    if (!detail::parseSplitBehavior(behaviorJson->get<std::string>(), behavior))
      return fail(path + ".behavior",
                  "unknown split behavior " +
                      quoteForMsg(behaviorJson->get<std::string>()));
    bool invert = false;
    SIEVE_RETURN_IF_ERROR(optionalBool(pt, path, "invert", invert));
    if (invert)
      return unsupported(path + ".invert", "inverted splits are not supported");
    Status st = impl.pre.addStep(text, literal, behavior);
    if (!st.isOk())
      return fail(ppath, st.message());
    return Status::ok();
  }
  if (type == "ByteLevel") {
    bool prefixSpace = false, useRegex = true;
    SIEVE_RETURN_IF_ERROR(
        optionalBool(pt, path, "add_prefix_space", prefixSpace));
    SIEVE_RETURN_IF_ERROR(optionalBool(pt, path, "use_regex", useRegex));
    if (prefixSpace)
      return unsupported(path + ".add_prefix_space",
                         "add_prefix_space=true is not supported");
    if (useRegex) {
      Status st = impl.pre.addStep(kGpt2Pattern, false,
                                   detail::SplitBehavior::kIsolated);
      if (!st.isOk())
        return Status(StatusCode::kInternal, st.message());
    }
    sawByteLevel = true;
    return Status::ok();
  }
  return unsupported(path + ".type",
                     "pre-tokenizer type '" + type +
                         "' is not supported (Sequence, Split, ByteLevel)");
}

Status Loader::load(const detail::TokenizerJson &data,
                    detail::TokenizerImpl &impl) {
  const json &root = data.root;
  if (!root.is_object())
    return invalidArgument(source_ + ": expected a JSON object at the top " +
                           "level, got " + root.type_name());
  const json *model;
  SIEVE_RETURN_IF_ERROR(
      requireMember(root, "", "model", json::value_t::object, model));
  int32_t maxId = -1;
  SIEVE_RETURN_IF_ERROR(loadModel(*model, data, impl, maxId));
  auto &vocab = impl.tokenIds; // model vocab only, until added tokens join

  // Added tokens (optional: older files may have none).
  if (const json *addedJson = member(root, "added_tokens")) {
    if (!addedJson->is_array())
      return fail("added_tokens",
                  std::string("expected array, got ") + addedJson->type_name());
    std::unordered_map<std::string, size_t> seen;
    for (size_t i = 0; i < addedJson->size(); ++i) {
      const json &t = (*addedJson)[i];
      std::string path = "added_tokens[" + std::to_string(i) + "]";
      if (!t.is_object())
        return fail(path, std::string("expected object, got ") + t.type_name());
      AddedToken token;
      const json *idJson, *content;
      SIEVE_RETURN_IF_ERROR(
          requireMember(t, path, "id", json::value_t::number_integer, idJson));
      SIEVE_RETURN_IF_ERROR(id(*idJson, path + ".id", token.id));
      SIEVE_RETURN_IF_ERROR(
          requireMember(t, path, "content", json::value_t::string, content));
      token.content = content->get<std::string>();
      if (token.content.empty())
        return fail(path + ".content", "empty added token");
      SIEVE_RETURN_IF_ERROR(optionalBool(t, path, "special", token.special));
      SIEVE_RETURN_IF_ERROR(optionalBool(t, path, "lstrip", token.lstrip));
      SIEVE_RETURN_IF_ERROR(optionalBool(t, path, "rstrip", token.rstrip));
      if (!seen.emplace(token.content, i).second)
        return fail(path + ".content",
                    "duplicate added token " + quoteForMsg(token.content));
      auto v = vocab.find(token.content);
      if (v != vocab.end() && v->second != token.id)
        return fail(path, "added token " + quoteForMsg(token.content) +
                              " has id " + std::to_string(token.id) +
                              " but model.vocab gives it id " +
                              std::to_string(v->second));
      if (token.id > maxId)
        maxId = token.id;
      impl.added.push_back(std::move(token));
    }
  }

  // Id tables: every id names one token.
  size_t size = static_cast<size_t>(maxId + 1);
  impl.idTokens.assign(size, std::string_view());
  impl.idBytes.assign(size, std::string());
  impl.idFlags.assign(size, 0);
  for (const auto &[spelling, tokenId] : vocab) {
    if (impl.idFlags[tokenId] & kUsed)
      return fail("model.vocab", "id " + std::to_string(tokenId) +
                                     " is used by both " +
                                     quoteForMsg(impl.idTokens[tokenId]) +
                                     " and " + quoteForMsg(spelling));
    impl.idFlags[tokenId] = kUsed;
    impl.idTokens[tokenId] = spelling;
    // Entries outside the byte alphabet (DeepSeek's BOS/EOS are in the vocab
    // too) decode to their own text.
    if (!detail::fromByteLevel(spelling, impl.idBytes[tokenId]))
      impl.idBytes[tokenId] = spelling;
  }
  for (size_t i = 0; i < impl.added.size(); ++i) {
    const AddedToken &t = impl.added[i];
    uint8_t &flags = impl.idFlags[t.id];
    if ((flags & kAdded) ||
        ((flags & kUsed) && impl.idTokens[t.id] != t.content))
      return fail("added_tokens[" + std::to_string(i) + "]",
                  "id " + std::to_string(t.id) + " of " +
                      quoteForMsg(t.content) + " is already used by " +
                      quoteForMsg(impl.idTokens[t.id]));
    flags = kUsed | kAdded | (t.special ? kSpecial : 0);
    auto inserted = impl.tokenIds.emplace(t.content, t.id).first;
    impl.idTokens[t.id] = inserted->first;
    impl.idBytes[t.id] = t.content;
    impl.matcher.add(t.content, static_cast<int32_t>(i));
  }

  // Byte tokens, looked up once so BPE never touches strings.
  const auto &cps = detail::byteToCodePoint();
  for (int b = 0; b < 256; ++b) {
    std::string s;
    detail::appendUtf8(s, cps[b]);
    auto it = vocab.find(s);
    impl.bpe.byteIds[b] = it == vocab.end() ? -1 : it->second;
  }
  if (impl.bpe.ignoreMerges)
    for (const auto &[spelling, tokenId] : vocab)
      if (!(impl.idFlags[tokenId] & kAdded))
        impl.bpe.bytesToId.emplace(impl.idBytes[tokenId], tokenId);

  // Normalizer: none, or an empty Sequence (DeepSeek's).
  if (const json *norm = member(root, "normalizer")) {
    const json *type = norm->is_object() ? member(*norm, "type") : nullptr;
    const json *list =
        norm->is_object() ? member(*norm, "normalizers") : nullptr;
    bool emptySequence = type && type->is_string() &&
                         type->get<std::string>() == "Sequence" && list &&
                         list->is_array() && list->empty();
    if (!emptySequence)
      return unsupported("normalizer",
                         "normalizers are not supported (only null or an "
                         "empty Sequence), got " +
                             norm->dump().substr(0, 80));
  }

  const json *pre = member(root, "pre_tokenizer");
  if (!pre)
    return unsupported("pre_tokenizer",
                       "missing; a byte-level BPE needs a ByteLevel "
                       "pre-tokenizer");
  bool sawByteLevel = false;
  SIEVE_RETURN_IF_ERROR(
      loadPreTokenizer(*pre, "pre_tokenizer", impl, sawByteLevel));
  if (!sawByteLevel)
    return unsupported("pre_tokenizer",
                       "no ByteLevel pre-tokenizer; only byte-level BPE "
                       "tokenizers are supported");

  const json *decoder = member(root, "decoder");
  const json *decoderType =
      decoder && decoder->is_object() ? member(*decoder, "type") : nullptr;
  if (!decoderType || !decoderType->is_string() ||
      decoderType->get<std::string>() != "ByteLevel")
    return unsupported("decoder", "expected a ByteLevel decoder, got " +
                                      (decoder ? decoder->dump().substr(0, 80)
                                               : std::string("none")));
  // post_processor is ignored: encode() adds no BOS/EOS by design.
  return Status::ok();
}

} // namespace

Tokenizer::Tokenizer(std::unique_ptr<detail::TokenizerImpl> impl)
    : impl_(std::move(impl)) {}
Tokenizer::Tokenizer(Tokenizer &&) noexcept = default;
Tokenizer &Tokenizer::operator=(Tokenizer &&) noexcept = default;
Tokenizer::~Tokenizer() = default;

Expected<Tokenizer> Tokenizer::fromFile(const std::string &path) {
  auto text = readRegularFile(path, kMaxTokenizerFileBytes, "tokenizer file");
  if (!text)
    return text.takeStatus();
  return fromJson(*text, path);
}

Expected<Tokenizer> Tokenizer::fromJson(std::string_view text,
                                        const std::string &sourceName) {
  detail::TokenizerJson data;
  std::string error;
  try {
    if (!detail::parseTokenizerJson(text, data, error))
      return invalidArgument(sourceName + ": " + error);
  } catch (const std::exception &e) {
    return Status(StatusCode::kInternal, sourceName + ": " + e.what());
  }
  auto impl = std::make_unique<detail::TokenizerImpl>();
  try {
    Loader loader(sourceName);
    SIEVE_RETURN_IF_ERROR(loader.load(data, *impl));
  } catch (const std::exception &e) {
    // Only reachable through a nlohmann type error this loader failed to
    // rule out; report it rather than let it escape the runtime.
    return Status(StatusCode::kInternal, sourceName + ": " + e.what());
  }
  return Tokenizer(std::move(impl));
}

//===----------------------------------------------------------------------===//
// Encoding and decoding
//===----------------------------------------------------------------------===//

void detail::TokenizerImpl::splitAdded(std::string_view text, bool matchSpecial,
                                       std::vector<Section> &out) const {
  out.clear();
  size_t start = 0, i = 0;
  while (i < text.size()) {
    size_t len = 0;
    int32_t t = -1;
    if (matcher.mayStartAt(static_cast<uint8_t>(text[i])))
      t = matcher.match(text, i, matchSpecial, added, len);
    if (t < 0) {
      ++i;
      continue;
    }
    if (i > start)
      out.push_back(Section{start, i, -1});
    out.push_back(Section{i, i + len, t});
    i += len;
    start = i;
  }
  if (start < text.size())
    out.push_back(Section{start, text.size(), -1});

  // lstrip / rstrip eat the whitespace (JS trim()'s set) next to the token.
  for (size_t k = 0; k < out.size(); ++k) {
    if (out[k].added < 0)
      continue;
    const AddedToken &t = added[out[k].added];
    if (t.lstrip && k > 0 && out[k - 1].added < 0) {
      Section &s = out[k - 1];
      while (s.end > s.begin) {
        size_t b = s.end - 1;
        while (b > s.begin && (static_cast<uint8_t>(text[b]) & 0xC0) == 0x80)
          --b;
        size_t len;
        if (!detail::isJsWhitespace(detail::decodeUtf8(text, b, len)))
          break;
        s.end = b;
      }
    }
    if (t.rstrip && k + 1 < out.size() && out[k + 1].added < 0) {
      Section &s = out[k + 1];
      while (s.begin < s.end) {
        size_t len;
        if (!detail::isJsWhitespace(detail::decodeUtf8(text, s.begin, len)))
          break;
        s.begin += len;
      }
    }
  }
}

Status detail::TokenizerImpl::encodeText(
    std::string_view text, size_t baseOffset, EncodeScratch &scratch,
    std::vector<int32_t> &out,
    std::unordered_map<std::string_view, std::pair<uint32_t, uint32_t>> &cache)
    const {
  SIEVE_RETURN_IF_ERROR(pre.split(text, scratch.pre, scratch.pieces));
  // Merging needs scratch in proportion to the longest piece (a run of one
  // character is one piece); say so up front rather than fail mid-way.
  size_t longest = 0;
  for (const Piece &p : scratch.pieces)
    longest = std::max<size_t>(longest, p.length);
  uint64_t scratchBytes = detail::BpeModel::scratchBytesFor(longest);
  if (scratchBytes > kScratchCheckBytes)
    SIEVE_RETURN_IF_ERROR(checkMemoryAvailable(
        scratchBytes + text.size() * sizeof(int32_t),
        "encoding a piece of " + std::to_string(longest) + " bytes"));
  for (const Piece &p : scratch.pieces) {
    std::string_view piece = text.substr(p.offset, p.length);
    bool cacheable = piece.size() > 1 && piece.size() <= kMaxCachedPiece;
    if (cacheable) {
      auto it = cache.find(piece);
      if (it != cache.end()) {
        // The cached ids are an earlier stretch of `out` itself.
        size_t from = it->second.first, count = it->second.second;
        size_t at = out.size();
        out.resize(at + count);
        std::copy_n(out.data() + from, count, out.data() + at);
        continue;
      }
    }
    size_t before = out.size(), badByte = 0;
    Status st = bpe.encodePiece(reinterpret_cast<const uint8_t *>(piece.data()),
                                piece.size(), scratch.bpe, out, badByte);
    if (!st.isOk()) {
      size_t offset = baseOffset + p.offset + badByte;
      return invalidArgument("cannot encode byte " +
                             hexByte(static_cast<uint8_t>(piece[badByte])) +
                             " at offset " + std::to_string(offset) +
                             ": the vocab has no token for it and no "
                             "unk_token");
    }
    if (cacheable)
      cache.emplace(piece,
                    std::make_pair(static_cast<uint32_t>(before),
                                   static_cast<uint32_t>(out.size() - before)));
  }
  return Status::ok();
}

Expected<std::vector<int32_t>>
Tokenizer::encode(std::string_view text, const EncodeOptions &options) const {
  size_t bad = findInvalidUtf8(text);
  if (bad != std::string_view::npos)
    return invalidArgument("invalid UTF-8 at byte offset " +
                           std::to_string(bad) + " (byte " +
                           hexByte(static_cast<uint8_t>(text[bad])) + ")");
  if (text.size() >= UINT32_MAX)
    return outOfRange("text of " + std::to_string(text.size()) +
                      " bytes is too long to encode (limit 4 GiB)");
  EncodeScratch &scratch = threadScratch();
  const std::vector<Section> &sections = scratch.sections;
  impl_->splitAdded(text, options.matchSpecialTokens, scratch.sections);

  std::vector<int32_t> ids;
  ids.reserve(text.size() / 3 + 16);
  std::unordered_map<std::string_view, std::pair<uint32_t, uint32_t>> cache;
  for (const Section &s : sections) {
    if (s.added >= 0) {
      ids.push_back(impl_->added[s.added].id);
      continue;
    }
    if (s.end == s.begin)
      continue;
    SIEVE_RETURN_IF_ERROR(impl_->encodeText(
        text.substr(s.begin, s.end - s.begin), s.begin, scratch, ids, cache));
  }
  return ids;
}

Expected<std::vector<std::string>>
Tokenizer::preTokenize(std::string_view text,
                       const EncodeOptions &options) const {
  size_t bad = findInvalidUtf8(text);
  if (bad != std::string_view::npos)
    return invalidArgument("invalid UTF-8 at byte offset " +
                           std::to_string(bad));
  std::vector<Section> sections;
  impl_->splitAdded(text, options.matchSpecialTokens, sections);
  detail::PreTokenizer::Scratch scratch;
  std::vector<Piece> pieces;
  std::vector<std::string> out;
  for (const Section &s : sections) {
    std::string_view section = text.substr(s.begin, s.end - s.begin);
    if (s.added >= 0) {
      out.emplace_back(section);
      continue;
    }
    SIEVE_RETURN_IF_ERROR(impl_->pre.split(section, scratch, pieces));
    for (const Piece &p : pieces)
      out.emplace_back(section.substr(p.offset, p.length));
  }
  return out;
}

Expected<std::string> Tokenizer::decode(const int32_t *ids, size_t count,
                                        const DecodeOptions &options) const {
  std::string out;
  out.reserve(count * 4);
  const size_t size = impl_->idFlags.size();
  for (size_t i = 0; i < count; ++i) {
    int32_t id = ids[i];
    if (id < 0 || static_cast<size_t>(id) >= size ||
        !(impl_->idFlags[id] & kUsed))
      return outOfRange("token id " + std::to_string(id) + " at position " +
                        std::to_string(i) +
                        " is not in the vocabulary (ids 0.." +
                        std::to_string(size == 0 ? 0 : size - 1) + ")");
    if (options.skipSpecialTokens && (impl_->idFlags[id] & kSpecial))
      continue;
    out += impl_->idBytes[id];
  }
  return out;
}

int32_t Tokenizer::tokenToId(std::string_view token) const {
  auto it = impl_->tokenIds.find(std::string(token));
  return it == impl_->tokenIds.end() ? -1 : it->second;
}

std::string_view Tokenizer::idToToken(int32_t id) const {
  if (id < 0 || static_cast<size_t>(id) >= impl_->idTokens.size())
    return {};
  return impl_->idTokens[id];
}

std::string_view Tokenizer::idToBytes(int32_t id) const {
  if (id < 0 || static_cast<size_t>(id) >= impl_->idBytes.size())
    return {};
  return impl_->idBytes[id];
}

size_t Tokenizer::vocabSize() const { return impl_->idFlags.size(); }

const std::vector<AddedToken> &Tokenizer::addedTokens() const {
  return impl_->added;
}

bool Tokenizer::isSpecial(int32_t id) const {
  return id >= 0 && static_cast<size_t>(id) < impl_->idFlags.size() &&
         (impl_->idFlags[id] & kSpecial);
}

} // namespace sieve::io
