// embed-cpp: generation for several prompts from several threads, one
// session per thread, through the RAII wrapper sieve.hpp.
//
//   embed-cpp MODEL.sieve WEIGHTS_DIR THREADS PROMPT...
//
// A PROMPT is token ids separated by commas. Prompt i samples with seed i
// at temperature 0.8 with min-p 0.05 and a repeat penalty of 1.3 over the
// last 16 tokens, 16 tokens; the results print in prompt order, so the
// output does not depend on THREADS. The runtime batches the decode steps
// of sessions generating at once; stderr says how many steps the tokens
// took and how long generation ran.
#include "sieve.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <sstream>
#include <thread>

int main(int argc, char **argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: embed-cpp MODEL.sieve WEIGHTS_DIR THREADS PROMPT...\n");
    return 2;
  }
  std::vector<std::vector<int32_t>> prompts;
  for (int i = 4; i < argc; ++i) {
    std::vector<int32_t> ids;
    std::stringstream in(argv[i]);
    for (std::string id; std::getline(in, id, ',');)
      ids.push_back(int32_t(std::atoi(id.c_str())));
    prompts.push_back(ids);
  }
  auto model = sieve_cpp::Model::load(argv[1], argv[2]);
  if (!model) {
    std::fprintf(stderr, "embed-cpp: %s\n", model.error().message.c_str());
    return 1;
  }
  auto info = model->info();
  const int threads = std::max(1, std::min(std::atoi(argv[3]), int(info->max_sessions)));

  std::vector<std::vector<int32_t>> results(prompts.size());
  std::vector<std::string> errors;
  std::mutex errorsMutex;
  std::atomic<size_t> next{0};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&] {
      auto session = model->openSession();
      if (!session) {
        std::lock_guard<std::mutex> lock(errorsMutex);
        errors.push_back(session.error().message);
        return;
      }
      for (size_t i = next++; i < prompts.size(); i = next++) {
        // Each prompt from an empty session.
        if (auto error = session->reset()) {
          std::lock_guard<std::mutex> lock(errorsMutex);
          errors.push_back(error->message);
          return;
        }
        sieve_cpp::GenerateOptions options;
        options.temperature = 0.8f;
        options.minP = 0.05f;
        options.repeatPenalty = 1.3f;
        options.repeatLastN = 16;
        options.seed = i;
        options.maxNewTokens = 16;
        options.ignoreEos = true;
        auto tokens = session->generate(prompts[i], options);
        std::lock_guard<std::mutex> lock(errorsMutex);
        if (tokens)
          results[i] = *tokens;
        else
          errors.push_back(tokens.error().message);
      }
    });
  for (std::thread &worker : workers)
    worker.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (auto after = model->info())
    std::fprintf(stderr,
                 "embed-cpp: %zu prompts on %d threads in %.2f s; %llu decode steps carried %llu "
                 "tokens (mean batch %.2f)\n",
                 prompts.size(), threads, seconds, (unsigned long long)after->decode_steps,
                 (unsigned long long)after->decode_tokens,
                 after->decode_steps ? double(after->decode_tokens) / double(after->decode_steps)
                                     : 0.0);
  for (const std::string &error : errors)
    std::fprintf(stderr, "embed-cpp: %s\n", error.c_str());
  for (size_t i = 0; i < results.size(); ++i) {
    std::printf("prompt %zu:", i);
    for (int32_t token : results[i])
      std::printf(" %d", token);
    std::printf("\n");
  }
  return errors.empty() ? 0 : 1;
}
