//===- pretokenizer.cpp - Regex splitting before BPE ----------------------===//

#include "pretokenizer.h"

#include "text_util.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <cstdint>

namespace sieve::io::detail {

namespace {
// Regex steps allowed per match attempt: a floor (PCRE2's default limit)
// plus a budget per byte of the piece being split.
constexpr uint64_t kMatchStepsFloor = 10'000'000;
constexpr uint64_t kMatchStepsPerByte = 64;
} // namespace

bool parseSplitBehavior(std::string_view name, SplitBehavior &out) {
  // tokenizers writes these in PascalCase; the JS port lower-cases them.
  std::string lower;
  for (char c : name)
    lower.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a')
                                         : c);
  if (lower == "isolated")
    out = SplitBehavior::kIsolated;
  else if (lower == "removed")
    out = SplitBehavior::kRemoved;
  else if (lower == "mergedwithprevious")
    out = SplitBehavior::kMergedWithPrevious;
  else if (lower == "mergedwithnext")
    out = SplitBehavior::kMergedWithNext;
  else if (lower == "contiguous")
    out = SplitBehavior::kContiguous;
  else
    return false;
  return true;
}

std::string translateWhitespaceClasses(std::string_view pattern) {
  // ECMAScript WhiteSpace (TAB VT FF SP NBSP ZWNBSP + Zs) and LineTerminator.
  static constexpr std::string_view kSet =
      "\\t\\n\\x{0B}\\f\\r\\x{FEFF}\\x{2028}\\x{2029}\\p{Zs}";
  std::string out;
  out.reserve(pattern.size() + 64);
  bool inClass = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      char e = pattern[i + 1];
      if (e == 's') {
        if (inClass) {
          out += kSet;
        } else {
          out += '[';
          out += kSet;
          out += ']';
        }
      } else if (e == 'S' && !inClass) {
        out += "[^";
        out += kSet;
        out += ']';
      } else {
        out += c;
        out += e;
      }
      ++i;
      continue;
    }
    if (!inClass && c == '[') {
      inClass = true;
      out += c;
      // A ']' right after '[' or '[^' is a literal, not the end of the class.
      if (i + 1 < pattern.size() && pattern[i + 1] == '^') {
        out += '^';
        ++i;
      }
      if (i + 1 < pattern.size() && pattern[i + 1] == ']') {
        out += ']';
        ++i;
      }
      continue;
    }
    if (inClass && c == ']')
      inClass = false;
    out += c;
  }
  return out;
}

struct PreTokenizer::Step {
  pcre2_code *code = nullptr;
  bool jit = false;
  SplitBehavior behavior = SplitBehavior::kIsolated;
  ~Step() {
    if (code)
      pcre2_code_free(code);
  }
};

struct Segment {
  uint32_t begin;
  uint32_t end;
  bool isMatch;
};

struct PreTokenizer::Scratch::State {
  pcre2_match_data *matchData = nullptr;
  pcre2_match_context *matchContext = nullptr;
  pcre2_jit_stack *jitStack = nullptr;
  std::vector<Piece> next;
  std::vector<Segment> segments;
  std::vector<Segment> merged;
  State() {
    // One pair is enough: only the whole match is used (rc 0 then means
    // "matched, captures not stored").
    matchData = pcre2_match_data_create(1, nullptr);
    matchContext = pcre2_match_context_create(nullptr);
    // Long whitespace runs need more than the default 32 KiB JIT stack.
    jitStack = pcre2_jit_stack_create(32 * 1024, 64 * 1024 * 1024, nullptr);
    if (matchContext && jitStack)
      pcre2_jit_stack_assign(matchContext, nullptr, jitStack);
  }
  ~State() {
    pcre2_jit_stack_free(jitStack);
    pcre2_match_context_free(matchContext);
    pcre2_match_data_free(matchData);
  }
};

PreTokenizer::Scratch::Scratch() : state_(std::make_unique<State>()) {}
PreTokenizer::Scratch::~Scratch() = default;

PreTokenizer::PreTokenizer() = default;
PreTokenizer::PreTokenizer(PreTokenizer &&) noexcept = default;
PreTokenizer &PreTokenizer::operator=(PreTokenizer &&) noexcept = default;
PreTokenizer::~PreTokenizer() = default;

size_t PreTokenizer::numSteps() const { return steps_.size(); }

Status PreTokenizer::addStep(std::string_view pattern, bool literal,
                             SplitBehavior behavior) {
  std::string source =
      literal ? std::string(pattern) : translateWhitespaceClasses(pattern);
  // PCRE2_LITERAL allows UTF but not UCP (which would not matter anyway).
  uint32_t options = PCRE2_UTF | (literal ? PCRE2_LITERAL : PCRE2_UCP);
  int errorCode = 0;
  PCRE2_SIZE errorOffset = 0;
  pcre2_code *code =
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(source.data()), source.size(),
                    options, &errorCode, &errorOffset, nullptr);
  if (!code) {
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(errorCode, buf, sizeof(buf));
    return invalidArgument("invalid regex " + quoteForMessage(pattern, 80) +
                           ": " + reinterpret_cast<const char *>(buf) +
                           " (at offset " + std::to_string(errorOffset) +
                           " of the PCRE2 form)");
  }
  auto step = std::make_unique<Step>();
  step->code = code;
  step->behavior = behavior;
  // No JIT on this platform is not an error: the interpreter gives the same
  // matches, only slower.
  step->jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
  steps_.push_back(std::move(step));
  return Status::ok();
}

namespace {

// Applies a split behaviour to the segments of one piece (tokenizers'
// normalizer.rs split() semantics) and appends the resulting pieces.
void emitPieces(SplitBehavior behavior, uint32_t base,
                const std::vector<Segment> &segs, std::vector<Segment> &tmp,
                std::vector<Piece> &out) {
  auto push = [&](uint32_t b, uint32_t e) {
    if (e > b)
      out.push_back(Piece{base + b, e - b});
  };
  switch (behavior) {
  case SplitBehavior::kIsolated:
    for (const Segment &s : segs)
      push(s.begin, s.end);
    return;
  case SplitBehavior::kRemoved:
    for (const Segment &s : segs)
      if (!s.isMatch)
        push(s.begin, s.end);
    return;
  case SplitBehavior::kMergedWithPrevious: {
    tmp.clear();
    bool previousMatch = false;
    for (const Segment &s : segs) {
      if (s.isMatch && !previousMatch && !tmp.empty())
        tmp.back().end = s.end;
      else
        tmp.push_back(s);
      previousMatch = s.isMatch;
    }
    break;
  }
  case SplitBehavior::kMergedWithNext: {
    tmp.clear();
    bool previousMatch = false;
    for (size_t i = segs.size(); i-- > 0;) {
      const Segment &s = segs[i];
      if (s.isMatch && !previousMatch && !tmp.empty())
        tmp.back().begin = s.begin;
      else
        tmp.push_back(s);
      previousMatch = s.isMatch;
    }
    for (size_t i = tmp.size(); i-- > 0;)
      push(tmp[i].begin, tmp[i].end);
    return;
  }
  case SplitBehavior::kContiguous: {
    tmp.clear();
    bool previousMatch = false;
    for (const Segment &s : segs) {
      if (s.isMatch == previousMatch && !tmp.empty())
        tmp.back().end = s.end;
      else
        tmp.push_back(s);
      previousMatch = s.isMatch;
    }
    break;
  }
  }
  for (const Segment &s : tmp)
    push(s.begin, s.end);
}

} // namespace

Status PreTokenizer::split(std::string_view text, Scratch &scratch,
                           std::vector<Piece> &out) const {
  out.clear();
  if (text.empty())
    return Status::ok();
  if (text.size() > UINT32_MAX)
    return outOfRange("text of " + std::to_string(text.size()) +
                      " bytes is too long to pre-tokenize (limit 4 GiB)");
  Scratch::State &st = *scratch.state_;
  if (!st.matchData || !st.matchContext)
    return Status(StatusCode::kInternal, "PCRE2 could not allocate match data");
  out.push_back(Piece{0, static_cast<uint32_t>(text.size())});
  const auto *subjectBase = reinterpret_cast<PCRE2_SPTR>(text.data());
  PCRE2_SIZE *ovector = pcre2_get_ovector_pointer(st.matchData);

  for (const auto &step : steps_) {
    st.next.clear();
    for (const Piece &piece : out) {
      PCRE2_SPTR subject = subjectBase + piece.offset;
      const PCRE2_SIZE length = piece.length;
      // PCRE2's default match limit (10 million steps) is reached by a
      // single whitespace run of that many characters. Scale it with the
      // piece: the work stays linear in the input, and a pathological
      // pattern in a tokenizer.json still fails instead of running forever.
      pcre2_set_match_limit(st.matchContext,
                            uint32_t(std::min<uint64_t>(
                                UINT32_MAX, kMatchStepsFloor + kMatchStepsPerByte * length)));
      st.segments.clear();
      PCRE2_SIZE start = 0, prev = 0;
      while (start < length) {
        int rc = step->jit ? pcre2_jit_match(step->code, subject, length, start,
                                             0, st.matchData, st.matchContext)
                           : pcre2_match(step->code, subject, length, start,
                                         PCRE2_NO_UTF_CHECK, st.matchData,
                                         st.matchContext);
        if (rc == PCRE2_ERROR_NOMATCH)
          break;
        if (rc < 0) {
          PCRE2_UCHAR buf[256];
          pcre2_get_error_message(rc, buf, sizeof(buf));
          return Status(StatusCode::kInternal,
                        std::string("pre-tokenizer regex failed at byte ") +
                            std::to_string(piece.offset + start) + ": " +
                            reinterpret_cast<const char *>(buf));
        }
        PCRE2_SIZE ms = ovector[0], me = ovector[1];
        if (me == ms) {
          // Empty matches split nothing (as in the reference); step over
          // one character.
          start = ms + utf8SequenceLength(subject[ms]);
          continue;
        }
        if (ms > prev)
          st.segments.push_back(Segment{static_cast<uint32_t>(prev),
                                        static_cast<uint32_t>(ms), false});
        st.segments.push_back(Segment{static_cast<uint32_t>(ms),
                                      static_cast<uint32_t>(me), true});
        prev = start = me;
      }
      if (prev < length)
        st.segments.push_back(Segment{static_cast<uint32_t>(prev),
                                      static_cast<uint32_t>(length), false});
      emitPieces(step->behavior, piece.offset, st.segments, st.merged, st.next);
    }
    out.swap(st.next);
  }
  return Status::ok();
}

} // namespace sieve::io::detail
