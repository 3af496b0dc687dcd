//===- chat_format_test.cpp - DeepSeek-V4 chat prompt encoding ------------===//
//
// The known-answer cases are DeepSeek's own (test/data/dsv4-chat-encoding,
// from the official release, MIT); every case must reproduce
// expected_N.txt byte for byte. The other tests pin the rules the cases do
// not reach (generation prompt, tasks, tool-result order, JSON formatting,
// errors).
//
//===----------------------------------------------------------------------===//

#include "sieve/io/chat_format.h"
#include "test_paths.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

using namespace sieve;
using namespace sieve::io;

namespace {

const std::string kCasesDir = sieve::test_paths::sourcePath("test/data/dsv4-chat-encoding");

bool readFile(const std::string &path, std::string &out) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return false;
  std::stringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

ChatOptions mode(ThinkingMode m) {
  ChatOptions o;
  o.thinkingMode = m;
  return o;
}

std::string encodeOk(const std::string &json, const ChatOptions &options) {
  auto prompt = encodeChatPrompt(json, options);
  EXPECT_TRUE(prompt.isOk()) << prompt.status().toString();
  return prompt.isOk() ? *prompt : std::string();
}

std::string encodeError(const std::string &json,
                        const ChatOptions &options = {}) {
  auto prompt = encodeChatPrompt(json, options, "msgs.json");
  EXPECT_FALSE(prompt.isOk()) << "unexpectedly encoded: " << *prompt;
  return prompt.isOk() ? std::string() : prompt.status().message();
}

// Shows where two long prompts first differ.
std::string firstDifference(const std::string &got, const std::string &want) {
  size_t i = 0;
  while (i < got.size() && i < want.size() && got[i] == want[i])
    ++i;
  size_t from = i < 40 ? 0 : i - 40;
  return "first difference at byte " + std::to_string(i) + "\n  got:  ..." +
         got.substr(from, 100) + "\n  want: ..." + want.substr(from, 100);
}

} // namespace

namespace {
void checkKnownAnswer(int n, ThinkingMode thinking) {
  std::string input, expected;
  std::string inputPath = kCasesDir + "/input_" + std::to_string(n) + ".json";
  std::string expectedPath =
      kCasesDir + "/expected_" + std::to_string(n) + ".txt";
  ASSERT_TRUE(readFile(inputPath, input))
      << "cannot read " << inputPath
      << " (test/data/dsv4-chat-encoding is part of the repository)";
  ASSERT_TRUE(readFile(expectedPath, expected))
      << "cannot read " << expectedPath;
  auto prompt = encodeChatPrompt(input, mode(thinking), inputPath);
  ASSERT_TRUE(prompt.isOk()) << prompt.status().toString();
  EXPECT_TRUE(*prompt == expected) << firstDifference(*prompt, expected);
}
} // namespace

// Thinking modes per the cases' README: 1-3 thinking, 4 chat.
TEST(ChatFormatKnownAnswerTest, Case1ToolCalls) {
  checkKnownAnswer(1, ThinkingMode::kThinking);
}
TEST(ChatFormatKnownAnswerTest, Case2DroppedReasoning) {
  checkKnownAnswer(2, ThinkingMode::kThinking);
}
TEST(ChatFormatKnownAnswerTest, Case3DeveloperToolsReminder) {
  checkKnownAnswer(3, ThinkingMode::kThinking);
}
TEST(ChatFormatKnownAnswerTest, Case4ChatTask) {
  checkKnownAnswer(4, ThinkingMode::kChat);
}

TEST(ChatFormatTest, GenerationPrompt) {
  const std::string msgs =
      R"([{"role": "system", "content": "Be brief."},
          {"role": "user", "content": "Hi"}])";
  EXPECT_EQ(
      encodeOk(msgs, mode(ThinkingMode::kChat)),
      "<｜begin▁of▁sentence｜>Be brief.<｜User｜>Hi<｜Assistant｜></think>");
  EXPECT_EQ(
      encodeOk(msgs, mode(ThinkingMode::kThinking)),
      "<｜begin▁of▁sentence｜>Be brief.<｜User｜>Hi<｜Assistant｜><think>");
  ChatOptions noBos = mode(ThinkingMode::kChat);
  noBos.addBos = false;
  EXPECT_EQ(encodeOk(msgs, noBos),
            "Be brief.<｜User｜>Hi<｜Assistant｜></think>");
}

TEST(ChatFormatTest, ConsecutiveUserMessagesJoin) {
  EXPECT_EQ(encodeOk(R"([{"role": "user", "content": "a"},
                         {"role": "user", "content": "b"}])",
                     mode(ThinkingMode::kChat)),
            "<｜begin▁of▁sentence｜><｜User｜>a\n\nb<｜Assistant｜></think>");
}

TEST(ChatFormatTest, KeepThinkingKeepsEarlierReasoning) {
  const std::string msgs = R"([
    {"role": "user", "content": "Q1"},
    {"role": "assistant", "reasoning_content": "R1", "content": "A1"},
    {"role": "user", "content": "Q2"}])";
  EXPECT_EQ(encodeOk(msgs, mode(ThinkingMode::kThinking)),
            "<｜begin▁of▁sentence｜><｜User｜>Q1<｜Assistant｜></think>A1"
            "<｜end▁of▁sentence｜><｜User｜>Q2<｜Assistant｜><think>");
  ChatOptions keep = mode(ThinkingMode::kThinking);
  keep.dropThinking = false;
  EXPECT_EQ(
      encodeOk(msgs, keep),
      "<｜begin▁of▁sentence｜><｜User｜>Q1<｜Assistant｜><think>R1</think>"
      "A1<｜end▁of▁sentence｜><｜User｜>Q2<｜Assistant｜><think>");
}

TEST(ChatFormatTest, ReasoningEffortMax) {
  ChatOptions o = mode(ThinkingMode::kThinking);
  o.reasoningEffort = ReasoningEffort::kMax;
  std::string p = encodeOk(R"([{"role": "user", "content": "x"}])", o);
  EXPECT_EQ(p.rfind("<｜begin▁of▁sentence｜>Reasoning Effort: Absolute "
                    "maximum with no shortcuts permitted.\n",
                    0),
            0u)
      << p;
  EXPECT_NE(p.find("left unchecked.\n\n<｜User｜>x<｜Assistant｜><think>"),
            std::string::npos);
  // Only in thinking mode.
  o.thinkingMode = ThinkingMode::kChat;
  EXPECT_EQ(encodeOk(R"([{"role": "user", "content": "x"}])", o),
            "<｜begin▁of▁sentence｜><｜User｜>x<｜Assistant｜></think>");
}

TEST(ChatFormatTest, TasksAndWithoutEos) {
  EXPECT_EQ(encodeOk(R"([{"role": "user", "content": "t", "task": "query"}])",
                     mode(ThinkingMode::kThinking)),
            "<｜begin▁of▁sentence｜><｜User｜>t<｜query｜>");
  EXPECT_EQ(
      encodeOk(R"([{"role": "user", "content": "t", "task": "action"}])",
               mode(ThinkingMode::kThinking)),
      "<｜begin▁of▁sentence｜><｜User｜>t<｜Assistant｜><think><｜action｜>");
  EXPECT_EQ(encodeOk(R"([{"role": "user", "content": "q"},
                         {"role": "assistant", "content": "part", "wo_eos": true}])",
                     mode(ThinkingMode::kChat)),
            "<｜begin▁of▁sentence｜><｜User｜>q<｜Assistant｜></think>part");
}

TEST(ChatFormatTest, ToolCallArgumentsAndJsonFormatting) {
  const std::string msgs = R"({
    "tools": [{"type": "function", "function": {"name": "f",
               "parameters": {"b": 1.5, "a": [true, null, "é\n\"q\""], "n": -3}}}],
    "messages": [
      {"role": "system", "content": "S"},
      {"role": "user", "content": "U"},
      {"role": "assistant", "content": "", "tool_calls": [
        {"id": "c1", "type": "function", "function": {"name": "f",
         "arguments": "{\"s\": \"text é\", \"n\": 3, \"flag\": false, \"obj\": {\"x\": [1, 2.0]}}"}},
        {"id": "c2", "type": "function", "function": {"name": "g",
         "arguments": "not json"}},
        {"id": "c3", "type": "function", "function": {"name": "h",
         "arguments": {"k": "v"}}}]}]})";
  std::string p = encodeOk(msgs, mode(ThinkingMode::kChat));
  // Schemas as json.dumps(ensure_ascii=False) writes them, keys in order.
  EXPECT_NE(p.find("\n\n{\"name\": \"f\", \"parameters\": {\"b\": 1.5, \"a\": "
                   "[true, null, \"é\\n\\\"q\\\"\"], \"n\": -3}}\n\nYou MUST"),
            std::string::npos)
      << p;
  EXPECT_NE(
      p.find("<｜User｜>U<｜Assistant｜></think>\n\n<｜DSML｜tool_calls>\n"
             "<｜DSML｜invoke name=\"f\">\n"
             "<｜DSML｜parameter name=\"s\" string=\"true\">text "
             "é</｜DSML｜parameter>\n"
             "<｜DSML｜parameter name=\"n\" "
             "string=\"false\">3</｜DSML｜parameter>\n"
             "<｜DSML｜parameter name=\"flag\" "
             "string=\"false\">false</｜DSML｜parameter>\n"
             "<｜DSML｜parameter name=\"obj\" string=\"false\">{\"x\": [1, "
             "2.0]}</｜DSML｜parameter>\n"
             "</｜DSML｜invoke>\n"
             "<｜DSML｜invoke name=\"g\">\n"
             "<｜DSML｜parameter name=\"arguments\" string=\"true\">not "
             "json</｜DSML｜parameter>\n"
             "</｜DSML｜invoke>\n"
             "<｜DSML｜invoke name=\"h\">\n"
             "<｜DSML｜parameter name=\"k\" "
             "string=\"true\">v</｜DSML｜parameter>\n"
             "</｜DSML｜invoke>\n"
             "</｜DSML｜tool_calls><｜end▁of▁sentence｜>"),
      std::string::npos)
      << p;
}

TEST(ChatFormatTest, ToolResultsFollowCallOrder) {
  const std::string msgs = R"([
    {"role": "user", "content": "go"},
    {"role": "assistant", "tool_calls": [
      {"id": "A", "type": "function", "function": {"name": "a", "arguments": "{}"}},
      {"id": "B", "type": "function", "function": {"name": "b", "arguments": "{}"}}]},
    {"role": "tool", "tool_call_id": "B", "content": "rb"},
    {"role": "tool", "tool_call_id": "A", "content": [{"type": "text", "text": "ra1"},
                                                      {"type": "text", "text": "ra2"}]}])";
  std::string p = encodeOk(msgs, mode(ThinkingMode::kChat));
  EXPECT_NE(p.find("<｜end▁of▁sentence｜><｜User｜><tool_result>ra1\n\nra2"
                   "</tool_result>\n\n<tool_result>rb</tool_result>"
                   "<｜Assistant｜></think>"),
            std::string::npos)
      << p;
}

TEST(ChatFormatTest, PlainMessageApi) {
  std::vector<ChatMessage> msgs = {{"system", "S", ""}, {"user", "Hi", ""}};
  auto p = encodeChatPrompt(msgs, mode(ThinkingMode::kThinking));
  ASSERT_TRUE(p.isOk()) << p.status().toString();
  EXPECT_EQ(*p, "<｜begin▁of▁sentence｜>S<｜User｜>Hi<｜Assistant｜><think>");
}

TEST(ChatFormatTest, Errors) {
  struct Case {
    const char *json;
    const char *expected;
  };
  const Case cases[] = {
      {"[{\"role\": \"user\", \"content\": \"x\"", "msgs.json: invalid JSON"},
      {"42", "expected an array of messages"},
      {R"({"msgs": []})", "messages: expected an array of messages"},
      {R"([{"content": "x"}])", "messages[0].role: missing or not a string"},
      {R"([{"role": "user", "content": "x"}, {"role": "robot"}])",
       "messages[1].role: unknown role 'robot'"},
      {R"([{"role": "user", "content": 7}])",
       "messages[0].content: expected string, got number"},
      {R"([{"role": "developer", "content": ""}])",
       "messages[0].content: a developer message needs content"},
      {R"([{"role": "user", "content": "x", "task": "dance"}])",
       "messages[0].task: unknown task 'dance'"},
      {R"([{"role": "user", "content": "x", "tool_calls": [{}]}])",
       "messages[0].tool_calls: only assistant messages make tool calls"},
      {R"([{"role": "user", "content": "x", "tools": [{"type": "function", "function": {}}]}])",
       "messages[0].tools: tools are only rendered for system and developer"},
      {R"({"tools": [], "messages": [{"role": "user", "content": "x"}]})",
       "tools: top-level tools need a first message with role system or "
       "developer"},
      {R"([{"role": "assistant", "tool_calls": [{"function": {"arguments": "{}"}}]}])",
       "messages[0].tool_calls[0].function.name: missing"},
      {R"([{"role": "assistant", "tool_calls": [{"function": {"name": "f", "arguments": "[1]"}}]}])",
       "messages[0].tool_calls[0].function.arguments: expected a JSON object, "
       "got array"},
  };
  for (const Case &c : cases) {
    std::string msg = encodeError(c.json);
    EXPECT_NE(msg.find(c.expected), std::string::npos)
        << "input: " << c.json << "\ngot: " << msg
        << "\nwanted: " << c.expected;
  }
}

TEST(ChatFormatTest, ParseFlags) {
  EXPECT_EQ(*parseThinkingMode("thinking"), ThinkingMode::kThinking);
  EXPECT_EQ(*parseThinkingMode("chat"), ThinkingMode::kChat);
  EXPECT_FALSE(parseThinkingMode("deep").isOk());
  EXPECT_EQ(*parseReasoningEffort("max"), ReasoningEffort::kMax);
  EXPECT_FALSE(parseReasoningEffort("low").isOk());
}
