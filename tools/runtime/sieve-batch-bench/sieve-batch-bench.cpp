//===- sieve-batch-bench.cpp - Sessions generating at once, through the C API ===//
//
// Measures the C API's automatic batching: SESSIONS sessions of one model
// each generate TOKENS greedy tokens, first one after another, then all at
// once from a thread each, after one warm-up round (the checkpoint's pages
// mapped in). Prints both rates, their ratio and the mean decode batch
// (sieve_model_info_t's decode counts). A tool, not a test.
//
//   sieve-batch-bench MODULE.sieve WEIGHTS_DIR [SESSIONS [TOKENS [ROUNDS [THREADS]]]]
//
//===----------------------------------------------------------------------===//

#include "sieve/runtime.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// Prints a failed status; true when there was one.
bool failed(sieve_status_t *status, const char *what) {
  if (!status)
    return false;
  std::fprintf(stderr, "sieve-batch-bench: %s: %s\n", what, sieve_status_message(status));
  sieve_status_free(status);
  return true;
}

sieve_model_info_t query(sieve_model_t *model) {
  sieve_model_info_t info;
  sieve_model_info_init(&info);
  failed(sieve_model_query(model, &info), "query");
  return info;
}

int parsePositive(const char *text, const char *name) {
  char *end = nullptr;
  long value = std::strtol(text, &end, 10);
  if (!*text || *end || value < 1 || value > 1 << 20) {
    std::fprintf(stderr, "sieve-batch-bench: %s must be a positive integer (got '%s')\n", name,
                 text);
    std::exit(2);
  }
  return int(value);
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 3 || argc > 7) {
    std::fprintf(stderr, "usage: sieve-batch-bench MODULE.sieve WEIGHTS_DIR [SESSIONS [TOKENS "
                         "[ROUNDS [THREADS]]]]\n");
    return 2;
  }
  const int sessions = argc > 3 ? parsePositive(argv[3], "SESSIONS") : 4;
  const int tokens = argc > 4 ? parsePositive(argv[4], "TOKENS") : 48;
  const int rounds = argc > 5 ? parsePositive(argv[5], "ROUNDS") : 3;
  sieve_model_options_t options;
  sieve_model_options_init(&options);
  options.module_path = argv[1];
  options.weights_path = argv[2];
  options.threads = argc > 6 ? uint32_t(parsePositive(argv[6], "THREADS")) : 0;
  sieve_model_t *model = nullptr;
  if (failed(sieve_model_load(&options, &model), "load"))
    return 1;
  std::vector<sieve_session_t *> handles(size_t(sessions), nullptr);
  for (sieve_session_t *&session : handles)
    if (failed(sieve_session_create(model, &session), "session"))
      return 1;
  bool ok = true;
  auto generate = [&](int i) {
    sieve_generate_options_t generate;
    sieve_generate_options_init(&generate);
    generate.temperature = 0;
    generate.max_new_tokens = tokens;
    generate.ignore_eos = 1;
    const int32_t prompt[] = {0, 5, int32_t(7 + i)};
    sieve_session_t *session = handles[size_t(i)];
    if (failed(sieve_session_reset(session), "reset") ||
        failed(sieve_session_generate(session, prompt, 3, &generate, nullptr), "generate"))
      ok = false;
  };
  for (int i = 0; i < sessions; ++i)
    generate(i); // warm-up: the weights' pages mapped in
  std::printf("| sessions | tokens each | one after another | at once | ratio | mean batch |\n");
  std::printf("| ---: | ---: | ---: | ---: | ---: | ---: |\n");
  for (int round = 0; round < rounds && ok; ++round) {
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < sessions; ++i)
      generate(i);
    const double sequential = secondsSince(start);
    const sieve_model_info_t before = query(model);
    start = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int i = 0; i < sessions; ++i)
      threads.emplace_back(generate, i);
    for (std::thread &thread : threads)
      thread.join();
    const double together = secondsSince(start);
    const sieve_model_info_t after = query(model);
    const double total = double(sessions) * tokens;
    const uint64_t steps = after.decode_steps - before.decode_steps;
    std::printf("| %d | %d | %.1f tok/s | %.1f tok/s | %.2fx | %.2f |\n", sessions, tokens,
                total / sequential, total / together, sequential / together,
                steps ? double(after.decode_tokens - before.decode_tokens) / double(steps) : 0.0);
  }
  for (sieve_session_t *session : handles)
    sieve_session_release(session);
  sieve_model_release(model);
  return ok ? 0 : 1;
}
