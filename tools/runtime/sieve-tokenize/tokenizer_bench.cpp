//===- tokenizer_bench.cpp - Tokenizer throughput (Google Benchmark) ------===//
//
//   sieve-tokenizer-bench [--tokenizer=FILE] [--benchmark_* flags]
//
// Encodes 1 MiB texts built from the e2e corpus (test/e2e/tokenizer/corpus):
// the whole corpus repeated (mixed scripts, code, emoji, whitespace), English
// prose only, and a pseudo-random mix of characters with few repeated words
// (the worst case for the per-call BPE cache), and a single 1 MiB run of
// spaces (one BPE piece: the worst case for merging). Also times loading
// tokenizer.json and decoding. docs/performance.md records the figures.
//
//===----------------------------------------------------------------------===//

#include "sieve/io/tokenizer.h"
#include "sieve/support/tool_main.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

using sieve::io::Tokenizer;

namespace {

constexpr size_t kTextBytes = 1 << 20;

std::string gTokenizerPath = SIEVE_TOKENIZER_DIR "/tokenizer.json";
const Tokenizer *gTokenizer = nullptr;
std::string gMixed, gEnglish, gRandom, gSpaces;

std::string readFile(const std::string &path) {
  std::string out;
  if (std::FILE *f = std::fopen(path.c_str(), "rb")) {
    char buf[1 << 16];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0)
      out.append(buf, n);
    std::fclose(f);
  }
  return out;
}

// Repeats `unit` up to kTextBytes, cut at a UTF-8 character boundary.
std::string repeatTo1MiB(const std::string &unit) {
  std::string out;
  while (out.size() < kTextBytes)
    out += unit;
  size_t n = kTextBytes;
  while (n > 0 && (static_cast<unsigned char>(out[n]) & 0xC0) == 0x80)
    --n;
  out.resize(n);
  return out;
}

std::string randomText() {
  // Characters from several scripts, spaces, digits and punctuation, in
  // random words: few pieces repeat, so the BPE cache rarely hits.
  const char *pools[] = {
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
      "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年",
      "あいうえおかきくけこアイウエオカキクケコ",
      "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
      "0123456789",
      ".,;:!?()[]{}<>-_=+*/\\'\"",
      "😀🎉👍🔥💯✨",
  };
  std::vector<std::vector<std::string>> chars;
  for (const char *pool : pools) {
    std::vector<std::string> cs;
    for (size_t i = 0; pool[i];) {
      size_t len = 1;
      auto b = static_cast<unsigned char>(pool[i]);
      if (b >= 0xF0)
        len = 4;
      else if (b >= 0xE0)
        len = 3;
      else if (b >= 0xC0)
        len = 2;
      cs.emplace_back(pool + i, len);
      i += len;
    }
    chars.push_back(std::move(cs));
  }
  std::mt19937 rng(12345);
  std::string out;
  while (out.size() < kTextBytes - 64) {
    const auto &pool = chars[rng() % chars.size()];
    size_t wordLen = 1 + rng() % 9;
    for (size_t i = 0; i < wordLen; ++i)
      out += pool[rng() % pool.size()];
    out += (rng() % 10 == 0) ? "\n" : " ";
  }
  return out;
}

void encodeBench(benchmark::State &state, const std::string *text) {
  size_t ids = 0;
  for (auto _ : state) {
    auto result = gTokenizer->encode(*text);
    if (!result) {
      state.SkipWithError(result.status().message().c_str());
      return;
    }
    ids = result->size();
    benchmark::DoNotOptimize(result->data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text->size()));
  state.counters["tokens"] = static_cast<double>(ids);
  state.counters["bytes"] = static_cast<double>(text->size());
}

void BM_Decode(benchmark::State &state) {
  auto ids = gTokenizer->encode(gMixed);
  if (!ids) {
    state.SkipWithError(ids.status().message().c_str());
    return;
  }
  for (auto _ : state) {
    auto text = gTokenizer->decode(*ids);
    benchmark::DoNotOptimize(text->data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(gMixed.size()));
}

void BM_LoadTokenizerJson(benchmark::State &state) {
  for (auto _ : state) {
    auto t = Tokenizer::fromFile(gTokenizerPath);
    if (!t) {
      state.SkipWithError(t.status().message().c_str());
      return;
    }
    benchmark::DoNotOptimize(t->vocabSize());
  }
}

} // namespace

static int runMain(int argc, char **argv) {
  // Our own flag first; the rest belong to Google Benchmark.
  std::vector<char *> args;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--tokenizer=", 12) == 0)
      gTokenizerPath = argv[i] + 12;
    else
      args.push_back(argv[i]);
  }
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());

  auto tokenizer = Tokenizer::fromFile(gTokenizerPath);
  if (!tokenizer) {
    std::fprintf(stderr,
                 "sieve-tokenizer-bench: %s\nRun scripts/fetch-tokenizer.sh "
                 "or pass --tokenizer=FILE.\n",
                 tokenizer.status().message().c_str());
    return 1;
  }
  gTokenizer = &*tokenizer;

  const std::string corpus = SIEVE_SOURCE_DIR "/test/e2e/tokenizer/corpus/";
  std::string all;
  for (const char *name :
       {"ascii_prose.txt", "cjk.txt", "code.txt", "emoji_symbols.txt",
        "markdown.txt", "multilingual.txt", "numbers.txt", "special_tokens.txt",
        "whitespace.txt"})
    all += readFile(corpus + name);
  std::string prose = readFile(corpus + "ascii_prose.txt");
  if (all.empty() || prose.empty()) {
    std::fprintf(stderr, "sieve-tokenizer-bench: corpus not found in %s\n",
                 corpus.c_str());
    return 1;
  }
  gMixed = repeatTo1MiB(all);
  gEnglish = repeatTo1MiB(prose);
  gRandom = randomText();
  // The worst case: one BPE piece of 1 MiB.
  gSpaces = "a" + std::string(kTextBytes - 2, ' ') + "b";

  benchmark::RegisterBenchmark("Encode1MiB/corpus_mix", encodeBench, &gMixed)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("Encode1MiB/english", encodeBench, &gEnglish)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("Encode1MiB/random_words", encodeBench, &gRandom)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("Encode1MiB/one_space_run", encodeBench,
                               &gSpaces)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("Decode1MiB/corpus_mix", BM_Decode)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("LoadTokenizerJson", BM_LoadTokenizerJson)
      ->Unit(benchmark::kMillisecond);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

int main(int argc, char **argv) {
  return sieve::runToolMain("sieve-tokenizer-bench", [&] { return runMain(argc, argv); });
}
