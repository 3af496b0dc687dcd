//===- tokenizer_json.cpp - Reading tokenizer.json quickly ----------------===//

#include "tokenizer_json.h"

#include "text_util.h"

#include "json_util.h"

namespace sieve::io::detail {

namespace {

using json = nlohmann::json;

/// SAX consumer: DOM for the small parts, arrays for the two big tables.
class Reader {
public:
  Reader(TokenizerJson &out, std::string &error) : out_(out), error_(error) {}

  bool null() { return scalar(json(), "null"); }
  bool boolean(bool v) { return scalar(json(v), "boolean"); }
  bool number_integer(json::number_integer_t v) {
    if (mode_ == Mode::kVocab)
      return vocabId(v >= 0 && v <= kMaxTokenId, v, std::to_string(v));
    return scalar(json(v), "number");
  }
  bool number_unsigned(json::number_unsigned_t v) {
    if (mode_ == Mode::kVocab)
      return vocabId(v <= static_cast<uint64_t>(kMaxTokenId),
                     static_cast<int64_t>(v), std::to_string(v));
    return scalar(json(v), "number");
  }
  bool number_float(json::number_float_t v, const std::string &) {
    return scalar(json(v), "number");
  }
  bool binary(json::binary_t &) { return scalar(json(), "binary"); }

  bool string(std::string &s) {
    switch (mode_) {
    case Mode::kMerges: {
      // The pre-0.20 form "left right": exactly one separating space.
      size_t sp = s.find(' ');
      if (sp == std::string::npos || sp == 0 || sp + 1 == s.size() ||
          s.find(' ', sp + 1) != std::string::npos)
        return fail(mergePath(), "expected \"left right\" (two tokens "
                                 "separated by one space), got " +
                                     quoteForMessage(s));
      out_.merges.emplace_back(s.substr(0, sp), s.substr(sp + 1));
      return true;
    }
    case Mode::kMergePair:
      if (pairCount_ == 0)
        pair_.first = std::move(s);
      else if (pairCount_ == 1)
        pair_.second = std::move(s);
      ++pairCount_;
      return true;
    default:
      return scalar(json(std::move(s)), "string");
    }
  }

  bool start_object(std::size_t) {
    if (mode_ != Mode::kDom)
      return tableTypeError("object");
    if (stack_.size() >= kMaxJsonDepth)
      return tooDeep();
    if (atModelMember("vocab")) {
      out_.hasVocab = true;
      mode_ = Mode::kVocab;
      return place(json::object());
    }
    if (!place(json::object()))
      return false;
    open();
    return true;
  }

  bool key(std::string &k) {
    if (mode_ == Mode::kVocab) {
      vocabKey_ = std::move(k);
      return true;
    }
    json &top = *stack_.back();
    // A repeated key would silently replace the first value (a second
    // "pre_tokenizer", say); model.vocab keeps JSON.parse's last-wins.
    if (top.contains(k))
      return fail(domPath(/*withCurrentKey=*/false), "duplicate key " + quoteForMessage(k));
    keys_.back() = k;
    element_ = &top[std::move(k)];
    return true;
  }

  bool end_object() {
    if (mode_ == Mode::kVocab) {
      mode_ = Mode::kDom;
      return true;
    }
    close();
    return true;
  }

  bool start_array(std::size_t) {
    if (mode_ == Mode::kMerges) {
      mode_ = Mode::kMergePair;
      pairCount_ = 0;
      return true;
    }
    if (mode_ != Mode::kDom)
      return tableTypeError("array");
    if (stack_.size() >= kMaxJsonDepth)
      return tooDeep();
    if (atModelMember("merges")) {
      out_.hasMerges = true;
      mode_ = Mode::kMerges;
      return place(json::array());
    }
    if (!place(json::array()))
      return false;
    open();
    return true;
  }

  bool end_array() {
    switch (mode_) {
    case Mode::kMerges:
      mode_ = Mode::kDom;
      return true;
    case Mode::kMergePair:
      if (pairCount_ != 2)
        return fail(mergePath(), "expected a string \"left right\" or a "
                                 "pair of strings, got an array of " +
                                     std::to_string(pairCount_));
      out_.merges.push_back(std::move(pair_));
      mode_ = Mode::kMerges;
      return true;
    default:
      close();
      return true;
    }
  }

  bool parse_error(std::size_t position, const std::string &,
                   const nlohmann::detail::exception &e) {
    // "[json.exception.parse_error.101] parse error at line 3, column 5: ..."
    std::string what = e.what();
    size_t close = what.find("] ");
    if (close != std::string::npos)
      what = what.substr(close + 2);
    error_ = "malformed JSON (byte " + std::to_string(position) + "): " + what;
    return false;
  }

private:
  enum class Mode { kDom, kVocab, kMerges, kMergePair };

  bool fail(const std::string &path, const std::string &what) {
    error_ = path + ": " + what;
    return false;
  }

  bool tooDeep() {
    return fail(domPath(/*withCurrentKey=*/true),
                "nesting deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  }

  /// "pre_tokenizer.pretokenizers": the keys leading to the innermost open
  /// container, and with `withCurrentKey` the member being read in it
  /// (array positions are not tracked; the keys locate the problem).
  std::string domPath(bool withCurrentKey) const {
    std::string path;
    size_t n = keys_.size() - (withCurrentKey || keys_.empty() ? 0 : 1);
    for (size_t i = 0; i < n; ++i)
      if (!keys_[i].empty())
        path += (path.empty() ? "" : ".") + keys_[i];
    return path.empty() ? "(top level)" : path;
  }

  std::string mergePath() const {
    return "model.merges[" + std::to_string(out_.merges.size()) + "]";
  }

  bool vocabId(bool inRange, int64_t v, const std::string &text) {
    std::string path = "model.vocab[" + quoteForMessage(vocabKey_) + "]";
    if (!inRange)
      return fail(path, "token id " + text + " is out of range (0.." +
                            std::to_string(kMaxTokenId) + ")");
    out_.vocab.emplace_back(std::move(vocabKey_), static_cast<int32_t>(v));
    return true;
  }

  bool tableTypeError(const char *type) {
    if (mode_ == Mode::kVocab)
      return fail("model.vocab[" + quoteForMessage(vocabKey_) + "]",
                  std::string("expected a token id (integer), got ") + type);
    return fail(mergePath(),
                std::string("expected a string \"left right\" or a pair of "
                            "strings, got ") +
                    type);
  }

  bool scalar(json v, const char *type) {
    if (mode_ != Mode::kDom)
      return tableTypeError(type);
    return place(std::move(v));
  }

  // True when the container about to open is root.model.<name>.
  bool atModelMember(const char *name) const {
    return stack_.size() == 2 && keys_[0] == "model" &&
           stack_[1]->is_object() && keys_[1] == name;
  }

  // Stores a value where the DOM expects the next one.
  bool place(json v) {
    if (stack_.empty()) {
      out_.root = std::move(v);
      last_ = &out_.root;
      return true;
    }
    json &top = *stack_.back();
    if (top.is_array()) {
      top.push_back(std::move(v));
      last_ = &top.back();
    } else {
      *element_ = std::move(v);
      last_ = element_;
    }
    return true;
  }
  // Makes the value just placed the current container.
  void open() {
    stack_.push_back(last_);
    keys_.emplace_back();
  }
  void close() {
    stack_.pop_back();
    keys_.pop_back();
  }

  TokenizerJson &out_;
  std::string &error_;
  Mode mode_ = Mode::kDom;
  std::vector<json *> stack_;
  std::vector<std::string> keys_; // current key of each open object
  json *element_ = nullptr;       // slot of the current object key
  json *last_ = nullptr;
  std::string vocabKey_;
  std::pair<std::string, std::string> pair_;
  int pairCount_ = 0;
};

} // namespace

bool parseTokenizerJson(std::string_view text, TokenizerJson &out,
                        std::string &error) {
  if (Status s = checkJsonText(text, "tokenizer.json"); !s.isOk()) {
    // checkJsonText prefixes its "what"; callers prefix the file name.
    error = s.message().substr(std::string("tokenizer.json: ").size());
    return false;
  }
  Reader reader(out, error);
  bool ok = json::sax_parse(text.begin(), text.end(), &reader);
  if (!ok && error.empty())
    error = "malformed JSON";
  return ok;
}

} // namespace sieve::io::detail
