//===- tokenizer_test.cpp - Byte-level BPE on a hand-written tokenizer ----===//
//
// tiny_tokenizer.json has DeepSeek's exact pre-tokenizer and a 39-entry
// vocab; every expected id below was worked out by hand from its merge list
// (and agrees with the reference JavaScript tokenizer).
//
//===----------------------------------------------------------------------===//

#include "sieve/io/tokenizer.h"

#include "tiny_tokenizer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

using namespace sieve;
using namespace sieve::io;
using Ids = std::vector<int32_t>;
using Pieces = std::vector<std::string>;

namespace {

const std::string &kTinyPath = test::kTinyTokenizerPath;
using test::readFile;
nlohmann::json tinyJson() { return test::tinyTokenizerJson(); }

class TokenizerTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    auto t = Tokenizer::fromFile(kTinyPath);
    ASSERT_TRUE(t.isOk()) << t.status().toString();
    tok_ = new Tokenizer(t.take());
  }
  static void TearDownTestSuite() {
    delete tok_;
    tok_ = nullptr;
  }
  static Ids encode(const std::string &s, EncodeOptions options = {}) {
    auto ids = tok_->encode(s, options);
    EXPECT_TRUE(ids.isOk()) << ids.status().toString();
    return ids.isOk() ? *ids : Ids{};
  }
  static Pieces pieces(const std::string &s) {
    auto p = tok_->preTokenize(s);
    EXPECT_TRUE(p.isOk()) << p.status().toString();
    return p.isOk() ? *p : Pieces{};
  }
  static Tokenizer *tok_;
};
Tokenizer *TokenizerTest::tok_ = nullptr;

// Loads a modified copy of the tiny tokenizer; returns the error message
// (empty if it loaded).
Status loadModified(const nlohmann::json &j) {
  auto t = Tokenizer::fromJson(j.dump(), "tiny.json");
  return t.isOk() ? Status::ok() : t.status();
}

} // namespace

TEST_F(TokenizerTest, MergesByRank) {
  // h e l l o: "h e"(0), "l l"(1), "he ll"(2), "hell o"(3).
  EXPECT_EQ(encode("hello"), (Ids{22}));
  // " world": Ġw(4), or(5), ld(7), Ġwor(6), Ġworld(8).
  EXPECT_EQ(encode("hello world"), (Ids{22, 27}));
  EXPECT_EQ(encode("hello world!"), (Ids{22, 27, 8}));
  // "b c" (rank 10) beats "a b" (rank 11).
  EXPECT_EQ(encode("abc"), (Ids{9, 30}));
  EXPECT_EQ(encode("ab"), (Ids{29}));
  EXPECT_EQ(encode("ca"), (Ids{11, 9}));
}

TEST_F(TokenizerTest, EqualRanksMergeLeftmostFirst) {
  EXPECT_EQ(encode("aaa"), (Ids{28, 9}));
  EXPECT_EQ(encode("aaaa"), (Ids{28, 28}));
  EXPECT_EQ(encode("   "), (Ids{34, 4}));
}

TEST_F(TokenizerTest, NumbersSplitInThrees) {
  EXPECT_EQ(encode("123"), (Ids{31, 14}));
  EXPECT_EQ(encode("1231"), (Ids{31, 14, 12}));
  EXPECT_EQ(encode("12 123 1"), (Ids{31, 4, 31, 14, 4, 12}));
}

TEST_F(TokenizerTest, CjkRunIsOnePiece) {
  // 中 = E4 B8 AD = "ä¸Ń"; the two characters stay one piece.
  EXPECT_EQ(encode("中中"), (Ids{33, 33}));
  EXPECT_EQ(pieces("中文abc"), (Pieces{"中文", "abc"}));
}

TEST_F(TokenizerTest, Whitespace) {
  EXPECT_EQ(encode("a  b"), (Ids{9, 4, 4, 10}));
  EXPECT_EQ(encode("  hello"), (Ids{4, 4, 22}));
  EXPECT_EQ(encode("a   \n\nb"), (Ids{9, 34, 4, 35, 10}));
  EXPECT_EQ(encode("hello\n\n\nworld"), (Ids{22, 35, 15, 5, 24, 26}));
  EXPECT_EQ(encode("hello world  "), (Ids{22, 27, 34}));
  EXPECT_EQ(encode("!!!\n\n"), (Ids{8, 8, 8, 35}));
}

TEST_F(TokenizerTest, DeepSeekPreTokenizerPieces) {
  EXPECT_EQ(pieces("Hello, world!"), (Pieces{"Hello", ",", " world", "!"}));
  EXPECT_EQ(pieces("12345 3.14"), (Pieces{"123", "45", " ", "3", ".", "14"}));
  EXPECT_EQ(pieces("  hello"), (Pieces{" ", " hello"}));
  EXPECT_EQ(pieces("x\n\n\ny"), (Pieces{"x", "\n\n\n", "y"}));
  EXPECT_EQ(pieces(".hello"), (Pieces{".hello"}));
  EXPECT_EQ(pieces("I'm  fine\t\tok"),
            (Pieces{"I", "'m", " ", " fine", "\t", "\tok"}));
  EXPECT_EQ(pieces("日本語のテキストです。"),
            (Pieces{"日本語のテキストです", "。"}));
}

TEST_F(TokenizerTest, WhitespaceFollowsJavaScriptDefinition) {
  // \s is ECMAScript's: U+FEFF is whitespace, U+0085 is not (PCRE2 alone
  // would say the opposite and split these differently).
  EXPECT_EQ(pieces("a\xEF\xBB\xBF\nb"), (Pieces{"a", "\xEF\xBB\xBF\n", "b"}));
  EXPECT_EQ(pieces("a\xC2\x85\nb"), (Pieces{"a", "\xC2\x85", "\n", "b"}));
}

TEST_F(TokenizerTest, AddedTokensMatchFirstAndLongest) {
  EXPECT_EQ(encode("hello<|bob|>hello"), (Ids{22, 100, 22}));
  EXPECT_EQ(encode("<|user|>hello"), (Ids{101, 22}));
  EXPECT_EQ(encode("<|user|>"), (Ids{101}));
  EXPECT_EQ(encode("<|u|>!!"), (Ids{103}));
  EXPECT_EQ(encode("<|u|>!"), (Ids{102, 8}));
  EXPECT_EQ(encode("<|u|>!!!"), (Ids{103, 8}));
  EXPECT_EQ(pieces("hello<|bob|>hello"), (Pieces{"hello", "<|bob|>", "hello"}));
}

TEST_F(TokenizerTest, SpecialTokensCanBePlainText) {
  EncodeOptions plain;
  plain.matchSpecialTokens = false;
  // "<|" "bob" "|>" as ordinary pieces.
  EXPECT_EQ(encode("hello<|bob|>", plain),
            (Ids{22, 36, 37, 10, 3, 10, 37, 38}));
  // Non-special added tokens still match.
  EXPECT_EQ(encode("<|user|>hello", plain), (Ids{101, 22}));
}

TEST_F(TokenizerTest, LstripRstripEatNeighbouringWhitespace) {
  EXPECT_EQ(encode("hello  <|strip|>  hello"), (Ids{22, 104, 22}));
  EXPECT_EQ(encode("hello \t\n<|strip|>"), (Ids{22, 104}));
}

TEST_F(TokenizerTest, DecodeAndRoundTrip) {
  auto text = tok_->decode(Ids{22, 100, 27});
  ASSERT_TRUE(text.isOk()) << text.status().toString();
  EXPECT_EQ(*text, "hello<|bob|> world");
  DecodeOptions skip;
  skip.skipSpecialTokens = true;
  EXPECT_EQ(*tok_->decode(Ids{22, 100, 27, 101}, skip), "hello world<|user|>");
  for (const char *s :
       {"", "hello", "hello world!", "  hello  \n\n world  ", "中中a中",
        "<|u|>!!!<|bob|><|user|>abc", "1231 12 3", "<|bob"}) {
    auto ids = tok_->encode(s);
    ASSERT_TRUE(ids.isOk()) << s << ": " << ids.status().toString();
    auto back = tok_->decode(*ids);
    ASSERT_TRUE(back.isOk());
    EXPECT_EQ(*back, s);
  }
}

TEST_F(TokenizerTest, DecodeRejectsUnknownIds) {
  auto bad = tok_->decode(Ids{22, 999});
  ASSERT_FALSE(bad.isOk());
  EXPECT_EQ(bad.status().code(), StatusCode::kOutOfRange);
  EXPECT_NE(bad.status().message().find("999"), std::string::npos);
  EXPECT_NE(bad.status().message().find("position 1"), std::string::npos);
  // 50 lies in the gap between the vocab (0..38) and the added tokens.
  EXPECT_FALSE(tok_->decode(Ids{50}).isOk());
  EXPECT_FALSE(tok_->decode(Ids{-1}).isOk());
}

TEST_F(TokenizerTest, InvalidUtf8IsAnErrorWithOffset) {
  struct Case {
    std::string text;
    size_t offset;
  };
  for (const Case &c : {Case{"he\xFFllo", 2}, Case{"a\xC0\x80", 1},
                        Case{"ab\xED\xA0\x80", 2}, Case{"hello\xE4\xB8", 5},
                        Case{"\xF4\x90\x80\x80", 0}, Case{"\x80", 0}}) {
    auto ids = tok_->encode(c.text);
    ASSERT_FALSE(ids.isOk());
    EXPECT_NE(ids.status().message().find("invalid UTF-8 at byte offset " +
                                          std::to_string(c.offset)),
              std::string::npos)
        << ids.status().message();
    EXPECT_EQ(findInvalidUtf8(c.text), c.offset);
  }
  EXPECT_EQ(findInvalidUtf8("ok 中文 😀"), std::string_view::npos);
}

TEST_F(TokenizerTest, ByteWithoutTokenIsAnError) {
  auto ids = tok_->encode("hez");
  ASSERT_FALSE(ids.isOk());
  EXPECT_NE(ids.status().message().find("byte 0x7a at offset 2"),
            std::string::npos)
      << ids.status().message();
}

TEST_F(TokenizerTest, Lookups) {
  EXPECT_EQ(tok_->vocabSize(), 105u);
  EXPECT_EQ(tok_->tokenToId("Ġworld"), 27);
  EXPECT_EQ(tok_->tokenToId("<|bob|>"), 100);
  EXPECT_EQ(tok_->tokenToId("nope"), -1);
  EXPECT_EQ(tok_->idToToken(27), "Ġworld");
  EXPECT_EQ(tok_->idToBytes(27), " world");
  EXPECT_EQ(tok_->idToBytes(33), "中");
  EXPECT_EQ(tok_->idToToken(50), "");
  EXPECT_TRUE(tok_->isSpecial(100));
  EXPECT_FALSE(tok_->isSpecial(101));
  ASSERT_EQ(tok_->addedTokens().size(), 5u);
  EXPECT_TRUE(tok_->addedTokens()[4].lstrip);
}

TEST_F(TokenizerTest, LongWhitespaceRunsAreFast) {
  // One 1 MB piece: the heap-based merge keeps this O(n log n).
  std::string spaces(1 << 20, ' ');
  auto ids = tok_->encode("a" + spaces + "b");
  ASSERT_TRUE(ids.isOk()) << ids.status().toString();
  // "a", (2^20 - 1) spaces as 2^19 - 1 "ĠĠ" and one "Ġ", then " b" (2 ids).
  EXPECT_EQ(ids->size(), (1u << 19) + 3u);
  EXPECT_EQ(*tok_->decode(*ids), "a" + spaces + "b");
}

//===----------------------------------------------------------------------===//
// Split behaviours and the GPT-2 ByteLevel regex
//===----------------------------------------------------------------------===//

namespace {
Pieces splitWith(const std::string &behavior, const std::string &text) {
  nlohmann::json j = tinyJson();
  j["pre_tokenizer"] = {{"type", "Sequence"},
                        {"pretokenizers",
                         {{{"type", "Split"},
                           {"pattern", {{"String", "-"}}},
                           {"behavior", behavior},
                           {"invert", false}},
                          {{"type", "ByteLevel"}, {"use_regex", false}}}}};
  auto t = Tokenizer::fromJson(j.dump(), "split.json");
  EXPECT_TRUE(t.isOk()) << t.status().toString();
  if (!t.isOk())
    return {};
  auto p = t->preTokenize(text);
  return p.isOk() ? *p : Pieces{};
}
} // namespace

TEST(TokenizerSplitTest, Behaviours) {
  const std::string s = "the-final--countdown";
  EXPECT_EQ(splitWith("Isolated", s),
            (Pieces{"the", "-", "final", "-", "-", "countdown"}));
  EXPECT_EQ(splitWith("Removed", s), (Pieces{"the", "final", "countdown"}));
  EXPECT_EQ(splitWith("MergedWithPrevious", s),
            (Pieces{"the-", "final-", "-", "countdown"}));
  EXPECT_EQ(splitWith("MergedWithNext", s),
            (Pieces{"the", "-final", "-", "-countdown"}));
  EXPECT_EQ(splitWith("Contiguous", s),
            (Pieces{"the", "-", "final", "--", "countdown"}));
}

TEST(TokenizerSplitTest, Gpt2ByteLevelRegex) {
  nlohmann::json j = tinyJson();
  j["pre_tokenizer"] = {
      {"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}};
  auto t = Tokenizer::fromJson(j.dump(), "gpt2.json");
  ASSERT_TRUE(t.isOk()) << t.status().toString();
  auto p = t->preTokenize("Hello world's 42!!  x");
  ASSERT_TRUE(p.isOk());
  EXPECT_EQ(*p, (Pieces{"Hello", " world", "'s", " 42", "!!", " ", " x"}));
}

//===----------------------------------------------------------------------===//
// Loading errors
//===----------------------------------------------------------------------===//

TEST(TokenizerLoadTest, MissingFile) {
  auto t = Tokenizer::fromFile("/nonexistent/dir/tokenizer.json");
  ASSERT_FALSE(t.isOk());
  EXPECT_EQ(t.status().code(), StatusCode::kNotFound);
  EXPECT_NE(t.status().message().find("/nonexistent/dir/tokenizer.json"),
            std::string::npos);
}

TEST(TokenizerLoadTest, MalformedJson) {
  auto t =
      Tokenizer::fromJson("{\"model\": {\"vocab\": {\"a\": 0,}}", "bad.json");
  ASSERT_FALSE(t.isOk());
  const std::string &m = t.status().message();
  EXPECT_EQ(m.rfind("bad.json: malformed JSON", 0), 0u) << m;
  EXPECT_NE(m.find("line 1"), std::string::npos) << m;
  EXPECT_FALSE(Tokenizer::fromJson("", "empty.json").isOk());
  auto arr = Tokenizer::fromJson("[1, 2]", "arr.json");
  ASSERT_FALSE(arr.isOk());
  EXPECT_NE(arr.status().message().find("expected a JSON object"),
            std::string::npos);
}

TEST(TokenizerLoadTest, MissingAndMistypedFields) {
  struct Case {
    std::function<void(nlohmann::json &)> edit;
    std::string expected;
  };
  std::vector<Case> cases = {
      {[](nlohmann::json &j) { j.erase("model"); },
       "tiny.json: model: missing required field"},
      {[](nlohmann::json &j) { j["model"].erase("vocab"); },
       "model.vocab: missing required field"},
      {[](nlohmann::json &j) { j["model"].erase("merges"); },
       "model.merges: missing required field"},
      {[](nlohmann::json &j) {
         j["model"]["merges"] = nlohmann::json::object();
       },
       "model.merges: expected array, got object"},
      {[](nlohmann::json &j) { j["model"]["vocab"]["h"] = "zero"; },
       "model.vocab['h']: expected a token id (integer), got string"},
      {[](nlohmann::json &j) { j["model"]["vocab"]["h"] = -3; },
       "model.vocab['h']: token id -3 is out of range"},
      {[](nlohmann::json &j) { j["model"]["vocab"]["e"] = 0; },
       "is used by both"},
      {[](nlohmann::json &j) { j["model"]["merges"][0] = "h q"; },
       "model.merges[0]: token 'q' is not in model.vocab"},
      {[](nlohmann::json &j) { j["model"]["merges"][1] = "ll"; },
       "model.merges[1]: expected \"left right\""},
      {[](nlohmann::json &j) { j["model"]["merges"][0] = {"h"}; },
       "model.merges[0]: expected a string \"left right\" or a pair of "
       "strings, got an array of 1"},
      {[](nlohmann::json &j) { j["model"]["merges"][3] = 5; },
       "model.merges[3]: expected a string \"left right\" or a pair of "
       "strings, got number"},
      {[](nlohmann::json &j) { j["model"]["vocab"]["o"] = 3.5; },
       "model.vocab['o']: expected a token id (integer), got number"},
      {[](nlohmann::json &j) { j["model"]["vocab"] = nlohmann::json::array(); },
       "model.vocab: expected object, got array"},
      {[](nlohmann::json &j) { j["model"]["merges"][2] = "a c"; },
       "model.merges[2]: merged token 'ac' is not in model.vocab"},
      {[](nlohmann::json &j) { j["model"]["unk_token"] = "<unk>"; },
       "model.unk_token: unk_token '<unk>' is not in model.vocab"},
      {[](nlohmann::json &j) { j["added_tokens"][0].erase("content"); },
       "added_tokens[0].content: missing required field"},
      {[](nlohmann::json &j) { j["added_tokens"][1]["id"] = "101"; },
       "added_tokens[1].id: expected integer, got string"},
      {[](nlohmann::json &j) { j["added_tokens"][0]["id"] = 3; },
       "added_tokens[0]: id 3 of '<|bob|>' is already used by 'o'"},
      {[](nlohmann::json &j) { j["added_tokens"][1]["content"] = "<|bob|>"; },
       "duplicate added token '<|bob|>'"},
      {[](nlohmann::json &j) { j["added_tokens"][0]["special"] = "yes"; },
       "added_tokens[0].special: expected boolean, got string"},
      {[](nlohmann::json &j) {
         j["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = "(ab";
       },
       "pre_tokenizer.pretokenizers[0].pattern.Regex: invalid regex '(ab'"},
      {[](nlohmann::json &j) {
         j["pre_tokenizer"]["pretokenizers"][1]["behavior"] = "Sideways";
       },
       "pre_tokenizer.pretokenizers[1].behavior: unknown split behavior"},
  };
  for (auto &c : cases) {
    nlohmann::json j = tinyJson();
    c.edit(j);
    Status st = loadModified(j);
    ASSERT_FALSE(st.isOk()) << "expected an error containing: " << c.expected;
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.message();
    EXPECT_NE(st.message().find(c.expected), std::string::npos)
        << "got: " << st.message() << "\nwanted: " << c.expected;
  }
}

TEST(TokenizerLoadTest, UnsupportedComponentsAreNamed) {
  struct Case {
    std::function<void(nlohmann::json &)> edit;
    std::string expected;
  };
  std::vector<Case> cases = {
      {[](nlohmann::json &j) { j["model"]["type"] = "WordPiece"; },
       "model.type: model type 'WordPiece' is not supported"},
      {[](nlohmann::json &j) { j["model"]["byte_fallback"] = true; },
       "model.byte_fallback"},
      {[](nlohmann::json &j) {
         j["normalizer"] = {{"type", "NFC"}};
       },
       "normalizer: normalizers are not supported"},
      {[](nlohmann::json &j) {
         j["pre_tokenizer"]["pretokenizers"][0] = {{"type", "Whitespace"}};
       },
       "pre_tokenizer.pretokenizers[0].type: pre-tokenizer type "
       "'Whitespace' is not supported"},
      {[](nlohmann::json &j) {
         j["pre_tokenizer"]["pretokenizers"][2]["invert"] = true;
       },
       "pre_tokenizer.pretokenizers[2].invert"},
      {[](nlohmann::json &j) {
         j["pre_tokenizer"]["pretokenizers"][3]["add_prefix_space"] = true;
       },
       "add_prefix_space=true is not supported"},
      {[](nlohmann::json &j) { j["pre_tokenizer"]["pretokenizers"].erase(3); },
       "pre_tokenizer: no ByteLevel pre-tokenizer"},
      {[](nlohmann::json &j) { j.erase("decoder"); },
       "decoder: expected a ByteLevel decoder"},
  };
  for (auto &c : cases) {
    nlohmann::json j = tinyJson();
    c.edit(j);
    Status st = loadModified(j);
    ASSERT_FALSE(st.isOk()) << c.expected;
    EXPECT_EQ(st.code(), StatusCode::kUnimplemented) << st.message();
    EXPECT_NE(st.message().find(c.expected), std::string::npos)
        << "got: " << st.message() << "\nwanted: " << c.expected;
  }
}

TEST(TokenizerLoadTest, MergesAsPairsAndUnkToken) {
  nlohmann::json j = tinyJson();
  nlohmann::json pairs = nlohmann::json::array();
  for (const auto &m : j["model"]["merges"]) {
    std::string s = m.get<std::string>();
    size_t sp = s.find(' ');
    pairs.push_back({s.substr(0, sp), s.substr(sp + 1)});
  }
  j["model"]["merges"] = pairs; // tokenizers >= 0.20 writes pairs
  j["model"]["vocab"]["<unk>"] = 39;
  j["model"]["unk_token"] = "<unk>";
  auto t = Tokenizer::fromJson(j.dump(), "pairs.json");
  ASSERT_TRUE(t.isOk()) << t.status().toString();
  EXPECT_EQ(*t->encode("hello world"), (Ids{22, 27}));
  // 'z' has no token: the unk token stands in for it.
  EXPECT_EQ(*t->encode("hez"), (Ids{19, 39}));
}
