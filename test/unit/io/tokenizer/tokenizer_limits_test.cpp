//===- tokenizer_limits_test.cpp - Hostile tokenizer.json and text --------===//
//
// Reproducers of issue 9's tokenizer findings: deep nesting, mistyped fields
// that loaded, hidden bytes, non-regular files, and long inputs that failed
// or cost far too much. Expected ids come from the tiny tokenizer's merge
// list: "a a" -> aa (id 28) and "Ġ Ġ" -> ĠĠ (id 34) are its only merges for
// these inputs, so a run of n equal characters is n / 2 pairs plus the odd
// one out.
//
//===----------------------------------------------------------------------===//

#include "sieve/io/chat_format.h"
#include "sieve/io/tokenizer.h"

#include "tiny_tokenizer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

using namespace sieve;
using namespace sieve::io;
using Ids = std::vector<int32_t>;

namespace {

const std::string &kTinyPath = test::kTinyTokenizerPath;
using test::readFile;
nlohmann::json tinyJson() { return test::tinyTokenizerJson(); }

std::string loadError(const std::string &text) {
  auto t = Tokenizer::fromJson(text, "tok.json");
  return t.isOk() ? std::string() : t.status().message();
}

#define EXPECT_MESSAGE(msg, part)                                                  \
  EXPECT_NE((msg).find(part), std::string::npos) << "message: " << (msg)

Tokenizer tiny() {
  auto t = Tokenizer::fromFile(kTinyPath);
  EXPECT_TRUE(t.isOk()) << t.status().toString();
  return t.take();
}

constexpr int32_t kA = 9, kAA = 28, kSpace = 4, kSpaceSpace = 34;

Ids pairs(size_t n, int32_t single, int32_t pair) {
  Ids ids(n / 2, pair);
  if (n % 2)
    ids.push_back(single);
  return ids;
}

} // namespace

TEST(TokenizerLimits, TenMillionSpacesEncode) {
  // Failed with "pre-tokenizer regex match limit exceeded" above 8 million.
  Tokenizer tok = tiny();
  const size_t n = 10'500'001;
  auto ids = tok.encode(std::string(n, ' '));
  ASSERT_TRUE(ids.isOk()) << ids.status().toString();
  EXPECT_EQ(*ids, pairs(n, kSpace, kSpaceSpace));
}

TEST(TokenizerLimits, LongRunOfOneLetterMergesLikeShortOnes) {
  // One 8 MiB piece through the heap merge (128 MiB once took 4.5 GB).
  Tokenizer tok = tiny();
  for (size_t n : {size_t(2), size_t(3), size_t(1000), (size_t(8) << 20) + 1}) {
    auto ids = tok.encode(std::string(n, 'a'));
    ASSERT_TRUE(ids.isOk()) << ids.status().toString();
    EXPECT_EQ(*ids, pairs(n, kA, kAA)) << n;
  }
}

TEST(TokenizerLimits, CatastrophicRegexFailsInsteadOfRunningForever) {
  // A Split pattern with exponential backtracking: the match budget grows
  // with the input, so this ends with an error in well under a second.
  nlohmann::json j = tinyJson();
  nlohmann::json split = {{"type", "Split"},
                          {"pattern", {{"Regex", "(a+)+$"}}},
                          {"behavior", "Isolated"}};
  j["pre_tokenizer"]["pretokenizers"].insert(j["pre_tokenizer"]["pretokenizers"].begin(),
                                             split);
  auto tok = Tokenizer::fromJson(j.dump(), "tok.json");
  ASSERT_TRUE(tok.isOk()) << tok.status().toString();
  auto start = std::chrono::steady_clock::now();
  auto ids = tok->encode(std::string(64, 'a') + "!");
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_FALSE(ids.isOk());
  EXPECT_MESSAGE(ids.status().message(), "match limit exceeded");
  EXPECT_LT(seconds, 30.0);
}

TEST(TokenizerLimits, DeeplyNestedSequenceIsRejected) {
  // 100,000 nested Sequence pre-tokenizers overflowed the stack.
  std::string deep;
  for (int i = 0; i < 100000; ++i)
    deep += R"({"type":"Sequence","pretokenizers":[)";
  deep += R"({"type":"ByteLevel"})";
  for (int i = 0; i < 100000; ++i)
    deep += "]}";
  nlohmann::json j = tinyJson();
  j.erase("pre_tokenizer");
  std::string text = j.dump();
  text.insert(1, "\"pre_tokenizer\":" + deep + ",");
  EXPECT_MESSAGE(loadError(text), "nesting deeper than 64 levels");
}

TEST(TokenizerLimits, NullModelTypeIsNotBpe) {
  nlohmann::json j = tinyJson();
  j["model"]["type"] = nullptr;
  EXPECT_MESSAGE(loadError(j.dump()), "model.type: expected string, got null");
  j["model"]["type"] = 3;
  EXPECT_MESSAGE(loadError(j.dump()), "model.type: expected string, got number");
}

TEST(TokenizerLimits, HiddenBytesAndRepeatedKeysAreRejected) {
  std::string text = readFile(kTinyPath);
  EXPECT_EQ(loadError(text), "");
  EXPECT_MESSAGE(loadError(text + std::string(1, '\0') + "garbage"), "NUL byte at offset");
  EXPECT_MESSAGE(loadError("\xEF\xBB\xBF" + text), "byte-order mark");
  // A second pre_tokenizer would silently replace the first.
  std::string twice = text;
  twice.insert(1, R"("pre_tokenizer":{"type":"ByteLevel"},)");
  EXPECT_MESSAGE(loadError(twice), "tok.json: (top level): duplicate key 'pre_tokenizer'");
}

TEST(TokenizerLimits, OnlyRegularFilesAreRead) {
  std::string dir = std::filesystem::temp_directory_path() /
                    ("sieve-tok-fifo-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string fifo = dir + "/tokenizer.json";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  auto t = Tokenizer::fromFile(fifo);
  std::filesystem::remove_all(dir);
  ASSERT_FALSE(t.isOk());
  EXPECT_MESSAGE(t.status().message(), "tokenizer file is a FIFO, not a regular file");
}

TEST(ChatLimits, DeepNestingIsRejectedAndRepeatedKeysKeepTheLastValue) {
  std::string deep = R"([{"role":"user","content":"x","extra":)" + std::string(100000, '[') +
                     std::string(100000, ']') + "}]";
  auto prompt = encodeChatPrompt(deep, {}, "msgs.json");
  ASSERT_FALSE(prompt.isOk());
  EXPECT_MESSAGE(prompt.status().message(), "msgs.json: nesting deeper than 64 levels");
  // As Python's json.loads: the later "content" wins.
  auto dup = encodeChatPrompt(R"([{"role":"user","content":"first","content":"second"}])");
  ASSERT_TRUE(dup.isOk()) << dup.status().toString();
  EXPECT_EQ(dup->find("first"), std::string::npos) << *dup;
  EXPECT_NE(dup->find("second"), std::string::npos) << *dup;
}

TEST(ChatLimits, ObjectsWithManyKeysParseInLinearTime) {
  // nlohmann's ordered_json parse searches the object for every new key:
  // 200,000 keys took minutes. Unknown message fields are ignored.
  std::string msg = R"([{"role":"user","content":"hi")";
  for (int i = 0; i < 200000; ++i)
    msg += ",\"k" + std::to_string(i) + "\":" + std::to_string(i);
  msg += "}]";
  auto start = std::chrono::steady_clock::now();
  auto prompt = encodeChatPrompt(msg);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(prompt.isOk()) << prompt.status().toString();
  EXPECT_LT(seconds, 20.0);
}
