//===- runtime_api_test.cpp - The C API against the reference executor ----===//
//
// sieve/runtime.h through libsieve.so on tiny-v4 (compiled once, random
// weights): greedy generation gives the reference executor's tokens,
// streaming and cancellation, sessions generating from several threads give
// the tokens of sequential runs, chat turns reuse what a session holds,
// the allocator hooks see every object, and every function refuses bad
// arguments with a status.
//
//===----------------------------------------------------------------------===//

#include "sieve/runtime.h"

#include "capi_test_support.h"
#include "sieve/reference/generate.h"
#include "sieve/reference/model.h"
#include "test_paths.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace sieve {
namespace {

std::string byteTokenizer() {
  return sieve::test_paths::sourcePath("test/tools/Inputs/byte-chat-tokenizer.json");
}

struct Collected {
  std::vector<int32_t> tokens;
  std::string text;
  size_t stopAfter = 0; // 0: never
};

int collect(void *userData, int32_t token, const char *text, size_t length) {
  auto *collected = static_cast<Collected *>(userData);
  collected->tokens.push_back(token);
  if (text)
    collected->text.append(text, length);
  return collected->stopAfter && collected->tokens.size() >= collected->stopAfter ? 1 : 0;
}

sieve_generate_options_t greedy(Collected *into, int32_t maxNewTokens) {
  sieve_generate_options_t options;
  sieve_generate_options_init(&options);
  options.temperature = 0;
  options.max_new_tokens = maxNewTokens;
  options.ignore_eos = 1;
  options.on_token = collect;
  options.user_data = into;
  return options;
}

/// The reference executor's greedy tokens for `prompt`.
std::vector<int32_t> referenceTokens(const std::vector<int32_t> &prompt, int64_t count) {
  ref::LoadOptions options;
  options.maxSeqLen = 128;
  auto model = ref::Model::load(tiny().checkpoint, options);
  EXPECT_TRUE(model.isOk()) << model.status().message();
  ref::GenerateOptions generate;
  generate.sampler.temperature = 0;
  generate.maxNewTokens = count;
  generate.stopAtEos = false;
  auto result = ref::generate(**model, prompt, generate);
  EXPECT_TRUE(result.isOk()) << result.status().message();
  return result->tokens;
}

TEST(RuntimeApi, Versions) {
  EXPECT_EQ(sieve_api_version(),
            uint32_t(SIEVE_API_VERSION_MAJOR) << 16 | uint32_t(SIEVE_API_VERSION_MINOR));
  EXPECT_EQ(std::string(sieve_version_string()).find('.'), 1u);
  EXPECT_EQ(sieve_module_format_version() >> 16, 1u);
  EXPECT_STREQ(sieve_status_code_name(SIEVE_STATUS_BUSY), "BUSY");
  EXPECT_EQ(sieve_status_code(nullptr), SIEVE_STATUS_OK);
  EXPECT_STREQ(sieve_status_message(nullptr), "");
  sieve_status_free(nullptr);
}

TEST(RuntimeApi, GreedyGenerationGivesTheReferenceTokens) {
  sieve_model_t *model = loadTiny();
  ASSERT_NE(model, nullptr);
  sieve_model_info_t info = infoOf(model);
  EXPECT_EQ(info.vocab_size, tiny().config.vocabSize);
  EXPECT_EQ(info.max_seq_len, 128);
  EXPECT_EQ(info.max_sessions, 2);
  EXPECT_GT(info.cache_bytes_per_token, 0u);
  EXPECT_EQ(info.has_tokenizer, 0);
  EXPECT_STREQ(info.executable, "cpu:host");

  sieve_session_t *session = nullptr;
  EXPECT_SIEVE_OK(sieve_session_create(model, &session));
  const std::vector<int32_t> prompt = {0, 15, 7, 99, 3};
  Collected got;
  sieve_generate_options_t options = greedy(&got, 24);
  sieve_generate_result_t result;
  sieve_generate_result_init(&result);
  EXPECT_SIEVE_OK(sieve_session_generate(session, prompt.data(), prompt.size(), &options, &result));
  EXPECT_EQ(got.tokens, referenceTokens(prompt, 24));
  EXPECT_EQ(result.generated_tokens, 24);
  EXPECT_EQ(result.prompt_tokens, 5);
  EXPECT_EQ(result.stop_reason, SIEVE_STOP_MAX_NEW_TOKENS);
  int64_t position = 0;
  EXPECT_SIEVE_OK(sieve_session_position(session, &position));
  EXPECT_EQ(position, 5 + 24 - 1); // the last token is not fed back

  // The callback stops generation.
  EXPECT_SIEVE_OK(sieve_session_reset(session));
  Collected stopped;
  stopped.stopAfter = 3;
  options = greedy(&stopped, 24);
  EXPECT_SIEVE_OK(sieve_session_generate(session, prompt.data(), prompt.size(), &options, &result));
  EXPECT_EQ(result.stop_reason, SIEVE_STOP_CALLBACK);
  EXPECT_EQ(stopped.tokens, std::vector<int32_t>(got.tokens.begin(), got.tokens.begin() + 3));

  // forward() gives logits whose argmax is the first greedy token.
  EXPECT_SIEVE_OK(sieve_session_reset(session));
  const float *logits = nullptr;
  EXPECT_SIEVE_OK(sieve_session_forward(session, prompt.data(), prompt.size(), &logits));
  ASSERT_NE(logits, nullptr);
  EXPECT_EQ(argmaxOf(logits, info.vocab_size), got.tokens.front());

  // Both slots taken: a third session is refused.
  sieve_session_t *second = nullptr, *third = nullptr;
  EXPECT_SIEVE_OK(sieve_session_create(model, &second));
  EXPECT_SIEVE_CODE(sieve_session_create(model, &third), SIEVE_STATUS_RESOURCE_EXHAUSTED);
  EXPECT_EQ(third, nullptr);
  sieve_session_release(second);
  EXPECT_SIEVE_OK(sieve_session_create(model, &third));
  sieve_session_release(third);

  // The session keeps the model alive after the caller's release.
  sieve_model_release(model);
  EXPECT_SIEVE_OK(sieve_session_reset(session));
  sieve_session_release(session);
}

TEST(RuntimeApi, SessionsOnSeveralThreadsGiveTheSequentialTokens) {
  sieve_model_t *model = loadTiny();
  ASSERT_NE(model, nullptr);
  const std::vector<std::vector<int32_t>> prompts = {{0, 15, 7, 99, 3}, {0, 42, 8, 1, 77, 5, 6}};
  auto run = [&](size_t i, Collected &into) {
    sieve_session_t *session = nullptr;
    EXPECT_SIEVE_OK(sieve_session_create(model, &session));
    sieve_generate_options_t options = greedy(&into, 20);
    options.temperature = 0.8f;
    options.seed = 5 + i;
    EXPECT_SIEVE_OK(
        sieve_session_generate(session, prompts[i].data(), prompts[i].size(), &options, nullptr));
    sieve_session_release(session);
  };
  std::vector<Collected> sequential(2), concurrent(2);
  for (size_t i = 0; i < 2; ++i)
    run(i, sequential[i]);
  std::thread a([&] { run(0, concurrent[0]); }), b([&] { run(1, concurrent[1]); });
  a.join();
  b.join();
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(concurrent[i].tokens, sequential[i].tokens) << "prompt " << i;
    EXPECT_EQ(concurrent[i].tokens.size(), 20u);
  }
  sieve_model_release(model);
}

// Decode steps of sessions generating at once run as one batch (0.4): the
// same tokens as one at a time, fewer steps than tokens. Whether two steps
// meet is up to the threads' timing, so a few rounds may pass before one
// batches; in practice the first does.
TEST(RuntimeApi, SessionsGeneratingAtOnceShareDecodeSteps) {
  sieve_model_t *model = loadTiny();
  ASSERT_NE(model, nullptr);
  const std::vector<std::vector<int32_t>> prompts = {{0, 15, 7}, {0, 42, 8, 1}};
  constexpr int32_t kTokens = 24;
  auto run = [&](size_t i, Collected &into) {
    sieve_session_t *session = nullptr;
    EXPECT_SIEVE_OK(sieve_session_create(model, &session));
    sieve_generate_options_t options = greedy(&into, kTokens);
    EXPECT_SIEVE_OK(
        sieve_session_generate(session, prompts[i].data(), prompts[i].size(), &options, nullptr));
    sieve_session_release(session);
  };
  std::vector<Collected> sequential(2);
  for (size_t i = 0; i < 2; ++i)
    run(i, sequential[i]);
  bool batched = false;
  for (int round = 0; round < 20 && !batched; ++round) {
    const sieve_model_info_t before = infoOf(model);
    std::vector<Collected> concurrent(2);
    std::thread a([&] { run(0, concurrent[0]); }), b([&] { run(1, concurrent[1]); });
    a.join();
    b.join();
    for (size_t i = 0; i < 2; ++i)
      ASSERT_EQ(concurrent[i].tokens, sequential[i].tokens)
          << "prompt " << i << ", round " << round;
    const sieve_model_info_t after = infoOf(model);
    // The prefill gives each session its first token; the last is not fed.
    EXPECT_EQ(after.decode_tokens - before.decode_tokens, uint64_t(2 * (kTokens - 1)));
    batched = after.decode_steps - before.decode_steps < after.decode_tokens - before.decode_tokens;
  }
  EXPECT_TRUE(batched) << "no two decode steps ran as one batch in 20 rounds";
  // A 0.3 caller's smaller info struct is still accepted.
  sieve_model_info_t old;
  sieve_model_info_init(&old);
  old.struct_size = offsetof(sieve_model_info_t, decode_steps);
  EXPECT_SIEVE_OK(sieve_model_query(model, &old));
  sieve_model_release(model);
}

TEST(RuntimeApi, ChatTurnsReuseWhatTheSessionHolds) {
  const std::string tokenizer = byteTokenizer();
  sieve_model_t *model = loadTiny(tokenizer.c_str());
  ASSERT_NE(model, nullptr);
  sieve_session_t *session = nullptr;
  EXPECT_SIEVE_OK(sieve_session_create(model, &session));

  // One generated token: the session then holds exactly the first turn's
  // prompt (the last generated token is not fed back).
  Collected first;
  sieve_generate_options_t options = greedy(&first, 1);
  sieve_generate_result_t result;
  sieve_generate_result_init(&result);
  const std::string turn1 = R"([{"role": "user", "content": "hi"}])";
  EXPECT_SIEVE_OK(sieve_session_chat(session, turn1.data(), turn1.size(), 0, &options, &result));
  const int64_t held = result.prompt_tokens;
  int64_t position = 0;
  EXPECT_SIEVE_OK(sieve_session_position(session, &position));
  EXPECT_EQ(position, held);

  // The next turn's conversation starts with those tokens: only the rest
  // is run, and the session ends where a continuation ends.
  const std::string turn2 = R"([{"role": "user", "content": "hi"},
      {"role": "assistant", "content": "yo"}, {"role": "user", "content": "ok"}])";
  Collected second;
  options = greedy(&second, 4);
  EXPECT_SIEVE_OK(sieve_session_chat(session, turn2.data(), turn2.size(), 0, &options, &result));
  EXPECT_SIEVE_OK(sieve_session_position(session, &position));
  EXPECT_EQ(position, held + result.prompt_tokens + 4 - 1);
  EXPECT_GT(result.prompt_tokens, 0);

  // A conversation that does not continue the session starts it over.
  const std::string other = R"([{"role": "user", "content": "bye"}])";
  options = greedy(&second, 2);
  EXPECT_SIEVE_OK(sieve_session_chat(session, other.data(), other.size(), 0, &options, &result));
  EXPECT_SIEVE_OK(sieve_session_position(session, &position));
  EXPECT_EQ(position, result.prompt_tokens + 2 - 1);

  // Tokenizing into too small a buffer says how many ids it needs; the
  // text comes back through detokenize.
  size_t total = 0;
  Result counted(sieve_model_tokenize(model, "xyz", 3, nullptr, 0, &total));
  EXPECT_EQ(counted.code(), SIEVE_STATUS_OUT_OF_RANGE);
  ASSERT_GT(total, 0u);
  std::vector<int32_t> ids(total);
  EXPECT_SIEVE_OK(sieve_model_tokenize(model, "xyz", 3, ids.data(), ids.size(), &total));
  char back[8];
  size_t length = 0;
  EXPECT_SIEVE_OK(
      sieve_model_detokenize(model, ids.data(), ids.size(), back, sizeof back, &length));
  EXPECT_EQ(std::string(back, length), "xyz");

  // Text generation starts an empty session with BOS.
  EXPECT_SIEVE_OK(sieve_session_reset(session));
  Collected text;
  options = greedy(&text, 3);
  EXPECT_SIEVE_OK(sieve_session_generate_text(session, "ab", 2, &options, &result));
  EXPECT_EQ(result.prompt_tokens, 3);
  sieve_session_release(session);
  sieve_model_release(model);
}

// The 0.2 fields: a 0.1-sized struct still works (the fields past it read
// as zero); min_p 1 is greedy; the penalties change greedy decoding; stop
// strings cut the text where it first contains one.
TEST(RuntimeApi, MinPPenaltiesAndStopStrings) {
  const std::string tokenizer = byteTokenizer();
  sieve_model_t *model = loadTiny(tokenizer.c_str());
  ASSERT_NE(model, nullptr);
  sieve_session_t *session = nullptr;
  EXPECT_SIEVE_OK(sieve_session_create(model, &session));
  sieve_generate_result_t result;
  sieve_generate_result_init(&result);
  const std::vector<int32_t> prompt = {0, 15, 7, 99};

  Collected plain;
  sieve_generate_options_t options = greedy(&plain, 64);
  EXPECT_SIEVE_OK(sieve_session_generate(session, prompt.data(), prompt.size(), &options, &result));

  Collected old;
  options = greedy(&old, 64);
  options.struct_size = offsetof(sieve_generate_options_t, min_p);
  options.min_p = 0.5f; // past the caller's struct: not read
  EXPECT_SIEVE_OK(sieve_session_reset(session));
  EXPECT_SIEVE_OK(sieve_session_generate(session, prompt.data(), prompt.size(), &options, &result));
  EXPECT_EQ(old.tokens, plain.tokens);

  Collected minP;
  options = greedy(&minP, 64);
  options.temperature = 1.0f;
  options.min_p = 1.0f;
  EXPECT_SIEVE_OK(sieve_session_reset(session));
  EXPECT_SIEVE_OK(sieve_session_generate(session, prompt.data(), prompt.size(), &options, &result));
  EXPECT_EQ(minP.tokens, plain.tokens);

  // 64 greedy tokens of the random model repeat ids; penalized, fewer.
  Collected penalized;
  options = greedy(&penalized, 64);
  options.repeat_penalty = 3.0f;
  options.presence_penalty = 2.0f;
  EXPECT_SIEVE_OK(sieve_session_reset(session));
  EXPECT_SIEVE_OK(sieve_session_generate(session, prompt.data(), prompt.size(), &options, &result));
  auto distinct = [](std::vector<int32_t> ids) {
    std::sort(ids.begin(), ids.end());
    return std::unique(ids.begin(), ids.end()) - ids.begin();
  };
  EXPECT_LT(distinct(plain.tokens), 64);
  EXPECT_GT(distinct(penalized.tokens), distinct(plain.tokens));

  // Stop strings, on text: the full greedy text, then a three-byte piece
  // of it as the stop string; the text must end before its first place.
  Collected full;
  options = greedy(&full, 24);
  EXPECT_SIEVE_OK(sieve_session_reset(session));
  EXPECT_SIEVE_OK(sieve_session_generate_text(session, "ab", 2, &options, &result));
  ASSERT_GT(full.text.size(), 8u);
  const std::string stop = full.text.substr(4, 3);
  const char *stops[] = {stop.c_str()};
  Collected cut;
  options = greedy(&cut, 24);
  options.stop = stops;
  options.stop_count = 1;
  EXPECT_SIEVE_OK(sieve_session_reset(session));
  EXPECT_SIEVE_OK(sieve_session_generate_text(session, "ab", 2, &options, &result));
  EXPECT_EQ(result.stop_reason, SIEVE_STOP_STOP_STRING);
  EXPECT_EQ(cut.text, full.text.substr(0, full.text.find(stop)));

  // A stop string the text only begins at its end: the held-back bytes
  // come in one last callback with token -1.
  const std::string almost = full.text.substr(full.text.size() - 1) + "\x01\x02";
  const char *almostStops[] = {almost.c_str()};
  Collected held;
  options = greedy(&held, 24);
  options.stop = almostStops;
  options.stop_count = 1;
  EXPECT_SIEVE_OK(sieve_session_reset(session));
  EXPECT_SIEVE_OK(sieve_session_generate_text(session, "ab", 2, &options, &result));
  EXPECT_EQ(result.stop_reason, SIEVE_STOP_MAX_NEW_TOKENS);
  EXPECT_EQ(held.text, full.text);
  ASSERT_EQ(held.tokens.size(), 25u);
  EXPECT_EQ(held.tokens.back(), -1);

  // Bad fields get a status.
  options = greedy(&cut, 4);
  options.stop_count = 1;
  EXPECT_SIEVE_CODE(sieve_session_generate_text(session, "ab", 2, &options, &result),
                    SIEVE_STATUS_INVALID_ARGUMENT); // stop is NULL
  const char *empty[] = {""};
  options.stop = empty;
  EXPECT_SIEVE_CODE(sieve_session_generate_text(session, "ab", 2, &options, &result),
                    SIEVE_STATUS_INVALID_ARGUMENT);
  options = greedy(&cut, 4);
  options.min_p = 2.0f;
  EXPECT_SIEVE_CODE(
      sieve_session_generate(session, prompt.data(), prompt.size(), &options, &result),
      SIEVE_STATUS_INVALID_ARGUMENT);
  sieve_session_release(session);
  sieve_model_release(model);

  // Stop strings need text: a model without a tokenizer refuses them.
  sieve_model_t *bare = loadTiny();
  ASSERT_NE(bare, nullptr);
  EXPECT_SIEVE_OK(sieve_session_create(bare, &session));
  options = greedy(&cut, 4);
  options.stop = stops;
  options.stop_count = 1;
  EXPECT_SIEVE_CODE(
      sieve_session_generate(session, prompt.data(), prompt.size(), &options, &result),
      SIEVE_STATUS_INVALID_ARGUMENT);
  sieve_session_release(session);
  sieve_model_release(bare);
}

TEST(RuntimeApi, ABatchedStepGivesEachSessionsOwnLogits) {
  sieve_model_t *model = loadTiny();
  ASSERT_NE(model, nullptr);
  sieve_model_info_t info = infoOf(model);
  const size_t vocab = size_t(info.vocab_size);
  sieve_session_t *a = nullptr, *b = nullptr;
  EXPECT_SIEVE_OK(sieve_session_create(model, &a));
  EXPECT_SIEVE_OK(sieve_session_create(model, &b));
  const std::vector<int32_t> promptA = {0, 15, 7}, promptB = {0, 42, 8, 1, 77};
  const float *logits = nullptr;
  EXPECT_SIEVE_OK(sieve_session_forward(a, promptA.data(), promptA.size(), &logits));
  EXPECT_SIEVE_OK(sieve_session_forward(b, promptB.data(), promptB.size(), &logits));

  // One step for both, then the same steps one session at a time on
  // fresh sessions: the same logits (within the kernels' tolerance).
  sieve_session_t *both[] = {a, b};
  const int32_t next[] = {9, 11};
  std::vector<float> batched(2 * vocab);
  EXPECT_SIEVE_OK(sieve_model_decode(model, both, next, 2, batched.data(), batched.size()));
  for (int which = 0; which < 2; ++which) {
    sieve_session_t *session = both[which];
    EXPECT_SIEVE_OK(sieve_session_reset(session));
    const std::vector<int32_t> &prompt = which == 0 ? promptA : promptB;
    EXPECT_SIEVE_OK(sieve_session_forward(session, prompt.data(), prompt.size(), &logits));
    EXPECT_SIEVE_OK(sieve_session_forward(session, &next[which], 1, &logits));
    EXPECT_LE(relativeL2(batched.data() + which * vocab, logits, int64_t(vocab)), 1e-3)
        << "session " << which;
    int64_t position = 0;
    EXPECT_SIEVE_OK(sieve_session_position(session, &position));
    EXPECT_EQ(position, int64_t(prompt.size()) + 1);
  }
  EXPECT_SIEVE_CODE(sieve_model_decode(model, both, next, 2, batched.data(), vocab),
                    SIEVE_STATUS_OUT_OF_RANGE);
  sieve_session_t *twice[] = {a, a};
  EXPECT_SIEVE_CODE(sieve_model_decode(model, twice, next, 2, batched.data(), batched.size()),
                    SIEVE_STATUS_INVALID_ARGUMENT);
  const int32_t outside[] = {9, -1};
  EXPECT_SIEVE_CODE(sieve_model_decode(model, both, outside, 2, batched.data(), batched.size()),
                    SIEVE_STATUS_INVALID_ARGUMENT);
  EXPECT_SIEVE_CODE(sieve_model_decode(model, both, next, 0, batched.data(), batched.size()),
                    SIEVE_STATUS_INVALID_ARGUMENT);
  sieve_session_release(a);
  sieve_session_release(b);
  sieve_model_release(model);
}

// Hardware that is not there is UNAVAILABLE (since 0.3): a module holding
// only GPU code, on a machine whose runtime finds no GPU.
TEST(RuntimeApi, AModuleForAbsentHardwareIsUnavailable) {
  const Compiled &gpu =
      compiledModel("tiny-v4", 128, "--target=nvidia:sm_90 --cuda-toolkit=/nonexistent");
  sieve_model_options_t options;
  sieve_model_options_init(&options);
  options.module_path = gpu.module.c_str();
  options.weights_path = gpu.checkpoint.c_str();
  sieve_model_t *model = nullptr;
  Result refused(sieve_model_load(&options, &model));
  if (refused.code() == SIEVE_STATUS_OK) {
    sieve_model_release(model);
    GTEST_SKIP() << "this machine runs NVIDIA code";
  }
  EXPECT_EQ(refused.code(), SIEVE_STATUS_UNAVAILABLE) << refused.message();
  EXPECT_NE(refused.message().find("no executable this machine can run"), std::string::npos)
      << refused.message();
  EXPECT_EQ(model, nullptr);
}

TEST(RuntimeApi, CompilesOnFirstUseAndListsTheExecutables) {
  test::ScopedTempDir cache("capi-cache");
  sieve_model_options_t options;
  sieve_model_options_init(&options);
  options.weights_path = tiny().checkpoint.c_str(); // no module: its config.json is compiled
  options.compiler_path = sieve::test_paths::compilerPath();
  options.cache_dir = cache.path().c_str();
  options.threads = 1;
  sieve_model_t *model = nullptr;
  EXPECT_SIEVE_OK(sieve_model_load(&options, &model));
  ASSERT_NE(model, nullptr);
  sieve_model_info_t info = infoOf(model);
  const std::string compiled = info.module_path;
  EXPECT_EQ(compiled.rfind(cache.path(), 0), 0u) << compiled;
  EXPECT_EQ(info.devices_passed_over, nullptr); // --device defaults to what the module runs on
  ASSERT_EQ(info.executable_count, 1u);
  sieve_executable_info_t executable;
  sieve_executable_info_init(&executable);
  EXPECT_SIEVE_OK(sieve_model_executable(model, 0, &executable));
  EXPECT_STREQ(executable.target, "cpu:host");
  EXPECT_EQ(executable.chosen, 1);
  EXPECT_EQ(executable.rejected, nullptr);
  EXPECT_SIEVE_CODE(sieve_model_executable(model, 1, &executable), SIEVE_STATUS_OUT_OF_RANGE);
  sieve_model_release(model);

  // The second load finds the module in the cache.
  EXPECT_SIEVE_OK(sieve_model_load(&options, &model));
  info = infoOf(model);
  EXPECT_EQ(std::string(info.module_path), compiled);
  sieve_model_release(model);

  // A compiler that is not there: said so.
  options.compiler_path = "/nonexistent/sieve-compile";
  test::ScopedTempDir empty("capi-empty-cache");
  options.cache_dir = empty.path().c_str();
  Result missing(sieve_model_load(&options, &model));
  EXPECT_NE(missing.code(), SIEVE_STATUS_OK);
  EXPECT_NE(missing.message().find("sieve-compile"), std::string::npos) << missing.message();
}

struct CountingAllocator {
  std::atomic<int64_t> live{0}, total{0};
  static void *alloc(void *self, size_t size) {
    auto *counts = static_cast<CountingAllocator *>(self);
    ++counts->live;
    ++counts->total;
    return std::malloc(size);
  }
  static void free(void *self, void *pointer) {
    --static_cast<CountingAllocator *>(self)->live;
    std::free(pointer);
  }
};

TEST(RuntimeApi, TheAllocatorHooksSeeEveryObject) {
  CountingAllocator counts;
  sieve_allocator_t allocator = {&counts, CountingAllocator::alloc, CountingAllocator::free};
  sieve_model_t *model = loadTiny(nullptr, allocator);
  ASSERT_NE(model, nullptr);
  sieve_session_t *session = nullptr;
  EXPECT_SIEVE_OK(sieve_session_create(model, &session));
  // A status of a call on the model comes from its allocator too.
  sieve_status_t *status = sieve_session_forward(session, nullptr, 0, nullptr);
  EXPECT_EQ(sieve_status_code(status), SIEVE_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(counts.live.load(), 3); // model, session, status
  sieve_status_free(status);
  sieve_session_release(session);
  sieve_model_release(model);
  EXPECT_EQ(counts.live.load(), 0);
  EXPECT_EQ(counts.total.load(), 3);

  // An allocator that gives nothing: the load fails with a status all the
  // same (a static one, which sieve_status_free leaves alone).
  sieve_allocator_t empty = {nullptr, [](void *, size_t) -> void * { return nullptr; },
                             [](void *, void *) {}};
  sieve_model_options_t options;
  sieve_model_options_init(&options);
  options.module_path = tiny().module.c_str();
  options.weights_path = tiny().checkpoint.c_str();
  options.allocator = empty;
  sieve_model_t *none = nullptr;
  EXPECT_SIEVE_CODE(sieve_model_load(&options, &none), SIEVE_STATUS_RESOURCE_EXHAUSTED);
  EXPECT_EQ(none, nullptr);

  sieve_model_options_init(&options);
  options.allocator.alloc = CountingAllocator::alloc; // without free
  EXPECT_SIEVE_CODE(sieve_model_load(&options, &none), SIEVE_STATUS_INVALID_ARGUMENT);
}

int reenter(void *userData, int32_t, const char *, size_t) {
  auto *session = static_cast<sieve_session_t *>(userData);
  int64_t position = 0;
  sieve_status_t *status = sieve_session_position(session, &position);
  int busy = sieve_status_code(status) == SIEVE_STATUS_BUSY;
  sieve_status_free(status);
  return busy ? 1 : 0; // stop at once when refused (as expected)
}

TEST(RuntimeApi, BadArgumentsGetAStatus) {
  sieve_model_options_t options;
  sieve_model_options_init(&options);
  sieve_model_t *model = nullptr;
  EXPECT_SIEVE_CODE(sieve_model_load(nullptr, &model), SIEVE_STATUS_INVALID_ARGUMENT);
  EXPECT_SIEVE_CODE(sieve_model_load(&options, nullptr), SIEVE_STATUS_INVALID_ARGUMENT);
  EXPECT_SIEVE_CODE(sieve_model_load(&options, &model), SIEVE_STATUS_INVALID_ARGUMENT); // paths
  options.module_path = "/nonexistent/tiny.sieve";
  options.weights_path = tiny().checkpoint.c_str();
  Result missing(sieve_model_load(&options, &model));
  EXPECT_NE(missing.code(), SIEVE_STATUS_OK);
  EXPECT_NE(missing.message().find("/nonexistent/tiny.sieve"), std::string::npos)
      << missing.message();
  // A config.json where the module goes: a clear refusal, not a crash.
  const std::string config = tiny().checkpoint + "/config.json";
  options.module_path = config.c_str();
  EXPECT_SIEVE_CODE(sieve_model_load(&options, &model), SIEVE_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(model, nullptr);

  // Struct sizes: too small, larger with unknown fields set, larger and zero.
  struct Larger {
    sieve_model_options_t known;
    uint64_t future;
  } larger = {};
  sieve_model_options_init(&larger.known);
  larger.known.struct_size = sizeof(larger);
  larger.known.module_path = tiny().module.c_str();
  larger.known.weights_path = tiny().checkpoint.c_str();
  larger.future = 1;
  EXPECT_SIEVE_CODE(sieve_model_load(&larger.known, &model), SIEVE_STATUS_INVALID_ARGUMENT);
  larger.future = 0;
  EXPECT_SIEVE_OK(sieve_model_load(&larger.known, &model));
  ASSERT_NE(model, nullptr);
  sieve_model_info_t info;
  sieve_model_info_init(&info);
  info.struct_size = 8;
  EXPECT_SIEVE_CODE(sieve_model_query(model, &info), SIEVE_STATUS_INVALID_ARGUMENT);
  EXPECT_SIEVE_CODE(sieve_model_query(model, nullptr), SIEVE_STATUS_INVALID_ARGUMENT);

  // Without a tokenizer, text is refused.
  size_t count = 0;
  EXPECT_SIEVE_CODE(sieve_model_tokenize(model, "a", 1, nullptr, 0, &count),
                    SIEVE_STATUS_FAILED_PRECONDITION);
  sieve_session_t *session = nullptr;
  EXPECT_SIEVE_CODE(sieve_session_create(model, nullptr), SIEVE_STATUS_INVALID_ARGUMENT);
  EXPECT_SIEVE_OK(sieve_session_create(model, &session));
  sieve_generate_options_t generate;
  sieve_generate_options_init(&generate);
  EXPECT_SIEVE_CODE(sieve_session_generate_text(session, "a", 1, &generate, nullptr),
                    SIEVE_STATUS_FAILED_PRECONDITION);
  EXPECT_SIEVE_CODE(sieve_session_chat(session, "[]", 2, 0, &generate, nullptr),
                    SIEVE_STATUS_FAILED_PRECONDITION);
  const int32_t prompt[] = {0, 5};
  EXPECT_SIEVE_CODE(sieve_session_generate(session, prompt, 2, nullptr, nullptr),
                    SIEVE_STATUS_INVALID_ARGUMENT);
  EXPECT_SIEVE_CODE(sieve_session_generate(session, nullptr, 2, &generate, nullptr),
                    SIEVE_STATUS_INVALID_ARGUMENT);
  generate.top_p = 0;
  EXPECT_SIEVE_CODE(sieve_session_generate(session, prompt, 2, &generate, nullptr),
                    SIEVE_STATUS_INVALID_ARGUMENT);
  sieve_generate_options_init(&generate);
  const int32_t outside[] = {0, 1 << 30};
  EXPECT_SIEVE_CODE(sieve_session_generate(session, outside, 2, &generate, nullptr),
                    SIEVE_STATUS_INVALID_ARGUMENT);
  const float *logits = nullptr;
  EXPECT_SIEVE_CODE(sieve_session_forward(session, outside, 2, &logits),
                    SIEVE_STATUS_INVALID_ARGUMENT);

  // A call on a session from inside its own callback: BUSY, not a deadlock.
  generate.on_token = reenter;
  generate.user_data = session;
  generate.max_new_tokens = 5;
  sieve_generate_result_t result;
  sieve_generate_result_init(&result);
  EXPECT_SIEVE_OK(sieve_session_generate(session, prompt, 2, &generate, &result));
  EXPECT_EQ(result.stop_reason, SIEVE_STOP_CALLBACK);
  EXPECT_EQ(result.generated_tokens, 1);

  // Released handles are refused, never dereferenced; releases and retains
  // of them are ignored.
  sieve_session_release(session);
  int64_t position = 0;
  EXPECT_SIEVE_CODE(sieve_session_position(session, &position), SIEVE_STATUS_INVALID_ARGUMENT);
  sieve_session_release(session);
  sieve_session_retain(session);
  sieve_model_release(model);
  EXPECT_SIEVE_CODE(sieve_model_query(model, &info), SIEVE_STATUS_INVALID_ARGUMENT);
  EXPECT_SIEVE_CODE(sieve_session_create(model, &session), SIEVE_STATUS_INVALID_ARGUMENT);
  sieve_model_release(model);
  sieve_model_retain(model);
  EXPECT_SIEVE_CODE(sieve_model_query(nullptr, &info), SIEVE_STATUS_INVALID_ARGUMENT);
  EXPECT_SIEVE_CODE(sieve_session_reset(nullptr), SIEVE_STATUS_INVALID_ARGUMENT);
  sieve_model_release(nullptr);
  sieve_session_release(nullptr);
}

} // namespace
} // namespace sieve
