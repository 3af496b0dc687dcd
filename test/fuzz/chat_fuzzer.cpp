//===- chat_fuzzer.cpp - V4 chat prompts from any messages JSON -----------===//
//
// The first byte picks the options (thinking mode, reasoning effort, kept
// reasoning, BOS); the rest is the messages JSON. Any input is a prompt or an
// error that names where it went wrong, never a crash.
//
//===----------------------------------------------------------------------===//

#include "fuzz_check.h"

#include "sieve/io/chat_format.h"

#include <cstdint>
#include <string_view>

using namespace sieve;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  io::ChatOptions options;
  uint8_t flags = data[0];
  options.thinkingMode = flags & 1 ? io::ThinkingMode::kThinking : io::ThinkingMode::kChat;
  options.reasoningEffort = flags & 2   ? io::ReasoningEffort::kMax
                            : flags & 4 ? io::ReasoningEffort::kHigh
                                        : io::ReasoningEffort::kDefault;
  options.dropThinking = !(flags & 8);
  options.addBos = !(flags & 16);
  std::string_view json(reinterpret_cast<const char *>(data + 1), size - 1);
  auto prompt = io::encodeChatPrompt(json, options, "fuzz.json");
  if (!prompt)
    FUZZ_CHECK(prompt.status().message().rfind("fuzz.json", 0) == 0);
  return 0;
}
